"""The worker behind the webhook: what the OA does for each verified, de-duplicated Zalo event.

Lookups answer in the chat as consultation (CS) messages; ZNS delivery receipts mark notices
delivered.

Every reply goes through the reply log (ports.ReplyLog) before Zalo is called: its id is the event's
key plus the reply's place in the answer, claimed with a conditional write. When SQS redelivers a
message whose second of three answers failed, the first is not sent again. What Zalo says decides
the record: a refusal that will not change (-230/-232 outside the interaction window, user blocked,
bad request) is recorded as `failed_permanent` and never retried; a transient one (rate limit, 5xx,
timeout, a token that stayed bad after the client's own refresh) is recorded as `failed_temporary`
and raised, so the queue redelivers the event, up to MAX_REPLY_ATTEMPTS, then `failed_final`. The
event then completes: nothing loops, and the queue's DLQ is left for events that cannot be handled.

Lookups are counted per user in a fixed window (ports.LookupLimiter) before any dossier is read.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from functions import commands, messages
from functions.citizen_links import AskPhone, CitizenLinks, Outgoing
from functions.dossier_code import find_codes
from functions.logs import get_logger, log
from functions.photo_codes import PhotoCodes, PhotoReader, attachment_urls
from functions.ports import CitizenStore, DossierReader, LookupLimiter, Outbox, ReplyLog, ZaloGateway
from functions.privacy import mask_user_id
from functions.webhook import event_key
from functions.zalo_errors import OUTSIDE_INTERACTION_WINDOW, Kind, ZaloError

logger = get_logger("zalo_events")

MAX_CODES_PER_MESSAGE = 3
# Sends of one reply before it is recorded as failed_final; below the queue's maxReceiveCount (5),
# so a reply that keeps failing ends recorded instead of taking its whole event to the DLQ.
MAX_REPLY_ATTEMPTS = 3


class ReplyInProgress(Exception):
    """Another invocation holds this reply's lease: let the queue bring the event back later."""


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
        *,
        replies: ReplyLog,
        limiter: LookupLimiter,
        lookup_limit_note: str,
        links: CitizenLinks,
        photos: PhotoReader | None = None,
    ) -> None:
        self.links = links
        self.dossiers = dossiers
        self.citizens = citizens
        self.outbox = outbox
        self.zalo = zalo
        self.status_url = status_url
        self.province_name = province_name
        self.clock = clock
        self.photos = photos
        self.replies = replies
        self.limiter = limiter
        self.lookup_limit_note = lookup_limit_note
        # The key of the event being handled, per thread (a batch's citizens are served side by
        # side, event_batch.py): reply ids derive from it.
        self._current = threading.local()

    def handle(self, envelope: dict[str, Any]) -> str:
        event = envelope.get("event") or {}
        self._current.event_key = str(envelope.get("key") or event_key(event))
        name = str(event.get("event_name", ""))
        message = event.get("message") or {}
        if name == "user_received_message" and (envelope.get("server") == "ZNS" or "tracking_id" in message):
            return self._zns_receipt(message)
        handler = {
            "user_send_text": self._text,
            "follow": self._follow,
            "unfollow": self._unfollow,
            "user_send_image": self._image,
            "user_send_link": self._link,
            "user_submit_info": self._submit_info,
            "user_click_chatnow": self._chatnow,
            "user_withdraw": self._data_withdrawal,
        }.get(name)
        if handler is None:
            return "ignored"
        return handler(event)

    @property
    def _event_key(self) -> str:
        return str(getattr(self._current, "event_key", ""))

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
        return self._answer_codes(user_id, codes)

    def _link(self, event: dict[str, Any]) -> str:
        """A shared link (the status page's, say) is read like typed text: its caption and its URL."""
        message = event.get("message") or {}
        text = " ".join([str(message.get("text") or ""), *attachment_urls(message, "link")])
        return self._text({**event, "message": {**message, "text": text}})

    def _image(self, event: dict[str, Any]) -> str:
        """A photo (of the receipt's QR, we hope): answered as if its codes had been typed."""
        user_id = str((event.get("sender") or {}).get("id", ""))
        message = event.get("message") or {}
        self.citizens.record_interaction(user_id, self.clock())
        limit = MAX_CODES_PER_MESSAGE + 1
        photo = self.photos.read(message, limit) if self.photos else PhotoCodes([], False)
        codes = find_codes(str(message.get("text") or ""), limit)  # a caption may carry the code too
        codes += [code for code in photo.codes if code not in codes]
        if not codes:
            reply = messages.unreadable_photo_reply(found_other_qr=photo.read_any_qr)
            return self._reply(user_id, reply, "unreadable_photo")
        return self._answer_codes(user_id, codes[:limit])

    def _answer_codes(self, user_id: str, codes: list[str]) -> str:
        """One status card (or "not found") per code within the citizen's lookup allowance, then a note
        when there were too many."""
        asked = codes[:MAX_CODES_PER_MESSAGE]
        allowance = self.limiter.take(user_id, self._event_key, len(asked), self.clock())
        for index, code in enumerate(asked[: allowance.allowed]):
            self._lookup(user_id, code, index)
        if allowance.tell_user:
            self._reply(user_id, self.lookup_limit_note, "rate_limited")
        if len(codes) > MAX_CODES_PER_MESSAGE and allowance.allowed:
            self._reply(user_id, messages.too_many_codes_note(MAX_CODES_PER_MESSAGE), "too_many")
        return "answered" if allowance.allowed else "rate_limited"

    def _lookup(self, user_id: str, code: str, index: int) -> None:
        dossier = self.dossiers.get(code)
        if dossier is None:
            self._reply(user_id, messages.unknown_code_reply(code), "unknown_code", index)
        else:
            reply = messages.lookup_reply(dossier, self.clock(), self.status_url(code))
            self._reply(user_id, reply, "status", index)

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
        """Marks the notice delivered (from sent, or settling a crash or timeout: notice_policy.py)."""
        tracking_id = str(message.get("tracking_id", ""))
        delivered_at = _from_ms(message.get("delivery_time"))
        if tracking_id and self.outbox.mark_delivered(tracking_id, self.clock(), delivered_at):
            return "delivered"
        return "unknown_receipt"

    def _reply(self, user_id: str, text: str, kind: str, index: int | None = None) -> str:
        return self._send(user_id, kind, functools.partial(self.zalo.send_text, user_id, text), index)

    def _send(self, user_id: str, kind: str, send: Callable[[], str], index: int | None = None) -> str:
        """Send one message at most once per event and place (`<event key>#<index or kind>`); a refusal
        that will not change is recorded and returned, not raised."""
        reply_id = f"{self._event_key}#{kind if index is None else index}"
        claim = self.replies.claim(reply_id, kind, self.clock())
        if claim.outcome == "done":
            return "already_replied"
        if claim.outcome == "busy":
            raise ReplyInProgress(reply_id)
        if claim.attempts > MAX_REPLY_ATTEMPTS:  # a crash left it "sending" too often: stop here
            return self._give_up(reply_id, kind, user_id, error_code=0)
        try:
            message_id = send()
        except ZaloError as exc:
            return self._reply_failed(reply_id, kind, user_id, claim.attempts, exc)
        self.replies.finish(reply_id, "sent", self.clock(), zalo_msg_id=message_id)
        log(logger, logging.INFO, "replied", kind=kind, user=mask_user_id(user_id))
        return "replied"

    def _reply_failed(self, reply_id: str, kind: str, user_id: str, attempts: int, exc: ZaloError) -> str:
        """Record what Zalo said; raise only when another delivery of the event may still succeed."""
        transient = exc.retryable or exc.kind is Kind.REFRESH or exc.api == "oauth"
        if not transient or exc.code in OUTSIDE_INTERACTION_WINDOW:
            self.replies.finish(reply_id, "failed_permanent", self.clock(), error_code=exc.code)
            log(
                logger,
                logging.WARNING,
                "reply refused",
                kind=kind,
                user=mask_user_id(user_id),
                zalo_error=exc.code,
            )
            return f"refused:{exc.code}"
        if attempts >= MAX_REPLY_ATTEMPTS:
            return self._give_up(reply_id, kind, user_id, exc.code)
        self.replies.finish(reply_id, "failed_temporary", self.clock(), error_code=exc.code)
        log(
            logger, logging.WARNING, "reply will be retried", kind=kind, zalo_error=exc.code, attempt=attempts
        )
        raise exc

    def _give_up(self, reply_id: str, kind: str, user_id: str, error_code: int) -> str:
        self.replies.finish(reply_id, "failed_final", self.clock(), error_code=error_code)
        log(
            logger,
            logging.ERROR,
            "reply given up",
            kind=kind,
            user=mask_user_id(user_id),
            zalo_error=error_code,
            attempts=MAX_REPLY_ATTEMPTS,
        )
        return f"gave_up:{error_code}"


def _from_ms(value: Any) -> datetime | None:
    """Zalo's millisecond timestamps arrive as strings ("1732500000000"); None when unreadable."""
    try:
        return datetime.fromtimestamp(int(str(value)) / 1000, UTC)
    except (TypeError, ValueError, OverflowError):
        return None
