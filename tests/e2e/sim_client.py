"""A thin client for the Zalo simulator's control API, so e2e tests read like a citizen's actions."""

from __future__ import annotations

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

    def follow(self, user_id: str) -> dict[str, Any]:
        return self._post(f"/_sim/users/{user_id}/follow")

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

    def fault(self, **fault: Any) -> dict[str, Any]:
        """Inject a fault: path, error | http_status, delay_ms, count (None: unlimited), probability, seed."""
        return self._post("/_sim/faults", fault)

    def clear_faults(self) -> None:
        requests.delete(f"{self.base}/_sim/faults", timeout=10).raise_for_status()

    def configure(self, **changes: Any) -> dict[str, Any]:
        answer = requests.patch(f"{self.base}/_sim/config", json=changes, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def flush_deliveries(self, timeout_s: float = 10) -> dict[str, Any]:
        """Wait for the simulator's background webhooks (ZNS receipts) to be POSTed."""
        return self._post("/_sim/deliveries/flush", {"timeout_s": timeout_s})

    def submit_info(self, user_id: str, **info: Any) -> dict[str, Any]:
        """The citizen shares name and phone (defaults: their own) on a request_user_info card."""
        return self._post(f"/_sim/users/{user_id}/submit-info", info)

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Shift the simulator's clock (negative to come back), e.g. into the night."""
        return self._post("/_sim/clock/advance", {"seconds": seconds})
