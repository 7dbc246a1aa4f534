"""The DynamoDB adapters' conditional writes, against moto in-process: the guarantees that stop a
notice, a webhook event or a broadcast from being handled twice."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from functions import models
from functions.dynamo_stores import (
    DynamoAnnouncementStore,
    DynamoAuditLog,
    DynamoWebhookDeduplicator,
)
from functions.ports import Announcement, AuditEntry

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.fixture
def tables(moto_tables) -> None:
    moto_tables(models.NotificationModel, models.WebhookEventModel, models.AnnouncementModel)


def test_webhook_event_is_seen_once_until_forgotten(tables):
    dedup = DynamoWebhookDeduplicator(ttl_seconds=3600)
    assert dedup.first_time("msg:abc", "user_send_text", NOW) is True
    assert dedup.first_time("msg:abc", "user_send_text", NOW) is False
    dedup.forget("msg:abc")
    assert dedup.first_time("msg:abc", "user_send_text", NOW) is True


def announcement(announcement_id: str, send_at: datetime, state: str = "approved") -> Announcement:
    return Announcement(
        announcement_id,
        "Lịch tiếp công dân",
        "Tóm tắt",
        f"https://x.gov.vn/{announcement_id}",
        send_at,
        state=state,
        author="can-bo-1",
        target={"cities": "4"},
        created_at=NOW,
    )


def test_due_announcements_and_their_claims(tables):
    store = DynamoAnnouncementStore()
    store.create(announcement("a1", NOW - timedelta(minutes=1)))
    store.create(announcement("a2", NOW + timedelta(days=1)))
    store.create(announcement("a3", NOW - timedelta(minutes=1), state="scheduled"))  # not approved yet
    assert [a.announcement_id for a in store.due(NOW)] == ["a1"]
    claimed = store.claim("a1", "run-1", NOW, 300)
    assert claimed is not None and claimed.target == {"cities": "4"}
    assert store.claim("a1", "run-2", NOW, 300) is None
    assert store.save_progress(claimed, "run-2") is False  # only the holder records steps

    taken = store.claim("a1", "run-2", NOW + timedelta(seconds=301), 300)  # the lease ran out
    assert taken is not None
    assert store.save_progress(claimed, "run-1") is False  # the old holder lost it
    taken.state, taken.article_id, taken.zalo_message_id, taken.sent_at = "sent", "art-1", "msg-1", NOW
    assert store.save_progress(taken, "run-2", release=True) is True
    assert store.due(NOW + timedelta(minutes=5)) == []
    assert store.claim("a1", "run-3", NOW, 300) is None
    assert store.get("a1").zalo_message_id == "msg-1"


def test_officials_changes_are_conditional_on_version_and_claim(tables):
    store = DynamoAnnouncementStore()
    store.create(announcement("a1", NOW - timedelta(minutes=1)))
    read = store.get("a1")
    assert store.claim("a1", "run-1", NOW, 300) is not None
    read.state = "cancelled"
    assert store.update_if_unchanged(read, NOW) is False  # the broadcaster claimed it meanwhile

    store.save_progress(store.get("a1"), "run-1", release=True)
    fresh = store.get("a1")
    fresh.state, fresh.approvers = "cancelled", ["can-bo-2"]
    assert store.update_if_unchanged(fresh, NOW) is True
    assert store.update_if_unchanged(read, NOW) is False  # stale version
    assert [a.state for a in store.list("cancelled")] == ["cancelled"]
    assert store.get("a1").approvers == ["can-bo-2"]
    assert store.claim("a1", "run-2", NOW, 300) is None


def test_cancel_and_claim_exclude_each_other_in_either_order(tables):
    """One side's conditional write makes the other's fail."""
    store = DynamoAnnouncementStore()
    store.create(announcement("claim-first", NOW - timedelta(minutes=1)))
    store.create(announcement("cancel-first", NOW - timedelta(minutes=1)))

    read = store.get("claim-first")
    assert store.claim("claim-first", "run", NOW, 300) is not None
    read.state = "cancelled"
    assert store.update_if_unchanged(read, NOW) is False

    read = store.get("cancel-first")
    read.state = "cancelled"
    assert store.update_if_unchanged(read, NOW) is True
    assert store.claim("cancel-first", "run", NOW, 300) is None


def test_cancel_and_claim_racing_have_one_winner(tables):
    store = DynamoAnnouncementStore()
    outcomes = []
    for index in range(10):
        store.create(announcement(f"r{index}", NOW - timedelta(minutes=1)))
        outcomes.append(_race_cancel_and_claim(store, f"r{index}"))
    assert all(cancelled != claimed for cancelled, claimed in outcomes), outcomes


def _race_cancel_and_claim(store: DynamoAnnouncementStore, announcement_id: str) -> tuple[bool, bool]:
    read = store.get(announcement_id)
    read.state = "cancelled"
    won: dict[str, bool] = {}
    racers = [
        threading.Thread(target=lambda: won.setdefault("cancel", store.update_if_unchanged(read, NOW))),
        threading.Thread(
            target=lambda: won.setdefault("claim", store.claim(announcement_id, "run", NOW, 300) is not None)
        ),
    ]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    return won["cancel"], won["claim"]


def test_audit_entries_come_back_in_order(tables, moto_tables):
    moto_tables(models.AnnouncementAuditModel)
    audit = DynamoAuditLog()
    audit.record(AuditEntry("a1", NOW, "can-bo-1", "draft", {"title": "Lịch tiếp dân"}))
    audit.record(AuditEntry("a1", NOW + timedelta(seconds=1), "can-bo-2", "approve"))
    audit.record(AuditEntry("a2", NOW, "can-bo-1", "draft"))
    assert [(e.actor, e.action) for e in audit.for_announcement("a1")] == [
        ("can-bo-1", "draft"),
        ("can-bo-2", "approve"),
    ]
    assert audit.for_announcement("a1")[0].details == {"title": "Lịch tiếp dân"}
