"""The worker: what the OA answers to each Zalo event (with fakes, no network)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from functions.citizen_links import CitizenLinks
from functions.ports import Notice
from functions.zalo_errors import ZaloError
from functions.zalo_events import MAX_CODES_PER_MESSAGE, EventWorker
from tests.factories import make_dossier
from tests.fakes.stores import FakeCitizens, FakeDossiers, FakeOutbox, FakePhoneDossiers
from tests.fakes.zalo import FakeZalo

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
USER = "8765432109876543210"


def worker(*dossiers, zalo=None) -> EventWorker:
    reader, citizens = FakeDossiers(*dossiers), FakeCitizens()
    return EventWorker(
        reader,
        citizens,
        FakeOutbox(),
        zalo or FakeZalo(),
        status_url=lambda code: "",
        province_name="tỉnh Quảng Trị",
        clock=lambda: NOW,
        links=CitizenLinks(citizens, FakePhoneDossiers(), reader, "tỉnh Quảng Trị", "", clock=lambda: NOW),
    )


def text(body: str) -> dict:
    return {
        "event": {
            "event_name": "user_send_text",
            "sender": {"id": USER},
            "message": {"msg_id": "m", "text": body},
        }
    }


def test_code_in_text_is_answered_with_its_status():
    dossier = make_dossier(code="000.00.12.H46-240115-0003", status=5, note="Bổ sung bản sao CCCD.")
    w = worker(dossier)
    assert w.handle(text("hồ sơ 000.00.12.h46-240115-0003 của tôi")) == "answered"
    [reply] = w.zalo.sent("send_text")
    assert reply["user_id"] == USER
    assert "000.00.12.H46-240115-0003" in reply["text"]
    assert "Bổ sung bản sao CCCD." in reply["text"]
    assert w.citizens.get(USER).last_interaction_at == NOW


def test_several_codes_are_answered_up_to_the_limit():
    dossiers = [make_dossier() for _ in range(MAX_CODES_PER_MESSAGE + 1)]
    w = worker(*dossiers)
    w.handle(text(" ".join(d.code for d in dossiers)))
    replies = w.zalo.sent("send_text")
    assert len(replies) == MAX_CODES_PER_MESSAGE + 1  # one per code, then the "too many" note
    assert dossiers[-1].code not in replies[-1]["text"]


def test_zalo_refusal_is_recorded_but_transient_errors_are_raised_for_a_retry():
    zalo = FakeZalo()
    zalo.fail_next(
        "send_text", ZaloError("oa", -230, "User has not interacted with the OA in the past 7 days")
    )
    w = worker(zalo=zalo)
    assert w.handle(text("xin chào")) == "refused:-230"

    zalo.fail_next("send_text", ZaloError.transport("oa", "timeout"))
    with pytest.raises(ZaloError):
        w.handle(text("xin chào"))


def test_follow_unfollow_and_zns_receipts():
    w = worker()
    assert w.handle({"event": {"event_name": "follow", "follower": {"id": USER}}}) == "replied"
    assert w.citizens.get(USER).following
    assert w.handle({"event": {"event_name": "unfollow", "follower": {"id": USER}}}) == "unfollowed"
    assert not w.citizens.get(USER).following

    w.outbox.create_if_absent(Notice("t1", "C", 4, "+84912345678", {}, state="sent"))
    receipt = {
        "server": "ZNS",
        "event": {
            "event_name": "user_received_message",
            "message": {"msg_id": "z", "tracking_id": "t1", "delivery_time": "1"},
        },
    }
    assert w.handle(receipt) == "delivered"
    assert w.outbox.items["t1"].state == "delivered"
    assert w.handle({"event": {"event_name": "user_send_sticker"}}) == "ignored"
