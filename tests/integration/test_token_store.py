"""DynamoTokenStore against moto in-process: the conditional writes that serialise refreshes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.models import OaTokenModel
from functions.token_store import DynamoTokenStore
from functions.tokens import LockLost, TokenManager, TokenPair, TokenRecord
from tests.fakes.token_store import FakeOAuth

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
PAIR = TokenPair("at-1", "rt-1", T0 + timedelta(hours=25))


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def table(moto_tables) -> None:
    moto_tables(OaTokenModel)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(table: None, clock: Clock) -> DynamoTokenStore:
    return DynamoTokenStore("oa-1", clock)


def test_empty_table_loads_none(store):
    assert store.load() is None


def test_first_lock_creates_the_row(store):
    assert store.try_lock("a", T0 + timedelta(seconds=30)) is True

    assert store.load() == TokenRecord(lock_owner="a", lock_until=T0 + timedelta(seconds=30))


def test_live_lock_refuses_others_and_admits_its_owner(store):
    assert store.try_lock("a", T0 + timedelta(seconds=30))

    assert store.try_lock("b", T0 + timedelta(seconds=30)) is False
    assert store.try_lock("a", T0 + timedelta(seconds=60)) is True
    assert store.load().lock_until == T0 + timedelta(seconds=60)


def test_expired_lease_can_be_taken_over(store, clock):
    assert store.try_lock("crashed", T0 + timedelta(seconds=30))
    clock.now = T0 + timedelta(seconds=31)

    assert store.try_lock("b", T0 + timedelta(seconds=61)) is True
    assert store.load().lock_owner == "b"


def test_save_persists_the_pair_and_releases_the_lock(store, clock):
    store.try_lock("a", T0 + timedelta(seconds=30))

    store.save(PAIR, "a")

    assert store.load() == TokenRecord("at-1", "rt-1", PAIR.expires_at, None, None)
    assert OaTokenModel.get("oa-1").refreshed_at == T0
    assert store.try_lock("b", T0 + timedelta(seconds=30)) is True


def test_save_without_the_lock_is_refused_and_changes_nothing(store):
    store.try_lock("a", T0 + timedelta(seconds=30))
    store.save(PAIR, "a")
    store.try_lock("b", T0 + timedelta(seconds=30))

    with pytest.raises(LockLost):
        store.save(TokenPair("at-x", "rt-x", T0), "a")

    record = store.load()
    assert (record.access_token, record.refresh_token, record.lock_owner) == ("at-1", "rt-1", "b")


def test_save_on_a_missing_row_is_refused(store):
    with pytest.raises(LockLost):
        store.save(PAIR, "a")


def test_unlock_only_by_the_owner(store):
    store.try_lock("a", T0 + timedelta(seconds=30))

    store.unlock("b")
    assert store.load().lock_owner == "a"

    store.unlock("a")
    record = store.load()
    assert (record.lock_owner, record.lock_until) == (None, None)


def test_unlock_keeps_the_tokens(store):
    store.try_lock("a", T0 + timedelta(seconds=30))
    store.save(PAIR, "a")
    store.try_lock("a", T0 + timedelta(seconds=30))

    store.unlock("a")

    assert store.load() == TokenRecord("at-1", "rt-1", PAIR.expires_at)


def test_token_manager_on_dynamo_bootstraps_and_rotates(store, clock):
    oauth = FakeOAuth(clock)
    first = TokenManager(store, oauth, "rt-0", clock, "a", sleep=lambda _: None)
    second = TokenManager(store, oauth, "rt-0", clock, "b", sleep=lambda _: None)

    assert first.access_token() == "at-1"
    assert second.refresh("at-1") == "at-2"
    assert first.refresh("at-1") == "at-2"  # saw b's refresh: no second spend

    assert oauth.calls == ["rt-0", "rt-1"]
    record = store.load()
    assert (record.refresh_token, record.lock_owner) == ("rt-2", None)
