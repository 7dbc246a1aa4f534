"""The status notice's state machine and what each Zalo answer does to it (issue 4, zalo-api.md §6.2).

States (every transition is a conditional write in the outbox adapter):

    pending ──claim──> sending ──Zalo accepted──> sent ──ZNS receipt──> delivered
                          │
                          ├─ -118 / -108 / -114 / -119 / template / refused ──> failed_permanent
                          ├─ -32 / 5xx / timeout / -100 / -124 twice ──> failed_temporary ─┐
                          │                                            (backoff, sweeper)   │
                          │      sending <──────────────── claim when next_attempt_at ≤ now ┘
                          │      … after `max_attempts` transient failures ──> failed_final
                          └─ -133 (night) / -115 / -144 / -147 (quota) / refresh token refused ──>
                             held (until 06:00 / quota returns / later; retried by the sweeper,
                             alarmed through a metric log line)
    skipped: a status change that deserved no message (no consent, opted out, bad record), kept so an
    operator can see why nothing was sent.

`next_attempt_at` is the one clock of the machine: when a pending, failed_temporary or held notice
may be claimed again, and when a `sending` claim is considered abandoned (its lease, plus the
receipt grace: see notify.py on crashes). Terminal states have none, which keeps them out of the
sweeper's index.

Pure: no I/O, so every rule here is unit tested with plain datetimes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from functions.config import NoticeSettings
from functions.dossier import VIETNAM_TZ
from functions.zalo_errors import (
    NO_ZALO_ACCOUNT,
    PHONE_INVALID,
    RATE_LIMITED,
    USER_CANNOT_RECEIVE,
    ZBS_BALANCE_EXHAUSTED,
    ZBS_DAILY_LIMITS,
    ZBS_NIGHT_RESTRICTED,
    ZBS_TEMPLATE_PROBLEMS,
    ZBS_USER_REFUSED,
    Kind,
    ZaloError,
)

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
DELIVERED = "delivered"
FAILED_TEMPORARY = "failed_temporary"
FAILED_PERMANENT = "failed_permanent"
FAILED_FINAL = "failed_final"
HELD = "held"
SKIPPED = "skipped"

# States the sweeper re-drives (they carry next_attempt_at); the rest are final.
REDRIVABLE = (PENDING, FAILED_TEMPORARY, HELD, SENDING)
FINAL = (SENT, DELIVERED, FAILED_PERMANENT, FAILED_FINAL, SKIPPED)
# A delivery receipt proves Zalo accepted the message, whatever we recorded: after a crash
# (sending), a timeout that was in fact accepted (failed_temporary / failed_final), or a normal send.
RECEIPT_SETTLES = (SENDING, SENT, FAILED_TEMPORARY, FAILED_FINAL, DELIVERED)

CHANNEL_ZBS = "zbs"
MORNING = time(6, 0)  # -133 templates may go out again from 06:00 Vietnam time


@dataclass(frozen=True)
class Outcome:
    """What to record after a failed attempt."""

    state: str
    reason: str  # short machine word, shown to operators and counted in logs
    next_attempt_at: datetime | None = None
    counts_as_failure: bool = False  # adds to the transient-failure count (bounded retries)


def after_failure(
    error: ZaloError, failures: int, now: datetime, cfg: NoticeSettings, rng: random.Random | None = None
) -> Outcome:
    """The next state for a notice whose send just failed with `error`.

    `failures` is how many transient failures the notice had before this one.
    """
    code = error.code
    if error.api == "oauth" and not error.retryable:  # Zalo refused our refresh token: an OA admin
        return Outcome(HELD, "token_unavailable", now + timedelta(seconds=cfg.quota_retry_seconds))
    permanent = _permanent_reason(error)
    if permanent:
        return Outcome(FAILED_PERMANENT, permanent)
    if code == ZBS_NIGHT_RESTRICTED and error.api == "zbs":
        return Outcome(HELD, "night_restricted", next_morning(now))
    if error.api == "zbs" and code in ZBS_DAILY_LIMITS:
        return Outcome(HELD, "daily_quota", next_vietnam_midnight(now))
    if error.api == "zbs" and code == ZBS_BALANCE_EXHAUSTED:
        return Outcome(HELD, "balance_exhausted", now + timedelta(seconds=cfg.quota_retry_seconds))
    reason = _transient_reason(error)
    if failures + 1 >= cfg.max_attempts:
        return Outcome(FAILED_FINAL, reason, counts_as_failure=True)
    delay = backoff(failures, cfg, rng)
    if is_ambiguous(error):
        delay = max(delay, cfg.receipt_grace_seconds)
    return Outcome(FAILED_TEMPORARY, reason, now + timedelta(seconds=delay), counts_as_failure=True)


def alarm_metric(reason: str) -> str | None:
    """The metric a hold for `reason` counts in (an alarm watches it); None for the nightly wait."""
    if reason == "token_unavailable":
        return "NoticesHeldNoToken"  # an OA admin must grant the app access again
    if reason in ("daily_quota", "balance_exhausted"):
        return "NoticesHeldForQuota"
    return None


def is_ambiguous(error: ZaloError) -> bool:
    """No answer to the send itself (timeout, reset) or a gateway 5xx: Zalo may have accepted it.
    (A failed token refresh is not: the message was refused before it.)"""
    return error.api == "zbs" and error.kind is Kind.RETRY and (error.code == 0 or error.code >= 500)


def backoff(failures: int, cfg: NoticeSettings, rng: random.Random | None = None) -> float:
    """Exponential with ±20 % jitter, capped: 30 s, 60 s, 120 s, … ≤ backoff_max_seconds."""
    base = min(cfg.backoff_max_seconds, cfg.backoff_seconds * 2**failures)
    return base * (0.8 + 0.4 * (rng or random).random())


def next_morning(now: datetime) -> datetime:
    """The next 06:00 in Vietnam time (today's if it is still night before 06:00)."""
    local = now.astimezone(VIETNAM_TZ)
    morning = local.replace(hour=MORNING.hour, minute=MORNING.minute, second=0, microsecond=0)
    return morning if local < morning else morning + timedelta(days=1)


def next_vietnam_midnight(now: datetime) -> datetime:
    """Daily limits reset with the Vietnam-time day: 00:05 tomorrow (a little after, to be safe)."""
    local = now.astimezone(VIETNAM_TZ)
    return local.replace(hour=0, minute=5, second=0, microsecond=0) + timedelta(days=1)


def _permanent_reason(error: ZaloError) -> str:
    if error.api != "zbs":
        return "" if error.retryable or error.kind is Kind.REFRESH else "zalo_error"
    code = error.code
    named = {NO_ZALO_ACCOUNT: "no_zalo_account", PHONE_INVALID: "invalid_phone"}
    if code in named:
        return named[code]
    if code in USER_CANNOT_RECEIVE:
        return "user_cannot_receive"
    if code in ZBS_USER_REFUSED:
        return "user_refused"
    if code in ZBS_TEMPLATE_PROBLEMS:
        return "template_problem"
    if error.kind is Kind.PERMANENT:
        return "zalo_error"
    return ""


def _transient_reason(error: ZaloError) -> str:
    if error.code == RATE_LIMITED:
        return "rate_limited"
    if error.kind is Kind.REFRESH:
        return "token_rejected"
    if error.code == 0:
        return "no_answer"
    if error.code >= 500:
        return "server_error"
    return "zalo_retry"
