"""Officials' announcements: draft, preview, schedule, approve, cancel, list, audit.

The lifecycle is in ports.py. Every change is a conditional write on the version the official read
and on no broadcaster run holding the announcement, so a cancel racing the broadcaster's claim has
exactly one winner. Every action is audited. Errors speak Vietnamese first, with English beside,
and a stable machine code. Times without a zone are Vietnam time, as officials think in it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlparse

from functions.articles import PENDING_ARTICLE_ID, announcement_article, broadcast_payload
from functions.dossier import VIETNAM_TZ
from functions.ports import (
    APPROVED,
    CANCELLABLE_STATES,
    CANCELLED,
    DRAFT,
    SCHEDULED,
    Announcement,
    AnnouncementStore,
    AuditEntry,
    AuditLog,
)

# Text limits. zalo-api.md §8 gives the article's fields but not their lengths; these are the
# commonly cited article limits, kept conservative so Zalo never has to refuse (-210).
TITLE_MAX = 150
SUMMARY_MAX = 300
LINK_MAX = 2000
# Zalo broadcast target filters officials may use, with their allowed codes (zalo-api.md §8).
TARGET_CODES: dict[str, range] = {
    "cities": range(0, 63),
    "ages": range(0, 8),
    "gender": range(0, 3),
    "platform": range(1, 4),
}
# A time typed as "now" reaches the server a little later; this much in the past still counts as now.
PAST_TOLERANCE = timedelta(minutes=2)
_TIME_FORMATS = ("%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M")


@dataclass(frozen=True)
class ValidationProblem:
    field: str
    code: str
    message: str  # Vietnamese
    message_en: str
    suggestion: str = ""  # e.g. the next allowed broadcast slot, ISO in Vietnam time


class InvalidAnnouncement(ValueError):
    def __init__(self, problems: list[ValidationProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


class Refused(Exception):
    """An action that is not allowed now: `status` is the HTTP answer (403, 404, 409)."""

    def __init__(self, status: int, code: str, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.status, self.code, self.message, self.message_en = status, code, message, message_en


NOT_FOUND = (404, "not_found", "Không tìm thấy thông báo này.", "Announcement not found.")
CHANGED = (
    409,
    "changed_meanwhile",
    "Thông báo vừa được thay đổi hoặc đang được gửi; vui lòng xem lại rồi thử lại.",
    "The announcement changed meanwhile or is being sent; review it and try again.",
)


@dataclass(frozen=True)
class BroadcastHours:
    """The daily window (Vietnam time) in which broadcasts go out, e.g. 06:00–20:00."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> BroadcastHours:
        first, _, last = text.partition("-")
        return cls(time.fromisoformat(first.strip()), time.fromisoformat(last.strip()))

    def label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(VIETNAM_TZ).timetz().replace(tzinfo=None)
        return self.start <= local < self.end

    def next_slot(self, moment: datetime) -> datetime:
        """`moment` if it is inside the window, else the window's next opening (Vietnam time)."""
        local = moment.astimezone(VIETNAM_TZ)
        if self.contains(local):
            return local
        opening = datetime.combine(local.date(), self.start, tzinfo=VIETNAM_TZ)
        return opening if local < opening else opening + timedelta(days=1)


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def _https(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme == "https" and bool(parsed.netloc)


def parse_time(value: Any, now: datetime | None = None) -> datetime | None:
    """ISO 8601 or "yyyy-mm-dd HH:MM" (or "dd/mm/yyyy HH:MM", or "HH:MM" for today); without a
    zone it is Vietnam time."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if now is not None and re.fullmatch(r"\d{1,2}:\d{2}", text):
        text = f"{now.astimezone(VIETNAM_TZ):%Y-%m-%d} {text.zfill(5)}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = next((p for p in (_strptime(text, f) for f in _TIME_FORMATS) if p), None)
        if parsed is None:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=VIETNAM_TZ)


def _strptime(text: str, pattern: str) -> datetime | None:
    try:
        return datetime.strptime(text, pattern)
    except ValueError:
        return None


def _content_problems(title: str, summary: str, link: str, cover: str) -> list[ValidationProblem]:
    problems = [
        *_text_problems("title", title, TITLE_MAX, "Tiêu đề", "Title"),
        *_text_problems("summary", summary, SUMMARY_MAX, "Tóm tắt", "Summary"),
    ]
    if not _https(link) or len(link) > LINK_MAX:
        problems.append(_not_https("link", "Liên kết", "The link"))
    if cover and not _https(cover):
        problems.append(_not_https("cover_url", "Ảnh bìa", "The cover image"))
    return problems


def _text_problems(field: str, value: str, limit: int, vi_name: str, en_name: str) -> list[ValidationProblem]:
    """A text officials must fill in, within Zalo's limit."""
    if not value:
        return [
            ValidationProblem(field, "required", f"{vi_name} không được để trống.", f"{en_name} is empty.")
        ]
    if len(value) > limit:
        return [
            ValidationProblem(
                field,
                "too_long",
                f"{vi_name} dài {len(value)} ký tự, Zalo cho tối đa {limit} ký tự.",
                f"{en_name} has {len(value)} characters; Zalo allows {limit}.",
            )
        ]
    return []


def _not_https(field: str, vi_name: str, en_name: str) -> ValidationProblem:
    return ValidationProblem(
        field, "not_https", f"{vi_name} phải là địa chỉ https://.", f"{en_name} must be an https:// address."
    )


def _codes(value: Any) -> list[int] | None:
    """A filter's codes from a list of numbers or a comma-separated string; None when unreadable."""
    parts = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else [value]
    try:
        return sorted({int(str(p).strip()) for p in parts if str(p).strip()})
    except ValueError:
        return None


def parse_target(raw: Any) -> tuple[dict[str, str], list[ValidationProblem]]:
    """Audience filters → Zalo's `recipient.target` (comma-separated code strings)."""
    if raw in (None, "", {}):
        return {}, []
    if not isinstance(raw, dict):
        return {}, [
            ValidationProblem(
                "target",
                "bad_target",
                "Bộ lọc người nhận phải là một đối tượng.",
                "Target must be an object.",
            )
        ]
    target: dict[str, str] = {}
    problems: list[ValidationProblem] = []
    for key, value in raw.items():
        allowed = TARGET_CODES.get(key)
        codes = _codes(value) if allowed is not None else None
        if allowed is None or not codes or any(c not in allowed for c in codes):
            names = ", ".join(TARGET_CODES)
            problems.append(
                ValidationProblem(
                    f"target.{key}",
                    "bad_target",
                    f"Bộ lọc '{key}' không hợp lệ (dùng: {names}; mã theo tài liệu Zalo).",
                    f"Target filter '{key}' is invalid (use: {names}, with Zalo's codes).",
                )
            )
            continue
        target[key] = ",".join(str(c) for c in codes)
    return target, problems


class Announcements:
    """The officials' side of the lifecycle. `clock` is injected (tests, the local stack's clock)."""

    def __init__(
        self,
        store: AnnouncementStore,
        audit: AuditLog,
        clock: Callable[[], datetime],
        approvals_required: int = 1,
        hours: BroadcastHours | None = None,
        article_author: str = "",
    ) -> None:
        self.store = store
        self.audit = audit
        self.clock = clock
        self.approvals_required = approvals_required
        self.hours = hours or BroadcastHours.parse("06:00-20:00")
        self.article_author = article_author

    # --- reading -------------------------------------------------------------------------------
    def get(self, announcement_id: str) -> Announcement:
        found = self.store.get(announcement_id)
        if found is None:
            raise Refused(*NOT_FOUND)
        return found

    def list(self, state: str | None = None, day: str | None = None) -> list[Announcement]:
        """Newest first; `day` ("yyyy-mm-dd", Vietnam time) keeps those scheduled for that day."""
        items = self.store.list(state or None)
        if day:
            items = [
                a for a in items if a.send_at and a.send_at.astimezone(VIETNAM_TZ).date().isoformat() == day
            ]
        return items

    def history(self, announcement_id: str) -> list[AuditEntry]:
        self.get(announcement_id)
        return sorted(self.audit.for_announcement(announcement_id), key=lambda e: e.at)

    def preview(self, announcement_id: str) -> dict[str, Any]:
        """Exactly what will be sent: the article Zalo will show and the broadcast carrying it."""
        a = self.get(announcement_id)
        return {
            "article": announcement_article(a, self.article_author),
            "broadcast": broadcast_payload(a.article_id or PENDING_ARTICLE_ID, a.target),
            "audience": a.target or "tất cả người quan tâm OA (all followers)",
            "send_at": iso(a.send_at),
        }

    # --- changing -------------------------------------------------------------------------------
    def draft(self, data: dict[str, Any], official: str) -> Announcement:
        title, summary, link = _text(data, "title"), _text(data, "summary"), _text(data, "link")
        cover = _text(data, "cover_url")
        target, target_problems = parse_target(data.get("target"))
        problems = _content_problems(title, summary, link, cover) + target_problems
        if problems:
            raise InvalidAnnouncement(problems)
        now = self.clock()
        if data.get("send_at"):
            self._valid_time(data.get("send_at"), now)  # refuse a bad time before anything is stored
        announcement = Announcement(
            announcement_id=uuid.uuid4().hex,
            title=title,
            summary=summary,
            link=link,
            cover_url=cover,
            send_at=None,
            author=official,
            state=DRAFT,
            target=target,
            created_at=now,
        )
        self.store.create(announcement)
        self._audit(announcement, official, "draft", title=title, link=link)
        if data.get("send_at"):
            return self.schedule(announcement.announcement_id, data.get("send_at"), official)
        return announcement

    def schedule(self, announcement_id: str, send_at: Any, official: str) -> Announcement:
        """Set (or move) the send time; approvals start over, since they approved a time too."""
        now = self.clock()
        when = self._valid_time(send_at, now)
        current = self.get(announcement_id)
        if current.state not in (DRAFT, SCHEDULED, APPROVED):
            raise self._wrong_state(current, "lên lịch", "scheduled")
        changed = replace(current, send_at=when, approvers=[], state=SCHEDULED)
        if self.approvals_required == 0:
            changed.state = APPROVED
        self._write(changed, now)
        self._audit(changed, official, "schedule", send_at=iso(when) or "", state=changed.state)
        return changed

    def approve(self, announcement_id: str, official: str) -> Announcement:
        """A second official's approval; the author's own and repeated approvals do not count."""
        now = self.clock()
        current = self.get(announcement_id)
        if current.state != SCHEDULED:
            raise self._wrong_state(current, "phê duyệt", "approved")
        if official == current.author:
            raise Refused(
                403,
                "own_announcement",
                "Người soạn không thể tự phê duyệt; cần một cán bộ khác phê duyệt.",
                "The author cannot approve their own announcement; another official must.",
            )
        if official in current.approvers:
            raise Refused(
                409, "already_approved", "Bạn đã phê duyệt thông báo này.", "You already approved it."
            )
        changed = replace(current, approvers=[*current.approvers, official])
        if len(changed.approvers) >= self.approvals_required:
            changed.state = APPROVED
        self._write(changed, now)
        self._audit(changed, official, "approve", approvals=str(len(changed.approvers)), state=changed.state)
        return changed

    def cancel(self, announcement_id: str, official: str, reason: str = "") -> Announcement:
        """Stop it before it is broadcast. Loses to a broadcaster run that claimed it first (409)."""
        now = self.clock()
        current = self.get(announcement_id)
        if current.state not in CANCELLABLE_STATES:
            raise self._wrong_state(current, "hủy", "cancelled")
        changed = replace(current, state=CANCELLED)
        self._write(changed, now)
        self._audit(changed, official, "cancel", reason=reason[:500])
        return changed

    # --- helpers -------------------------------------------------------------------------------
    def _write(self, changed: Announcement, now: datetime) -> None:
        if not self.store.update_if_unchanged(changed, now):
            raise Refused(*CHANGED)

    def _audit(self, a: Announcement, actor: str, action: str, **details: str) -> None:
        self.audit.record(AuditEntry(a.announcement_id, self.clock(), actor, action, details))

    def _valid_time(self, value: Any, now: datetime) -> datetime:
        when = now if value in (None, "", "now", "ngay") else parse_time(value, now)
        if when is None:
            raise InvalidAnnouncement(
                [
                    ValidationProblem(
                        "send_at",
                        "bad_time",
                        "Thời gian gửi không hợp lệ (ví dụ: 2026-12-01 08:00, giờ Việt Nam).",
                        "Send time is not valid (e.g. 2026-12-01 08:00, Vietnam time).",
                    )
                ]
            )
        if when < now - PAST_TOLERANCE or not self.hours.contains(when):
            self._raise_time_problem(when, now)
        return max(when, now)

    def _raise_time_problem(self, when: datetime, now: datetime) -> None:
        if when < now - PAST_TOLERANCE:
            slot = self.hours.next_slot(now)
            raise InvalidAnnouncement(
                [
                    ValidationProblem(
                        "send_at",
                        "in_the_past",
                        f"Thời gian gửi đã qua. Có thể gửi sớm nhất lúc {_vn(slot)}.",
                        f"The send time is in the past. The earliest allowed slot is {_vn(slot)}.",
                        iso(slot) or "",
                    )
                ]
            )
        slot = self.hours.next_slot(when)
        raise InvalidAnnouncement(
            [
                ValidationProblem(
                    "send_at",
                    "outside_broadcast_hours",
                    f"Zalo chỉ gửi thông báo trong khung {self.hours.label()} (giờ Việt Nam). "
                    f"Khung gần nhất: {_vn(slot)}.",
                    f"Broadcasts go out only {self.hours.label()} Vietnam time. Next slot: {_vn(slot)}.",
                    iso(slot) or "",
                )
            ]
        )

    @staticmethod
    def _wrong_state(a: Announcement, verb: str, verb_en: str) -> Refused:
        return Refused(
            409,
            "wrong_state",
            f"Không thể {verb} thông báo đang ở trạng thái '{STATE_NAMES.get(a.state, a.state)}'.",
            f"An announcement in state '{a.state}' cannot be {verb_en}.",
        )


STATE_NAMES = {
    "draft": "bản nháp",
    "scheduled": "đã lên lịch, chờ phê duyệt",
    "approved": "đã phê duyệt, chờ gửi",
    "sending": "đang gửi",
    "article_created": "đã tạo bài viết, đang gửi",
    "broadcasting": "đang phát",
    "sent": "đã gửi",
    "failed": "gửi không thành công",
    "cancelled": "đã hủy",
    "uncertain": "không rõ đã gửi hay chưa (kiểm tra trên Zalo OA)",
}


def iso(value: datetime | None) -> str | None:
    return value.astimezone(VIETNAM_TZ).isoformat() if value else None


def _vn(value: datetime) -> str:
    return value.astimezone(VIETNAM_TZ).strftime("%H:%M %d/%m/%Y")


def to_json(a: Announcement, approvals_required: int = 1) -> dict[str, Any]:
    """What officials see of an announcement (API answers), outcome included."""
    return {
        "id": a.announcement_id,
        "title": a.title,
        "summary": a.summary,
        "link": a.link,
        "cover_url": a.cover_url or None,
        "target": a.target,
        "send_at": iso(a.send_at),
        "state": a.state,
        "state_vi": STATE_NAMES.get(a.state, a.state),
        "author": a.author,
        "approvers": a.approvers,
        "approvals_missing": max(0, approvals_required - len(a.approvers)) if a.state == SCHEDULED else 0,
        "hold_reason": a.hold_reason or None,
        "next_attempt_at": iso(a.not_before),
        "created_at": iso(a.created_at),
        "outcome": {
            "sent_at": iso(a.sent_at),
            "zalo_message_id": a.zalo_message_id or None,
            "article_id": a.article_id or None,
            "error": a.error or None,
            # Zalo's broadcast answer carries only message_id (zalo-api.md §8): no recipient counts.
            "recipients": None,
        },
    }


def audit_json(entry: AuditEntry) -> dict[str, Any]:
    return {"at": iso(entry.at), "actor": entry.actor, "action": entry.action, "details": entry.details}
