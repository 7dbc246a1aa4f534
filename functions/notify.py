"""Status notices: a Dossiers stream record → at most one ZBS template message to the citizen's phone.

**Channel rule: always a ZBS template message by phone** (`/message/template`, phone `84…`). It reaches
a citizen who never followed or wrote to the OA (the desk only typed the phone), it carries our
deterministic `tracking_id` and comes back with a delivery receipt, which is what lets the outbox
settle a crash or a timeout without sending twice. A free CS message would need the citizen to
have written to the OA within 7 days (a status change often comes weeks after intake), has no
tracking id or receipt, and would double the paths to test; it is not used.

**Exactly once, as far as Zalo lets us.** The notice id is derived from the dossier code and the
stream record's sequence number, so a redelivered record, a retried batch or two concurrent
invocations map to the same outbox record, and only the one whose conditional write wins calls
Zalo. A genuine later change back to an earlier status is a new record, hence a new notice. The
record is written (already claimed, state `sending`) *before* the call, so a crash never loses it:
the sweeper (notice_sweeper.py) takes over once the claim's lease has run out.

What we guarantee after a crash *between Zalo accepting and us recording "sent"*: the notice stays
`sending`; Zalo's delivery receipt (matched by tracking_id) marks it `delivered`, and the sweeper
does not touch it before `lease + receipt_grace_seconds` have passed. Zalo offers no look-up by
tracking_id (only by msg_id, which the crash lost), so if no receipt arrives within the grace
(the phone is off), the sweeper sends again: at most one duplicate, only in that double mishap.
Timeouts and 5xx answers are treated the same way (Zalo may have accepted): their first retry
waits for the receipt grace too.

**The stream never waits for Zalo's bad days.** The stream handler makes one attempt per notice
(the client's own timeout, one token refresh on -124) and records the outcome; every retry, hold
and re-drive happens in the sweeper's schedule. Records are handled concurrently (bounded pool),
in order per dossier. States and error handling: notice_policy.py.
"""

from __future__ import annotations

import hashlib
import logging
import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from functions import notice_policy as policy
from functions.config import NoticeSettings
from functions.dossier import Dossier
from functions.dossier_records import InvalidRecord, from_stream_image
from functions.logs import get_logger, log
from functions.messages import status_notice_data
from functions.phones import InvalidPhone, normalise, to_zalo
from functions.ports import CitizenStore, Notice, Outbox, ZaloGateway
from functions.zalo_errors import ZaloError

logger = get_logger("notify")

# Outcomes of a stream record that are not status changes at all: counted in the batch's metric
# line, not written to the outbox (moto and MCĐT's full re-syncs make no-op MODIFYs the most
# common record; one write each would double the table's cost for nothing an operator asks).
NOT_A_WRITE = "not_a_write"
STATUS_UNCHANGED = "status_unchanged"
# Status changes that deserve no message: recorded as `skipped` notices so an operator sees why.
NO_CONSENT = "no_consent"
OPTED_OUT = "opted_out"
INVALID_RECORD = "invalid_record"


@dataclass(frozen=True)
class StreamRecord:
    """The parts of a DynamoDB stream record we use (from a Lambda event, or the local runner)."""

    event_name: str  # INSERT | MODIFY | REMOVE
    sequence_number: str
    new_image: dict[str, Any] | None
    old_image: dict[str, Any] | None
    dossier_key: str = ""  # Keys.MaHoSo: groups records per dossier even when an image is unreadable

    @classmethod
    def from_lambda(cls, record: dict[str, Any]) -> StreamRecord:
        ddb = record.get("dynamodb") or {}
        key = ((ddb.get("Keys") or {}).get("MaHoSo") or {}).get("S", "")
        return cls(
            event_name=str(record.get("eventName", "")),
            sequence_number=str(ddb.get("SequenceNumber", "")),
            new_image=ddb.get("NewImage"),
            old_image=ddb.get("OldImage"),
            dossier_key=str(key),
        )


def notice_id(dossier_code: str, sequence_number: str) -> str:
    """Deterministic, ≤ 48 characters, letters and digits only (Zalo's tracking_id rules)."""
    return hashlib.sha256(f"{dossier_code}|{sequence_number}".encode()).hexdigest()[:40]


def change_to_notify(record: StreamRecord) -> tuple[Dossier | None, str]:
    """The dossier (as written now), and why it deserves no notice ("" when it does)."""
    if record.event_name not in ("INSERT", "MODIFY") or not record.new_image:
        return None, NOT_A_WRITE
    new = from_stream_image(record.new_image)
    if record.event_name == "MODIFY" and record.old_image:
        old = from_stream_image(record.old_image)
        if old.status == new.status:
            return new, STATUS_UNCHANGED  # also moto's no-op MODIFY records
    if not new.notify_zalo:
        return new, NO_CONSENT
    return new, ""


def opted_out(citizens: CitizenStore | None, phone: str, dossier_code: str) -> bool:
    """The citizen said "dừng" in the chat (for every dossier, or for this one) from a linked phone."""
    if citizens is None or not phone:
        return False
    return any(not c.wants_notices_for(dossier_code) for c in citizens.by_phone(phone))


def metric(name: str, value: int = 1, **dimensions: Any) -> None:
    """One JSON line a CloudWatch metric filter can count (`{ $.metric = "NoticesHeld" }`) and alarm on."""
    log(logger, logging.WARNING, "metric", metric=name, value=value, **dimensions)


class Sender:
    """One attempt at one claimed notice: the Zalo call, then its outcome recorded under the claim."""

    def __init__(
        self,
        outbox: Outbox,
        zalo: ZaloGateway,
        template_id: str,
        clock: Callable[[], datetime],
        settings: NoticeSettings,
        rng: random.Random | None = None,
    ) -> None:
        self.outbox = outbox
        self.zalo = zalo
        self.template_id = template_id
        self.clock = clock
        self.settings = settings
        self.rng = rng or random.Random()
        # After a night (-133) or quota refusal, later notices are held without asking Zalo again
        # until then: the answer would be the same, and a batch of 100 refusals helps nobody.
        self._held: tuple[datetime, str, int] | None = None

    def lease_end(self, now: datetime) -> datetime:
        """When a `sending` claim is considered abandoned: the lease, then time for a receipt."""
        s = self.settings
        return now + timedelta(seconds=s.lease_seconds + s.receipt_grace_seconds)

    def claim(self, nid: str) -> Notice | None:
        now = self.clock()
        return self.outbox.claim(nid, new_claim_id(), now, self.lease_end(now))

    def attempt(self, notice: Notice) -> str:
        """The state the notice is left in."""
        return self.try_send(notice)[0]

    def try_send(self, notice: Notice) -> tuple[str, str]:
        """(state, reason): the reason is "" after a send, else notice_policy's word for the failure."""
        held = self._held
        if held is not None and self.clock() < held[0]:
            return self._hold_without_calling(notice, *held)
        try:
            msg_id = self.zalo.send_template_by_phone(
                to_zalo(notice.phone), self.template_id, notice.template_data, notice.notice_id
            )
        except ZaloError as exc:
            return self._failed(notice, exc)
        now = self.clock()
        if not self.outbox.finish(
            notice.notice_id,
            notice.claim_id,
            policy.SENT,
            now,
            zalo_msg_id=msg_id,
            sent_at=now,
            error=None,
            error_code=0,
        ):
            return "claim_lost", ""  # a receipt got there first (delivered), or our lease ran out
        log(logger, logging.INFO, "notice sent", notice=notice.notice_id, dossier=notice.dossier_code)
        return policy.SENT, ""

    def _hold_without_calling(
        self, notice: Notice, until: datetime, reason: str, code: int
    ) -> tuple[str, str]:
        error = f"{reason}: held without calling Zalo (refused with {code} for another notice)"
        self.outbox.finish(
            notice.notice_id, notice.claim_id, policy.HELD, self.clock(), error=error, next_attempt_at=until
        )
        if alarm := policy.alarm_metric(reason):
            metric(alarm, zalo_error=code, reason=reason)
        return policy.HELD, reason

    def give_up(self, notice: Notice, state: str, reason: str) -> str:
        """Close a claimed notice without calling Zalo (stale, opted out meanwhile)."""
        self.outbox.finish(notice.notice_id, notice.claim_id, state, self.clock(), error=reason)
        return state

    def _failed(self, notice: Notice, exc: ZaloError) -> tuple[str, str]:
        now = self.clock()
        outcome = policy.after_failure(exc, notice.failures, now, self.settings, self.rng)
        fields: dict[str, Any] = {
            "error_code": exc.code,
            "error": f"{outcome.reason}: {exc.message}"[:500],
            "next_attempt_at": outcome.next_attempt_at,
        }
        if outcome.counts_as_failure:
            fields["failures"] = notice.failures + 1
        self.outbox.finish(notice.notice_id, notice.claim_id, outcome.state, now, **fields)
        if outcome.state == policy.HELD and outcome.next_attempt_at is not None:
            self._held = (outcome.next_attempt_at, outcome.reason, exc.code)
        if outcome.state == policy.HELD and (alarm := policy.alarm_metric(outcome.reason)):
            metric(alarm, zalo_error=exc.code, reason=outcome.reason)
        if outcome.state == policy.FAILED_FINAL:
            metric("NoticesFailedFinal", zalo_error=exc.code, reason=outcome.reason)
        log(
            logger,
            logging.INFO,
            "notice not sent",
            notice=notice.notice_id,
            dossier=notice.dossier_code,
            state=outcome.state,
            reason=outcome.reason,
            zalo_error=exc.code,
        )
        return outcome.state, outcome.reason


def new_claim_id() -> str:
    return uuid.uuid4().hex


class Notifier:
    """The stream side: stream records → outbox records, and one attempt each."""

    def __init__(
        self,
        outbox: Outbox,
        sender: Sender,
        citizens: CitizenStore | None,
        clock: Callable[[], datetime],
        workers: int = 8,
        min_seconds_to_send: float = 20.0,
    ) -> None:
        self.outbox = outbox
        self.sender = sender
        self.citizens = citizens
        self.clock = clock
        self.workers = max(1, workers)
        self.min_seconds_to_send = min_seconds_to_send

    def handle_batch(self, records: Iterable[StreamRecord], time_left: Callable[[], float]) -> list[str]:
        """Handle a Lambda batch; returns the sequence numbers to report as failures, lowest first.

        Records of one dossier run in order on one worker; dossiers run side by side. A dossier whose
        record failed stops there (its later records must not overtake it); Lambda retries from the
        lowest reported number, and the records before it that are redelivered are no-ops.
        """
        groups: dict[str, list[StreamRecord]] = {}
        for record in records:
            groups.setdefault(record.dossier_key or record.sequence_number, []).append(record)
        with ThreadPoolExecutor(max_workers=min(self.workers, max(1, len(groups)))) as pool:
            results = list(pool.map(lambda group: self._run_group(group, time_left), groups.values()))
        counts: Counter[str] = sum((c for _, c in results), Counter())
        failed = sorted((seq for seq, _ in results if seq is not None), key=_as_number)
        log(logger, logging.INFO, "stream batch", failed=len(failed), **dict(counts))
        return failed

    def _run_group(
        self, group: list[StreamRecord], time_left: Callable[[], float]
    ) -> tuple[str | None, Counter[str]]:
        counts: Counter[str] = Counter()
        for record in group:
            try:
                outcome = self.handle(record, send=time_left() > self.min_seconds_to_send)
            except Exception:
                sequence = {"sequence": record.sequence_number}
                logger.exception("stream record failed", extra={"fields": sequence})
                counts["error"] += 1
                return record.sequence_number, counts
            counts[outcome] += 1
        return None, counts

    def handle(self, record: StreamRecord, send: bool = True) -> str:
        """One stream record; returns the outcome (for logs and tests). Never raises for bad data;
        raises only for our own infrastructure failures, so that Lambda retries the record.
        `send=False` (the invocation is nearly out of time) records the notice for the sweeper."""
        try:
            dossier, reason = change_to_notify(record)
        except InvalidRecord as exc:
            reason = f"{INVALID_RECORD}: {exc}"
            return self._skip(record.dossier_key or "?", 0, record.sequence_number, reason)
        if dossier is None or reason in (NOT_A_WRITE, STATUS_UNCHANGED):
            return f"skipped:{reason}"
        if reason:
            return self._skip(dossier.code, dossier.status, record.sequence_number, reason)
        notice = self._new_notice(dossier, record.sequence_number, send)
        if notice.phone and opted_out(self.citizens, notice.phone, dossier.code):
            return self._skip(dossier.code, dossier.status, record.sequence_number, OPTED_OUT)
        if self.outbox.create_if_absent(notice):
            return self.sender.attempt(notice) if notice.state == policy.SENDING else notice.state
        claimed = self.sender.claim(notice.notice_id) if send else None  # a redelivered record
        return self.sender.attempt(claimed) if claimed else "already_handled"

    def _new_notice(self, dossier: Dossier, sequence_number: str, send: bool) -> Notice:
        now = self.clock()
        notice = Notice(
            notice_id(dossier.code, sequence_number),
            dossier.code,
            dossier.status,
            "",
            status_notice_data(dossier),
            sequence_number=sequence_number,
            created_at=now,
        )
        try:
            notice.phone = normalise(dossier.phone)
        except InvalidPhone as exc:
            notice.state, notice.error = policy.FAILED_PERMANENT, f"invalid_phone: {exc.reason}"
            return notice
        if send:  # created already claimed: one write instead of create + claim
            notice.state, notice.claim_id, notice.attempts = policy.SENDING, new_claim_id(), 1
            notice.next_attempt_at = self.sender.lease_end(now)
        else:
            notice.next_attempt_at = now
        return notice

    def _skip(self, code: str, status: int, sequence_number: str, reason: str) -> str:
        skipped = Notice(
            notice_id(code, sequence_number),
            code,
            status,
            "",
            {},
            state=policy.SKIPPED,
            error=reason[:500],
            sequence_number=sequence_number,
            created_at=self.clock(),
        )
        self.outbox.create_if_absent(skipped)
        log(logger, logging.INFO, "no notice", reason=reason.split(":")[0], dossier=code)
        return f"skipped:{reason.split(':')[0]}"


def _as_number(sequence_number: str) -> int:
    return int(sequence_number) if sequence_number.isdigit() else 0
