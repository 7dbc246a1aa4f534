"""The scheduled broadcaster: due, approved announcements → Zalo article → broadcast to followers.

Each announcement is claimed with a conditional write, so overlapping runs never both work on it,
and each step is recorded before the next (article token → article id → "broadcasting" → message
id), so a crash or a timeout resumes where it stopped instead of creating a second article or
broadcast. A broadcast call that got no answer may have gone out: it is marked `uncertain` and never
repeated. Zalo's limits become holds with a reason officials can read and a time for the next try.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from functions.announcements import BroadcastHours
from functions.articles import article_body
from functions.dossier import VIETNAM_TZ
from functions.logs import get_logger, log
from functions.ports import (
    ARTICLE_CREATED,
    BROADCASTING,
    FAILED,
    SENDING,
    SENT,
    UNCERTAIN,
    Announcement,
    AnnouncementStore,
    AuditEntry,
    AuditLog,
    ZaloGateway,
)
from functions.zalo_errors import Kind, ZaloError

logger = get_logger("broadcast")

__all__ = ["Broadcaster", "article_body"]

CONTENT_REJECTED = -248
NIGHT_BLOCKED = -234
RATE_LIMITED = -32
# -211 feature quota exceeded; -223 API not authorised / article quota reached (zalo-api.md §6.1).
QUOTA_HOLDS = {
    -211: "Zalo báo OA đã hết hạn mức gửi của tính năng này (mã -211)",
    -223: "Zalo báo OA chưa được cấp quyền API này hoặc đã hết hạn mức bài viết (mã -223)",
}
QUOTA_WAIT = timedelta(hours=1)
MAX_BACKOFF = timedelta(minutes=30)


@dataclass(frozen=True)
class Budget:
    """The Lambda's remaining time, and how much to keep in hand for one more Zalo step and a write."""

    time_left: Callable[[], float]
    margin_seconds: float = 15.0

    def allows_a_step(self) -> bool:
        return self.time_left() > self.margin_seconds


class _Stop(Exception):
    """The run must stop (time budget spent, or Zalo's rate limit applies to every call)."""


class Broadcaster:
    def __init__(
        self,
        store: AnnouncementStore,
        audit: AuditLog,
        zalo: ZaloGateway,
        clock: Callable[[], datetime],
        run_id: str,
        hours: BroadcastHours | None = None,
        article_author: str = "",
        lease_seconds: int = 300,
        budget: Budget | None = None,
    ) -> None:
        self.store = store
        self.audit = audit
        self.zalo = zalo
        self.clock = clock
        self.run_id = run_id
        self.hours = hours or BroadcastHours.parse("06:00-20:00")
        self.article_author = article_author
        self.lease_seconds = lease_seconds  # longer than the Lambda timeout: a live run never loses it
        self.budget = budget or Budget(lambda: 60.0)

    def run(self) -> dict[str, int]:
        """Handle every due announcement this run can claim; stop cleanly before the time runs out."""
        counts: Counter[str] = Counter()
        now = self.clock()
        due = self.store.due(now)
        for index, found in enumerate(due):
            if found.not_before and found.not_before > now:
                counts["waiting"] += 1
                continue
            if not self.budget.allows_a_step():
                counts["left_for_next_run"] += len(due) - index
                break
            announcement = self.store.claim(found.announcement_id, self.run_id, now, self.lease_seconds)
            if announcement is None:
                counts["claimed_elsewhere"] += 1
                continue
            try:
                counts[self._advance(announcement)] += 1
            except _Stop as stop:
                counts[str(stop)] += 1
                counts["left_for_next_run"] += len(due) - index - 1
                break
        return {outcome: n for outcome, n in counts.items() if n}

    # --- one announcement ------------------------------------------------------------------------
    def _advance(self, a: Announcement) -> str:
        if a.state == BROADCASTING:
            return self._uncertain(a, "a previous run called broadcast and recorded no answer")
        if not self.hours.contains(self.clock()):
            slot = self.hours.next_slot(self.clock())
            reason = f"Ngoài khung giờ phát {self.hours.label()} (giờ Việt Nam). Sẽ gửi lúc {_hhmm(slot)}."
            return self._hold(a, reason, slot, "outside_hours")
        try:
            if not a.article_token:
                self._step(a)
                a.article_token, a.state = self._create_article(a), SENDING
                self._save(a, "article_requested", token_recorded="yes")
            if not a.article_id:
                self._step(a)
                article_id = self.zalo.verify_article(a.article_token)
                if article_id is None:  # Zalo is still processing it (-214): the next run asks again
                    self._save(a, None, release=True)
                    return "article_processing"
                a.article_id, a.state = article_id, ARTICLE_CREATED
                self._save(a, "article_created", article_id=article_id)
            self._step(a)
            a.state = BROADCASTING
            self._save(a, None)  # recorded before the call: a crash after it must not send again
            message_id = self._broadcast(a)
        except ZaloError as exc:
            return self._zalo_refused(a, exc)
        if message_id is None:
            return UNCERTAIN
        a.state, a.sent_at, a.zalo_message_id = SENT, self.clock(), message_id
        a.error = a.hold_reason = ""
        a.not_before = None
        self._save(a, "sent", zalo_message_id=message_id, release=True)
        log(logger, logging.INFO, "broadcast sent", announcement=a.announcement_id)
        return "sent"

    def _create_article(self, a: Announcement) -> str:
        return self.zalo.create_article(a.title, a.summary, article_body(a), a.cover_url, self.article_author)

    def _broadcast(self, a: Announcement) -> str | None:
        """The message id; None when the call got no usable answer (recorded as uncertain)."""
        try:
            return self.zalo.broadcast_article(a.article_id, a.target)
        except ZaloError as exc:
            if exc.code < 0 or 400 <= exc.code < 500:  # Zalo refused the call: nothing was sent
                a.state = ARTICLE_CREATED
                raise
            self._uncertain(a, f"no answer from Zalo ({exc.message})")
            return None

    def _step(self, a: Announcement) -> None:
        """Before each Zalo call: enough time left for it and for recording its result?"""
        if not self.budget.allows_a_step():
            self._save(a, None, release=True)
            raise _Stop("paused_for_time")

    # --- outcomes --------------------------------------------------------------------------------
    def _zalo_refused(self, a: Announcement, exc: ZaloError) -> str:
        now = self.clock()
        if exc.code == NIGHT_BLOCKED:
            slot = self.hours.next_slot(now + timedelta(hours=1) if self.hours.contains(now) else now)
            return self._hold(
                a, f"Zalo không cho gửi vào ban đêm (mã -234). Sẽ gửi lúc {_hhmm(slot)}.", slot, "held"
            )
        if exc.code in QUOTA_HOLDS:
            retry = now + QUOTA_WAIT
            return self._hold(
                a, f"{QUOTA_HOLDS[exc.code]}. Sẽ thử lại lúc {_hhmm(retry)}.", retry, "held_quota"
            )
        if exc.retryable:
            retry = now + min(MAX_BACKOFF, timedelta(minutes=2**a.attempts))
            what = "Zalo giới hạn tốc độ gọi API" if exc.kind is Kind.QUOTA else "Zalo tạm thời lỗi"
            outcome = self._hold(
                a, f"{what} (mã {exc.code}). Sẽ thử lại lúc {_hhmm(retry)}.", retry, "deferred"
            )
            if exc.code == RATE_LIMITED:
                raise _Stop("rate_limited")  # the limit is per app: every further call would fail too
            return outcome
        if exc.code == CONTENT_REJECTED:
            reason = (
                "Zalo từ chối nội dung: vi phạm tiêu chuẩn nền tảng (mã -248). "
                "Cần sửa nội dung và tạo thông báo mới."
            )
        else:
            reason = f"Zalo từ chối (mã {exc.code}: {exc.message})."
        a.state, a.error, a.hold_reason, a.not_before = FAILED, reason[:500], "", None
        self._save(a, "failed", zalo_error=str(exc.code), release=True)
        log(logger, logging.ERROR, "broadcast failed", announcement=a.announcement_id, zalo_error=exc.code)
        return "failed"

    def _hold(self, a: Announcement, reason: str, until: datetime, outcome: str) -> str:
        a.hold_reason, a.not_before, a.attempts = reason, until, a.attempts + 1
        self._save(a, "held", reason=reason, release=True)
        log(logger, logging.WARNING, "broadcast held", announcement=a.announcement_id, outcome=outcome)
        return outcome

    def _uncertain(self, a: Announcement, why: str) -> str:
        a.state = UNCERTAIN
        a.error = (
            "Lần phát trước không nhận được trả lời của Zalo: có thể đã phát. Không gửi lại để tránh trùng; "
            "vui lòng kiểm tra trên trang quản lý Zalo OA."
        )
        self._save(a, "uncertain", why=why, release=True)
        log(logger, logging.ERROR, "broadcast uncertain", announcement=a.announcement_id)
        return "uncertain"

    def _save(self, a: Announcement, action: str | None, release: bool = False, **details: str) -> None:
        a.updated_at = self.clock()
        if not self.store.save_progress(a, self.run_id, release=release):
            raise _Stop("lost_claim")  # cannot happen while the lease outlives the Lambda timeout
        if action:
            details["run"] = self.run_id
            self.audit.record(AuditEntry(a.announcement_id, a.updated_at, "broadcaster", action, details))


def _hhmm(moment: datetime) -> str:
    return moment.astimezone(VIETNAM_TZ).strftime("%H:%M %d/%m/%Y")
