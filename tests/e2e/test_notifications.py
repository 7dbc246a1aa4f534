"""MCĐT writes a status change; an opted-in citizen gets exactly one ZBS message by phone — through
the local stack (moto's stream, the Lambda runner, the simulator), with Zalo failing every way.

Opt-outs through the stack need DynamoCitizenStore.by_phone (branch citizen-links); until it is
merged they are covered by the unit tests (tests/unit/test_notify.py), and the stack test at the end
of this file skips itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import timedelta

import pytest
import requests

from functions import main, notice_policy, wiring
from functions.dossier_records import to_model
from functions.dynamo_stores import DynamoCitizenStore
from functions.zalo_client import ZaloClient
from local.lambda_runner import LambdaContext
from local.stack import DEV_ADMIN_TOKEN
from tests.e2e.notice_driver import (
    QUICK,
    SLOW_MS,
    accepted_by_tracking_id,
    drive_until_settled,
    notices,
    product_settings,
)
from tests.e2e.sim_client import eventually
from tests.factories import change_status, make_dossier, next_phone, save_dossier, zalo_phone
from tests.notice_kit import stream_record

pytestmark = pytest.mark.e2e

TEMPLATE_PATH = "/message/template"
TEMPLATE_ID = "dvc_status_v1"  # the simulator's default status template


def _notices(sim, phone: str) -> list[dict]:
    return sim.phone_inbox(zalo_phone(phone))


def _template_calls(sim, phone: str) -> list[dict]:
    return [c for c in sim.calls(TEMPLATE_PATH) if (c.get("body") or {}).get("phone") == zalo_phone(phone)]


@pytest.fixture
def quick(stack, sim):
    assert stack.runner.settle()
    with product_settings(QUICK):
        yield
    sim.clear_faults()


def test_status_change_sends_one_zbs_message_by_phone(sim, stack):
    phone = next_phone()
    dossier = save_dossier(status=2, phone=phone, notify_zalo=True)
    eventually(lambda: _notices(sim, phone))  # the "đã tiếp nhận" notice of the INSERT

    change_status(dossier, 5, note="Bổ sung bản sao CCCD của chủ hộ.")

    notices_seen = eventually(lambda: (n := _notices(sim, phone)) and len(n) >= 2 and n)
    assert stack.runner.settle()
    calls = _template_calls(sim, phone)
    assert len(calls) == 2
    first, sent = calls[0]["body"], calls[-1]["body"]
    assert first["template_data"]["trang_thai"] == "Đã tiếp nhận hồ sơ"
    assert first["template_data"]["ngay_hen_tra"] == "10/12/2024"
    assert sent["phone"] == zalo_phone(phone)
    assert 0 < len(sent["tracking_id"]) <= 48
    assert sent["template_data"]["ma_ho_so"] == dossier.code
    assert sent["template_data"]["trang_thai"] == "Cần bổ sung giấy tờ"
    assert all(isinstance(v, str) for v in sent["template_data"].values())
    assert len(notices_seen) == 2


def test_every_status_in_turn_and_back_again_one_message_each(sim, stack):
    phone = next_phone()
    dossier = save_dossier(status=1, phone=phone, notify_zalo=True)
    for status in [*range(2, 11), 4]:
        dossier = change_status(dossier, status)
    eventually(lambda: len(_notices(sim, phone)) >= 11)
    assert stack.runner.settle()
    labels = [m["template_data"]["trang_thai"] for m in _notices(sim, phone)]
    assert labels[0] == "Mới đăng ký, chờ tiếp nhận" and labels[-1] == "Đang xử lý" == labels[3]
    assert len(labels) == 11 == len({m["tracking_id"] for m in _notices(sim, phone)})


def test_no_tick_no_message_and_noop_write_no_message(sim, stack):
    unticked_phone, ticked_phone = next_phone(), next_phone()
    unticked = save_dossier(status=2, phone=unticked_phone, notify_zalo=False)
    ticked = save_dossier(status=4, phone=ticked_phone, notify_zalo=True)
    eventually(lambda: _notices(sim, ticked_phone))

    change_status(unticked, 4)
    change_status(ticked, 4)  # MCĐT re-writes the same status: a MODIFY that changes nothing

    assert stack.runner.settle()
    assert _template_calls(sim, unticked_phone) == []
    assert len(_template_calls(sim, ticked_phone)) == 1
    assert [(n.state, n.error) for n in notices(unticked.code)] == [("skipped", "no_consent")] * 2
    assert len(notices(ticked.code)) == 1  # the no-op MODIFY is counted in the logs, not stored


def test_phone_without_zalo_is_recorded_not_retried(sim, stack):
    phone = next_phone()
    sim.no_zalo(zalo_phone(phone))

    dossier = save_dossier(status=2, phone=phone, notify_zalo=True)

    eventually(lambda: notices(dossier.code))
    assert stack.runner.settle()
    stack.runner.fire("notice_sweeper")
    found = notices(dossier.code)
    assert [n.state for n in found] == ["failed_permanent"]
    assert found[0].error_code == -118
    assert found[0].error.startswith("no_zalo_account")
    assert len(_template_calls(sim, phone)) == 1


def test_delivery_receipt_marks_the_notice_delivered(sim, stack):
    phone = next_phone()
    dossier = save_dossier(status=2, phone=phone, notify_zalo=True)

    delivered = eventually(lambda: [n for n in notices(dossier.code) if n.state == "delivered"])

    assert len(delivered) == 1
    assert delivered[0].zalo_msg_id and delivered[0].delivered_at and delivered[0].sent_at


# One per class here; every code of each class is in the unit tests (tests/unit/test_notify.py).
PERMANENT_FAULTS = [(-114, "user_cannot_receive"), (-108, "invalid_phone"), (-109, "template_problem")]


@pytest.mark.parametrize(("code", "reason"), PERMANENT_FAULTS)
def test_permanent_errors_from_zalo_are_recorded_with_the_reason(sim, stack, quick, code, reason):
    sim.fault(path=TEMPLATE_PATH, error=code, count=1)
    phone = next_phone()
    dossier = save_dossier(status=2, phone=phone, notify_zalo=True)
    drive_until_settled(stack, sim, [dossier.code])
    [notice] = notices(dossier.code)
    assert (notice.state, notice.error_code, notice.error.split(":")[0]) == ("failed_permanent", code, reason)
    assert len(_template_calls(sim, phone)) == 1


TRANSIENT_FAULTS = {
    "rate limit -32": {"error": -32},
    "HTTP 503": {"http_status": 503},
    "timeout, refused": {"delay_ms": SLOW_MS, "http_status": 504},
    "timeout, accepted": {"delay_ms": SLOW_MS},
}


@pytest.mark.parametrize("fault", TRANSIENT_FAULTS.values(), ids=TRANSIENT_FAULTS.keys())
def test_transient_errors_are_retried_by_the_sweeper_and_arrive_once(sim, stack, quick, fault):
    sim.fault(path=TEMPLATE_PATH, count=1, **fault)
    phone = next_phone()
    dossier = save_dossier(status=2, phone=phone, notify_zalo=True)
    eventually(lambda: [n for n in notices(dossier.code) if n.state != "sending"])
    [first] = notices(dossier.code)
    assert first.state in ("failed_temporary", "delivered")  # delivered: a late receipt got there first

    drive_until_settled(stack, sim, [dossier.code])

    [notice] = notices(dossier.code)
    assert notice.state in ("sent", "delivered")
    assert list(accepted_by_tracking_id(sim, [zalo_phone(phone)]).values()) == [1]


def test_expired_token_is_refreshed_once_and_the_notice_sent(sim, stack, quick):
    refreshes = sim.tokens()["refresh_count"]
    sim.expire_tokens()
    dossier = save_dossier(status=2, phone=next_phone(), notify_zalo=True)
    drive_until_settled(stack, sim, [dossier.code])
    assert notices(dossier.code)[0].state in ("sent", "delivered")
    assert notices(dossier.code)[0].attempts == 1
    assert sim.tokens()["refresh_count"] == refreshes + 1


@pytest.mark.parametrize(("code", "reason"), [(-115, "balance_exhausted"), (-144, "daily_quota")])
def test_quota_refusals_are_held_for_later(sim, stack, quick, code, reason):
    sim.fault(path=TEMPLATE_PATH, error=code, count=1)
    dossier = save_dossier(status=2, phone=next_phone(), notify_zalo=True)
    eventually(lambda: [n for n in notices(dossier.code) if n.state != "sending"])
    stack.runner.fire("notice_sweeper")
    [notice] = notices(dossier.code)
    assert (notice.state, notice.error.split(":")[0]) == ("held", reason)
    assert notice.next_attempt_at > wiring.utc_now()


def test_a_night_restricted_template_at_night_is_held_until_six(sim, stack, quick):
    """The simulator refuses the template 22:00–06:00 by its own clock (set to 23:00 here)."""
    before_ms = sim.now_ms()
    to_night = (sim.advance_to_vietnam_time(23) - before_ms) / 1000  # the product's clock follows
    sim.configure(night_templates=[TEMPLATE_ID])
    try:
        dossier = save_dossier(status=2, phone=next_phone(), notify_zalo=True)
        eventually(lambda: [n for n in notices(dossier.code) if n.state != "sending"])
        morning = notice_policy.next_morning(wiring.utc_now())
    finally:
        sim.advance(-to_night)
        sim.configure(night_templates=[])
    [notice] = notices(dossier.code)
    assert (notice.state, notice.error_code, notice.error.split(":")[0]) == ("held", -133, "night_restricted")
    assert abs(notice.next_attempt_at - morning) < timedelta(minutes=1)  # by the product's own clock


def test_crash_between_zalo_accepting_and_recording_sent_loses_nothing_and_sends_once(
    sim, stack, monkeypatch
):
    """The Lambda dies right after Zalo accepted: Lambda retries the record (no send: the claim is
    live), the ZNS receipt marks it delivered, the sweeper finds nothing to do."""
    original = ZaloClient.send_template_by_phone
    crashes = []

    def crash_after_send(self, *args, **kwargs):
        msg_id = original(self, *args, **kwargs)
        if not crashes:
            crashes.append(msg_id)
            raise RuntimeError("Lambda killed after Zalo accepted")
        return msg_id

    monkeypatch.setattr(ZaloClient, "send_template_by_phone", crash_after_send)
    phone = next_phone()
    dossier = save_dossier(status=2, phone=phone, notify_zalo=True)

    delivered = eventually(lambda: [n for n in notices(dossier.code) if n.state == "delivered"])
    stack.runner.fire("notice_sweeper")
    assert stack.runner.settle()

    assert crashes and delivered[0].zalo_msg_id == ""  # "sent" was never recorded …
    assert [n.state for n in notices(dossier.code)] == ["delivered"]  # … yet nothing is lost
    assert list(accepted_by_tracking_id(sim, [zalo_phone(phone)]).values()) == [1]


def test_two_concurrent_invocations_with_the_same_hand_built_batch_send_once(sim, stack):
    dossiers = [make_dossier(phone=next_phone()) for _ in range(10)]
    records = [stream_record("INSERT", d) for d in dossiers]
    records += [stream_record("MODIFY", replace(d, status=4), d) for d in dossiers]
    results: list[dict] = []
    start = threading.Barrier(2)

    def invoke() -> None:
        start.wait()
        results.append(main.dossier_stream({"Records": records}, LambdaContext("dossier_stream", 120)))

    threads = [threading.Thread(target=invoke) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == [{"batchItemFailures": []}] * 2
    accepted = accepted_by_tracking_id(sim, [zalo_phone(d.phone) for d in dossiers])
    assert len(accepted) == 20 and set(accepted.values()) == {1}


def test_operators_see_every_notice_of_a_dossier_masked_by_api_and_cli(sim, stack, api):
    phone = next_phone()
    sim.no_zalo(zalo_phone(phone))
    dossier = save_dossier(status=2, phone=phone, notify_zalo=True)
    eventually(lambda: notices(dossier.code))
    assert stack.runner.settle()
    url = f"{api}/admin/dossiers/{dossier.code.lower()}/notices"

    assert requests.get(url, timeout=10).status_code == 401
    answer = requests.get(url, headers={"Authorization": f"Bearer {DEV_ADMIN_TOKEN}"}, timeout=10)
    cli = subprocess.run(
        [sys.executable, "-m", "functions.ops", "notices", dossier.code, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    body = answer.json()
    assert answer.status_code == 200 and body["dossier_code"] == dossier.code
    [row] = body["notices"]
    assert [json.loads(line) for line in cli.stdout.splitlines()] == [row]
    assert row["state"] == "failed_permanent" and row["error_code"] == -118 and row["channel"] == "zbs"
    assert row["phone"] == "+8491****" + zalo_phone(phone)[-3:]
    assert zalo_phone(phone)[2:] not in answer.text + cli.stdout
    assert row["created_at"].endswith("+07:00")


def test_a_record_that_breaks_the_contract_is_recorded_and_the_stream_goes_on(sim, stack):
    broken = make_dossier(phone=next_phone())
    item = to_model(broken)
    item.due_at = "10/12/2024"  # not yyyyMMddHHmmss
    item.save()
    good = save_dossier(status=2, phone=next_phone(), notify_zalo=True)

    eventually(lambda: _notices(sim, good.phone))
    assert stack.runner.settle()
    [skipped] = notices(broken.code)
    assert skipped.state == "skipped" and skipped.error.startswith("invalid_record: bad field value")


@pytest.mark.skipif(
    not hasattr(DynamoCitizenStore, "by_phone"),
    reason="DynamoCitizenStore.by_phone arrives with branch citizen-links (unit tests cover opt-outs)",
)
def test_a_citizen_who_says_stop_in_the_chat_gets_no_more_notices(sim, stack):
    """Switches itself on once citizen-links is merged: links the phone through user_submit_info, says
    "dừng" (issue 3's global stop command), and expects the next status change to be skipped."""
    phone = next_phone()
    citizen = sim.new_citizen("Lê Văn Bình", phone=zalo_phone(phone))
    dossier = save_dossier(status=2, phone=phone, notify_zalo=True)
    eventually(lambda: _notices(sim, phone))
    sim.submit_info(citizen["user_id"])
    sim.say(citizen["user_id"], "dừng")
    assert stack.runner.settle()

    change_status(dossier, 4)

    eventually(lambda: len(notices(dossier.code)) >= 2)
    assert stack.runner.settle()
    assert [n.state for n in notices(dossier.code)][-1] == "skipped"
    assert len(_notices(sim, phone)) == 1
