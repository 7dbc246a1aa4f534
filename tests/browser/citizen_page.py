"""The simulator's citizen page (local/zalo_sim/static/phone.html) as a person uses it.

Every wait is on something the page shows; the page polls the simulator once a second and
re-renders the whole chat, so waits ignore elements that went stale under them.
"""

from __future__ import annotations

from typing import Any

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

WAIT_SECONDS = 30  # generous for a loaded CI machine; a healthy stack answers in about a second
SENT_OK = "Đã gửi tin nhắn: webhook trả về HTTP 200"


class CitizenPage:
    def __init__(self, driver: Any, base_url: str) -> None:
        self.driver = driver
        self.url = base_url.rstrip("/") + "/"
        self.wait = WebDriverWait(
            driver, WAIT_SECONDS, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,)
        )

    # ---- reading -------------------------------------------------------------------------------
    def find(self, css: str) -> Any:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def text(self, css: str) -> str:
        return self.find(css).text

    def texts(self, css: str) -> list[str]:
        return [node.text for node in self.driver.find_elements(By.CSS_SELECTOR, css)]

    def chosen_citizen(self) -> str:
        return Select(self.find("#citizen")).first_selected_option.text

    # ---- acting --------------------------------------------------------------------------------
    def open(self) -> None:
        """Open the page as a first-time visitor (no citizen remembered from an earlier test)."""
        self.driver.get(self.url)
        self.driver.execute_script("window.localStorage.clear()")
        self.driver.get(self.url)
        # The OA's name arrives from the simulator's config: the script has run and reached it.
        self.wait.until(lambda _: self.text("#oa-name") != "Official Account", "the OA name never loaded")

    def create_citizen(self, name: str, phone: str) -> None:
        # A reload keeps the scroll of a long chat, leaving "＋ Mới" under the sticky OA bar: go up first.
        self.driver.execute_script("window.scrollTo(0, 0)")
        self.find("#new-toggle").click()
        self.wait.until(ec.visibility_of_element_located((By.ID, "new-name")))
        self.find("#new-name").send_keys(name)
        self.find("#new-phone").send_keys(phone)
        assert self.find("#new-follow").is_selected(), "“Quan tâm OA ngay” should be ticked by default"
        self.find("#new-form button[type=submit]").click()
        self.wait.until(lambda _: self.chosen_citizen().startswith(name), f"{name} was never chosen")
        self.wait.until(ec.invisibility_of_element_located((By.ID, "new-form")))
        self.wait.until(
            lambda _: self.text("#follow-btn") == "Đang quan tâm ✓", f"{name} never followed the OA"
        )

    def say(self, text: str) -> None:
        box = self.wait.until(ec.element_to_be_clickable((By.ID, "text")))
        box.send_keys(text)
        self.find("#send-btn").click()
        self.wait.until(lambda _: SENT_OK in self.text("#status"), "the message never reached the OA")

    def send_photo(self, path: str) -> None:
        """Pick a photo with the 📷 button (a hidden file input, as on a phone) and send it."""
        self.wait.until(lambda _: self.find("#photo").is_enabled(), "the photo button stayed disabled")
        self.find("#photo").send_keys(path)
        self.wait.until(lambda _: "Đã gửi ảnh" in self.text("#status"), "the photo never reached the OA")

    # ---- waiting for what reaches the phone ----------------------------------------------------
    def sent_bubble(self, containing: str) -> str:
        return self._wait_for("#chat .msg.in", containing, "the citizen's own message")

    def oa_reply(self, containing: str) -> str:
        return self._wait_for("#chat .msg.out", containing, "a reply from the OA")

    def info_card(self, containing: str) -> str:
        """The OA's request_user_info card ("Yêu cầu chia sẻ thông tin")."""
        return self._wait_for("#chat article.card", containing, "info request card", starts="Yêu cầu chia sẻ")

    def share_info(self) -> None:
        """Tap "Chia sẻ thông tin" on the (latest) info request card."""
        buttons = "//article[header[starts-with(., 'Yêu cầu chia sẻ')]]//button"
        self.wait.until(lambda d: d.find_elements(By.XPATH, buttons))[-1].click()

    def notice(self, containing: str) -> str:
        """A ZBS 'Thông báo' card: a templated message sent to the citizen's phone number."""
        return self._wait_for("#chat article.card", containing, "Thông báo card", starts="Thông báo")

    def _wait_for(self, css: str, containing: str, what: str, starts: str = "") -> str:
        def shown(_: Any) -> str | None:
            return next((t for t in self.texts(css) if t.startswith(starts) and containing in t), None)

        return self.wait.until(shown, f"no {what} containing {containing!r} within {WAIT_SECONDS} s")
