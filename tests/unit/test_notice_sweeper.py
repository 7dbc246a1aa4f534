"""The sweeper and the crash cases: what happens when a Lambda dies between Zalo and the outbox."""

from __future__ import annotations

from datetime import timedelta

from functions.ports import Citizen
from functions.zalo_errors import ZaloError
from tests.factories import make_dossier
from tests.fakes.chat import make_worker
from tests.fakes.zalo import FakeZalo
from tests.notice_kit import Kit, stream_record


class LambdaKilled(RuntimeError):
    """The invocation ends right after Zalo accepted the message (timeout, out of memory)."""


class CrashAfterSend(FakeZalo):
    def __init__(self) -> None:
        super().__init__()
        self.crash_next = True

    def send_template_by_phone(self, *args, **kwargs) -> str:
        msg_id = super().send_template_by_phone(*args, **kwargs)
        if self.crash_next:
            self.crash_next = False
            raise LambdaKilled("killed after Zalo accepted")
        return msg_id


def receipt_for(kit: Kit, tracking_id: str) -> str:
    """Zalo's ZNS delivery receipt, handled by the real event worker."""
    worker = make_worker(outbox=kit.outbox, clock=kit.clock)
    event = {
        "server": "ZNS",
        "event": {
            "event_name": "user_received_message",
            "message": {"msg_id": "z1", "tracking_id": tracking_id, "delivery_time": "1764036000000"},
        },
    }
    return worker.handle(event)


def crashed_kit() -> tuple[Kit, dict]:
    kit = Kit(zalo=CrashAfterSend())
    raw = stream_record("INSERT", make_dossier(), seq="1100000100")
    assert kit.batch(raw) == ["1100000100"]  # the invocation failed: Lambda will retry the record
    assert kit.only_notice().state == "sending"
    return kit, raw


def test_crash_after_send_then_receipt_no_loss_no_duplicate():
    kit, raw = crashed_kit()

    assert kit.batch(raw) == []  # Lambda's retry: the notice is still claimed, nothing is sent
    assert receipt_for(kit, kit.only_notice().notice_id) == "delivered"
    kit.clock.advance(hours=1)
    assert kit.sweep() == {"due": 0}

    notice = kit.only_notice()
    assert notice.state == "delivered" and notice.delivered_at.isoformat().startswith("2025-11-25T02:00")
    assert len(kit.sends()) == 1


def test_crash_after_send_without_receipt_resends_once_after_the_grace():
    """The residual risk, bounded: no receipt (phone off) → one more send after lease + grace."""
    kit, _ = crashed_kit()
    wait = kit.settings.lease_seconds + kit.settings.receipt_grace_seconds

    kit.clock.advance(seconds=wait - 1)
    assert kit.sweep() == {"due": 0}
    kit.clock.advance(seconds=1)
    assert kit.sweep() == {"due": 1, "sent": 1}
    kit.clock.advance(hours=1)
    assert kit.sweep() == {"due": 0}
    assert kit.only_notice().state == "sent" and len(kit.sends()) == 2


def test_crash_before_the_call_is_sent_by_the_sweeper():
    kit = Kit()
    kit.zalo.fail_next("send_template_by_phone", LambdaKilled("killed before the request left"))
    raw = stream_record("INSERT", make_dossier())
    kit.batch(raw)  # the call raised before Zalo saw it; the notice is left `sending`
    kit.zalo.calls.clear()
    kit.clock.advance(seconds=kit.settings.lease_seconds + kit.settings.receipt_grace_seconds)
    assert kit.sweep()["sent"] == 1
    assert len(kit.sends()) == 1


def test_a_timeout_that_zalo_had_accepted_is_settled_by_the_receipt():
    kit = Kit()
    kit.zalo.fail_next("send_template_by_phone", ZaloError.transport("zbs", "ReadTimeout"))
    kit.handle(stream_record("INSERT", make_dossier()))
    notice = kit.only_notice()
    assert notice.state == "failed_temporary"

    assert receipt_for(kit, notice.notice_id) == "delivered"
    kit.clock.advance(hours=2)
    assert kit.sweep() == {"due": 0}
    assert len(kit.sends()) == 1


def test_a_late_answer_after_the_receipt_does_not_overwrite_delivered():
    kit = Kit()
    kit.time_left = 5.0
    kit.batch(stream_record("INSERT", make_dossier()))  # pending
    kit.time_left = 100.0
    claimed = kit.sender.claim(kit.only_notice().notice_id)
    assert receipt_for(kit, claimed.notice_id) == "delivered"
    assert kit.sender.attempt(claimed) == "claim_lost"
    assert kit.only_notice().state == "delivered"


def test_two_sweepers_at_once_send_each_notice_once():
    import threading

    kit = Kit()
    kit.zalo.fail_next("send_template_by_phone", *[ZaloError("zbs", -100, "busy")] * 30)
    for _ in range(30):
        kit.handle(stream_record("INSERT", make_dossier()))
    kit.clock.advance(minutes=10)
    runs = [threading.Thread(target=kit.sweep) for _ in range(3)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    resent = [s["tracking_id"] for s in kit.sends()[30:]]
    assert len(resent) == 30 == len(set(resent))


def test_old_notices_are_closed_not_sent_and_opt_outs_are_honoured_on_retry():
    kit = Kit()
    kit.zalo.fail_next("send_template_by_phone", *[ZaloError("zbs", -100, "busy")] * 2)
    stale = make_dossier(phone="0912 000 111")
    late_stop = make_dossier(phone="0912 000 222")
    kit.handle(stream_record("INSERT", stale))
    kit.handle(stream_record("INSERT", late_stop))
    kit.citizens.items["u2"] = Citizen("u2", phone="+84912000222", opted_out=True)

    kit.clock.advance(seconds=kit.settings.max_age_hours * 3600 - 60)
    kit.outbox.items[next(iter(kit.outbox.items))].created_at -= timedelta(minutes=2)
    result = kit.sweep()

    assert result == {"due": 2, "failed_final": 1, "skipped": 1}
    assert [n.state for n in kit.outbox.by_dossier(stale.code)] == ["failed_final"]
    assert [n.error for n in kit.outbox.by_dossier(late_stop.code)] == ["opted_out"]
    assert len(kit.sends()) == 2
