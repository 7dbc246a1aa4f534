"""The broadcaster: each step recorded before the next; overlapping runs and crashes never double-send;
Zalo's limits become holds officials can read; the run stops inside its time budget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.broadcast import Broadcaster, Budget
from functions.ports import Announcement
from functions.zalo_errors import ZaloError
from tests.fakes.stores import FakeAnnouncements, FakeAuditLog
from tests.fakes.zalo import FakeZalo

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 09:00 Vietnam time


def announcement(**overrides) -> Announcement:
    base = dict(
        announcement_id="a1",
        title="Lịch tiếp công dân tháng 12",
        summary="Trung tâm làm việc cả sáng thứ Bảy.",
        link="https://dichvucong.example.gov.vn/tin/1",
        send_at=NOW - timedelta(minutes=1),
        state="approved",
        author="can-bo-1",
        approvers=["can-bo-2"],
        created_at=NOW,
    )
    base.update(overrides)
    return Announcement(**base)


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def broadcaster(store, zalo, run_id="run-1", clock=None, time_left=lambda: 100.0, audit=None) -> Broadcaster:
    return Broadcaster(
        store,
        audit or FakeAuditLog(),
        zalo,
        clock=clock or Clock(),
        run_id=run_id,
        article_author="Dịch vụ công tỉnh",
        budget=Budget(time_left, margin_seconds=15),
    )


@pytest.fixture
def store() -> FakeAnnouncements:
    found = FakeAnnouncements()
    found.create(announcement())
    return found


def test_due_announcement_goes_through_article_then_broadcast(store):
    zalo, audit = FakeZalo(), FakeAuditLog()
    assert broadcaster(store, zalo, audit=audit).run() == {"sent": 1}
    assert [name for name, _ in zalo.calls] == ["create_article", "verify_article", "broadcast_article"]
    done = store.get("a1")
    assert done.state == "sent" and done.zalo_message_id and done.sent_at == NOW and done.article_id
    assert "https://dichvucong.example.gov.vn/tin/1" in zalo.sent("create_article")[0]["body_text"]
    assert [action for _, action in audit.actions("a1")] == ["article_requested", "article_created", "sent"]


def test_only_approved_and_due_announcements_are_sent():
    store, zalo = FakeAnnouncements(), FakeZalo()
    store.create(announcement(announcement_id="later", send_at=NOW + timedelta(hours=1)))
    store.create(announcement(announcement_id="waiting-approval", state="scheduled"))
    store.create(announcement(announcement_id="cancelled", state="cancelled"))
    assert broadcaster(store, zalo).run() == {}
    assert zalo.calls == []


def test_article_still_processing_resumes_next_run_without_a_second_article(store):
    zalo = FakeZalo(processing_polls=1)
    assert broadcaster(store, zalo).run() == {"article_processing": 1}
    assert store.get("a1").article_token and store.claims == {}
    assert broadcaster(store, zalo, "run-2").run() == {"sent": 1}
    assert len(zalo.sent("create_article")) == 1 and len(zalo.sent("broadcast_article")) == 1


def test_a_crash_after_the_article_resumes_with_the_same_article(store):
    zalo = FakeZalo()
    zalo.fail_next("verify_article", RuntimeError("Lambda killed mid-run"))
    with pytest.raises(RuntimeError):
        broadcaster(store, zalo).run()
    assert store.get("a1").article_token  # recorded before the crash
    assert broadcaster(store, zalo, "run-2", clock=Clock(NOW + timedelta(seconds=301))).run() == {"sent": 1}
    assert len(zalo.sent("create_article")) == 1


def test_a_crash_during_the_broadcast_call_is_never_repeated(store):
    zalo = FakeZalo()
    zalo.fail_next("broadcast_article", RuntimeError("Lambda killed during the call"))
    with pytest.raises(RuntimeError):
        broadcaster(store, zalo).run()
    later = broadcaster(store, zalo, "run-2", clock=Clock(NOW + timedelta(seconds=301))).run()
    assert later == {"uncertain": 1}
    assert len(zalo.sent("broadcast_article")) == 1
    assert "có thể đã phát" in store.get("a1").error


def test_no_answer_to_the_broadcast_is_uncertain_not_retried(store):
    zalo = FakeZalo()
    zalo.fail_next("broadcast_article", ZaloError.transport("oa", "ReadTimeout"))
    assert broadcaster(store, zalo).run() == {"uncertain": 1}
    assert broadcaster(store, zalo, "run-2").run() == {}
    assert store.get("a1").state == "uncertain"


def test_a_run_holding_the_claim_keeps_others_out(store):
    zalo = FakeZalo()
    assert store.claim("a1", "other-run", NOW, 300)
    assert broadcaster(store, zalo).run() == {"claimed_elsewhere": 1}
    assert zalo.calls == []


@pytest.mark.parametrize(
    ("code", "outcome", "wait", "words"),
    [
        (-211, "held_quota", timedelta(hours=1), "hết hạn mức"),
        (-223, "held_quota", timedelta(hours=1), "-223"),
        (-32, "rate_limited", timedelta(minutes=1), "giới hạn tốc độ"),
        (-234, "held", timedelta(hours=1), "ban đêm"),
    ],
)
def test_zalo_limits_hold_with_a_readable_reason_then_retry(store, code, outcome, wait, words):
    zalo = FakeZalo()
    zalo.fail_next("broadcast_article", ZaloError("oa", code, "limit"))
    assert broadcaster(store, zalo).run() == {outcome: 1}
    held = store.get("a1")
    assert held.state == "article_created" and words in held.hold_reason and held.not_before == NOW + wait

    assert broadcaster(store, zalo, "run-2", clock=Clock(NOW + wait - timedelta(seconds=1))).run() == {
        "waiting": 1
    }
    assert broadcaster(store, zalo, "run-3", clock=Clock(NOW + wait)).run() == {"sent": 1}
    assert len(zalo.sent("create_article")) == 1
    assert store.get("a1").hold_reason == ""


def test_rate_limit_stops_the_run_for_everyone(store):
    store.create(announcement(announcement_id="a2"))
    zalo = FakeZalo()
    zalo.fail_next("create_article", ZaloError("oa", -32, "rate limit"))
    assert broadcaster(store, zalo).run() == {"rate_limited": 1, "left_for_next_run": 1}
    assert len(zalo.calls) == 1


def test_content_refused_fails_with_the_reason(store):
    zalo = FakeZalo()
    zalo.fail_next("create_article", ZaloError("oa", -248, "content violates platform standards"))
    assert broadcaster(store, zalo).run() == {"failed": 1}
    failed = store.get("a1")
    assert failed.state == "failed" and "-248" in failed.error and "vi phạm" in failed.error
    assert broadcaster(store, zalo, "run-2").run() == {}


def test_outside_broadcast_hours_waits_for_the_morning(store):
    night = Clock(datetime(2026, 11, 25, 15, 0, tzinfo=UTC))  # 22:00 Vietnam time
    zalo = FakeZalo()
    assert broadcaster(store, zalo, clock=night).run() == {"outside_hours": 1}
    held = store.get("a1")
    assert held.not_before == datetime(2026, 11, 25, 23, 0, tzinfo=UTC)  # 06:00 next day
    assert "06:00" in held.hold_reason and zalo.calls == []


def test_the_run_stops_cleanly_before_its_time_runs_out(store):
    store.create(announcement(announcement_id="a2"))
    left = iter([100.0, 100.0, 100.0, 100.0, 10.0, 10.0])
    zalo = FakeZalo()
    counts = broadcaster(store, zalo, time_left=lambda: next(left)).run()
    assert counts == {"sent": 1, "left_for_next_run": 1}
    assert store.claims == {}


def test_a_step_is_not_started_without_time_for_it(store):
    left = iter([100.0, 100.0, 10.0])
    zalo = FakeZalo()
    counts = broadcaster(store, zalo, time_left=lambda: next(left)).run()
    assert counts == {"paused_for_time": 1}
    assert [name for name, _ in zalo.calls] == ["create_article"]
    assert store.claims == {} and store.get("a1").article_token
