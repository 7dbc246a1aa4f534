"""Chat replies are sent at most once per event and place, Zalo's refusals are recorded, transient
failures are retried within bounds, and lookups are rate limited per user (fakes, no network)."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest

from functions.messages import TEXT_MAX, lookup_limit_reply
from functions.zalo_errors import Kind, ZaloError
from functions.zalo_events import MAX_REPLY_ATTEMPTS, ReplyInProgress
from tests.factories import make_dossier
from tests.fakes.chat import NOW, USER, make_worker, text
from tests.fakes.stores import FakeLookupLimiter
from tests.fakes.zalo import FakeZalo

TIMEOUT = ZaloError.transport("oa", "ReadTimeout")
RATE_LIMITED = ZaloError("oa", -32, "The application has reached the limit of API calls per minute")
OUTSIDE_7_DAYS = ZaloError("oa", -230, "User has not interacted with the OA in the past 7 days")
NOT_INTERACTED = ZaloError("oa", -232, "User has not interacted with the OA")


def test_the_same_event_delivered_twice_gets_one_reply():
    dossier = make_dossier()
    w = make_worker(dossier)
    envelope = text(dossier.code)
    assert w.handle(envelope) == "answered"
    assert w.handle(envelope) == "answered"
    assert len(w.zalo.sent("send_text")) == 1
    assert list(w.replies.states().values()) == ["sent"]


def test_a_message_with_three_codes_that_fails_midway_resends_only_what_is_missing():
    dossiers = [make_dossier() for _ in range(3)]
    zalo = FakeZalo()
    w = make_worker(*dossiers, zalo=zalo)
    envelope = text(" và ".join(d.code for d in dossiers))
    zalo.fail_next("send_text", None, TIMEOUT)  # the first card goes out, the second times out
    with pytest.raises(ZaloError):
        w.handle(envelope)  # SQS will redeliver this event
    assert w.handle(envelope) == "answered"

    about = [next(d.code for d in dossiers if d.code in s["text"]) for s in w.zalo.sent("send_text")]
    first, second, third = (d.code for d in dossiers)
    assert about == [first, second, second, third]  # the first card never twice
    assert set(w.replies.states().values()) == {"sent"}


@pytest.mark.parametrize("refusal", [OUTSIDE_7_DAYS, NOT_INTERACTED])
def test_outside_the_interaction_window_is_recorded_and_never_retried(refusal):
    dossier = make_dossier()
    zalo = FakeZalo()
    zalo.fail_next("send_text", refusal)
    w = make_worker(dossier, zalo=zalo)
    envelope = text(dossier.code)

    assert w.handle(envelope) == "answered"  # no exception: the queue must not retry
    assert w.handle(envelope) == "answered"  # a redelivery anyway: Zalo is not asked again

    assert len(zalo.sent("send_text")) == 1
    [record] = w.replies.items.values()
    assert (record["state"], record["error_code"]) == ("failed_permanent", refusal.code)


def test_transient_failures_are_retried_a_bounded_number_of_times_then_recorded():
    dossier = make_dossier()
    zalo = FakeZalo()
    zalo.fail_next("send_text", *[RATE_LIMITED] * (MAX_REPLY_ATTEMPTS + 5))
    w = make_worker(dossier, zalo=zalo)
    envelope = text(dossier.code)

    for _ in range(MAX_REPLY_ATTEMPTS - 1):
        with pytest.raises(ZaloError):
            w.handle(envelope)
    assert w.handle(envelope) == "answered"  # the last attempt records and lets the event finish
    assert w.handle(envelope) == "answered"

    assert len(zalo.sent("send_text")) == MAX_REPLY_ATTEMPTS
    [record] = w.replies.items.values()
    assert (record["state"], record["error_code"], record["attempts"]) == (
        "failed_final",
        -32,
        MAX_REPLY_ATTEMPTS,
    )


def test_a_token_still_rejected_after_the_clients_refresh_is_retried_not_dropped():
    dossier = make_dossier()
    zalo = FakeZalo()
    zalo.fail_next("send_text", ZaloError("oa", -216, "Access token is invalid"))
    w = make_worker(dossier, zalo=zalo)
    envelope = text(dossier.code)
    with pytest.raises(ZaloError) as raised:
        w.handle(envelope)
    assert raised.value.kind is Kind.REFRESH
    assert w.handle(envelope) == "answered"
    assert list(w.replies.states().values()) == ["sent"]


def test_a_reply_held_by_a_live_invocation_is_left_to_it_until_its_lease_ends():
    dossier = make_dossier()
    now = {"t": NOW}
    w = make_worker(dossier, clock=lambda: now["t"])
    envelope = text(dossier.code)
    w.replies.claim(f"{envelope['key']}#0", "status", NOW)  # another invocation, then it crashed

    with pytest.raises(ReplyInProgress):
        w.handle(envelope)
    assert w.zalo.sent("send_text") == []

    now["t"] = NOW + timedelta(seconds=w.replies.lease_seconds + 1)
    assert w.handle(envelope) == "answered"
    assert len(w.zalo.sent("send_text")) == 1


def test_other_permanent_errors_are_recorded_with_their_code():
    zalo = FakeZalo()
    zalo.fail_next("send_text", ZaloError("oa", -201, "user_id is invalid"))
    w = make_worker(zalo=zalo)
    assert w.handle(text("xin chào")) == "refused:-201"
    assert [r["error_code"] for r in w.replies.items.values()] == [-201]


# --- lookup rate limit ---------------------------------------------------------------------------


def test_lookups_beyond_the_limit_get_one_polite_note_per_window():
    dossier = make_dossier()
    now = {"t": NOW}
    w = make_worker(dossier, limiter=FakeLookupLimiter(limit=3, window_seconds=600), clock=lambda: now["t"])

    outcomes = [w.handle(text(dossier.code)) for _ in range(6)]

    assert outcomes == ["answered"] * 3 + ["rate_limited"] * 3
    sent = [s["text"] for s in w.zalo.sent("send_text")]
    assert len(sent) == 4  # three cards, then one note (not one per message)
    assert all(dossier.code in card for card in sent[:3])
    assert "tạm dừng tra cứu" in sent[3] and dossier.code not in sent[3]

    now["t"] = NOW + timedelta(minutes=10)  # the next window
    assert w.handle(text(dossier.code)) == "answered"


def test_a_message_with_more_codes_than_the_allowance_answers_the_first_ones():
    dossiers = [make_dossier() for _ in range(3)]
    w = make_worker(*dossiers, limiter=FakeLookupLimiter(limit=2))
    assert w.handle(text(" ".join(d.code for d in dossiers))) == "answered"
    sent = [s["text"] for s in w.zalo.sent("send_text")]
    assert [dossiers[0].code in sent[0], dossiers[1].code in sent[1]] == [True, True]
    assert "tạm dừng tra cứu" in sent[2] and len(sent) == 3


def test_a_redelivered_event_is_not_counted_twice():
    dossier = make_dossier()
    limiter = FakeLookupLimiter(limit=2)
    w = make_worker(dossier, limiter=limiter)
    envelope = text(dossier.code)
    for _ in range(3):
        w.handle(envelope)
    assert [b["hits"] for b in limiter.buckets.values()] == [1]
    assert w.handle(text(dossier.code)) == "answered"  # the second real lookup still fits


def test_users_are_limited_separately_and_messages_without_codes_do_not_count():
    dossier = make_dossier()
    w = make_worker(dossier, limiter=FakeLookupLimiter(limit=1))
    assert w.handle(text("xin chào")) == "replied"
    assert w.handle(text(dossier.code)) == "answered"
    assert w.handle(text(dossier.code, user="1111111111111111111")) == "answered"
    assert w.handle(text(dossier.code)) == "rate_limited"
    assert USER in {s["user_id"] for s in w.zalo.sent("send_text")}


def test_the_limit_note_is_polite_vietnamese_within_zalos_limit():
    note = lookup_limit_reply(20, 10)
    assert "20 lượt trong 10 phút" in note and "vui lòng thử lại sau" in note
    assert unicodedata.is_normalized("NFC", note) and len(note) <= TEXT_MAX
