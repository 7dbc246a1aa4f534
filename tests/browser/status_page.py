"""The public status page (`/tra-cuu/{code}?k=…`) as a citizen sees it on a small phone.

The page has no script, so there is nothing to wait for once it has loaded: reads are immediate.
"""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.by import By

SMALL_PHONE = {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True}


class StatusPage:
    def __init__(self, driver: Any) -> None:
        self.driver = driver

    def open(self, url: str) -> None:
        """Open `url` on a 360 px wide phone screen (the narrowest common Android width)."""
        self.driver.get(url)
        # ChromeDriver's own phone emulation (conftest, 412 px) is applied per navigation: narrow after it.
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", SMALL_PHONE)

    def close(self) -> None:
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    # ---- reading -------------------------------------------------------------------------------
    def has(self, element_id: str) -> bool:
        return bool(self.driver.find_elements(By.ID, element_id))

    def text(self, element_id: str) -> str:
        return self.driver.find_element(By.ID, element_id).text

    def body_text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").text

    def heading(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "h1").text

    def facts(self) -> dict[str, str]:
        """The "Thông tin hồ sơ" list as title → value."""
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#facts dl div")
        return {
            row.find_element(By.TAG_NAME, "dt").text: row.find_element(By.TAG_NAME, "dd").text for row in rows
        }

    def style(self, css: str, prop: str) -> str:
        element = self.driver.find_element(By.CSS_SELECTOR, css)
        return self.driver.execute_script(f"return getComputedStyle(arguments[0]).{prop}", element)

    def overflows_horizontally(self) -> bool:
        return self.driver.execute_script(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )

    def viewport_width(self) -> int:
        return self.driver.execute_script("return document.documentElement.clientWidth")

    def lang(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "html").get_attribute("lang")
