"""DynamoDB and SQS adapters behind the interfaces in ports.py.

Every state change that protects against sending twice is a conditional write here, so two Lambda
invocations racing on the same record cannot both win.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.expressions.condition import Condition

from functions.dossier import Dossier
from functions.dossier_records import from_model
from functions.models import (
    AnnouncementModel,
    CitizenModel,
    DossierModel,
    NotificationModel,
    PhoneDossierModel,
    WebhookEventModel,
)
from functions.ports import Announcement, Citizen, Notice, PhoneDossier


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
        phone=item.phone,
        template_data=dict(item.template_data.as_dict() if item.template_data else {}),
        state=item.state,
        channel=item.channel,
        attempts=int(item.attempts or 0),
        zalo_msg_id=item.zalo_msg_id or "",
        error_code=int(item.error_code or 0),
        error=item.error or "",
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


class DynamoOutbox:
    """The notifications table. States: see notify.py."""

    def __init__(self, lease_seconds: int = 120) -> None:
        self.lease_seconds = lease_seconds

    def create_if_absent(self, notice: Notice) -> bool:
        now = notice.created_at
        item = NotificationModel(
            notice.notice_id,
            dossier_code=notice.dossier_code,
            status=notice.status,
            phone=notice.phone,
            template_data=notice.template_data,
            state=notice.state,
            channel=notice.channel,
            attempts=0,
            error_code=notice.error_code,
            error=notice.error or None,
            created_at=now,
            updated_at=now,
        )
        return _won(lambda: item.save(condition=NotificationModel.notice_id.does_not_exist()))

    def claim_for_sending(self, notice_id: str, now: datetime) -> Notice | None:
        claimable: Condition = NotificationModel.state.is_in("pending", "failed_temporary") | (
            (NotificationModel.state == "sending") & (NotificationModel.lease_until < now)
        )
        item = NotificationModel(notice_id)
        claimed = _won(
            lambda: item.update(
                actions=[
                    NotificationModel.state.set("sending"),
                    NotificationModel.attempts.add(1),
                    NotificationModel.lease_until.set(now + timedelta(seconds=self.lease_seconds)),
                    NotificationModel.updated_at.set(now),
                ],
                condition=NotificationModel.notice_id.exists() & claimable,
            )
        )
        return _notice_from_item(item) if claimed else None

    def finish(self, notice_id: str, state: str, now: datetime, **fields: Any) -> None:
        actions = [
            NotificationModel.state.set(state),
            NotificationModel.updated_at.set(now),
            NotificationModel.lease_until.remove(),
        ]
        for name, value in fields.items():
            actions.append(getattr(NotificationModel, name).set(value))
        NotificationModel(notice_id).update(actions=actions)

    def mark_delivered(self, notice_id: str, now: datetime) -> bool:
        """A ZNS delivery receipt arrived; only a sent notice can become delivered."""
        return _won(
            lambda: NotificationModel(notice_id).update(
                actions=[NotificationModel.state.set("delivered"), NotificationModel.updated_at.set(now)],
                condition=NotificationModel.state.is_in("sent", "sending", "delivered"),
            )
        )

    def by_dossier(self, dossier_code: str) -> list[Notice]:
        return [_notice_from_item(i) for i in NotificationModel.by_dossier.query(dossier_code)]


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


class DynamoPhoneDossierIndex:
    """The phone-dossiers table (phone_index.py keeps it; the chat's "hồ sơ của tôi" reads it)."""

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
