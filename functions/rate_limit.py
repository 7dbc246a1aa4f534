"""The arithmetic of the per-user lookup limit (a fixed window), shared by the DynamoDB adapter and
the in-memory fake so both decide alike. Pure Python.

A fixed window (e.g. 20 lookups per 10 minutes, counted from the top of the window) is enough for
its purpose: a citizen checks a handful of dossiers, a script enumerating codes is stopped after
`limit` tries per window. A burst across a window boundary can reach twice the limit; accepted.
"""

from __future__ import annotations

from datetime import datetime, timedelta


def window_start(now: datetime, window_seconds: int) -> int:
    """Epoch seconds of the window `now` falls in."""
    epoch = int(now.timestamp())
    return epoch - epoch % window_seconds


def bucket_key(user_id: str, now: datetime, window_seconds: int) -> str:
    return f"{user_id}#{window_start(now, window_seconds)}"


def expiry(now: datetime, window_seconds: int) -> datetime:
    """When a window's counter may be deleted (TTL): one window after it ended."""
    return now + timedelta(seconds=2 * window_seconds)


def allowed_of(count: int, hits_after: int, limit: int) -> int:
    """How many of an event's `count` lookups fit under `limit`, the window's total (the event's own
    included) being `hits_after`. Exact for the event just counted; for a redelivery it treats the
    event as the latest, so lookups made since can only make it stricter, never looser."""
    before = hits_after - count
    return max(0, min(count, limit - before))
