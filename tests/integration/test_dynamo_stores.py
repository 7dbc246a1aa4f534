"""The DynamoDB adapters' conditional writes, against moto in-process: the guarantees that stop a
notice, a webhook event or a broadcast from being handled twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions import models
from functions.dynamo_stores import DynamoAnnouncementStore, DynamoWebhookDeduplicator
from functions.ports import Announcement

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


def test_due_announcements_and_their_claims(tables):
    store = DynamoAnnouncementStore()
    store.create(
        Announcement(
            "a1",
            "Lịch tiếp công dân",
            "Tóm tắt",
            "https://x.gov.vn/1",
            NOW - timedelta(minutes=1),
            created_at=NOW,
        )
    )
    store.create(
        Announcement(
            "a2", "Sau này", "Tóm tắt", "https://x.gov.vn/2", NOW + timedelta(days=1), created_at=NOW
        )
    )
    assert [a.announcement_id for a in store.due(NOW)] == ["a1"]
    assert store.claim("a1", "run-1", NOW, 300) is True
    assert store.claim("a1", "run-2", NOW, 300) is False
    assert store.claim("a1", "run-2", NOW + timedelta(seconds=301), 300) is True

    sent = store.get("a1")
    sent.state, sent.article_id, sent.zalo_message_id, sent.sent_at = "sent", "art-1", "msg-1", NOW
    store.save_progress(sent)
    assert store.due(NOW + timedelta(minutes=5)) == []
    assert store.claim("a1", "run-3", NOW, 300) is False
