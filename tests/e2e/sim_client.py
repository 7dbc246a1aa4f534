"""A thin client for the Zalo simulator's control API, so e2e tests read like a citizen's actions."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests

T = TypeVar("T")


def eventually(probe: Callable[[], T], timeout: float = 20.0, interval: float = 0.1) -> T:
    """Poll until `probe` returns something truthy; the local runner works in the background."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


class SimClient:
    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def _post(self, route: str, body: dict[str, Any] | None = None) -> Any:
        answer = requests.post(f"{self.base}{route}", json=body or {}, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def _get(self, route: str, **params: Any) -> Any:
        answer = requests.get(f"{self.base}{route}", params=params, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def new_citizen(self, display_name: str, phone: str = "", follower: bool = True) -> dict[str, Any]:
        return self._post("/_sim/users", {"display_name": display_name, "phone": phone, "follower": follower})

    def say(self, user_id: str, text: str) -> dict[str, Any]:
        """The citizen types `text` in the OA chat (a signed user_send_text webhook)."""
        return self._post(f"/_sim/users/{user_id}/messages", {"text": text})

    def send_photo(self, user_id: str, jpeg: bytes, caption: str = "") -> dict[str, Any]:
        """The citizen sends a photo (a signed user_send_image webhook; the simulator serves the file)."""
        photo = base64.b64encode(jpeg).decode()
        body = {"image_base64": photo, "content_type": "image/jpeg", "text": caption}
        return self._post(f"/_sim/users/{user_id}/images", body)

    def share_link(self, user_id: str, url: str, caption: str = "") -> dict[str, Any]:
        """The citizen shares a link in the chat (a signed user_send_link webhook)."""
        return self._post(f"/_sim/users/{user_id}/links", {"url": url, "text": caption})

    def follow(self, user_id: str) -> dict[str, Any]:
        return self._post(f"/_sim/users/{user_id}/follow")

    def unfollow(self, user_id: str) -> dict[str, Any]:
        return self._post(f"/_sim/users/{user_id}/unfollow")

    def submit_info(self, user_id: str, phone: str = "") -> dict[str, Any]:
        """The citizen taps "share" on the OA's request_user_info card (default: their own phone)."""
        return self._post(f"/_sim/users/{user_id}/submit-info", {"phone": phone} if phone else {})

    def withdraw(self, user_id: str) -> dict[str, Any]:
        """The citizen withdraws consent in Zalo's own settings (a user_withdraw webhook)."""
        return self._post(f"/_sim/users/{user_id}/withdraw")

    def inbox(self, user_id: str) -> dict[str, Any]:
        return self._get(f"/_sim/users/{user_id}/inbox")

    def phone_inbox(self, phone84: str) -> list[dict[str, Any]]:
        answer = self._get(f"/_sim/phones/{phone84}/inbox")
        return answer if isinstance(answer, list) else answer.get("messages", [])

    def calls(self, path: str | None = None) -> list[dict[str, Any]]:
        answer = self._get("/_sim/calls", **({"path": path} if path else {}))
        return answer if isinstance(answer, list) else answer.get("calls", [])

    def deliveries(self) -> list[dict[str, Any]]:
        answer = self._get("/_sim/deliveries")
        return answer if isinstance(answer, list) else answer.get("deliveries", [])

    def redeliver(self, index: int) -> dict[str, Any]:
        return self._post(f"/_sim/deliveries/{index}/redeliver")

    def expire_tokens(self) -> dict[str, Any]:
        return self._post("/_sim/tokens/expire")

    def tokens(self) -> dict[str, Any]:
        return self._get("/_sim/tokens")

    def no_zalo(self, phone84: str) -> dict[str, Any]:
        return self._post("/_sim/phones/no-zalo", {"phone": phone84})

    def _patch(self, route: str, body: dict[str, Any]) -> Any:
        answer = requests.patch(f"{self.base}{route}", json=body, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def configure(self, **changes: Any) -> dict[str, Any]:
        """Change the simulator's run-time settings (PATCH /_sim/config); returns the new settings."""
        return self._patch("/_sim/config", changes)

    def articles(self) -> list[dict[str, Any]]:
        return list(self._get("/_sim/articles")["articles"])

    def broadcasts(self) -> list[dict[str, Any]]:
        return list(self._get("/_sim/broadcasts")["broadcasts"])

    def fault(self, path: str, **how: Any) -> dict[str, Any]:
        """The next call(s) to `path` fail as told: error | http_status, delay_ms, count (None: unlimited),
        skip (let some through first), probability, seed."""
        return self._post("/_sim/faults", {"path": path, **how})

    def now_ms(self) -> int:
        return int(self._get("/_sim/clock")["now_ms"])

    def advance(self, seconds: float) -> int:
        """Move the simulator's clock (and the announcements' clock that follows it locally)."""
        return int(self._post("/_sim/clock/advance", {"seconds": seconds})["now_ms"])

    def advance_to_vietnam_time(self, hour: int, minute: int = 0) -> int:
        """Forward to the next hh:mm Vietnam time (UTC+7); never backwards."""
        vietnam_s = self.now_ms() / 1000 + 7 * 3600
        return self.advance((hour * 3600 + minute * 60 - vietnam_s) % 86400)

    def vietnam_hour(self) -> int:
        return int((self.now_ms() / 1000 + 7 * 3600) % 86400 // 3600)

    def clear_faults(self) -> None:
        requests.delete(f"{self.base}/_sim/faults", timeout=10).raise_for_status()

    def chat_texts(self, user_id: str) -> list[str]:
        """What the OA wrote to this citizen in the chat, oldest first."""
        return [m.get("text", "") for m in self.inbox(user_id).get("chat", []) if m.get("text")]

    def cs_calls_to(self, user_id: str) -> list[dict[str, Any]]:
        """Every CS send the product attempted to this citizen (answered or failed)."""
        calls = self.calls("/v3.0/oa/message/cs")
        return [c for c in calls if ((c.get("json") or {}).get("recipient") or {}).get("user_id") == user_id]

    def flush_deliveries(self, timeout_s: float = 10) -> dict[str, Any]:
        """Wait for the simulator's background webhooks (ZNS receipts) to be POSTed."""
        return self._post("/_sim/deliveries/flush", {"timeout_s": timeout_s})
