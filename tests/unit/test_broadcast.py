"""The broadcaster: each step recorded before the next; overlapping runs and crashes never double-send."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from functions.broadcast import Broadcaster
from functions.ports import Announcement
from functions.zalo_errors import ZaloError
from tests.fakes.stores import FakeAnnouncements
from tests.fakes.zalo import FakeZalo

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def announcement(**overrides) -> Announcement:
    base = dict(
        announcement_id="a1",
        title="Lịch tiếp công dân tháng 12",
        summary="Trung tâm làm việc cả sáng thứ Bảy.",
        link="https://dichvucong.example.gov.vn/tin/1",
        send_at=NOW - timedelta(minutes=1),
        created_at=NOW,
    )
    base.update(overrides)
    return Announcement(**base)


def broadcaster(store, zalo, run_id="run-1") -> Broadcaster:
    return Broadcaster(store, zalo, clock=lambda: NOW, run_id=run_id)


def test_due_announcement_goes_through_article_then_broadcast():
    store, zalo = FakeAnnouncements(), FakeZalo()
    store.create(announcement())
    assert broadcaster(store, zalo).run() == {"sent": 1}
    assert [name for name, _ in zalo.calls] == ["create_article", "verify_article", "broadcast_article"]
    done = store.get("a1")
    assert done.state == "sent" and done.zalo_message_id and done.sent_at == NOW
    assert "https://dichvucong.example.gov.vn/tin/1" in zalo.sent("create_article")[0]["body_text"]


def test_future_announcement_waits():
    store, zalo = FakeAnnouncements(), FakeZalo()
    store.create(announcement(send_at=NOW + timedelta(hours=1)))
    assert broadcaster(store, zalo).run() == {}
    assert zalo.calls == []


def test_article_still_processing_resumes_next_run_without_a_second_article():
    store, zalo = FakeAnnouncements(), FakeZalo(processing_polls=1)
    store.create(announcement())
    assert broadcaster(store, zalo).run() == {"article_processing": 1}
    assert broadcaster(store, zalo, "run-2").run() == {"sent": 1}
    assert len(zalo.sent("create_article")) == 1
    assert len(zalo.sent("broadcast_article")) == 1


def test_a_run_holding_the_claim_keeps_others_out():
    store, zalo = FakeAnnouncements(), FakeZalo()
    store.create(announcement())
    assert store.claim("a1", "other-run", NOW, 300)
    assert broadcaster(store, zalo).run() == {"claimed_elsewhere": 1}
    assert zalo.calls == []


def test_transient_error_defers_and_content_refusal_fails_with_reason():
    store, zalo = FakeAnnouncements(), FakeZalo()
    store.create(announcement())
    zalo.fail_next("broadcast_article", ZaloError("oa", -32, "rate limit"))
    assert broadcaster(store, zalo).run() == {"deferred": 1}
    assert broadcaster(store, zalo, "run-2").run() == {"sent": 1}
    assert len(zalo.sent("create_article")) == 1

    store.create(announcement(announcement_id="a2"))
    zalo.fail_next("create_article", ZaloError("oa", -248, "content violates platform standards"))
    assert broadcaster(store, zalo, "run-3").run() == {"failed": 1}
    assert "-248" in store.get("a2").error
