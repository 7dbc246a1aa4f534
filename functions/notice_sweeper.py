"""The notice sweeper (a schedule, every minute): re-drives what the stream handler could not finish.

It reads the outbox's sparse `by-due` index for notices whose `next_attempt_at` has come:
failed_temporary (exponential backoff), held (-133 until 06:00, quota until it returns), pending
(recorded when a stream invocation ran short of time) and `sending` whose claim ran out (a Lambda
that crashed or timed out mid-call; the lease includes the receipt grace, see notify.py). Each is
claimed with a conditional write, so overlapping runs or a racing stream handler never send twice.

A run stops calling Zalo once Zalo says the quota is gone or the rate limit is hit (the rest would
fail the same way), and before the Lambda's time runs out. Notices older than `max_age_hours` are
closed as failed_final instead of sent: a three-day-old "đang xử lý" helps nobody.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from functions import notice_policy as policy
from functions.logs import get_logger, log
from functions.notify import OPTED_OUT, Notifier, metric, opted_out
from functions.ports import Notice

logger = get_logger("notice_sweeper")

# Failures after which the rest of this run would only collect the same refusal.
_STOP_REASONS = frozenset(
    {"rate_limited", "daily_quota", "balance_exhausted", "night_restricted", "token_unavailable"}
)


class Sweeper:
    """One scheduled run, over the same outbox, sender and opt-outs as the stream's notifier."""

    def __init__(self, notifier: Notifier, time_left: Callable[[], float]) -> None:
        self.outbox = notifier.outbox
        self.sender = notifier.sender
        self.citizens = notifier.citizens
        self.clock = notifier.clock
        self.settings = notifier.sender.settings
        self.min_seconds_to_send = notifier.min_seconds_to_send
        self.time_left = time_left
        self._stop = threading.Event()

    def run(self) -> dict[str, int]:
        """One sweep; returns counts by outcome (logged, and a metric for what is still waiting)."""
        due = self.outbox.due(self.clock(), self.settings.sweep_batch)
        counts: Counter[str] = Counter()
        if due:
            with ThreadPoolExecutor(max_workers=min(self.settings.workers, len(due))) as pool:
                counts.update(pool.map(self._redrive, due))
        summary = {"due": len(due), **counts}
        log(logger, logging.INFO, "notice sweep", **summary)
        if counts[policy.HELD]:
            metric("NoticesHeld", counts[policy.HELD])
        return summary

    def _redrive(self, nid: str) -> str:
        if self._stop.is_set() or self.time_left() < self.min_seconds_to_send:
            return "deferred"
        notice = self.sender.claim(nid)
        if notice is None:
            return "taken"  # another run, the stream handler or a receipt got there first
        outcome, reason = self._settle(notice)
        if reason in _STOP_REASONS:
            self._stop.set()
        return outcome

    def _settle(self, notice: Notice) -> tuple[str, str]:
        if self._too_old(notice):
            metric("NoticesFailedFinal", reason="expired")
            return self.sender.give_up(notice, policy.FAILED_FINAL, f"expired: {notice.error}"[:500]), ""
        if opted_out(self.citizens, notice.phone, notice.dossier_code):
            return self.sender.give_up(notice, policy.SKIPPED, OPTED_OUT), ""
        return self.sender.try_send(notice)

    def _too_old(self, notice: Notice) -> bool:
        created = notice.created_at
        limit = timedelta(hours=self.settings.max_age_hours)
        return created is not None and self.clock() - created > limit
