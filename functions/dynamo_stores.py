"""DynamoDB and SQS adapters behind the interfaces in ports.py.

Every state change that protects against sending twice is a conditional write here, so two Lambda
invocations racing on the same record cannot both win.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.expressions.condition import Condition

from functions import rate_limit
from functions.dossier import Dossier
from functions.dossier_records import from_model
from functions.models import (
    AnnouncementAuditModel,
    AnnouncementModel,
    CitizenModel,
    DossierModel,
    LookupLimitModel,
    NotificationModel,
    PhoneDossierModel,
    ReplyModel,
    WebhookEventModel,
)
from functions.notice_policy import DELIVERED, RECEIPT_SETTLES, REDRIVABLE, SENDING
from functions.ports import (
    BROADCASTER_STATES,
    Announcement,
    AuditEntry,
    Citizen,
    LookupAllowance,
    Notice,
    PhoneDossier,
    ReplyClaim,
)

_deserialize = TypeDeserializer().deserialize


def _won(write: Callable[[], object]) -> bool:
    """Run one conditional write; False when its condition failed (another writer got there first)."""
    try:
        write()
    except (PutError, UpdateError) as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


class DynamoDossierReader:
    def get(self, code: str) -> Dossier | None:
        try:
            return from_model(DossierModel.get(code))
        except DoesNotExist:
            return None


class DynamoDossierItems:
    """Whole Dossiers items (portal attribute names, plain Python values) for receipts."""

    def __init__(self, client: Any, table_name: str, consistent: bool = False) -> None:
        self.client, self.table_name, self.consistent = client, table_name, consistent

    def get_item(self, code: str) -> dict[str, Any] | None:
        answer = self.client.get_item(
            TableName=self.table_name, Key={"MaHoSo": {"S": code}}, ConsistentRead=self.consistent
        )
        return deserialize_item(answer["Item"]) if "Item" in answer else None


def deserialize_item(raw: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB JSON → plain Python (numbers as Decimal, which compare equal to ints)."""
    return {name: _deserialize(value) for name, value in raw.items()}


def _citizen_from_item(item: CitizenModel) -> Citizen:
    return Citizen(
        user_id=item.user_id,
        following=bool(item.following),
        last_interaction_at=item.last_interaction_at,
        phone=item.phone or "",
        opted_out=bool(item.opted_out),
        opted_out_codes=frozenset(item.opted_out_codes or ()),
        phone_linked_at=item.phone_linked_at,
        welcome_pending=bool(item.welcome_pending),
    )


class DynamoCitizenStore:
    """The citizens table. Every change is an update of named attributes, so the chat flows, the
    follow events and the interaction clock never overwrite each other's fields."""

    def get(self, user_id: str) -> Citizen | None:
        try:
            return _citizen_from_item(CitizenModel.get(user_id))
        except DoesNotExist:
            return None

    def by_phone(self, phone: str) -> list[Citizen]:
        if not phone:
            return []
        return [_citizen_from_item(item) for item in CitizenModel.by_phone.query(phone)]

    def record_interaction(self, user_id: str, at: datetime) -> None:
        self._update(user_id, at, CitizenModel.last_interaction_at.set(at))

    def set_following(self, user_id: str, following: bool, at: datetime) -> None:
        self._update(user_id, at, CitizenModel.following.set(following))

    def link_phone(self, user_id: str, phone: str, at: datetime) -> None:
        self._update(user_id, at, CitizenModel.phone.set(phone), CitizenModel.phone_linked_at.set(at))

    def set_opt_outs(
        self, user_id: str, opted_out: bool, opted_out_codes: frozenset[str], at: datetime
    ) -> None:
        codes = (
            CitizenModel.opted_out_codes.set(set(opted_out_codes))
            if opted_out_codes
            else CitizenModel.opted_out_codes.remove()
        )
        self._update(user_id, at, CitizenModel.opted_out.set(opted_out), codes)

    def unlink_phone(self, user_id: str, at: datetime) -> None:
        self._update(
            user_id,
            at,
            CitizenModel.phone.remove(),
            CitizenModel.phone_linked_at.remove(),
            CitizenModel.opted_out.remove(),
            CitizenModel.opted_out_codes.remove(),
        )

    def set_welcome_pending(self, user_id: str, pending: bool, at: datetime) -> None:
        flag = CitizenModel.welcome_pending.set(True) if pending else CitizenModel.welcome_pending.remove()
        self._update(user_id, at, flag)

    @staticmethod
    def _update(user_id: str, at: datetime, *actions: Any) -> None:
        CitizenModel(user_id).update(actions=[*actions, CitizenModel.updated_at.set(at)])


def _notice_from_item(item: NotificationModel) -> Notice:
    return Notice(
        notice_id=item.notice_id,
        dossier_code=item.dossier_code,
        status=int(item.status),
        phone=item.phone or "",
        template_data=dict(item.template_data.as_dict() if item.template_data else {}),
        state=item.state,
        channel=item.channel,
        attempts=int(item.attempts or 0),
        failures=int(item.failures or 0),
        zalo_msg_id=item.zalo_msg_id or "",
        error_code=int(item.error_code or 0),
        error=item.error or "",
        sequence_number=item.sequence_number or "",
        claim_id=item.claim_id or "",
        next_attempt_at=item.next_attempt_at,
        created_at=item.created_at,
        updated_at=item.updated_at,
        sent_at=item.sent_at,
        delivered_at=item.delivered_at,
    )


class DynamoOutbox:
    """The notifications table. States and transitions: notice_policy.py.

    Every transition is one conditional UpdateItem, so redelivered stream records, a sweeper racing
    the stream handler, or a Lambda that resumes after its lease ran out can never both send or
    overwrite each other's result.
    """

    def __init__(self, retention_days: int = 180) -> None:
        self.retention = timedelta(days=retention_days)

    def create_if_absent(self, notice: Notice) -> bool:
        item = NotificationModel(
            notice.notice_id,
            dossier_code=notice.dossier_code,
            status=notice.status,
            phone=notice.phone or None,
            template_data=notice.template_data,
            state=notice.state,
            channel=notice.channel,
            attempts=notice.attempts,
            failures=notice.failures,
            error_code=notice.error_code,
            error=notice.error or None,
            sequence_number=notice.sequence_number or None,
            claim_id=notice.claim_id or None,
            next_attempt_at=notice.next_attempt_at,
            created_at=notice.created_at,
            updated_at=notice.created_at,
            expires_at=notice.created_at + self.retention if notice.created_at else None,
        )
        return _won(lambda: item.save(condition=NotificationModel.notice_id.does_not_exist()))

    def get(self, notice_id: str) -> Notice | None:
        try:
            return _notice_from_item(NotificationModel.get(notice_id, consistent_read=True))
        except DoesNotExist:
            return None

    def claim(self, notice_id: str, claim_id: str, now: datetime, lease_until: datetime) -> Notice | None:
        item = NotificationModel(notice_id)
        claimed = _won(
            lambda: item.update(
                actions=[
                    NotificationModel.state.set(SENDING),
                    NotificationModel.attempts.add(1),
                    NotificationModel.claim_id.set(claim_id),
                    NotificationModel.next_attempt_at.set(lease_until),
                    NotificationModel.updated_at.set(now),
                ],
                condition=NotificationModel.state.is_in(*REDRIVABLE)
                & (NotificationModel.next_attempt_at <= now),
            )
        )
        return _notice_from_item(item) if claimed else None

    def finish(self, notice_id: str, claim_id: str, state: str, now: datetime, **fields: Any) -> bool:
        actions: list[Any] = [
            NotificationModel.state.set(state),
            NotificationModel.updated_at.set(now),
            NotificationModel.claim_id.remove(),
        ]
        fields.setdefault("next_attempt_at", None)
        for name, value in fields.items():
            attribute = getattr(NotificationModel, name)
            actions.append(attribute.remove() if value is None else attribute.set(value))
        mine = (NotificationModel.state == SENDING) & (NotificationModel.claim_id == claim_id)
        return _won(lambda: NotificationModel(notice_id).update(actions=actions, condition=mine))

    def mark_delivered(self, notice_id: str, now: datetime, delivered_at: datetime | None = None) -> bool:
        """A ZNS delivery receipt: proof that Zalo accepted it, whatever we had recorded."""
        return _won(
            lambda: NotificationModel(notice_id).update(
                actions=[
                    NotificationModel.state.set(DELIVERED),
                    NotificationModel.delivered_at.set(delivered_at or now),
                    NotificationModel.updated_at.set(now),
                    NotificationModel.next_attempt_at.remove(),
                    NotificationModel.claim_id.remove(),
                ],
                condition=NotificationModel.state.is_in(*RECEIPT_SETTLES),
            )
        )

    def by_dossier(self, dossier_code: str) -> list[Notice]:
        return [_notice_from_item(i) for i in NotificationModel.by_dossier.query(dossier_code)]

    def due(self, now: datetime, limit: int) -> list[str]:
        found: list[tuple[datetime, str]] = []
        for state in REDRIVABLE:
            due_now = NotificationModel.next_attempt_at <= now
            query = NotificationModel.by_due.query(state, due_now, limit=limit)
            found.extend((item.next_attempt_at, item.notice_id) for item in query)
        return [notice_id for _, notice_id in sorted(found)[:limit]]


def _announcement_from_item(item: AnnouncementModel) -> Announcement:
    return Announcement(
        announcement_id=item.announcement_id,
        title=item.title,
        summary=item.summary,
        link=item.link,
        send_at=item.send_at,
        cover_url=item.cover_url or "",
        author=item.author or "",
        state=item.state,
        target=dict(item.target.as_dict() if item.target else {}),
        approvers=list(item.approvers or []),
        article_token=item.article_token or "",
        article_id=item.article_id or "",
        zalo_message_id=item.zalo_message_id or "",
        error=item.error or "",
        hold_reason=item.hold_reason or "",
        not_before=item.not_before,
        attempts=int(item.attempts or 0),
        created_at=item.created_at,
        updated_at=item.updated_at,
        sent_at=item.sent_at,
        version=int(item.version or 0),
    )


def _set(attribute: Any, value: Any) -> Any:
    """SET when there is a value, REMOVE when it is empty (DynamoDB keeps no empty strings)."""
    return attribute.set(value) if value not in (None, "") else attribute.remove()


# What officials change (announcements.py) and what the broadcaster records (broadcast.py).
_OFFICIAL_FIELDS = ("title", "summary", "link", "cover_url", "send_at", "state", "target", "approvers")
_PROGRESS_FIELDS = (
    "state",
    "article_token",
    "article_id",
    "zalo_message_id",
    "error",
    "hold_reason",
    "not_before",
    "attempts",
    "sent_at",
)


def _actions(announcement: Announcement, names: tuple[str, ...], now: datetime | None) -> list[Any]:
    actions = [_set(getattr(AnnouncementModel, name), getattr(announcement, name)) for name in names]
    actions += [AnnouncementModel.version.add(1), _set(AnnouncementModel.updated_at, now)]
    return actions


class DynamoAnnouncementStore:
    """The announcements table. Every write is conditional: officials' changes on the version they
    read and on no live broadcaster claim, the broadcaster's steps on still holding its claim."""

    def create(self, announcement: Announcement) -> None:
        item = AnnouncementModel(
            announcement.announcement_id,
            title=announcement.title,
            summary=announcement.summary,
            link=announcement.link,
            cover_url=announcement.cover_url or None,
            author=announcement.author or None,
            send_at=announcement.send_at,
            state=announcement.state,
            target=announcement.target,
            approvers=list(announcement.approvers),
            created_at=announcement.created_at,
            updated_at=announcement.created_at,
            version=announcement.version,
        )
        item.save(condition=AnnouncementModel.announcement_id.does_not_exist())

    def get(self, announcement_id: str) -> Announcement | None:
        try:
            return _announcement_from_item(AnnouncementModel.get(announcement_id, consistent_read=True))
        except DoesNotExist:
            return None

    def list(self, state: str | None = None) -> list[Announcement]:
        """Newest first. Officials' lists are small (a province sends a few a week): a scan is fine."""
        condition = AnnouncementModel.state == state if state else None
        items = [_announcement_from_item(i) for i in AnnouncementModel.scan(condition)]
        return sorted(items, key=lambda a: a.created_at or datetime.min.replace(tzinfo=UTC), reverse=True)

    def due(self, now: datetime) -> list[Announcement]:
        found: list[Announcement] = []
        for state in BROADCASTER_STATES:
            query = AnnouncementModel.by_state.query(state, AnnouncementModel.send_at <= now)
            found.extend(_announcement_from_item(i) for i in query)
        return sorted(found, key=lambda a: a.send_at or now)

    def update_if_unchanged(self, announcement: Announcement, now: datetime) -> bool:
        unclaimed = AnnouncementModel.claimed_by.does_not_exist() | (AnnouncementModel.lease_until < now)
        item = AnnouncementModel(announcement.announcement_id)
        won = _won(
            lambda: item.update(
                actions=_actions(announcement, _OFFICIAL_FIELDS, now),
                condition=(AnnouncementModel.version == announcement.version) & unclaimed,
            )
        )
        if won:
            announcement.version += 1
        return won

    def claim(
        self, announcement_id: str, run_id: str, now: datetime, lease_seconds: int
    ) -> Announcement | None:
        free = (
            AnnouncementModel.claimed_by.does_not_exist()
            | (AnnouncementModel.lease_until < now)
            | (AnnouncementModel.claimed_by == run_id)
        )
        ready = AnnouncementModel.not_before.does_not_exist() | (AnnouncementModel.not_before <= now)
        item = AnnouncementModel(announcement_id)
        claimed = _won(
            lambda: item.update(
                actions=[
                    AnnouncementModel.claimed_by.set(run_id),
                    AnnouncementModel.lease_until.set(now + timedelta(seconds=lease_seconds)),
                    AnnouncementModel.version.add(1),
                ],
                condition=AnnouncementModel.state.is_in(*BROADCASTER_STATES)
                & (AnnouncementModel.send_at <= now)
                & free
                & ready,
            )
        )
        return _announcement_from_item(item) if claimed else None

    def save_progress(self, announcement: Announcement, run_id: str, release: bool = False) -> bool:
        actions = _actions(announcement, _PROGRESS_FIELDS, announcement.updated_at)
        if release:
            actions += [AnnouncementModel.claimed_by.remove(), AnnouncementModel.lease_until.remove()]
        won = _won(
            lambda: AnnouncementModel(announcement.announcement_id).update(
                actions=actions, condition=AnnouncementModel.claimed_by == run_id
            )
        )
        if won:
            announcement.version += 1
        return won


class DynamoAuditLog:
    """The announcement-audit table: append-only, read back in time order."""

    def record(self, entry: AuditEntry) -> None:
        AnnouncementAuditModel(
            entry.announcement_id,
            f"{entry.at.astimezone(UTC).isoformat()}#{uuid.uuid4().hex[:8]}",
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            details={k: str(v) for k, v in entry.details.items()},
        ).save()

    def for_announcement(self, announcement_id: str) -> list[AuditEntry]:
        return [
            AuditEntry(
                announcement_id=item.announcement_id,
                at=item.at,
                actor=item.actor,
                action=item.action,
                details=dict(item.details.as_dict() if item.details else {}),
            )
            for item in AnnouncementAuditModel.query(announcement_id, consistent_read=True)
        ]


class DynamoWebhookDeduplicator:
    def __init__(self, ttl_seconds: int) -> None:
        self.ttl_seconds = ttl_seconds

    def first_time(self, event_key: str, event_name: str, now: datetime) -> bool:
        item = WebhookEventModel(
            event_key,
            event_name=event_name,
            received_at=now,
            expires_at=now + timedelta(seconds=self.ttl_seconds),
        )
        return _won(lambda: item.save(condition=WebhookEventModel.event_key.does_not_exist()))

    def forget(self, event_key: str) -> None:
        """Undo `first_time` when the event could not be queued, so Zalo's retry is not dropped."""
        WebhookEventModel(event_key).delete()


# Reply records that are over (never sent again); the others may be claimed under the conditions below.
REPLY_DONE_STATES = ("sent", "failed_permanent", "failed_final")


class DynamoReplyLog:
    """The replies table (ports.ReplyLog): a conditional claim before each CS message."""

    def __init__(self, lease_seconds: int = 90, ttl_days: int = 14) -> None:
        # Longer than the worker's Lambda timeout (60 s), so a live invocation is never overtaken;
        # shorter than the queue's visibility timeout in AWS (at least 6 x the timeout), so the next
        # delivery after a crash between the claim and the record may claim the reply again.
        self.lease_seconds = lease_seconds
        self.ttl = timedelta(days=ttl_days)  # well past SQS's retention: redeliveries are over by then

    def claim(self, reply_id: str, kind: str, now: datetime) -> ReplyClaim:
        free: Condition = (
            ReplyModel.reply_id.does_not_exist()
            | (ReplyModel.state == "failed_temporary")
            | ((ReplyModel.state == "sending") & (ReplyModel.lease_until < now))
        )
        item = ReplyModel(reply_id)
        claimed = _won(
            lambda: item.update(
                actions=[
                    ReplyModel.kind.set(kind),
                    ReplyModel.state.set("sending"),
                    ReplyModel.attempts.add(1),
                    ReplyModel.lease_until.set(now + timedelta(seconds=self.lease_seconds)),
                    ReplyModel.created_at.set(ReplyModel.created_at | now),
                    ReplyModel.updated_at.set(now),
                    ReplyModel.expires_at.set(now + self.ttl),
                ],
                condition=free,
            )
        )
        if claimed:
            return ReplyClaim("claimed", int(item.attempts))
        try:
            state = ReplyModel.get(reply_id, consistent_read=True).state
        except DoesNotExist:  # deleted by TTL in between: nothing to protect any more
            return ReplyClaim("busy")
        return ReplyClaim("done" if state in REPLY_DONE_STATES else "busy")

    def finish(
        self, reply_id: str, state: str, now: datetime, error_code: int = 0, zalo_msg_id: str = ""
    ) -> None:
        ReplyModel(reply_id).update(
            actions=[
                ReplyModel.state.set(state),
                ReplyModel.updated_at.set(now),
                ReplyModel.lease_until.remove(),
                ReplyModel.error_code.set(error_code),
                ReplyModel.zalo_msg_id.set(zalo_msg_id or None),
            ]
        )


class DynamoLookupLimiter:
    """The lookup-limits table (ports.LookupLimiter): one atomic counter per user and fixed window."""

    def __init__(self, limit: int, window_seconds: int) -> None:
        self.limit = limit
        self.window_seconds = window_seconds

    def take(self, user_id: str, event_key: str, count: int, now: datetime) -> LookupAllowance:
        item = LookupLimitModel(rate_limit.bucket_key(user_id, now, self.window_seconds))
        counted = _won(
            lambda: item.update(
                actions=[
                    LookupLimitModel.hits.add(count),
                    LookupLimitModel.events.add({event_key}),
                    LookupLimitModel.expires_at.set(rate_limit.expiry(now, self.window_seconds)),
                ],
                condition=~LookupLimitModel.events.contains(event_key),
            )
        )
        if not counted:  # a redelivery, already in the total: judged as if it were the latest event
            item.refresh(consistent_read=True)
        allowed = rate_limit.allowed_of(count, int(item.hits), self.limit)
        if allowed >= count:
            return LookupAllowance(allowed)
        return LookupAllowance(allowed, tell_user=self._first_to_tell(item, event_key))

    @staticmethod
    def _first_to_tell(item: LookupLimitModel, event_key: str) -> bool:
        """True for the one event (and its redeliveries) that tells the user about the limit."""
        return _won(
            lambda: item.update(
                actions=[LookupLimitModel.notified_by.set(event_key)],
                condition=LookupLimitModel.notified_by.does_not_exist()
                | (LookupLimitModel.notified_by == event_key),
            )
        )


class SqsEventQueue:
    def __init__(self, sqs_client: Any, queue_url: str) -> None:
        self._sqs = sqs_client
        self._queue_url = queue_url

    def send(self, body: str) -> None:
        self._sqs.send_message(QueueUrl=self._queue_url, MessageBody=body)


class DynamoPhoneDossierIndex:
    """The dossiers-by-phone table (phone_index.py keeps it; the chat's "hồ sơ của tôi" reads it)."""

    def put(self, entry: PhoneDossier) -> None:
        PhoneDossierModel(
            entry.phone, entry.dossier_code, status=entry.status, updated_at=entry.updated_at
        ).save()

    def remove(self, phone: str, dossier_code: str) -> None:
        PhoneDossierModel(phone, dossier_code).delete()

    def for_phone(self, phone: str) -> list[PhoneDossier]:
        entries = [
            PhoneDossier(item.phone, item.dossier_code, int(item.status), item.updated_at)
            for item in PhoneDossierModel.query(phone)
        ]
        return sorted(entries, key=lambda e: e.updated_at, reverse=True)
