"""The small interfaces the domain talks through. Adapters: dynamo_stores.py (DynamoDB, SQS) and
zalo_client.py (Zalo). In-memory fakes for unit tests: tests/fakes/.

Keeping these narrow is what lets the domain modules stay free of boto3, PynamoDB and requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from functions.dossier import Dossier


class DossierReader(Protocol):
    def get(self, code: str) -> Dossier | None: ...


class DossierItems(Protocol):
    """A Dossiers item as stored, every attribute by its portal name (receipts print more than Dossier)."""

    def get_item(self, code: str) -> Mapping[str, Any] | None: ...


@dataclass
class Citizen:
    """An OA follower as we know them (personal data: phone)."""

    user_id: str  # OA-scoped Zalo user id
    following: bool = False
    last_interaction_at: datetime | None = None
    phone: str = ""  # linked phone, E.164 (shared by the citizen through user_submit_info)
    opted_out: bool = False  # "dừng": no status notices at all for the linked phone
    opted_out_codes: frozenset[str] = frozenset()  # "dừng <mã hồ sơ>": none for these dossiers
    phone_linked_at: datetime | None = None  # when the citizen shared the phone (proof of the act)
    welcome_pending: bool = False  # followed, but Zalo refused the welcome (no interaction yet)

    def wants_notices_for(self, dossier_code: str) -> bool:
        """The citizen's own choice in chat; the desk's consent tick is checked separately."""
        return not self.opted_out and dossier_code not in self.opted_out_codes


class CitizenStore(Protocol):
    def get(self, user_id: str) -> Citizen | None: ...
    def record_interaction(self, user_id: str, at: datetime) -> None: ...
    def set_following(self, user_id: str, following: bool, at: datetime) -> None: ...
    def by_phone(self, phone: str) -> list[Citizen]:
        """The OA users who linked this E.164 phone (usually one); the notifier asks them about opt-outs."""
        ...

    def link_phone(self, user_id: str, phone: str, at: datetime) -> None:
        """Remember the E.164 phone this OA user shared (user_submit_info), replacing an earlier one."""
        ...

    def set_opt_outs(
        self, user_id: str, opted_out: bool, opted_out_codes: frozenset[str], at: datetime
    ) -> None:
        """The citizen's stop/start choices, both at once (one write)."""
        ...

    def unlink_phone(self, user_id: str, at: datetime) -> None:
        """Withdrawal: delete the linked phone and every opt-out; follow state and window stay."""
        ...

    def set_welcome_pending(self, user_id: str, pending: bool, at: datetime) -> None: ...


@dataclass
class Notice:
    """One status notice in the outbox (persist, then send). States: notice_policy.py."""

    notice_id: str  # deterministic: the same stream record always maps to the same id (tracking_id)
    dossier_code: str
    status: int
    phone: str  # E.164 (personal data); "" for a skipped notice
    template_data: dict[str, str]
    state: str = "pending"
    channel: str = "zbs"
    attempts: int = 0  # Zalo calls made (claims)
    failures: int = 0  # transient failures so far (bounded by NoticeSettings.max_attempts)
    zalo_msg_id: str = ""
    error_code: int = 0
    error: str = ""  # "<reason>: <Zalo's message>" for failures, the reason for skipped
    sequence_number: str = ""  # the Dossiers stream record that caused it
    claim_id: str = ""  # who holds a `sending` notice; finish() must present it
    next_attempt_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    sent_at: datetime | None = None
    delivered_at: datetime | None = None


class Outbox(Protocol):
    def create_if_absent(self, notice: Notice) -> bool:
        """Persist a new notice (possibly already claimed: state sending with its claim_id);
        False when one with that id exists already (a redelivery)."""
        ...

    def get(self, notice_id: str) -> Notice | None: ...

    def claim(self, notice_id: str, claim_id: str, now: datetime, lease_until: datetime) -> Notice | None:
        """→ sending, atomically, if the notice is pending, or re-drivable and due (next_attempt_at ≤ now,
        which for `sending` means its lease ran out). None when someone else holds it or it is done."""
        ...

    def finish(self, notice_id: str, claim_id: str, state: str, now: datetime, **fields: Any) -> bool:
        """Record the result of a claimed attempt; False (nothing written) when the claim was lost:
        a receipt marked it delivered meanwhile, or our lease ran out and another sender took it."""
        ...

    def mark_delivered(self, notice_id: str, now: datetime, delivered_at: datetime | None = None) -> bool: ...
    def by_dossier(self, dossier_code: str) -> list[Notice]: ...
    def due(self, now: datetime, limit: int) -> list[str]:
        """Ids of re-drivable notices whose next_attempt_at has come, oldest first (the sweeper's work)."""
        ...


# The announcement lifecycle (announcements.py drives the officials' steps, broadcast.py the rest):
# draft → scheduled → approved → sending → article_created → broadcasting → sent
# with cancelled (before any broadcast), failed (Zalo refused) and uncertain (the broadcast call got no
# answer: it may have gone out, so it is never repeated; an official checks on the OA).
DRAFT, SCHEDULED, APPROVED = "draft", "scheduled", "approved"
SENDING, ARTICLE_CREATED, BROADCASTING = "sending", "article_created", "broadcasting"
SENT, FAILED, CANCELLED, UNCERTAIN = "sent", "failed", "cancelled", "uncertain"
# States the broadcaster works on once the time has come.
BROADCASTER_STATES = (APPROVED, SENDING, ARTICLE_CREATED, BROADCASTING)
# States in which officials may still change or cancel (when no broadcaster run holds it).
CANCELLABLE_STATES = (DRAFT, SCHEDULED, APPROVED, SENDING, ARTICLE_CREATED)


@dataclass
class Announcement:
    announcement_id: str
    title: str
    summary: str
    link: str
    send_at: datetime | None
    cover_url: str = ""
    author: str = ""
    state: str = DRAFT
    target: dict[str, str] = field(default_factory=dict)  # Zalo broadcast target (zalo-api.md §8)
    approvers: list[str] = field(default_factory=list)
    article_token: str = ""
    article_id: str = ""
    zalo_message_id: str = ""
    error: str = ""
    hold_reason: str = ""  # why the broadcaster is waiting (quota, hours, rate limit): officials read it
    not_before: datetime | None = None  # the broadcaster's next attempt after a hold
    attempts: int = 0  # held/deferred attempts, for the backoff
    created_at: datetime | None = None
    updated_at: datetime | None = None
    sent_at: datetime | None = None
    version: int = 0  # optimistic concurrency: every write checks and bumps it


@dataclass(frozen=True)
class AuditEntry:
    """One thing someone did to an announcement: who, what, when, details."""

    announcement_id: str
    at: datetime
    actor: str  # an official's name, or "broadcaster"
    action: str
    details: dict[str, str] = field(default_factory=dict)


class AnnouncementStore(Protocol):
    def create(self, announcement: Announcement) -> None: ...
    def get(self, announcement_id: str) -> Announcement | None: ...
    def list(self, state: str | None = None) -> list[Announcement]: ...
    def due(self, now: datetime) -> list[Announcement]:
        """Announcements in a broadcaster state whose send time has come (holds not yet filtered)."""
        ...

    def update_if_unchanged(self, announcement: Announcement, now: datetime) -> bool:
        """An official's change: written only if nobody wrote since it was read (`version`) and no
        broadcaster run holds it. False otherwise; the caller re-reads and explains."""
        ...

    def claim(
        self, announcement_id: str, run_id: str, now: datetime, lease_seconds: int
    ) -> Announcement | None:
        """Take it for this run (conditional write) unless it left the broadcaster's states or another
        live run holds it; returns the fresh record."""
        ...

    def save_progress(self, announcement: Announcement, run_id: str, release: bool = False) -> bool:
        """Record the step just done, only while this run still holds the claim."""
        ...


class AuditLog(Protocol):
    def record(self, entry: AuditEntry) -> None: ...
    def for_announcement(self, announcement_id: str) -> list[AuditEntry]: ...


class WebhookDeduplicator(Protocol):
    def first_time(self, event_key: str, event_name: str, now: datetime) -> bool:
        """True exactly once per key within the TTL (conditional put)."""
        ...

    def forget(self, event_key: str) -> None:
        """Undo first_time when the event could not be queued, so Zalo's redelivery is not lost."""
        ...


@dataclass(frozen=True)
class ReplyClaim:
    """The answer of ReplyLog.claim: `claimed` (send now; `attempts` counts this one), `done` (sent or
    recorded as failed before: never send again) or `busy` (another live invocation holds it)."""

    outcome: str
    attempts: int = 0


class ReplyLog(Protocol):
    """One record per chat reply (id: event key + position), written before the CS call, so an SQS
    redelivery of a half-answered message sends only what is missing (the outbox pattern)."""

    def claim(self, reply_id: str, kind: str, now: datetime) -> ReplyClaim: ...
    def finish(
        self, reply_id: str, state: str, now: datetime, error_code: int = 0, zalo_msg_id: str = ""
    ) -> None:
        """sent | failed_permanent | failed_temporary | failed_final, with Zalo's message id or error."""
        ...


@dataclass(frozen=True)
class LookupAllowance:
    """How many of the asked lookups may be answered, and whether to tell the citizen they hit the
    limit (only the first refused event of a window does: one polite note, not one per message)."""

    allowed: int
    tell_user: bool = False


class LookupLimiter(Protocol):
    def take(self, user_id: str, event_key: str, count: int, now: datetime) -> LookupAllowance:
        """Count `count` lookups for this user's current window, once per event (redeliveries of the
        same event are not counted again)."""
        ...


class EventQueue(Protocol):
    def send(self, body: str) -> None: ...


class ZaloGateway(Protocol):
    """What the domain asks of Zalo. Every method raises zalo_errors.ZaloError on failure."""

    def send_text(self, user_id: str, text: str) -> str: ...
    def send_request_user_info(self, user_id: str, title: str, subtitle: str, image_url: str) -> str:
        """A CS card asking the user to share name and phone; the answer is a user_submit_info event."""
        ...

    def send_template_by_phone(
        self, phone: str, template_id: str, template_data: dict[str, str], tracking_id: str
    ) -> str: ...
    def create_article(
        self, title: str, description: str, body_text: str, cover_url: str, author: str
    ) -> str: ...
    def verify_article(self, token: str) -> str | None:
        """The article id, or None while Zalo is still processing it."""
        ...

    def broadcast_article(self, article_id: str, target: dict[str, str]) -> str: ...


class ImageUnavailable(Exception):
    """A picture could not be fetched within our limits; `reason` is safe to log (no URL, no data)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ImageFetcher(Protocol):
    def __call__(self, url: str) -> bytes:
        """The picture's bytes; raises ImageUnavailable (too big, too slow, not a picture, unreachable)."""
        ...


@dataclass(frozen=True)
class PhoneDossier:
    """One open dossier of one phone: our projection of MCĐT's Dossiers table (phone_index.py)."""

    phone: str  # E.164 (personal data)
    dossier_code: str
    status: int
    updated_at: datetime


class PhoneDossierIndex(Protocol):
    def put(self, entry: PhoneDossier) -> None: ...
    def remove(self, phone: str, dossier_code: str) -> None: ...
    def for_phone(self, phone: str) -> list[PhoneDossier]:
        """Every dossier listed under this E.164 phone, newest change first."""
        ...
