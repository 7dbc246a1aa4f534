"""The citizen's relationship in chat, through the event worker with fakes: follow, sharing the
phone, "hồ sơ của tôi", stop/start, withdrawal."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest

from functions import link_messages, messages
from functions.citizen_links import LIST_LIMIT, CitizenLinks
from functions.phones import normalise
from functions.ports import PhoneDossier
from functions.zalo_errors import ZaloError
from tests.factories import make_dossier
from tests.fakes.chat import make_worker
from tests.fakes.stores import (
    FakeCitizens,
    FakeDossiers,
    FakePhoneDossiers,
)
from tests.fakes.zalo import FakeZalo

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
USER = "8765432109876543210"
PHONE = "+84912345678"
PROVINCE = "tỉnh Quảng Trị"


class Chat:
    """One citizen and the OA, with every store in memory."""

    def __init__(self, *dossiers) -> None:
        self.dossiers = FakeDossiers(*dossiers)
        self.citizens = FakeCitizens()
        self.index = FakePhoneDossiers()
        self.zalo = FakeZalo()
        links = CitizenLinks(
            self.citizens,
            self.index,
            self.dossiers,
            PROVINCE,
            "https://dvc.example/oa.png",
            clock=lambda: NOW,
        )
        self.worker = make_worker(zalo=self.zalo, reader=self.dossiers, citizens=self.citizens, links=links)
        for dossier in dossiers:  # what phone_index.py would have projected from the stream
            self.index.put(PhoneDossier(normalise(dossier.phone), dossier.code, dossier.status, NOW))

    @classmethod
    def linked(cls, *dossiers) -> Chat:
        """A citizen who has already shared the phone +84912345678."""
        chat = cls(*dossiers)
        chat.share()
        return chat

    def event(self, name: str, **fields) -> str:
        return self.worker.handle({"event": {"event_name": name, **fields}})

    def say(self, text: str) -> str:
        return self.event("user_send_text", sender={"id": USER}, message={"msg_id": "m", "text": text})

    def share(self, phone: str = "84912345678") -> str:
        return self.event(
            "user_submit_info", sender={"id": USER}, info={"name": "Nguyễn Thị Hương", "phone": phone}
        )

    def texts(self) -> list[str]:
        return [call["text"] for call in self.zalo.sent("send_text")]

    def last(self) -> str:
        return self.texts()[-1]

    @property
    def citizen(self):
        return self.citizens.get(USER)


# follow / unfollow ---------------------------------------------------------------------------------


def test_follow_sends_welcome_then_asks_for_the_phone():
    chat = Chat()
    assert chat.event("follow", follower={"id": USER}) == "replied"
    assert chat.texts() == [messages.welcome_reply(PROVINCE)]
    [card] = chat.zalo.sent("send_request_user_info")
    assert card["user_id"] == USER
    assert card["image_url"] == "https://dvc.example/oa.png"
    assert len(card["title"]) <= 100 and len(card["subtitle"]) <= 500
    assert "xoá số điện thoại" in card["subtitle"]  # how to take it back, said up front
    assert chat.citizen.following and not chat.citizen.welcome_pending


def test_follow_refused_outside_the_window_waits_for_the_first_message():
    chat = Chat()
    chat.zalo.fail_next(
        "send_text", ZaloError("oa", -230, "User has not interacted with the OA in the past 7 days")
    )
    assert chat.event("follow", follower={"id": USER}) == "refused:-230"
    assert chat.zalo.sent("send_request_user_info") == []  # not tried: it would be refused too
    assert chat.citizen.welcome_pending

    chat.say("xin chào")

    assert chat.texts()[-2:] == [messages.welcome_reply(PROVINCE), messages.howto_reply()]
    assert len(chat.zalo.sent("send_request_user_info")) == 1
    assert not chat.citizen.welcome_pending
    welcomes = chat.texts().count(messages.welcome_reply(PROVINCE))
    chat.say("xin chào")
    assert chat.texts().count(messages.welcome_reply(PROVINCE)) == welcomes  # once only


def test_chat_now_tap_delivers_a_pending_welcome():
    chat = Chat()
    chat.zalo.fail_next("send_text", ZaloError("oa", -230, "no interaction"))
    chat.event("follow", follower={"id": USER})
    assert chat.event("user_click_chatnow", user_id=USER) == "replied"
    assert chat.last() == messages.welcome_reply(PROVINCE)
    assert chat.event("user_click_chatnow", user_id=USER) == "nothing_pending"


def test_transient_failure_of_the_card_is_raised_for_a_retry():
    chat = Chat()
    chat.zalo.fail_next("send_request_user_info", ZaloError.transport("oa", "timeout"))
    with pytest.raises(ZaloError):
        chat.event("follow", follower={"id": USER})


def test_refollow_with_a_linked_phone_is_not_asked_again_and_unfollow_keeps_the_link():
    chat = Chat.linked()
    assert chat.event("unfollow", follower={"id": USER}) == "unfollowed"
    assert not chat.citizen.following and chat.citizen.phone == PHONE
    chat.event("follow", follower={"id": USER})
    assert chat.zalo.sent("send_request_user_info") == []


# user_submit_info --------------------------------------------------------------------------------


def test_shared_phone_is_linked_in_e164_and_confirmed_masked():
    dossier = make_dossier(phone="0912 345 678", status=4)
    chat = Chat(dossier)
    assert chat.share("84912345678") == "replied"
    assert chat.citizen.phone == PHONE
    assert chat.citizen.phone_linked_at == NOW
    assert chat.citizen.last_interaction_at == NOW
    assert chat.citizens.by_phone(PHONE) == [chat.citizen]
    reply = chat.last()
    assert "+8491****678" in reply and "912345678" not in reply
    assert "1 hồ sơ đang giải quyết" in reply


@pytest.mark.parametrize("phone", ["", "84281234567", "123", None])
def test_unusable_shared_phone_is_refused_with_a_reason(phone):
    chat = Chat()
    chat.share(phone)
    assert chat.citizen.phone == ""
    assert chat.last() == link_messages.invalid_phone_reply()


def test_sharing_another_phone_replaces_the_link():
    chat = Chat()
    chat.share("84912345678")
    chat.share("0983112233")
    assert chat.citizen.phone == "+84983112233"
    assert chat.citizens.by_phone(PHONE) == []


# hồ sơ của tôi -------------------------------------------------------------------------------------


def test_my_dossiers_lists_open_dossiers_of_the_linked_phone_masked():
    mine = make_dossier(phone="0912 345 678", status=5, applicant_name="Nguyễn Thị Hương")
    ready = make_dossier(phone="+84 912 345 678", status=9)
    other = make_dossier(phone="0983 112 233", status=4)
    chat = Chat.linked(mine, ready, other)

    chat.say("ho so cua toi")

    reply = chat.last()
    assert mine.code in reply and ready.code in reply and other.code not in reply
    assert "Cần bổ sung giấy tờ" in reply  # status in plain words
    assert "Nguyễn T. H." in reply and "Nguyễn Thị Hương" not in reply
    assert "+8491****678" in reply


def test_my_dossiers_skips_entries_the_table_no_longer_backs():
    moved = make_dossier(phone="0912 345 678", status=4)
    chat = Chat.linked(moved)
    chat.dossiers.items[moved.code] = make_dossier(code=moved.code, phone="0983 112 233", status=4)
    chat.say("hồ sơ của tôi")
    assert moved.code not in chat.last()
    assert "Không có hồ sơ đang giải quyết" in chat.last()


def test_my_dossiers_without_a_phone_asks_for_it():
    chat = Chat(make_dossier(phone="0912 345 678"))
    chat.say("Hồ sơ của tôi")
    assert "chia sẻ số điện thoại" in chat.last()
    assert len(chat.zalo.sent("send_request_user_info")) == 1


def test_many_dossiers_stay_within_2000_characters_and_count_the_rest():
    long_name = (
        "Cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất " * 2
    )
    dossiers = [make_dossier(phone="0912 345 678", status=4, procedure_name=long_name) for _ in range(14)]
    chat = Chat.linked(*dossiers)
    chat.say("hồ sơ của tôi")
    reply = chat.last()
    listed = sum(1 for d in dossiers if d.code in reply)
    assert len(reply) <= messages.TEXT_MAX
    assert 0 < listed <= LIST_LIMIT
    assert f"và {len(dossiers) - listed} hồ sơ khác" in reply


# stop / start --------------------------------------------------------------------------------------


def test_stop_and_start_everything():
    chat = Chat.linked()
    chat.say("DỪNG")
    assert chat.citizen.opted_out
    assert not chat.citizen.wants_notices_for("000.00.12.H46-240115-0003")
    assert "bắt đầu" in chat.last()

    chat.say("bat dau")
    assert not chat.citizen.opted_out
    assert chat.citizen.wants_notices_for("000.00.12.H46-240115-0003")


def test_stop_without_a_phone_is_kept_and_asks_for_the_phone():
    chat = Chat()
    chat.say("huỷ thông báo")
    assert chat.citizen.opted_out
    assert len(chat.zalo.sent("send_request_user_info")) == 1
    chat.share()
    assert chat.citizens.by_phone(PHONE)[0].opted_out  # the notifier sees it once linked


def test_stop_one_dossier_only_when_it_is_registered_to_the_linked_phone():
    mine = make_dossier(phone="0912.345.678", status=4)
    theirs = make_dossier(phone="0983 112 233", status=4)
    chat = Chat.linked(mine, theirs)

    chat.say(f"dừng {mine.code.lower()} {theirs.code} 000.00.12.H46-240101-9999")

    assert chat.citizen.opted_out_codes == {mine.code}
    assert not chat.citizen.wants_notices_for(mine.code)
    assert chat.citizen.wants_notices_for(theirs.code)
    reply = chat.last()
    assert f"Đã dừng thông báo cho hồ sơ {mine.code}" in reply
    # a stranger's dossier and a made-up code get the same answer, and nothing about either
    assert reply.count("không đăng ký với số điện thoại") == 2
    assert theirs.procedure_name not in reply.replace(mine.procedure_name, "")


def test_stop_one_dossier_without_a_phone_asks_to_share_it():
    dossier = make_dossier(phone="0912 345 678")
    chat = Chat(dossier)
    chat.say(f"stop {dossier.code}")
    assert chat.citizen is None or chat.citizen.opted_out_codes == frozenset()
    assert "chia sẻ số điện thoại" in chat.last()


def test_start_one_dossier_and_the_global_stop_is_explained():
    dossier = make_dossier(phone="0912 345 678")
    chat = Chat.linked(dossier)
    chat.say(f"dừng {dossier.code}")
    chat.say("dừng")
    chat.say(f"bắt đầu {dossier.code}")
    assert chat.citizen.opted_out_codes == frozenset()
    assert chat.citizen.opted_out
    assert "gửi “bắt đầu”" in chat.last()


def test_a_code_with_a_question_is_a_lookup_not_a_stop():
    dossier = make_dossier(status=8)
    chat = Chat.linked(dossier)
    chat.say(f"hồ sơ {dossier.code} bị dừng xử lý à?")
    assert not chat.citizen.opted_out and not chat.citizen.opted_out_codes
    assert "Dừng xử lý" in chat.last()  # the status card


# help and withdrawal -------------------------------------------------------------------------------


def test_help_lists_the_commands():
    chat = Chat()
    chat.say("?")
    assert "hồ sơ của tôi" in chat.last() and "xoá số điện thoại" in chat.last()
    assert len(chat.last()) <= messages.TEXT_MAX


def test_withdrawal_deletes_the_link_and_the_opt_outs():
    dossier = make_dossier(phone="0912 345 678")
    chat = Chat.linked(dossier)
    chat.say(f"dừng {dossier.code}")
    chat.say("dừng")

    chat.say("xoá số điện thoại")

    citizen = chat.citizen
    assert (citizen.phone, citizen.phone_linked_at, citizen.opted_out, citizen.opted_out_codes) == (
        "",
        None,
        False,
        frozenset(),
    )
    assert chat.citizens.by_phone(PHONE) == []
    assert "Đã xoá số điện thoại +8491****678" in chat.last()

    chat.say("xoa sdt")
    assert chat.last() == link_messages.nothing_to_withdraw_reply()


def test_withdrawal_made_in_zalo_deletes_the_link_silently():
    chat = Chat.linked()
    chat.say("dừng")
    sent = len(chat.zalo.calls)

    assert chat.event("user_withdraw", user_id=USER, user_id_by_app="1") == "withdrawn"

    assert chat.citizens.by_phone(PHONE) == [] and not chat.citizen.opted_out
    assert len(chat.zalo.calls) == sent  # no message: they asked us to stop using their data
    assert chat.event("user_withdraw", user_id=USER) == "nothing_to_withdraw"


def test_phone_shared_as_a_json_number_is_linked_too():
    chat = Chat()
    chat.share(84912345678)  # user/detail's shared_info.phone comes as a number at times
    assert chat.citizen.phone == PHONE


@pytest.mark.parametrize(
    "text",
    [
        link_messages.help_reply(),
        link_messages.linked_reply(PHONE, 3),
        link_messages.invalid_phone_reply(),
        link_messages.phone_needed_reply("xem hồ sơ của mình"),
        link_messages.my_dossiers_reply(PHONE, [], 0),
        link_messages.stopped_all_reply(""),
        link_messages.stopped_all_reply(PHONE),
        link_messages.stopped_codes_reply(["000.00.12.H46-240115-0003"], ["000.00.12.H46-240115-0004"]),
        link_messages.started_all_reply(),
        link_messages.started_codes_reply(["000.00.12.H46-240115-0003"], True),
        link_messages.withdrawn_reply(PHONE),
        link_messages.withdrawn_reply(""),
        link_messages.nothing_to_withdraw_reply(),
        *link_messages.ask_phone_card("tỉnh Quảng Trị"),
    ],
)
def test_every_text_is_nfc_vietnamese_within_limits_and_never_shows_the_whole_phone(text):
    assert unicodedata.is_normalized("NFC", text)
    assert 0 < len(text) <= messages.TEXT_MAX
    assert "912345678" not in text
    assert "  " not in text and "None" not in text
