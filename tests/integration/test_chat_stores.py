"""The reply log and the lookup limiter against moto in-process, and their fakes held to the same
scenarios, so the unit tests' fakes decide exactly as DynamoDB does."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from functions import models
from functions.dynamo_stores import DynamoLookupLimiter, DynamoReplyLog
from tests.fakes.stores import FakeLookupLimiter, FakeReplyLog

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=10)


@pytest.fixture(params=["dynamo", "fake"])
def replies(request, moto_tables):
    if request.param == "fake":
        return FakeReplyLog(lease_seconds=90)
    moto_tables(models.ReplyModel)
    return DynamoReplyLog(lease_seconds=90)


@pytest.fixture(params=["dynamo", "fake"])
def limiter(request, moto_tables):
    if request.param == "fake":
        return FakeLookupLimiter(limit=3, window_seconds=600)
    moto_tables(models.LookupLimitModel)
    return DynamoLookupLimiter(limit=3, window_seconds=600)


def test_a_reply_is_claimed_once_and_a_sent_one_never_again(replies):
    first = replies.claim("msg:a#0", "status", NOW)
    assert (first.outcome, first.attempts) == ("claimed", 1)
    assert replies.claim("msg:a#0", "status", NOW).outcome == "busy"
    replies.finish("msg:a#0", "sent", NOW, zalo_msg_id="z1")
    assert replies.claim("msg:a#0", "status", LATER).outcome == "done"
    assert replies.claim("msg:a#1", "status", NOW).outcome == "claimed"  # its sibling is separate


def test_a_temporary_failure_or_an_expired_lease_can_be_claimed_again(replies):
    replies.claim("msg:b#0", "status", NOW)
    replies.finish("msg:b#0", "failed_temporary", NOW, error_code=-32)
    again = replies.claim("msg:b#0", "status", NOW)
    assert (again.outcome, again.attempts) == ("claimed", 2)
    assert replies.claim("msg:b#0", "status", NOW + timedelta(seconds=30)).outcome == "busy"
    crashed = replies.claim("msg:b#0", "status", NOW + timedelta(seconds=91))
    assert (crashed.outcome, crashed.attempts) == ("claimed", 3)


@pytest.mark.parametrize("final", ["failed_permanent", "failed_final"])
def test_recorded_failures_are_over(replies, final):
    replies.claim("msg:c#0", "status", NOW)
    replies.finish("msg:c#0", final, NOW, error_code=-230)
    assert replies.claim("msg:c#0", "status", LATER).outcome == "done"


def test_dynamo_keeps_what_happened_to_a_reply_and_when_it_expires(moto_tables):
    moto_tables(models.ReplyModel)
    log = DynamoReplyLog(ttl_days=14)
    log.claim("msg:d#0", "status", NOW)
    log.finish("msg:d#0", "failed_permanent", NOW, error_code=-230)
    item = models.ReplyModel.get("msg:d#0")
    assert (item.kind, item.state, item.error_code, item.attempts) == ("status", "failed_permanent", -230, 1)
    assert item.expires_at == NOW + timedelta(days=14) and item.lease_until is None


def test_concurrent_claims_of_one_reply_have_one_winner(moto_tables):
    moto_tables(models.ReplyModel)
    log = DynamoReplyLog()
    outcomes: list[str] = []
    threads = [
        threading.Thread(target=lambda: outcomes.append(log.claim("msg:e#0", "status", NOW).outcome))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["busy"] * 7 + ["claimed"]


def test_lookups_are_counted_per_window_and_the_user_is_told_once(limiter):
    user = "8765432109876543210"
    assert limiter.take(user, "msg:1", 2, NOW).allowed == 2
    partly = limiter.take(user, "msg:2", 2, NOW)
    assert (partly.allowed, partly.tell_user) == (1, True)
    refused = limiter.take(user, "msg:3", 1, NOW)
    assert (refused.allowed, refused.tell_user) == (0, False)  # told already in this window
    assert limiter.take("another-user", "msg:4", 1, NOW).allowed == 1
    assert limiter.take(user, "msg:5", 1, LATER).allowed == 1  # a new window


def test_a_redelivered_event_counts_once_and_keeps_its_right_to_tell(limiter):
    user = "8765432109876543210"
    limiter.take(user, "msg:1", 3, NOW)
    told = limiter.take(user, "msg:2", 1, NOW)
    again = limiter.take(user, "msg:2", 1, NOW)  # SQS redelivered the event that told the user
    assert told.tell_user and again.tell_user and again.allowed == 0
    # judged as the latest event of the window (3 allowed at first, the lookup since makes it 2)
    assert limiter.take(user, "msg:1", 3, NOW).allowed == 2


def test_dynamo_counter_expires_after_the_window(moto_tables):
    moto_tables(models.LookupLimitModel)
    DynamoLookupLimiter(limit=3, window_seconds=600).take("u1", "msg:1", 1, NOW)
    [item] = list(models.LookupLimitModel.scan())
    assert item.hits == 1 and item.events == {"msg:1"}
    assert item.expires_at == NOW + timedelta(seconds=1200)
