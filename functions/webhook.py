"""The front door for Zalo's webhooks: verify, de-duplicate, queue, answer — well within 2 s.

No Zalo call and no business logic happens here (zalo-api.md §1.3): a slow answer makes Zalo retry
and eventually disable the webhook. Nothing unverified reaches the queue.

Refusals carry a short machine-readable reason (`{"error": "stale_event"}`): 400 for a body that is
not a webhook at all (too large, not a JSON object), 401 for one we cannot trust (no or a wrong
signature, a timestamp outside the window). The timestamp window is what stops a replay: the
de-duplication record expires after days, a captured signed event would otherwise work again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from functions.ports import EventQueue, WebhookDeduplicator
from functions.webhook_signature import verify

MAX_BODY_BYTES = 64 * 1024
SIGNATURE_HEADER = "x-zevent-signature"
SERVER_HEADER = "x-zevent-server"


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    body: dict[str, str]
    event_name: str = ""


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def event_key(event: dict[str, Any]) -> str:
    """De-duplication key: Zalo's msg_id where there is one, else name + user + timestamp."""
    message = event.get("message") or {}
    if message.get("tracking_id") and message.get("msg_id"):
        return f"zns:{message['msg_id']}"
    if message.get("msg_id"):
        return f"msg:{message['msg_id']}"
    user = (
        (event.get("sender") or {}).get("id")
        or (event.get("follower") or {}).get("id")
        or event.get("user_id")
        or ""
    )
    return f"evt:{event.get('event_name', '')}:{user}:{event.get('timestamp', '')}"


class WebhookIntake:
    def __init__(
        self,
        app_id: str,
        oa_secret_key: str,
        dedup: WebhookDeduplicator,
        queue: EventQueue,
        max_skew_seconds: int = 300,
    ) -> None:
        self.app_id = app_id
        self.oa_secret_key = oa_secret_key
        self.dedup = dedup
        self.queue = queue
        self.max_skew_seconds = max_skew_seconds

    def accept(self, raw_body: bytes, headers: Mapping[str, str], now: datetime) -> WebhookAnswer:
        if len(raw_body) > MAX_BODY_BYTES:
            return WebhookAnswer(400, {"error": "body_too_large"})
        signature = _header(headers, SIGNATURE_HEADER)
        if not signature:
            return WebhookAnswer(401, {"error": "missing_signature"})
        event = _parse(raw_body)
        if event is None:
            return WebhookAnswer(400, {"error": "malformed_json"})
        timestamp = str(event.get("timestamp", ""))
        if not verify(signature, self.app_id, raw_body, timestamp, self.oa_secret_key):
            return WebhookAnswer(401, {"error": "bad_signature"})
        name = str(event.get("event_name", ""))
        refused = self._outside_window(timestamp, now)
        if refused:
            return WebhookAnswer(401, {"error": refused}, name)
        if name.startswith("oa_send_"):
            return WebhookAnswer(200, {"result": "ignored"}, name)  # echo of our own message
        return self._enqueue(event, name, _header(headers, SERVER_HEADER) or "", now)

    def _outside_window(self, timestamp: str, now: datetime) -> str:
        """'' when the event's own time (epoch ms) is within the window of now, else the reason."""
        try:
            sent_at_ms = int(timestamp)
        except ValueError:
            return "bad_timestamp"
        skew_ms = sent_at_ms - now.timestamp() * 1000
        if skew_ms < -self.max_skew_seconds * 1000:
            return "stale_event"
        if skew_ms > self.max_skew_seconds * 1000:
            return "future_event"
        return ""

    def _enqueue(self, event: dict[str, Any], name: str, server: str, now: datetime) -> WebhookAnswer:
        key = event_key(event)
        if not self.dedup.first_time(key, name, now):
            return WebhookAnswer(200, {"result": "duplicate"}, name)
        envelope = {"event": event, "server": server, "received_at": now.isoformat(), "key": key}
        try:
            self.queue.send(json.dumps(envelope, ensure_ascii=False))
        except Exception:
            self.dedup.forget(key)  # let Zalo's redelivery through instead of losing the event
            raise
        return WebhookAnswer(200, {"result": "queued"}, name)


def _parse(raw_body: bytes) -> dict[str, Any] | None:
    try:
        event = json.loads(raw_body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return event if isinstance(event, dict) else None
