"""The DynamoDB adapters' conditional writes, against moto in-process: the guarantees that stop a
notice, a webhook event or a broadcast from being handled twice."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from functions import models
from functions.dynamo_stores import DynamoAnnouncementStore, DynamoOutbox, DynamoWebhookDeduplicator
from functions.ports import Announcement, Notice

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.fixture
def tables(moto_tables) -> None:
    moto_tables(models.NotificationModel, models.WebhookEventModel, models.AnnouncementModel)


def notice(notice_id: str = "n1", state: str = "pending") -> Notice:
    return Notice(
        notice_id,
        "000.00.12.H46-240115-0003",
        4,
        "+84912345678",
        {"ma_ho_so": "000.00.12.H46-240115-0003", "trang_thai": "Đang xử lý"},
        state=state,
        created_at=NOW,
    )


def test_a_notice_is_created_once(tables):
    outbox = DynamoOutbox()
    assert outbox.create_if_absent(notice()) is True
    assert outbox.create_if_absent(notice()) is False
    [stored] = outbox.by_dossier("000.00.12.H46-240115-0003")
    assert stored.template_data["trang_thai"] == "Đang xử lý"


def test_only_one_of_many_concurrent_claims_wins(tables):
    outbox = DynamoOutbox()
    outbox.create_if_absent(notice())
    results: list[Notice | None] = []
    threads = [
        threading.Thread(target=lambda: results.append(outbox.claim_for_sending("n1", NOW))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [r for r in results if r is not None]
    assert len(winners) == 1 and winners[0].attempts == 1


def test_a_stuck_claim_can_be_taken_over_after_its_lease(tables):
    outbox = DynamoOutbox(lease_seconds=60)
    outbox.create_if_absent(notice())
    assert outbox.claim_for_sending("n1", NOW) is not None
    assert outbox.claim_for_sending("n1", NOW + timedelta(seconds=30)) is None
    retaken = outbox.claim_for_sending("n1", NOW + timedelta(seconds=61))
    assert retaken is not None and retaken.attempts == 2


def test_sent_notice_is_never_claimed_again_and_becomes_delivered(tables):
    outbox = DynamoOutbox()
    outbox.create_if_absent(notice())
    outbox.claim_for_sending("n1", NOW)
    outbox.finish("n1", "sent", NOW, zalo_msg_id="z-1")
    assert outbox.claim_for_sending("n1", NOW + timedelta(hours=1)) is None
    assert outbox.mark_delivered("n1", NOW) is True
    assert outbox.by_dossier("000.00.12.H46-240115-0003")[0].state == "delivered"
    assert outbox.mark_delivered("unknown", NOW) is False


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
