"""DynamoDB and SQS adapters behind the interfaces in ports.py.

Every state change that protects against sending twice is a conditional write here, so two Lambda
invocations racing on the same record cannot both win.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from functions.dossier import Dossier
from functions.dossier_records import from_model
from functions.models import (
    AnnouncementModel,
    CitizenModel,
    DossierModel,
    NotificationModel,
    WebhookEventModel,
)
from functions.notice_policy import DELIVERED, RECEIPT_SETTLES, REDRIVABLE, SENDING
from functions.ports import Announcement, Citizen, Notice


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


class DynamoCitizenStore:
    def get(self, user_id: str) -> Citizen | None:
        try:
            item = CitizenModel.get(user_id)
        except DoesNotExist:
            return None
        return Citizen(
            user_id=item.user_id,
            following=bool(item.following),
            last_interaction_at=item.last_interaction_at,
            phone=item.phone or "",
            opted_out=bool(item.opted_out),
        )

    def record_interaction(self, user_id: str, at: datetime) -> None:
        CitizenModel(user_id).update(
            actions=[CitizenModel.last_interaction_at.set(at), CitizenModel.updated_at.set(at)]
        )

    def set_following(self, user_id: str, following: bool, at: datetime) -> None:
        CitizenModel(user_id).update(
            actions=[CitizenModel.following.set(following), CitizenModel.updated_at.set(at)]
        )


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
        article_token=item.article_token or "",
        article_id=item.article_id or "",
        zalo_message_id=item.zalo_message_id or "",
        error=item.error or "",
        created_at=item.created_at,
        sent_at=item.sent_at,
        target=dict(item.target.as_dict() if item.target else {}),
    )


# States in which an announcement still has work left for the broadcaster.
ANNOUNCEMENT_OPEN_STATES = ("scheduled", "sending", "article_created")


class DynamoAnnouncementStore:
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
            created_at=announcement.created_at,
        )
        item.save(condition=AnnouncementModel.announcement_id.does_not_exist())

    def get(self, announcement_id: str) -> Announcement | None:
        try:
            return _announcement_from_item(AnnouncementModel.get(announcement_id))
        except DoesNotExist:
            return None

    def list_all(self) -> list[Announcement]:
        items = [_announcement_from_item(i) for i in AnnouncementModel.scan()]
        return sorted(items, key=lambda a: a.send_at, reverse=True)

    def due(self, now: datetime) -> list[Announcement]:
        found: list[Announcement] = []
        for state in ANNOUNCEMENT_OPEN_STATES:
            query = AnnouncementModel.by_state.query(state, AnnouncementModel.send_at <= now)
            found.extend(_announcement_from_item(i) for i in query)
        return sorted(found, key=lambda a: a.send_at)

    def claim(self, announcement_id: str, run_id: str, now: datetime, lease_seconds: int) -> bool:
        free = (
            AnnouncementModel.claimed_by.does_not_exist()
            | (AnnouncementModel.lease_until < now)
            | (AnnouncementModel.claimed_by == run_id)
        )
        return _won(
            lambda: AnnouncementModel(announcement_id).update(
                actions=[
                    AnnouncementModel.claimed_by.set(run_id),
                    AnnouncementModel.lease_until.set(now + timedelta(seconds=lease_seconds)),
                ],
                condition=AnnouncementModel.state.is_in(*ANNOUNCEMENT_OPEN_STATES) & free,
            )
        )

    def save_progress(self, announcement: Announcement) -> None:
        """Record the step just done (and release the claim when the work is over)."""
        actions = [
            AnnouncementModel.state.set(announcement.state),
            AnnouncementModel.article_token.set(announcement.article_token or None),
            AnnouncementModel.article_id.set(announcement.article_id or None),
            AnnouncementModel.zalo_message_id.set(announcement.zalo_message_id or None),
            AnnouncementModel.error.set(announcement.error or None),
            AnnouncementModel.sent_at.set(announcement.sent_at),
        ]
        if announcement.state not in ANNOUNCEMENT_OPEN_STATES:
            actions += [AnnouncementModel.claimed_by.remove(), AnnouncementModel.lease_until.remove()]
        AnnouncementModel(announcement.announcement_id).update(actions=actions)

    def release(self, announcement_id: str) -> None:
        AnnouncementModel(announcement_id).update(
            actions=[AnnouncementModel.claimed_by.remove(), AnnouncementModel.lease_until.remove()]
        )


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


class SqsEventQueue:
    def __init__(self, sqs_client: Any, queue_url: str) -> None:
        self._sqs = sqs_client
        self._queue_url = queue_url

    def send(self, body: str) -> None:
        self._sqs.send_message(QueueUrl=self._queue_url, MessageBody=body)
