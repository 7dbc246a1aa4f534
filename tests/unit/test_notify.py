"""Status notices from hand-built stream records: who gets one, and never twice."""

from __future__ import annotations

from datetime import UTC, datetime

from functions.dossier_records import to_model
from functions.notify import Notifier, StreamRecord, notice_id
from functions.zalo_errors import ZaloError
from tests.factories import make_dossier
from tests.fakes.stores import FakeOutbox
from tests.fakes.zalo import FakeZalo

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def image(**overrides) -> dict:
    return to_model(make_dossier(**overrides)).serialize()


def record(event_name: str, new: dict | None, old: dict | None = None, seq: str = "1100000001") -> dict:
    return {
        "eventID": "e1",
        "eventName": event_name,
        "eventSource": "aws:dynamodb",
        "dynamodb": {
            "Keys": {"MaHoSo": {"S": "x"}},
            "SequenceNumber": seq,
            "NewImage": new,
            "OldImage": old,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }


def notifier(zalo: FakeZalo | None = None, outbox: FakeOutbox | None = None) -> Notifier:
    return Notifier(
        outbox or FakeOutbox(), zalo or FakeZalo(), "dvc_status_v1", clock=lambda: NOW, sleep=lambda _: None
    )


def handle(n: Notifier, raw: dict) -> str:
    return n.handle(StreamRecord.from_lambda(raw))


def test_status_change_of_opted_in_dossier_sends_one_template_message():
    zalo = FakeZalo()
    n = notifier(zalo)
    old = image(code="000.00.12.H46-240115-0003", status=2, phone="0912 345 678")
    new = image(code="000.00.12.H46-240115-0003", status=4, phone="0912 345 678")

    assert handle(n, record("MODIFY", new, old)) == "sent"

    [sent] = zalo.sent("send_template_by_phone")
    assert sent["phone"] == "84912345678"
    assert sent["template_id"] == "dvc_status_v1"
    assert sent["tracking_id"] == notice_id("000.00.12.H46-240115-0003", "1100000001")
    assert sent["template_data"]["ma_ho_so"] == "000.00.12.H46-240115-0003"
    assert n.outbox.items[sent["tracking_id"]].state == "sent"


def test_redelivered_record_sends_nothing_more():
    zalo = FakeZalo()
    n = notifier(zalo)
    raw = record("INSERT", image(status=2))
    assert handle(n, raw) == "sent"
    assert handle(n, raw) == "already_handled"
    assert len(zalo.sent("send_template_by_phone")) == 1


def test_no_consent_noop_modify_and_remove_send_nothing():
    zalo = FakeZalo()
    n = notifier(zalo)
    assert handle(n, record("INSERT", image(notify_zalo=False))) == "skipped:no_consent"
    same = image(status=4)
    assert handle(n, record("MODIFY", same, same)) == "skipped:status_unchanged"
    assert handle(n, record("REMOVE", None, same)) == "skipped:not_a_write"
    assert zalo.calls == []


def test_a_later_change_back_to_an_earlier_status_notifies_again():
    zalo = FakeZalo()
    n = notifier(zalo)
    handle(n, record("MODIFY", image(code="C", status=5), image(code="C", status=4), seq="1"))
    handle(n, record("MODIFY", image(code="C", status=4), image(code="C", status=5), seq="2"))
    handle(n, record("MODIFY", image(code="C", status=5), image(code="C", status=4), seq="3"))
    assert len(zalo.sent("send_template_by_phone")) == 3


def test_phone_without_zalo_is_a_permanent_failure_with_its_reason():
    zalo = FakeZalo()
    zalo.fail_next("send_template_by_phone", ZaloError("zbs", -118, "Zalo account not existed"))
    n = notifier(zalo)
    assert handle(n, record("INSERT", image())) == "failed_permanent"
    [notice] = n.outbox.items.values()
    assert notice.error_code == -118
    assert notice.error.startswith("no_zalo_account")
    assert len(zalo.calls) == 1


def test_transient_failures_are_retried_within_bounds():
    zalo = FakeZalo()
    zalo.fail_next(
        "send_template_by_phone", ZaloError.transport("zbs", "timeout"), ZaloError("zbs", -100, "x")
    )
    n = notifier(zalo)
    assert handle(n, record("INSERT", image())) == "sent"
    assert len(zalo.calls) == 3

    always = FakeZalo()
    always.fail_next("send_template_by_phone", *[ZaloError.transport("zbs", "down")] * 5)
    m = notifier(always)
    assert handle(m, record("INSERT", image())) == "failed_temporary"
    assert len(always.calls) == m.max_attempts


def test_invalid_phone_and_invalid_record_are_recorded_and_skipped():
    zalo = FakeZalo()
    n = notifier(zalo)
    assert handle(n, record("INSERT", image(phone="024 3825 1234"))) == "failed_permanent"  # a landline
    assert next(iter(n.outbox.items.values())).error.startswith("invalid_phone")
    assert handle(n, record("INSERT", {"MaHoSo": {"S": "C"}})) == "invalid_record"
    broken = image()
    broken["NgayHenTra"] = {"S": "10/12/2024"}
    assert handle(n, record("INSERT", broken)) == "invalid_record"
    assert zalo.calls == []
