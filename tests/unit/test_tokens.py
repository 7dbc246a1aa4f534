"""TokenManager: single-flight refresh of Zalo's single-use refresh tokens (zalo-api.md §4)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from functions.tokens import LockLost, TokenManager, TokenPair, TokenRecord
from functions.zalo_errors import Kind, ZaloError
from tests.fakes.token_store import FakeOAuth, InMemoryTokenStore

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


class Clock:
    """A hand-moved clock; `sleep` advances it so waiting loops run instantly."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now
        self.slept = 0.0

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(clock: Clock) -> InMemoryTokenStore:
    return InMemoryTokenStore(clock)


@pytest.fixture
def oauth(clock: Clock) -> FakeOAuth:
    return FakeOAuth(clock)


def manager(store, oauth, clock, owner="lambda-a", initial="rt-0", **kw) -> TokenManager:
    return TokenManager(store, oauth, initial, clock, owner, sleep=clock.sleep, **kw)


def seed(store: InMemoryTokenStore, access="at-0", refresh="rt-0", expires_at=T0 + timedelta(hours=20)):
    store.seed(TokenPair(access, refresh, expires_at))


def test_bootstrap_from_initial_refresh_token_when_store_is_empty(store, oauth, clock):
    token = manager(store, oauth, clock).access_token()

    assert token == "at-1"
    assert oauth.calls == ["rt-0"]
    assert store.record == TokenRecord("at-1", "rt-1", T0 + timedelta(hours=25))  # persisted, unlocked


def test_stored_refresh_token_wins_over_initial_one(store, oauth, clock):
    oauth.valid = {"rt-7"}
    seed(store, "at-7", "rt-7", expires_at=T0 - timedelta(minutes=1))

    assert manager(store, oauth, clock, initial="rt-0").access_token() == "at-1"
    assert oauth.calls == ["rt-7"]


def test_no_refresh_token_anywhere_is_permanent(store, oauth, clock):
    with pytest.raises(ZaloError) as caught:
        manager(store, oauth, clock, initial="").access_token()

    assert caught.value.kind is Kind.PERMANENT
    assert oauth.calls == []
    assert store.record.lock_owner is None


def test_fresh_stored_token_is_used_without_refresh(store, oauth, clock):
    seed(store)

    assert manager(store, oauth, clock).access_token() == "at-0"
    assert oauth.calls == []


def test_token_is_cached_in_memory_until_near_expiry(store, oauth, clock):
    seed(store, expires_at=T0 + timedelta(hours=1))
    tokens = manager(store, oauth, clock)

    assert tokens.access_token() == "at-0"
    loads = store.loads
    for _ in range(5):
        assert tokens.access_token() == "at-0"
    assert store.loads == loads  # no table read per call

    clock.now += timedelta(minutes=56)  # within 5 minutes of expiry: refresh
    assert tokens.access_token() == "at-1"
    assert oauth.calls == ["rt-0"]


def test_refresh_rotates_and_persists_the_new_pair(store, oauth, clock):
    seed(store)

    assert manager(store, oauth, clock).refresh("at-0") == "at-1"
    assert store.record == TokenRecord("at-1", "rt-1", T0 + timedelta(hours=25))
    assert "rt-0" not in oauth.valid  # spent


def test_new_pair_is_persisted_before_it_is_returned(store, oauth, clock):
    class FailingSave(InMemoryTokenStore):
        def save(self, pair, owner):
            raise RuntimeError("table unavailable")

    failing = FailingSave(clock)
    seed(failing)

    with pytest.raises(RuntimeError):
        manager(failing, oauth, clock).refresh("at-0")
    assert failing.record.lock_owner is None


def test_stale_caller_uses_the_token_someone_else_refreshed(store, oauth, clock):
    seed(store)
    first, second = manager(store, oauth, clock, "a"), manager(store, oauth, clock, "b")
    assert first.access_token() == second.access_token() == "at-0"

    assert first.refresh("at-0") == "at-1"
    assert second.refresh("at-0") == "at-1"
    assert second.access_token() == "at-1"
    assert oauth.calls == ["rt-0"]


def test_refresh_after_revocation_even_if_not_expired(store, oauth, clock):
    seed(store)
    tokens = manager(store, oauth, clock)
    tokens.access_token()

    assert tokens.refresh("at-0") == "at-1"
    assert tokens.refresh("at-1") == "at-2"
    assert oauth.calls == ["rt-0", "rt-1"]


@pytest.mark.parametrize("shared_manager", [False, True])
def test_concurrent_refresh_spends_the_refresh_token_once(shared_manager):
    store = InMemoryTokenStore()
    oauth = FakeOAuth(delay=lambda: time.sleep(0.05))
    store.seed(TokenPair("at-0", "rt-0", datetime.now(UTC) + timedelta(hours=20)))
    shared = TokenManager(store, oauth, "rt-0", lambda: datetime.now(UTC), "shared", poll_seconds=0.005)
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    results: list[str] = []
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        tokens = (
            shared
            if shared_manager
            else TokenManager(
                store, oauth, "rt-0", lambda: datetime.now(UTC), f"lambda-{index}", poll_seconds=0.005
            )
        )
        barrier.wait()
        try:
            results.append(tokens.refresh("at-0"))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert errors == []
    assert results == ["at-1"] * threads_count
    assert oauth.calls == ["rt-0"]  # the single-use refresh token was never sent twice
    assert store.record.refresh_token == "rt-1"
    assert store.record.lock_owner is None


def test_waiter_uses_the_token_the_lock_holder_saved(store, oauth, clock):
    seed(store, expires_at=T0 - timedelta(minutes=1))
    store.try_lock("other", T0 + timedelta(seconds=30))

    def holder_finishes(seconds: float) -> None:
        clock.sleep(seconds)
        store.save(TokenPair("at-other", "rt-other", T0 + timedelta(hours=25)), "other")

    tokens = TokenManager(store, oauth, "rt-0", clock, "me", sleep=holder_finishes)

    assert tokens.access_token() == "at-other"
    assert oauth.calls == []


def test_waiter_times_out_with_retry_while_lease_is_live(store, oauth, clock):
    seed(store, expires_at=T0 - timedelta(minutes=1))
    store.try_lock("busy", T0 + timedelta(seconds=30))

    with pytest.raises(ZaloError) as caught:
        manager(store, oauth, clock, wait_seconds=10).access_token()

    assert caught.value.kind is Kind.RETRY
    assert clock.slept == pytest.approx(10)
    assert oauth.calls == []
    assert store.record.lock_owner == "busy"


def test_crashed_holders_lease_expires(store, oauth, clock):
    seed(store, expires_at=T0 - timedelta(minutes=1))
    store.try_lock("crashed", T0 + timedelta(seconds=30))
    tokens = manager(store, oauth, clock, wait_seconds=10)

    with pytest.raises(ZaloError):
        tokens.access_token()  # 10 s of waiting: the lease has 20 s left
    clock.now = T0 + timedelta(seconds=31)

    assert tokens.access_token() == "at-1"
    assert oauth.calls == ["rt-0"]
    assert store.record.lock_owner is None


def test_waiting_past_the_lease_takes_the_lock(store, oauth, clock):
    seed(store, expires_at=T0 - timedelta(minutes=1))
    store.try_lock("crashed", T0 + timedelta(seconds=5))

    assert manager(store, oauth, clock, wait_seconds=10).access_token() == "at-1"
    assert 5 <= clock.slept <= 6


def test_refused_refresh_keeps_the_stored_refresh_token(store, oauth, clock):
    oauth.valid = set()
    seed(store, expires_at=T0 - timedelta(minutes=1))

    with pytest.raises(ZaloError) as caught:
        manager(store, oauth, clock).access_token()

    assert caught.value.api == "oauth"
    assert caught.value.kind is Kind.PERMANENT
    assert store.record.refresh_token == "rt-0"
    assert store.record.access_token == "at-0"
    assert store.record.lock_owner is None


def test_oauth_transport_failure_keeps_tokens_and_releases_lock(store, oauth, clock):
    oauth.failure = ZaloError.transport("oauth", "ReadTimeout")
    seed(store, expires_at=T0 - timedelta(minutes=1))

    with pytest.raises(ZaloError) as caught:
        manager(store, oauth, clock).access_token()

    assert caught.value.kind is Kind.RETRY
    assert store.record.refresh_token == "rt-0"
    assert store.record.lock_owner is None


def test_lost_lease_before_save_takes_the_lock_back_and_saves(clock, oauth):
    class LeaseLapses(InMemoryTokenStore):
        lapsed = False

        def save(self, pair, owner):
            if not self.lapsed:
                self.lapsed = True
                self.record = TokenRecord("at-0", "rt-0", T0, "waiter", T0 - timedelta(seconds=1))
                raise LockLost(owner)
            super().save(pair, owner)

    store = LeaseLapses(clock)
    seed(store, expires_at=T0 - timedelta(minutes=1))

    assert manager(store, oauth, clock).access_token() == "at-1"
    assert store.record == TokenRecord("at-1", "rt-1", T0 + timedelta(hours=25))


def test_refresh_if_expiring_leaves_a_fresh_token_alone(store, oauth, clock):
    seed(store, expires_at=T0 + timedelta(hours=20))

    assert manager(store, oauth, clock).refresh_if_expiring(timedelta(hours=2)) is False
    assert oauth.calls == []


def test_refresh_if_expiring_refreshes_an_expiring_token(store, oauth, clock):
    seed(store, expires_at=T0 + timedelta(hours=1))
    tokens = manager(store, oauth, clock)

    assert tokens.refresh_if_expiring(timedelta(hours=2)) is True
    assert store.record.access_token == "at-1"
    assert tokens.access_token() == "at-1"
    assert oauth.calls == ["rt-0"]


def test_refresh_if_expiring_bootstraps_an_empty_store(store, oauth, clock):
    assert manager(store, oauth, clock).refresh_if_expiring(timedelta(hours=2)) is True
    assert store.record.refresh_token == "rt-1"


def test_two_keepers_racing_refresh_once(store, oauth, clock):
    seed(store, expires_at=T0 + timedelta(hours=1))
    first, second = manager(store, oauth, clock, "a"), manager(store, oauth, clock, "b")

    assert first.refresh_if_expiring(timedelta(hours=2)) is True
    assert second.refresh_if_expiring(timedelta(hours=2)) is False
    assert oauth.calls == ["rt-0"]


def test_token_pair_repr_hides_tokens():
    pair = TokenPair("secret-access", "secret-refresh", T0)
    assert "secret" not in repr(pair)
    assert "secret" not in repr(TokenRecord("secret-access", "secret-refresh", T0))
