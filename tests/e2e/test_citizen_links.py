"""A citizen follows the OA, shares their phone, lists their dossiers, stops and restarts notices and
withdraws the link, through the whole local stack (simulator → webhook → queue → worker → Zalo)."""

from __future__ import annotations

import pytest

from functions.dynamo_stores import DynamoCitizenStore, DynamoPhoneDossierIndex
from functions.phones import normalise
from tests.e2e.sim_client import eventually
from tests.factories import change_status, next_phone, save_dossier, zalo_phone

pytestmark = pytest.mark.e2e


def _chat(sim, user_id: str) -> list[dict]:
    return sim.inbox(user_id).get("chat", [])


def _texts(sim, user_id: str) -> list[str]:
    return [m["text"] for m in _chat(sim, user_id) if m.get("type") == "text"]


def _wait_for_chat(sim, user_id: str, count: int) -> list[dict]:
    return eventually(lambda: (chat := _chat(sim, user_id)) and len(chat) >= count and chat) or []


def _say(sim, user_id: str, text: str) -> str:
    """Send `text`, return the OA's (one) answer."""
    before = len(_chat(sim, user_id))
    assert sim.say(user_id, text)["webhook_status"] == 200
    return _wait_for_chat(sim, user_id, before + 1)[-1]["text"]


def _linked_citizen(sim, name: str) -> tuple[dict, str]:
    """A citizen who has written to the OA and shared their own phone; returns it and the E.164."""
    phone = next_phone()
    citizen = sim.new_citizen(name, phone=zalo_phone(phone))
    _say(sim, citizen["user_id"], "xin chào")
    before = len(_chat(sim, citizen["user_id"]))
    assert sim.submit_info(citizen["user_id"])["webhook_status"] == 200
    _wait_for_chat(sim, citizen["user_id"], before + 1)
    return citizen, normalise(phone)


def test_follow_gets_welcome_and_a_phone_request_once_zalo_allows_it(sim, stack):
    citizen = sim.new_citizen("Nguyễn Thị Hương", follower=False)
    user_id = citizen["user_id"]

    assert sim.follow(user_id)["webhook_status"] == 200
    assert stack.runner.settle()
    # The simulator, like Zalo may, does not count a follow as an interaction: the welcome is refused
    # (-230) and remembered, and goes out with the answer to the citizen's first message.
    assert _chat(sim, user_id) == []
    assert DynamoCitizenStore().get(user_id).welcome_pending

    sim.say(user_id, "xin chào")

    chat = _wait_for_chat(sim, user_id, 3)
    assert [m["type"] for m in chat] == ["text", "request_user_info", "text"]
    assert "Cảm ơn Ông/Bà đã quan tâm Dịch vụ công tỉnh Quảng Trị" in chat[0]["text"]
    assert "số điện thoại" in chat[1]["title"]
    assert DynamoCitizenStore().get(user_id).following


def test_follow_where_it_opens_the_window_gets_them_at_once(sim, stack):
    citizen = sim.new_citizen("Trần Văn Bình", follower=False)
    sim.configure(follow_counts_as_interaction=True)
    try:
        sim.follow(citizen["user_id"])
        chat = _wait_for_chat(sim, citizen["user_id"], 2)
    finally:
        sim.configure(follow_counts_as_interaction=False)
    assert [m["type"] for m in chat] == ["text", "request_user_info"]
    sim.unfollow(citizen["user_id"])
    eventually(lambda: not DynamoCitizenStore().get(citizen["user_id"]).following)


def test_shared_phone_is_linked_and_my_dossiers_lists_its_open_dossiers(sim, stack):
    phone = next_phone()
    building = save_dossier(status=4, phone=phone, applicant_name="Lê Minh Tuấn")
    business = save_dossier(status=5, phone=phone.replace(" ", "."), procedure_name="Đăng ký hộ kinh doanh")
    returned = save_dossier(status=4, phone=phone)
    stranger = save_dossier(status=4, phone=next_phone())
    change_status(returned, 10)
    e164 = normalise(phone)
    eventually(
        lambda: (
            {e.dossier_code for e in DynamoPhoneDossierIndex().for_phone(e164)}
            == {building.code, business.code}
        )
    )

    citizen = sim.new_citizen("Lê Minh Tuấn", phone=zalo_phone(phone))
    _say(sim, citizen["user_id"], "xin chào")
    sim.submit_info(citizen["user_id"])
    confirmation = _wait_for_chat(sim, citizen["user_id"], 2)[-1]["text"]

    assert [c.user_id for c in DynamoCitizenStore().by_phone(e164)] == [citizen["user_id"]]
    assert "Đã liên kết số điện thoại +8491****" in confirmation
    assert zalo_phone(phone)[2:] not in confirmation  # the whole number never appears

    listing = _say(sim, citizen["user_id"], "ho so cua toi")

    assert building.code in listing and business.code in listing
    assert returned.code not in listing and stranger.code not in listing
    assert "Cần bổ sung giấy tờ" in listing and "Lê M. T." in listing and "Lê Minh Tuấn" not in listing


def test_stop_start_and_withdrawal_are_stored_where_the_notifier_reads_them(sim, stack):
    citizen, e164 = _linked_citizen(sim, "Phạm Thị Lan")
    user_id = citizen["user_id"]
    dossier = save_dossier(status=4, phone=e164)

    assert "Đã dừng gửi thông báo" in _say(sim, user_id, "DỪNG")
    [stored] = DynamoCitizenStore().by_phone(e164)
    assert stored.opted_out and not stored.wants_notices_for(dossier.code)

    assert "Đã bật lại thông báo" in _say(sim, user_id, "bat dau")
    assert DynamoCitizenStore().by_phone(e164)[0].wants_notices_for(dossier.code)

    assert f"Đã dừng thông báo cho hồ sơ {dossier.code}" in _say(sim, user_id, f"dừng {dossier.code}")
    [stored] = DynamoCitizenStore().by_phone(e164)
    assert stored.opted_out_codes == {dossier.code} and not stored.opted_out

    assert "Đã xoá số điện thoại" in _say(sim, user_id, "xoá số điện thoại")
    assert DynamoCitizenStore().by_phone(e164) == []
    after = DynamoCitizenStore().get(user_id)
    assert (after.phone, after.opted_out, after.opted_out_codes) == ("", False, frozenset())


def test_withdrawal_in_zalo_settings_deletes_the_link(sim, stack):
    citizen, e164 = _linked_citizen(sim, "Ngô Văn Thành")
    assert DynamoCitizenStore().by_phone(e164)

    assert sim.withdraw(citizen["user_id"])["webhook_status"] == 200

    assert eventually(lambda: DynamoCitizenStore().by_phone(e164) == [])
    assert stack.runner.settle()
    assert DynamoCitizenStore().get(citizen["user_id"]).phone == ""


def test_linking_listing_and_stopping_leave_no_phone_or_name_in_the_logs(sim, stack, capfd):
    phone = next_phone()
    name = "Đinh Thị Phương Thảo"
    dossier = save_dossier(status=4, phone=phone, applicant_name=name)
    citizen, e164 = _linked_citizen(sim, name)  # a different number: links are per account
    sim.submit_info(citizen["user_id"], zalo_phone(phone))
    eventually(lambda: DynamoCitizenStore().by_phone(normalise(phone)))
    eventually(lambda: DynamoPhoneDossierIndex().for_phone(normalise(phone)))
    _say(sim, citizen["user_id"], "hồ sơ của tôi")
    _say(sim, citizen["user_id"], f"dừng {dossier.code}")
    _say(sim, citizen["user_id"], "xoá số điện thoại")
    assert stack.runner.settle()

    logs = capfd.readouterr()
    everything = logs.out + logs.err
    assert "phone linked" in everything and "phone link withdrawn" in everything
    for secret in (
        zalo_phone(phone),
        zalo_phone(phone)[2:],
        e164,
        e164[3:],
        name,
        "Thảo",
        citizen["user_id"],
    ):
        assert secret not in everything
