"""The scheduled broadcaster: due announcements → Zalo article → broadcast to followers.

Each step is recorded before the next (scheduled → sending → article_created → sent), and each
announcement is claimed with a conditional write, so overlapping runs never both send and a crash
resumes where it stopped instead of creating a second article or broadcast.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from functions.logs import get_logger, log
from functions.ports import Announcement, AnnouncementStore, ZaloGateway
from functions.zalo_errors import ZaloError

logger = get_logger("broadcast")


def article_body(announcement: Announcement) -> str:
    """The article's text: the summary and where to read the whole thing."""
    return f"{announcement.summary}\n\nXem chi tiết: {announcement.link}"


class Broadcaster:
    def __init__(
        self,
        store: AnnouncementStore,
        zalo: ZaloGateway,
        clock: Callable[[], datetime],
        run_id: str,
        lease_seconds: int = 300,
        time_left: Callable[[], float] = lambda: 60.0,
    ) -> None:
        self.store = store
        self.zalo = zalo
        self.clock = clock
        self.run_id = run_id
        self.lease_seconds = lease_seconds
        self.time_left = time_left

    def run(self) -> dict[str, int]:
        """Handle every due announcement this run can claim; stop early near the Lambda timeout."""
        counts: dict[str, int] = {}
        for announcement in self.store.due(self.clock()):
            if self.time_left() < 10:
                break  # leave the rest for the next minute's run
            if not self.store.claim(
                announcement.announcement_id, self.run_id, self.clock(), self.lease_seconds
            ):
                counts["claimed_elsewhere"] = counts.get("claimed_elsewhere", 0) + 1
                continue
            outcome = self._advance(announcement)
            counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    def _advance(self, a: Announcement) -> str:
        try:
            if not a.article_token:
                a.article_token = self.zalo.create_article(
                    a.title, a.summary, article_body(a), a.cover_url, a.author
                )
                a.state = "sending"
                self.store.save_progress(a)
            if not a.article_id:
                article_id = self.zalo.verify_article(a.article_token)
                if article_id is None:
                    self.store.release(a.announcement_id)
                    return "article_processing"  # Zalo is still processing it: next run
                a.article_id, a.state = article_id, "article_created"
                self.store.save_progress(a)
            a.zalo_message_id = self.zalo.broadcast_article(a.article_id, a.target)
        except ZaloError as exc:
            return self._failed(a, exc)
        a.state, a.sent_at, a.error = "sent", self.clock(), ""
        self.store.save_progress(a)
        log(logger, logging.INFO, "broadcast sent", announcement=a.announcement_id)
        return "sent"

    def _failed(self, a: Announcement, exc: ZaloError) -> str:
        if exc.retryable:
            a.error = f"{exc.kind.value} {exc.code}: {exc.message}"[:500]
            self.store.save_progress(a)
            self.store.release(a.announcement_id)
            log(
                logger,
                logging.WARNING,
                "broadcast deferred",
                announcement=a.announcement_id,
                zalo_error=exc.code,
            )
            return "deferred"
        a.state, a.error = "failed", f"{exc.code}: {exc.message}"[:500]
        self.store.save_progress(a)
        log(logger, logging.ERROR, "broadcast failed", announcement=a.announcement_id, zalo_error=exc.code)
        return "failed"
