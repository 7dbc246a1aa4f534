"""The OA access token: where it comes from, when it is refreshed, and by whom (zalo-api.md §4).

Zalo's refresh tokens are single-use and rotate on every refresh: if two Lambdas refresh with the
same refresh token, one of them burns it and the grant dies until an OA admin consents again. So
every refresh happens under a lease lock in the token store, the new pair is persisted before it is
used (or the lock released), and a caller that finds the stored access token already changed uses
that one instead of refreshing again. Pure Python: the store and the OAuth call are Protocols.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from functions.logs import get_logger
from functions.zalo_errors import Kind, ZaloError

log = get_logger("tokens")

# Refresh this long before Zalo's expiry, so a token is never used in its last minutes.
EARLY = timedelta(minutes=5)


@dataclass(frozen=True)
class TokenPair:
    """What Zalo's token endpoint returns. Tokens are kept out of repr so they never reach a log."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime  # aware, UTC


@dataclass(frozen=True)
class TokenRecord:
    """The stored row: the current pair (absent before the first grant) and the refresh lock."""

    access_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    lock_owner: str | None = None
    lock_until: datetime | None = None


class LockLost(Exception):
    """`TokenStore.save` found the lock no longer ours (our lease ran out and someone took it)."""


class TokenStore(Protocol):
    def load(self) -> TokenRecord | None: ...

    def try_lock(self, owner: str, until: datetime) -> bool:
        """Take the refresh lock until `until` if it is free, expired, or already `owner`'s."""
        ...

    def save(self, pair: TokenPair, owner: str) -> None:
        """Persist the pair and release the lock, only while `owner` holds it; else raise LockLost."""
        ...

    def unlock(self, owner: str) -> None:
        """Release the lock if `owner` still holds it (no-op otherwise)."""
        ...


class OAuth(Protocol):
    def refresh(self, refresh_token: str) -> TokenPair:
        """Spend `refresh_token` for a new pair; raises ZaloError (api "oauth") when refused."""
        ...


class TokenProvider(Protocol):
    """What the Zalo client needs: a token now, and a new one when Zalo rejected the old."""

    def access_token(self) -> str: ...
    def refresh(self, stale_access_token: str) -> str: ...


def _fresh(record: TokenRecord | None, now: datetime) -> bool:
    """Usable now, with a margin (EARLY) so a token is not sent in its last minutes."""
    return bool(record and record.access_token and record.expires_at and record.expires_at - EARLY > now)


def _replaces(record: TokenRecord | None, stale: str | None, now: datetime) -> bool:
    """Someone already refreshed: the record holds a fresh token other than the stale one."""
    return _fresh(record, now) and record is not None and record.access_token != stale


class TokenManager:
    """Single-flight token refresh across Lambdas (store lock) and threads (a local lock)."""

    def __init__(
        self,
        store: TokenStore,
        oauth: OAuth,
        initial_refresh_token: str,
        clock: Callable[[], datetime],
        owner: str,
        lock_seconds: float = 30,
        wait_seconds: float = 10,
        sleep: Callable[[float], None] = time.sleep,
        poll_seconds: float = 0.25,
    ) -> None:
        self._store = store
        self._oauth = oauth
        self._initial = initial_refresh_token
        self._clock = clock
        self._owner = owner
        self._lease = timedelta(seconds=lock_seconds)
        self._polls = max(1, int(wait_seconds / poll_seconds))
        self._poll_seconds = poll_seconds
        self._sleep = sleep
        self._local = threading.Lock()
        self._cached: TokenRecord | None = None

    def access_token(self) -> str:
        """The current token: from memory while fresh, else the store, else a refresh."""
        now = self._clock()
        if self._cached is not None and _fresh(self._cached, now):
            return self._remember(self._cached)
        record = self._store.load()
        if record is not None and _fresh(record, now):
            return self._remember(record)
        return self._refresh(record.access_token if record else None)

    def refresh(self, stale_access_token: str) -> str:
        """A token other than the one Zalo just rejected; refreshes only if nobody else has."""
        newer = self._newer_than(stale_access_token)
        return newer if newer is not None else self._refresh(stale_access_token)

    def refresh_if_expiring(self, within: timedelta) -> bool:
        """For the hourly keeper: refresh when the stored token expires within `within`."""
        record = self._store.load()
        now = self._clock()
        if record and record.access_token and record.expires_at and record.expires_at - within > now:
            self._remember(record)
            return False
        self._refresh(record.access_token if record else None)
        return True

    def _newer_than(self, stale: str | None) -> str | None:
        """A fresh token different from `stale` (memory first, then the store), or None."""
        now = self._clock()
        if self._cached is not None and _replaces(self._cached, stale, now):
            return self._remember(self._cached)
        record = self._store.load()
        if record is not None and _replaces(record, stale, now):
            return self._remember(record)
        return None

    def _refresh(self, stale: str | None) -> str:
        """Refresh under the store lock, or wait (bounded) for whoever holds it to finish."""
        with self._local:
            for attempt in range(self._polls + 1):
                if self._store.try_lock(self._owner, self._clock() + self._lease):
                    return self._refresh_locked(stale)
                newer = self._newer_than(stale)
                if newer is not None:
                    return newer
                if attempt < self._polls:
                    self._sleep(self._poll_seconds)
        raise ZaloError("oauth", 0, "token refresh lock busy", Kind.RETRY)

    def _refresh_locked(self, stale: str | None) -> str:
        """We hold the lock: re-read (someone may have just finished), else spend the refresh token."""
        saved = False
        try:
            record = self._store.load()
            if record is not None and _replaces(record, stale, self._clock()):
                return self._remember(record)
            try:
                pair = self._oauth.refresh(self._refresh_token_of(record))
            except ZaloError as error:
                # One distinct line per failed refresh: the stack's TokenRefreshFailures alarm counts it.
                log.error(
                    "OA token refresh failed",
                    extra={"fields": {"zalo_error": error.code, "kind": str(error.kind)}},
                )
                raise
            self._persist(pair)
            saved = True
            log.info("OA access token refreshed; expires %s", pair.expires_at.isoformat())
            return self._remember(TokenRecord(pair.access_token, pair.refresh_token, pair.expires_at))
        finally:
            if not saved:
                self._store.unlock(self._owner)

    def _refresh_token_of(self, record: TokenRecord | None) -> str:
        """The stored refresh token; the operator's first grant only when none was ever stored."""
        if record and record.refresh_token:
            return record.refresh_token
        if self._initial:
            return self._initial
        raise ZaloError("oauth", 0, "no refresh token: an OA admin must grant access", Kind.PERMANENT)

    def _persist(self, pair: TokenPair) -> None:
        """Save the new pair. If our lease lapsed meanwhile, the pair we hold is still the only live
        one (the old refresh token is spent), so take the lock back and save it anyway."""
        for attempt in range(self._polls + 1):
            if attempt and not self._store.try_lock(self._owner, self._clock() + self._lease):
                self._sleep(self._poll_seconds)
                continue
            try:
                self._store.save(pair, self._owner)
                return
            except LockLost:
                log.warning("token lock lost before saving the new pair; taking it back")
        log.error("could not save the new token pair: the OA grant may need an admin's consent again")
        raise ZaloError("oauth", 0, "lost the token lock before saving the new pair", Kind.RETRY)

    def _remember(self, record: TokenRecord) -> str:
        """Keep only the access token and its expiry in memory: one table read per ~25 h, not per call."""
        self._cached = TokenRecord(record.access_token, None, record.expires_at)
        return record.access_token or ""
