"""A citizen types a dossier code in the OA chat and gets its status back, through the whole stack."""

from __future__ import annotations

import pytest
import requests

from tests.e2e.sim_client import eventually
from tests.factories import save_dossier

pytestmark = pytest.mark.e2e


def _texts(sim, user_id: str) -> list[str]:
    inbox = sim.inbox(user_id)
    return [m.get("text", "") for m in inbox.get("chat", []) if m.get("text")]


def test_citizen_gets_status_of_dossier_by_code(sim, stack):
    dossier = save_dossier(status=4, procedure_name="Đăng ký thành lập hộ kinh doanh")
    citizen = sim.new_citizen("Trần Văn Bình")

    sent = sim.say(citizen["user_id"], f"Cho tôi hỏi hồ sơ {dossier.code.lower()} với ạ")

    assert sent["webhook_status"] == 200
    replies = eventually(lambda: _texts(sim, citizen["user_id"]))
    assert len(replies) == 1
    assert dossier.code in replies[0]
    assert "Đang xử lý" in replies[0]
    assert "Đăng ký thành lập hộ kinh doanh" in replies[0]
    assert "Trần Văn Bình" not in replies[0]  # the applicant's name is masked


def test_unknown_code_and_plain_text_get_helpful_vietnamese_answers(sim, stack):
    citizen = sim.new_citizen("Lê Minh Tuấn")
    sim.say(citizen["user_id"], "000.00.12.H46-240101-9999")
    sim.say(citizen["user_id"], "xin chào")

    replies = eventually(lambda: (r := _texts(sim, citizen["user_id"])) and len(r) >= 2 and r)
    assert "000.00.12.H46-240101-9999" in replies[0]
    assert "không tìm thấy" in replies[0].lower()
    assert "000.00.12.H46-240115-0003" in replies[1]  # the how-to shows an example code


def test_duplicate_delivery_gets_one_reply(sim, stack):
    dossier = save_dossier(status=9)
    citizen = sim.new_citizen("Phạm Thị Lan")
    sim.say(citizen["user_id"], dossier.code)
    eventually(lambda: _texts(sim, citizen["user_id"]))

    index = len(sim.deliveries()) - 1
    deliveries = sim.deliveries()
    index = max(
        i
        for i, d in enumerate(deliveries)
        if d.get("event_name") == "user_send_text" and citizen["user_id"] in str(d.get("body", d))
    )
    again = sim.redeliver(index)

    assert again.get("webhook_status", again.get("status")) == 200
    assert stack.runner.settle()
    assert len(_texts(sim, citizen["user_id"])) == 1


def test_forged_webhook_is_refused_and_nothing_is_answered(sim, api, stack):
    citizen = sim.new_citizen("Người giả mạo")
    body = (
        '{"app_id":"3106514389617452871","event_name":"user_send_text","timestamp":"1764000000000",'
        f'"sender":{{"id":"{citizen["user_id"]}"}},"recipient":{{"id":"2795046581239174563"}},'
        '"message":{"msg_id":"forged-1","text":"000.00.12.H46-240115-0003"}}'
    )
    headers = {"Content-Type": "application/json", "X-ZEvent-Signature": "mac=" + "0" * 64}

    forged = requests.post(f"{api}/zalo/webhook", data=body.encode(), headers=headers, timeout=5)
    unsigned = requests.post(
        f"{api}/zalo/webhook", data=body.encode(), headers={"Content-Type": "application/json"}, timeout=5
    )

    assert forged.status_code == 401
    assert unsigned.status_code == 401
    assert stack.runner.settle()
    assert _texts(sim, citizen["user_id"]) == []
