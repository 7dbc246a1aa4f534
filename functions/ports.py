"""The small interfaces the domain talks through. Adapters: dynamo_stores.py (DynamoDB, SQS) and
zalo_client.py (Zalo). In-memory fakes for unit tests: tests/fakes/.

Keeping these narrow is what lets the domain modules stay free of boto3, PynamoDB and requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from functions.dossier import Dossier


class DossierReader(Protocol):
    def get(self, code: str) -> Dossier | None: ...


@dataclass
class Citizen:
    """An OA follower as we know them (personal data: phone)."""

    user_id: str  # OA-scoped Zalo user id
    following: bool = False
    last_interaction_at: datetime | None = None
    phone: str = ""  # linked phone, E.164 (shared by the citizen through user_submit_info)
    opted_out: bool = False  # "dừng": no status notices at all for the linked phone
    opted_out_codes: frozenset[str] = frozenset()  # "dừng <mã hồ sơ>": none for these dossiers

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


@dataclass
class Announcement:
    announcement_id: str
    title: str
    summary: str
    link: str
    send_at: datetime
    cover_url: str = ""
    author: str = ""
    state: str = "scheduled"  # scheduled → sending → article_created → sent | failed
    article_token: str = ""
    article_id: str = ""
    zalo_message_id: str = ""
    error: str = ""
    created_at: datetime | None = None
    sent_at: datetime | None = None
    target: dict[str, str] = field(default_factory=dict)


class AnnouncementStore(Protocol):
    def create(self, announcement: Announcement) -> None: ...
    def get(self, announcement_id: str) -> Announcement | None: ...
    def list_all(self) -> list[Announcement]: ...
    def due(self, now: datetime) -> list[Announcement]: ...
    def claim(self, announcement_id: str, run_id: str, now: datetime, lease_seconds: int) -> bool:
        """Take the announcement for this run unless another live run holds it (conditional write)."""
        ...

    def save_progress(self, announcement: Announcement) -> None: ...
    def release(self, announcement_id: str) -> None: ...


class WebhookDeduplicator(Protocol):
    def first_time(self, event_key: str, event_name: str, now: datetime) -> bool:
        """True exactly once per key within the TTL (conditional put)."""
        ...

    def forget(self, event_key: str) -> None:
        """Undo first_time when the event could not be queued, so Zalo's redelivery is not lost."""
        ...


class EventQueue(Protocol):
    def send(self, body: str) -> None: ...


class ZaloGateway(Protocol):
    """What the domain asks of Zalo. Every method raises zalo_errors.ZaloError on failure."""

    def send_text(self, user_id: str, text: str) -> str: ...
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
