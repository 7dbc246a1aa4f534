"""The outbox's state machine, the same tests against DynamoDB (moto in-process) and the in-memory
fake the unit tests use: so the fake cannot promise what the adapter does not keep."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from functions import models
from functions.dynamo_stores import DynamoOutbox
from functions.ports import Notice
from tests.fakes.stores import FakeOutbox

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)
CODE = "000.00.12.H46-240115-0003"


@pytest.fixture(params=["dynamo", "fake"])
def outbox(request, moto_tables: Callable[..., None]):
    if request.param == "fake":
        return FakeOutbox()
    moto_tables(models.NotificationModel)
    return DynamoOutbox()


def notice(notice_id: str = "n1", state: str = "pending", due: datetime | None = NOW) -> Notice:
    return Notice(
        notice_id,
        CODE,
        4,
        "+84912345678",
        {"ma_ho_so": CODE, "trang_thai": "Đang xử lý"},
        state=state,
        next_attempt_at=due,
        created_at=NOW,
    )


def test_a_notice_is_created_once_and_read_back(outbox):
    assert outbox.create_if_absent(notice()) is True
    assert outbox.create_if_absent(notice()) is False
    [stored] = outbox.by_dossier(CODE)
    assert stored.template_data["trang_thai"] == "Đang xử lý"
    assert outbox.get("n1").next_attempt_at == NOW
    assert outbox.get("missing") is None
    if isinstance(outbox, DynamoOutbox):  # personal data does not stay forever
        assert models.NotificationModel.get("n1").expires_at == NOW + timedelta(days=180)


def test_only_one_of_many_concurrent_claims_wins(outbox):
    """Against moto this needs local/moto_server.py: moto alone lets two threads win (flaky ~1 in 4)."""
    outbox.create_if_absent(notice())
    results: list[Notice | None] = []
    start = threading.Barrier(12)

    def claim(i: int) -> None:
        start.wait()
        results.append(outbox.claim("n1", f"c{i}", NOW, LATER))

    claims = [threading.Thread(target=claim, args=(i,)) for i in range(12)]
    for thread in claims:
        thread.start()
    for thread in claims:
        thread.join()
    winners = [r for r in results if r is not None]
    assert len(winners) == 1 and winners[0].attempts == 1 and winners[0].state == "sending"


def test_a_claim_is_taken_over_only_after_its_lease_and_the_old_holder_cannot_finish(outbox):
    outbox.create_if_absent(notice())
    assert outbox.claim("n1", "first", NOW, LATER) is not None
    assert outbox.claim("n1", "second", LATER - timedelta(seconds=1), LATER) is None
    retaken = outbox.claim("n1", "second", LATER, LATER + timedelta(minutes=5))
    assert retaken is not None and retaken.attempts == 2
    assert outbox.finish("n1", "first", "sent", LATER, zalo_msg_id="late") is False
    assert outbox.finish("n1", "second", "sent", LATER, zalo_msg_id="z-2", sent_at=LATER) is True
    stored = outbox.get("n1")
    assert (stored.state, stored.zalo_msg_id, stored.next_attempt_at, stored.claim_id) == (
        "sent",
        "z-2",
        None,
        "",
    )


def test_not_due_failed_notices_wait_and_due_ones_are_listed_oldest_first(outbox):
    outbox.create_if_absent(notice("early", due=NOW - timedelta(minutes=2)))
    outbox.create_if_absent(notice("late", due=NOW - timedelta(minutes=1)))
    outbox.create_if_absent(notice("future", due=NOW + timedelta(minutes=1)))
    outbox.create_if_absent(notice("done", state="sent", due=None))
    assert outbox.due(NOW, 10) == ["early", "late"]
    assert outbox.due(NOW, 1) == ["early"]
    assert outbox.claim("future", "c", NOW, LATER) is None


def test_failed_temporary_is_rescheduled_and_claimable_when_due(outbox):
    outbox.create_if_absent(notice())
    claimed = outbox.claim("n1", "c1", NOW, LATER)
    retry_at = NOW + timedelta(seconds=30)
    assert outbox.finish(
        "n1", claimed.claim_id, "failed_temporary", NOW, failures=1, next_attempt_at=retry_at
    )
    assert outbox.due(NOW, 10) == []
    assert outbox.due(retry_at, 10) == ["n1"]
    assert outbox.claim("n1", "c2", retry_at, LATER).failures == 1


def test_receipts_settle_sent_sending_and_timed_out_notices_but_nothing_else(outbox):
    for nid, state in [("a", "sent"), ("b", "sending"), ("c", "failed_temporary"), ("d", "failed_permanent")]:
        outbox.create_if_absent(notice(nid, state=state))
    assert [outbox.mark_delivered(nid, LATER, NOW) for nid in "abcd"] == [True, True, True, False]
    assert outbox.mark_delivered("unknown", LATER) is False
    delivered = outbox.get("b")
    assert (delivered.state, delivered.delivered_at, delivered.next_attempt_at) == ("delivered", NOW, None)
    assert outbox.claim("c", "late", LATER, LATER) is None
    assert outbox.due(LATER, 10) == []
