"""Status notices: a Dossiers stream record → at most one ZBS template message by phone.

Outbox states (persist, then send; every transition a conditional write in the store):
    pending → sending → sent → delivered
                     ↘ failed_temporary (retryable; re-driven later) | failed_permanent (recorded reason)
The notice id is derived from the dossier code and the stream record's sequence number, so a
redelivered record, a retried batch or two concurrent invocations map to the same record and
only the one that claims it sends. The same id is Zalo's `tracking_id`, which ties the delivery
receipt back to the notice.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from functions.dossier import Dossier
from functions.dossier_records import InvalidRecord, from_stream_image
from functions.logs import get_logger, log
from functions.messages import status_notice_data
from functions.phones import InvalidPhone, normalise, to_zalo
from functions.ports import Notice, Outbox, ZaloGateway
from functions.zalo_errors import NO_ZALO_ACCOUNT, Kind, ZaloError

logger = get_logger("notify")


@dataclass(frozen=True)
class StreamRecord:
    """The parts of a DynamoDB stream record we use (from a Lambda event, or the local runner)."""

    event_name: str  # INSERT | MODIFY | REMOVE
    sequence_number: str
    new_image: dict[str, Any] | None
    old_image: dict[str, Any] | None

    @classmethod
    def from_lambda(cls, record: dict[str, Any]) -> StreamRecord:
        ddb = record.get("dynamodb") or {}
        return cls(
            event_name=str(record.get("eventName", "")),
            sequence_number=str(ddb.get("SequenceNumber", "")),
            new_image=ddb.get("NewImage"),
            old_image=ddb.get("OldImage"),
        )


def notice_id(dossier_code: str, sequence_number: str) -> str:
    """Deterministic, ≤ 48 characters, letters and digits only (Zalo's tracking_id rules)."""
    return hashlib.sha256(f"{dossier_code}|{sequence_number}".encode()).hexdigest()[:40]


def change_to_notify(record: StreamRecord) -> tuple[Dossier | None, str]:
    """The dossier (as written now), and why it deserves no notice ("" when it does)."""
    if record.event_name not in ("INSERT", "MODIFY") or not record.new_image:
        return None, "not_a_write"
    new = from_stream_image(record.new_image)
    if record.event_name == "MODIFY" and record.old_image:
        old = from_stream_image(record.old_image)
        if old.status == new.status:
            return new, "status_unchanged"  # also moto's no-op MODIFY records
    if not new.notify_zalo:
        return new, "no_consent"
    return new, ""


class Notifier:
    def __init__(
        self,
        outbox: Outbox,
        zalo: ZaloGateway,
        template_id: str,
        clock: Callable[[], datetime],
        max_attempts: int = 3,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.outbox = outbox
        self.zalo = zalo
        self.template_id = template_id
        self.clock = clock
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep

    def handle(self, record: StreamRecord) -> str:
        """Process one stream record; returns the outcome (for logs and tests). Never raises for
        bad data; raises only for our own infrastructure failures, so the batch is retried."""
        try:
            dossier, reason = change_to_notify(record)
        except InvalidRecord as exc:
            log(
                logger,
                logging.WARNING,
                "invalid dossier record skipped",
                reason=str(exc),
                sequence=record.sequence_number,
            )
            return "invalid_record"
        if dossier is None or reason:
            log(logger, logging.INFO, "no notice", reason=reason, dossier=dossier.code if dossier else "")
            return f"skipped:{reason}"
        notice = self._new_notice(dossier, record.sequence_number)
        self.outbox.create_if_absent(notice)
        if notice.state != "pending":
            return notice.state
        return self._send(notice.notice_id, dossier.code)

    def _new_notice(self, dossier: Dossier, sequence_number: str) -> Notice:
        now = self.clock()
        nid = notice_id(dossier.code, sequence_number)
        base = Notice(nid, dossier.code, dossier.status, "", status_notice_data(dossier), created_at=now)
        try:
            base.phone = normalise(dossier.phone)
        except InvalidPhone as exc:
            base.state, base.error = "failed_permanent", f"invalid_phone:{exc.reason}"
        return base

    def _send(self, nid: str, dossier_code: str) -> str:
        for attempt in range(1, self.max_attempts + 1):
            notice = self.outbox.claim_for_sending(nid, self.clock())
            if notice is None:
                return "already_handled"
            outcome = self._try_once(notice)
            if outcome != "failed_temporary" or attempt == self.max_attempts:
                log(logger, logging.INFO, "notice", outcome=outcome, dossier=dossier_code, notice=nid)
                return outcome
            self.sleep(self.backoff_seconds * 2 ** (attempt - 1))
        return "failed_temporary"

    def _try_once(self, notice: Notice) -> str:
        try:
            msg_id = self.zalo.send_template_by_phone(
                to_zalo(notice.phone), self.template_id, notice.template_data, notice.notice_id
            )
        except ZaloError as exc:
            return self._record_failure(notice, exc)
        self.outbox.finish(notice.notice_id, "sent", self.clock(), zalo_msg_id=msg_id)
        return "sent"

    def _record_failure(self, notice: Notice, exc: ZaloError) -> str:
        state = "failed_temporary" if exc.retryable else "failed_permanent"
        reason = "no_zalo_account" if exc.code == NO_ZALO_ACCOUNT else exc.kind.value
        if exc.kind is Kind.QUOTA:
            reason = "quota"
        self.outbox.finish(
            notice.notice_id, state, self.clock(), error_code=exc.code, error=f"{reason}: {exc.message}"[:500]
        )
        return state

    def mark_delivered(self, tracking_id: str) -> bool:
        return self.outbox.mark_delivered(tracking_id, self.clock())
