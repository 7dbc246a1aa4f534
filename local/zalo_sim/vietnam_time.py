"""Vietnam time (UTC+7, no daylight saving) as the simulator's rules read it from its own clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7))
# Zalo's night: no promotional broadcasts, and night-restricted ZBS templates refused (-133).
NIGHT_START_HOUR, NIGHT_END_HOUR = 22, 6


def vietnam_time(now_ms: int) -> datetime:
    return datetime.fromtimestamp(now_ms / 1000, UTC).astimezone(VIETNAM)


def is_night(now_ms: int) -> bool:
    hour = vietnam_time(now_ms).hour
    return hour >= NIGHT_START_HOUR or hour < NIGHT_END_HOUR
