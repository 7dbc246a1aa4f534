"""MCĐT writes a status change; an opted-in citizen gets exactly one ZBS message by phone."""

from __future__ import annotations

import pytest

from functions.dynamo_stores import DynamoOutbox
from tests.e2e.sim_client import eventually
from tests.factories import change_status, next_phone, save_dossier, zalo_phone

pytestmark = pytest.mark.e2e


def _notices(sim, phone: str) -> list[dict]:
    return sim.phone_inbox(zalo_phone(phone))


def _template_calls(sim, phone: str) -> list[dict]:
    return [
        c for c in sim.calls("/message/template") if (c.get("body") or {}).get("phone") == zalo_phone(phone)
    ]


def test_status_change_sends_one_zbs_message_by_phone(sim, stack):
    phone = next_phone()
    dossier = save_dossier(status=2, phone=phone, notify_zalo=True)
    eventually(lambda: _notices(sim, phone))  # the "đã tiếp nhận" notice of the INSERT

    change_status(dossier, 5, note="Bổ sung bản sao CCCD của chủ hộ.")

    notices = eventually(lambda: (n := _notices(sim, phone)) and len(n) >= 2 and n)
    assert stack.runner.settle()
    calls = _template_calls(sim, phone)
    assert len(calls) == 2
    sent = calls[-1]["body"]
    assert sent["phone"] == zalo_phone(phone)
    assert sent["phone"].startswith("84")
    assert 0 < len(sent["tracking_id"]) <= 48
    assert sent["template_data"]["ma_ho_so"] == dossier.code
    assert sent["template_data"]["trang_thai"]
    assert all(isinstance(v, str) for v in sent["template_data"].values())
    assert len(notices) == 2


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


def test_phone_without_zalo_is_recorded_not_retried(sim, stack):
    phone = next_phone()
    sim.no_zalo(zalo_phone(phone))

    dossier = save_dossier(status=2, phone=phone, notify_zalo=True)

    eventually(lambda: DynamoOutbox().by_dossier(dossier.code))
    assert stack.runner.settle()
    notices = DynamoOutbox().by_dossier(dossier.code)
    assert [n.state for n in notices] == ["failed_permanent"]
    assert notices[0].error_code == -118
    assert "no_zalo_account" in notices[0].error
    assert len(_template_calls(sim, phone)) == 1


def test_delivery_receipt_marks_the_notice_delivered(sim, stack):
    phone = next_phone()
    dossier = save_dossier(status=2, phone=phone, notify_zalo=True)

    delivered = eventually(
        lambda: [n for n in DynamoOutbox().by_dossier(dossier.code) if n.state == "delivered"]
    )

    assert len(delivered) == 1
    assert delivered[0].zalo_msg_id
