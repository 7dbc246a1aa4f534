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
    """One status notice in the outbox (persist, then send)."""

    notice_id: str  # deterministic: the same stream record always maps to the same id
    dossier_code: str
    status: int
    phone: str  # E.164 (personal data)
    template_data: dict[str, str]
    state: str = "pending"
    channel: str = "zbs"
    attempts: int = 0
    zalo_msg_id: str = ""
    error_code: int = 0
    error: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Outbox(Protocol):
    def create_if_absent(self, notice: Notice) -> bool:
        """Persist a new notice; False when one with that id exists already (a redelivery)."""
        ...

    def claim_for_sending(self, notice_id: str, now: datetime) -> Notice | None:
        """pending (or retryable) → sending, atomically; None when someone else holds it or it is done."""
        ...

    def finish(self, notice_id: str, state: str, now: datetime, **fields: Any) -> None: ...
    def mark_delivered(self, notice_id: str, now: datetime) -> bool: ...
    def by_dossier(self, dossier_code: str) -> list[Notice]: ...


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
