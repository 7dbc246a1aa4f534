"""Status notices from hand-built Lambda stream records: who gets one, what it says, never twice."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from functions import notice_policy as policy
from functions.notify import notice_id
from functions.ports import Citizen
from functions.statuses import DossierStatus
from functions.zalo_errors import ZaloError
from tests.factories import make_dossier
from tests.fakes.zalo import FakeZalo
from tests.notice_kit import Kit, stream_record


def test_insert_of_an_opted_in_dossier_sends_the_received_notice_with_the_appointment_date():
    kit = Kit()
    dossier = make_dossier(code="000.00.12.H46-240115-0003", status=2, phone="0912 345 678")
    raw = stream_record("INSERT", dossier, seq="1100000001")

    assert kit.handle(raw) == "sent"

    [sent] = kit.sends()
    assert sent["phone"] == "84912345678"
    assert sent["template_id"] == "dvc_status_v1"
    assert sent["tracking_id"] == notice_id("000.00.12.H46-240115-0003", "1100000001")
    assert len(sent["tracking_id"]) <= 48 and sent["tracking_id"].isalnum()
    assert sent["template_data"]["trang_thai"] == "Đã tiếp nhận hồ sơ"
    assert sent["template_data"]["ngay_hen_tra"] == "10/12/2024"
    notice = kit.outbox.items[sent["tracking_id"]]
    assert (notice.state, notice.attempts, notice.channel) == ("sent", 1, "zbs")
    assert notice.zalo_msg_id and notice.sent_at == kit.clock.now


@pytest.mark.parametrize("status", list(DossierStatus))
def test_every_status_change_sends_that_status_in_plain_vietnamese(status):
    kit = Kit()
    before = make_dossier(status=1 if status != 1 else 2, note="Bổ sung bản sao CCCD.")
    after = replace(before, status=int(status))

    assert kit.handle(stream_record("MODIFY", after, before)) == "sent"

    [sent] = kit.sends()
    assert sent["template_data"]["trang_thai"] == status.short_label
    assert sent["template_data"]["ghi_chu"] == (
        "Bổ sung bản sao CCCD." if status.needs_citizen_action else ""
    )


def test_redelivered_record_sends_nothing_more():
    kit = Kit()
    raw = stream_record("INSERT", make_dossier(status=2))
    assert kit.handle(raw) == "sent"
    assert kit.handle(raw) == "already_handled"
    assert kit.batch(raw, raw) == []
    assert len(kit.sends()) == 1


def test_two_concurrent_invocations_of_the_same_batch_send_once():
    kit = Kit()
    batch = [stream_record("INSERT", make_dossier(status=2)) for _ in range(20)]
    start = threading.Barrier(2)

    def invoke() -> None:
        start.wait()
        kit.batch(*batch)

    threads = [threading.Thread(target=invoke) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    tracking = [s["tracking_id"] for s in kit.sends()]
    assert len(tracking) == 20 == len(set(tracking))


def test_no_consent_is_recorded_as_skipped_and_non_changes_cost_nothing():
    kit = Kit()
    unticked = make_dossier(notify_zalo=False)
    assert kit.handle(stream_record("INSERT", unticked)) == "skipped:no_consent"
    [skipped] = kit.outbox.by_dossier(unticked.code)
    assert (skipped.state, skipped.error, skipped.phone) == ("skipped", "no_consent", "")

    same = make_dossier(status=4)
    assert kit.handle(stream_record("MODIFY", same, same)) == "skipped:status_unchanged"
    assert kit.handle(stream_record("REMOVE", None, same)) == "skipped:not_a_write"
    assert kit.outbox.by_dossier(same.code) == []
    assert kit.zalo.calls == []


def test_a_citizen_who_opted_out_in_chat_gets_nothing_for_that_dossier_or_any():
    kit = Kit()
    stopped_one = make_dossier(phone="0912 345 678")
    other = make_dossier(phone="0912 345 678")
    kit.citizens.items["u1"] = Citizen(
        "u1", phone="+84912345678", opted_out_codes=frozenset({stopped_one.code})
    )

    assert kit.handle(stream_record("INSERT", stopped_one)) == "skipped:opted_out"
    assert kit.handle(stream_record("INSERT", other)) == "sent"
    kit.citizens.items["u1"].opted_out = True
    assert kit.handle(stream_record("MODIFY", replace(other, status=4), other)) == "skipped:opted_out"

    assert [s["template_data"]["ma_ho_so"] for s in kit.sends()] == [other.code]
    assert [n.error for n in kit.outbox.by_dossier(stopped_one.code)] == ["opted_out"]


def test_a_later_change_back_to_an_earlier_status_notifies_again():
    kit = Kit()
    four, five = make_dossier(status=4), make_dossier(status=5)
    five = replace(five, code=four.code)
    kit.handle(stream_record("MODIFY", five, four))
    kit.handle(stream_record("MODIFY", four, five))
    kit.handle(stream_record("MODIFY", five, four))
    assert [s["template_data"]["trang_thai"] for s in kit.sends()] == [
        "Cần bổ sung giấy tờ",
        "Đang xử lý",
        "Cần bổ sung giấy tờ",
    ]


PERMANENT = [
    (-118, "no_zalo_account"),
    (-108, "invalid_phone"),
    (-114, "user_cannot_receive"),
    (-119, "user_cannot_receive"),
    (-109, "template_problem"),
    (-1121, "template_problem"),
    (-131, "template_problem"),
    (-141, "user_refused"),
]


@pytest.mark.parametrize(("code", "reason"), PERMANENT)
def test_permanent_zalo_errors_are_recorded_with_their_reason_and_never_retried(code, reason):
    kit = Kit()
    kit.zalo.fail_next("send_template_by_phone", ZaloError("zbs", code, "refused"))
    assert kit.handle(stream_record("INSERT", make_dossier())) == "failed_permanent"
    notice = kit.only_notice()
    assert (notice.error_code, notice.error) == (code, f"{reason}: refused")
    assert notice.next_attempt_at is None
    kit.clock.advance(days=1)
    assert kit.sweep() == {"due": 0}
    assert len(kit.zalo.calls) == 1


@pytest.mark.parametrize(
    ("error", "reason", "at_least_seconds"),
    [
        (ZaloError("zbs", -32, "rate limit"), "rate_limited", 24),
        (ZaloError("zbs", -124, "token rejected twice"), "token_rejected", 24),
        (ZaloError("zbs", -100, "unknown, retry"), "zalo_retry", 24),
        (ZaloError.transport("zbs", "ReadTimeout"), "no_answer", 300),
        (ZaloError.transport("zbs", "http 502", 502), "server_error", 300),
        (ZaloError.transport("oauth", "ConnectTimeout"), "no_answer", 24),  # refresh after -124 failed
    ],
)
def test_transient_errors_wait_outside_the_stream_then_the_sweeper_sends(error, reason, at_least_seconds):
    kit = Kit()
    kit.zalo.fail_next("send_template_by_phone", error)
    assert kit.handle(stream_record("INSERT", make_dossier())) == "failed_temporary"
    notice = kit.only_notice()
    assert notice.error.startswith(reason) and notice.failures == 1
    wait = (notice.next_attempt_at - kit.clock.now).total_seconds()
    assert at_least_seconds <= wait <= max(36, at_least_seconds)  # 30 s ± 20 %, or the receipt grace

    assert kit.sweep() == {"due": 0}  # not yet
    kit.clock.advance(seconds=wait)
    assert kit.sweep() == {"due": 1, "sent": 1}
    assert kit.only_notice().state == "sent" and len(kit.zalo.calls) == 2


def test_bounded_retries_end_in_failed_final():
    kit = Kit()
    kit.zalo.fail_next("send_template_by_phone", *[ZaloError("zbs", -100, "down")] * 10)
    kit.handle(stream_record("INSERT", make_dossier()))
    for _ in range(10):
        kit.clock.advance(seconds=kit.settings.backoff_max_seconds * 1.3)
        kit.sweep()
    notice = kit.only_notice()
    assert (notice.state, notice.failures) == ("failed_final", kit.settings.max_attempts)
    assert len(kit.zalo.calls) == kit.settings.max_attempts


def test_night_restricted_template_waits_until_six_in_the_morning(capsys):
    kit = Kit()
    kit.clock.now = kit.clock.now.replace(hour=16, minute=30)  # 23:30 in Vietnam
    kit.zalo.fail_next("send_template_by_phone", ZaloError("zbs", -133, "not at night"))
    assert kit.handle(stream_record("INSERT", make_dossier())) == "held"
    notice = kit.only_notice()
    assert notice.next_attempt_at == datetime(2026, 11, 25, 23, 0, tzinfo=UTC)  # 06:00 on the 26th, UTC+7
    kit.clock.advance(hours=6, minutes=29)
    assert kit.sweep() == {"due": 0}
    kit.clock.advance(minutes=1)
    assert kit.sweep()["sent"] == 1
    assert '"metric": "NoticesHeldForQuota"' not in capsys.readouterr().out  # night is not a quota alarm


def test_after_a_night_refusal_the_rest_of_the_batch_is_held_without_asking_zalo():
    kit = Kit()
    kit.clock.now = kit.clock.now.replace(hour=16, minute=30)  # 23:30 in Vietnam
    kit.zalo.fail_next("send_template_by_phone", ZaloError("zbs", -133, "not at night"))
    kit.settings = replace(kit.settings, workers=1)
    kit.__post_init__()
    assert kit.batch(*[stream_record("INSERT", make_dossier()) for _ in range(5)]) == []
    assert [n.state for n in kit.outbox.items.values()] == ["held"] * 5
    assert len(kit.zalo.calls) == 1
    kit.clock.advance(hours=7)
    assert kit.sweep()["sent"] == 5


@pytest.mark.parametrize("code", [-115, -144])
def test_quota_exhausted_is_held_alarmed_and_zalo_is_not_asked_again_meanwhile(code, capsys):
    kit = Kit()
    kit.settings = replace(kit.settings, workers=1)
    kit.__post_init__()
    kit.zalo.fail_next("send_template_by_phone", *[ZaloError("zbs", code, "quota")] * 2)
    kit.batch(*[stream_record("INSERT", make_dossier()) for _ in range(3)])
    assert {n.state for n in kit.outbox.items.values()} == {"held"}
    assert len(kit.zalo.calls) == 1  # the other two were held without asking
    logged = capsys.readouterr().out
    assert logged.count('"metric": "NoticesHeldForQuota"') == 3 and f'"zalo_error": {code}' in logged

    kit.clock.advance(days=1)
    assert kit.sweep() == {"due": 3, "held": 1, "deferred": 2}  # one refusal, then the run stops
    kit.clock.advance(days=1)
    assert kit.sweep() == {"due": 3, "sent": 3}
    assert len(kit.zalo.calls) == 1 + 1 + 3


def test_a_refused_refresh_token_holds_notices_and_alarms_instead_of_failing_them(capsys):
    kit = Kit()
    kit.zalo.fail_next("send_template_by_phone", ZaloError("oauth", -14002, "refresh token invalid"))
    assert kit.handle(stream_record("INSERT", make_dossier())) == "held"
    assert kit.only_notice().error.startswith("token_unavailable")
    assert '"metric": "NoticesHeldNoToken"' in capsys.readouterr().out
    kit.clock.advance(seconds=kit.settings.quota_retry_seconds)
    assert kit.sweep()["sent"] == 1


def test_invalid_phone_and_unreadable_records_are_recorded_and_do_not_block_the_batch():
    kit = Kit()
    landline = make_dossier(phone="024 3825 1234")
    broken = stream_record("INSERT", make_dossier())
    broken["dynamodb"]["NewImage"]["NgayHenTra"] = {"S": "10/12/2024"}
    no_status = stream_record("INSERT", make_dossier())
    del no_status["dynamodb"]["NewImage"]["TrangThaiHoSo"]
    good = stream_record("INSERT", make_dossier())

    assert kit.batch(stream_record("INSERT", landline), broken, no_status, good) == []

    states = {n.dossier_code: (n.state, n.error.split(":")[0]) for n in kit.outbox.items.values()}
    assert states[landline.code] == ("failed_permanent", "invalid_phone")
    assert sorted(v for k, v in states.items() if k != landline.code) == [
        ("sent", ""),
        ("skipped", "invalid_record"),
        ("skipped", "invalid_record"),
    ]
    assert len(kit.sends()) == 1


class SlowZalo(FakeZalo):
    """Counts how many sends are in progress at once (a barrier proves they overlap)."""

    def __init__(self, parties: int) -> None:
        super().__init__()
        self.barrier = threading.Barrier(parties, timeout=5)

    def send_template_by_phone(self, *args, **kwargs) -> str:
        self.barrier.wait()
        return super().send_template_by_phone(*args, **kwargs)


def test_a_batch_runs_dossiers_side_by_side_and_each_dossier_in_order():
    kit = Kit(zalo=SlowZalo(parties=4))
    first = [make_dossier(status=2) for _ in range(4)]
    records = [stream_record("INSERT", d) for d in first]
    records += [stream_record("MODIFY", replace(d, status=4), d) for d in first]

    assert kit.batch(*records) == []  # would time out on the barrier if run one by one

    for dossier in first:
        sent = [
            s["template_data"]["trang_thai"]
            for s in kit.sends()
            if s["template_data"]["ma_ho_so"] == dossier.code
        ]
        assert sent == ["Đã tiếp nhận hồ sơ", "Đang xử lý"]


class BrokenOutbox:
    """An outbox that fails (as DynamoDB can) for one dossier."""

    def __init__(self, inner, broken_code: str) -> None:
        self.inner, self.broken_code = inner, broken_code

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def create_if_absent(self, notice):
        if notice.dossier_code == self.broken_code:
            raise ConnectionError("DynamoDB unavailable")
        return self.inner.create_if_absent(notice)


def test_a_failed_record_is_reported_and_its_dossier_stops_while_others_go_on():
    broken, fine = make_dossier(status=2), make_dossier(status=2)
    kit = Kit()
    kit.outbox = BrokenOutbox(kit.outbox, broken.code)
    kit.__post_init__()
    first = stream_record("INSERT", broken, seq="1100000010")
    later = stream_record("MODIFY", replace(broken, status=4), broken, seq="1100000012")
    other = stream_record("INSERT", fine, seq="1100000011")

    assert kit.batch(first, other, later) == ["1100000010"]
    assert [s["template_data"]["ma_ho_so"] for s in kit.sends()] == [fine.code]


def test_failures_are_reported_lowest_sequence_number_first_by_value_not_text():
    a, b = make_dossier(status=2), make_dossier(status=2)
    kit = Kit()
    kit.outbox = BrokenOutbox(BrokenOutbox(kit.outbox, a.code), b.code)
    kit.__post_init__()
    records = [stream_record("INSERT", b, seq="1000"), stream_record("INSERT", a, seq="999")]
    assert kit.batch(*records) == ["999", "1000"]


def test_an_invocation_short_of_time_records_pending_notices_for_the_sweeper():
    kit = Kit(time_left=5.0)
    assert kit.batch(stream_record("INSERT", make_dossier())) == []
    assert kit.only_notice().state == "pending" and kit.zalo.calls == []
    kit.time_left = 100.0
    assert kit.sweep() == {"due": 1, "sent": 1}


def test_the_policy_s_clock_rules():
    vn = timezone(timedelta(hours=7))
    assert policy.next_morning(datetime(2026, 11, 25, 3, 0, tzinfo=vn)) == datetime(
        2026, 11, 25, 6, 0, tzinfo=vn
    )
    assert policy.next_morning(datetime(2026, 11, 25, 22, 0, tzinfo=vn)) == datetime(
        2026, 11, 26, 6, 0, tzinfo=vn
    )
    waits = [policy.backoff(n, Kit().settings) for n in range(8)]
    assert waits[0] <= 36 and waits[1] >= 48 and max(waits) <= 600 * 1.2
