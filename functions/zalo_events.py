"""The worker behind the webhook: what the OA does for each verified, de-duplicated Zalo event.

Lookups answer in the chat as consultation (CS) messages; ZNS delivery receipts mark notices
delivered. A Zalo refusal that will not change (outside the 7-day window, user blocked) is logged and
dropped; a transient one is raised so the queue retries the event (bounded, then the DLQ).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from functions import messages
from functions.dossier_code import find_codes
from functions.logs import get_logger, log
from functions.ports import CitizenStore, DossierReader, Outbox, ZaloGateway
from functions.privacy import mask_user_id
from functions.zalo_errors import ZaloError

logger = get_logger("zalo_events")

MAX_CODES_PER_MESSAGE = 3


class EventWorker:
    def __init__(
        self,
        dossiers: DossierReader,
        citizens: CitizenStore,
        outbox: Outbox,
        zalo: ZaloGateway,
        status_url: Callable[[str], str],
        province_name: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.dossiers = dossiers
        self.citizens = citizens
        self.outbox = outbox
        self.zalo = zalo
        self.status_url = status_url
        self.province_name = province_name
        self.clock = clock

    def handle(self, envelope: dict[str, Any]) -> str:
        event = envelope.get("event") or {}
        name = str(event.get("event_name", ""))
        message = event.get("message") or {}
        if name == "user_received_message" and (envelope.get("server") == "ZNS" or "tracking_id" in message):
            return self._zns_receipt(message)
        handler = {
            "user_send_text": self._text,
            "follow": self._follow,
            "unfollow": self._unfollow,
        }.get(name)
        if handler is None:
            return "ignored"
        return handler(event)

    def _text(self, event: dict[str, Any]) -> str:
        user_id = str((event.get("sender") or {}).get("id", ""))
        text = str((event.get("message") or {}).get("text", ""))
        self.citizens.record_interaction(user_id, self.clock())
        codes = find_codes(text, limit=MAX_CODES_PER_MESSAGE + 1)
        if not codes:
            return self._reply(user_id, messages.howto_reply(), "howto")
        for code in codes[:MAX_CODES_PER_MESSAGE]:
            dossier = self.dossiers.get(code)
            if dossier is None:
                self._reply(user_id, messages.unknown_code_reply(code), "unknown_code")
            else:
                reply = messages.lookup_reply(dossier, self.clock(), self.status_url(code))
                self._reply(user_id, reply, "status")
        if len(codes) > MAX_CODES_PER_MESSAGE:
            self._reply(user_id, messages.too_many_codes_note(MAX_CODES_PER_MESSAGE), "too_many")
        return "answered"

    def _follow(self, event: dict[str, Any]) -> str:
        user_id = str((event.get("follower") or {}).get("id", ""))
        self.citizens.set_following(user_id, True, self.clock())
        return self._reply(user_id, messages.welcome_reply(self.province_name), "welcome")

    def _unfollow(self, event: dict[str, Any]) -> str:
        user_id = str((event.get("follower") or {}).get("id", ""))
        self.citizens.set_following(user_id, False, self.clock())
        return "unfollowed"

    def _zns_receipt(self, message: dict[str, Any]) -> str:
        """Marks the notice delivered (from sent, or settling a crash or timeout: notice_policy.py)."""
        tracking_id = str(message.get("tracking_id", ""))
        delivered_at = _from_ms(message.get("delivery_time"))
        if tracking_id and self.outbox.mark_delivered(tracking_id, self.clock(), delivered_at):
            return "delivered"
        return "unknown_receipt"

    def _reply(self, user_id: str, text: str, kind: str) -> str:
        try:
            self.zalo.send_text(user_id, text)
        except ZaloError as exc:
            if exc.retryable:
                raise
            log(
                logger,
                logging.WARNING,
                "reply refused",
                kind=kind,
                user=mask_user_id(user_id),
                zalo_error=exc.code,
            )
            return f"refused:{exc.code}"
        log(logger, logging.INFO, "replied", kind=kind, user=mask_user_id(user_id))
        return "replied"


def _from_ms(value: Any) -> datetime | None:
    """Zalo's millisecond timestamps arrive as strings ("1732500000000"); None when unreadable."""
    try:
        return datetime.fromtimestamp(int(str(value)) / 1000, UTC)
    except (TypeError, ValueError, OverflowError):
        return None
