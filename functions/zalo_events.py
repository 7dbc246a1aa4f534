"""The worker behind the webhook: what the OA does for each verified, de-duplicated Zalo event.

Lookups answer in the chat as consultation (CS) messages; ZNS delivery receipts mark notices
delivered. A Zalo refusal that will not change (outside the 7-day window, user blocked) is logged and
dropped; a transient one is raised so the queue retries the event (bounded, then the DLQ).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from functions import commands, messages
from functions.citizen_links import AskPhone, CitizenLinks, Outgoing
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
        links: CitizenLinks,
    ) -> None:
        self.links = links
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
            "user_submit_info": self._submit_info,
            "user_click_chatnow": self._chatnow,
            "user_withdraw": self._data_withdrawal,
        }.get(name)
        if handler is None:
            return "ignored"
        return handler(event)

    def _text(self, event: dict[str, Any]) -> str:
        user_id = str((event.get("sender") or {}).get("id", ""))
        text = str((event.get("message") or {}).get("text", ""))
        self.citizens.record_interaction(user_id, self.clock())
        self._deliver(user_id, self.links.pending_welcome(user_id))
        command = commands.parse(text)
        if command is not None:
            return self._deliver(user_id, self.links.on_command(user_id, command))
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
        outcome = self._deliver(user_id, self.links.on_follow(user_id))
        if outcome.startswith("refused:"):
            self.links.welcome_refused(user_id)  # sent with the answer to the first message instead
        return outcome

    def _unfollow(self, event: dict[str, Any]) -> str:
        user_id = str((event.get("follower") or {}).get("id", ""))
        self.links.on_unfollow(user_id)
        return "unfollowed"

    def _submit_info(self, event: dict[str, Any]) -> str:
        user_id = str((event.get("sender") or {}).get("id", ""))
        info = event.get("info")
        return self._deliver(
            user_id, self.links.on_submit_info(user_id, info if isinstance(info, dict) else {})
        )

    def _chatnow(self, event: dict[str, Any]) -> str:
        """The citizen opened the chat for the first time: the window is open, a pending welcome can go."""
        user_id = str(event.get("user_id") or (event.get("sender") or {}).get("id", ""))
        self.citizens.record_interaction(user_id, self.clock())
        return self._deliver(user_id, self.links.pending_welcome(user_id)) or "nothing_pending"

    def _data_withdrawal(self, event: dict[str, Any]) -> str:
        return self.links.on_data_withdrawal(
            str(event.get("user_id") or (event.get("sender") or {}).get("id", ""))
        )

    def _deliver(self, user_id: str, outgoing: list[Outgoing]) -> str:
        """Send in order; stop at the first refusal (the next ones would be refused the same way)."""
        outcome = ""
        for item in outgoing:
            if isinstance(item, AskPhone):
                outcome = self._ask_phone(user_id, item)
            else:
                outcome = self._reply(user_id, item.text, item.kind)
            if outcome.startswith("refused:"):
                break
        return outcome

    def _ask_phone(self, user_id: str, card: AskPhone) -> str:
        """The "share your phone" card, sent and refused like a text reply."""
        send = functools.partial(
            self.zalo.send_request_user_info, user_id, card.title, card.subtitle, card.image_url
        )
        return self._send(user_id, "ask_phone", send)

    def _zns_receipt(self, message: dict[str, Any]) -> str:
        tracking_id = str(message.get("tracking_id", ""))
        if tracking_id and self.outbox.mark_delivered(tracking_id, self.clock()):
            return "delivered"
        return "unknown_receipt"

    def _reply(self, user_id: str, text: str, kind: str) -> str:
        return self._send(user_id, kind, functools.partial(self.zalo.send_text, user_id, text))

    def _send(self, user_id: str, kind: str, send: Callable[[], str]) -> str:
        """One message to the citizen; a refusal that will not change is logged and returned, not raised."""
        try:
            send()
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
