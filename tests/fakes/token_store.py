"""In-memory stand-ins for functions/tokens.py's ports: a TokenStore with DynamoTokenStore's
conditional semantics, and an OAuth endpoint whose refresh tokens work once (as Zalo's do).
Both are safe across threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from functions.tokens import LockLost, TokenPair, TokenRecord
from functions.zalo_errors import Kind, ZaloError


def _utcnow() -> datetime:
    return datetime.now(UTC)


class InMemoryTokenStore:
    """One OA's row. `clock` decides when a lease has expired (tests move it by hand)."""

    def __init__(self, clock: Callable[[], datetime] = _utcnow, record: TokenRecord | None = None) -> None:
        self._clock = clock
        self._mutex = threading.Lock()
        self.record = record
        self.saves = 0
        self.loads = 0

    def load(self) -> TokenRecord | None:
        with self._mutex:
            self.loads += 1
            return self.record

    def try_lock(self, owner: str, until: datetime) -> bool:
        with self._mutex:
            current = self.record or TokenRecord()
            held = current.lock_owner is not None and current.lock_owner != owner
            if held and current.lock_until is not None and current.lock_until >= self._clock():
                return False
            self.record = replace(current, lock_owner=owner, lock_until=until)
            return True

    def save(self, pair: TokenPair, owner: str) -> None:
        with self._mutex:
            if self.record is None or self.record.lock_owner != owner:
                raise LockLost(owner)
            self.record = TokenRecord(pair.access_token, pair.refresh_token, pair.expires_at)
            self.saves += 1

    def unlock(self, owner: str) -> None:
        with self._mutex:
            if self.record is not None and self.record.lock_owner == owner:
                self.record = replace(self.record, lock_owner=None, lock_until=None)

    def seed(self, pair: TokenPair) -> None:
        """Put a pair in place as if an earlier refresh had stored it."""
        with self._mutex:
            self.record = TokenRecord(pair.access_token, pair.refresh_token, pair.expires_at)


class FakeOAuth:
    """Zalo's /v4/oa/access_token: each refresh token is single-use and rotates; others are refused."""

    def __init__(
        self,
        clock: Callable[[], datetime] = _utcnow,
        valid: tuple[str, ...] = ("rt-0",),
        lifetime: timedelta = timedelta(hours=25),
        delay: Callable[[], None] | None = None,
    ) -> None:
        self._clock = clock
        self._mutex = threading.Lock()
        self._lifetime = lifetime
        self._delay = delay
        self.valid = set(valid)
        self.calls: list[str] = []
        self.issued = 0
        self.failure: ZaloError | None = None  # set to make every call fail this way

    def refresh(self, refresh_token: str) -> TokenPair:
        with self._mutex:
            self.calls.append(refresh_token)
        if self._delay is not None:
            self._delay()  # widen the race window in concurrency tests
        with self._mutex:
            if self.failure is not None:
                raise self.failure
            if refresh_token not in self.valid:
                raise ZaloError("oauth", -14014, "refresh token invalid or used", Kind.PERMANENT)
            self.valid.discard(refresh_token)
            self.issued += 1
            pair = TokenPair(f"at-{self.issued}", f"rt-{self.issued}", self._clock() + self._lifetime)
            self.valid.add(pair.refresh_token)
            return pair
