"""Officials' announcements: validate what an official typed and schedule it for the broadcaster.

Errors are returned in Vietnamese (officials read them) with a stable machine code beside each.
Times without a zone are Vietnam time, as officials think in it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from functions.dossier import VIETNAM_TZ
from functions.ports import Announcement, AnnouncementStore

TITLE_MAX = 150  # Zalo article title limit (conservative)
SUMMARY_MAX = 2000


@dataclass(frozen=True)
class ValidationProblem:
    field: str
    code: str
    message: str


class InvalidAnnouncement(ValueError):
    def __init__(self, problems: list[ValidationProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def _https(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme == "https" and bool(parsed.netloc)


def parse_send_at(value: Any, now: datetime) -> datetime | None:
    """ISO 8601; a time without zone is Vietnam time; missing → now."""
    if value in (None, ""):
        return now
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=VIETNAM_TZ)


def validate(data: dict[str, Any], now: datetime) -> tuple[dict[str, Any], list[ValidationProblem]]:
    problems: list[ValidationProblem] = []
    title, summary, link = _text(data, "title"), _text(data, "summary"), _text(data, "link")
    cover = _text(data, "cover_url")
    if not title:
        problems.append(ValidationProblem("title", "required", "Tiêu đề không được để trống."))
    elif len(title) > TITLE_MAX:
        problems.append(ValidationProblem("title", "too_long", f"Tiêu đề dài quá {TITLE_MAX} ký tự."))
    if not summary:
        problems.append(ValidationProblem("summary", "required", "Tóm tắt không được để trống."))
    elif len(summary) > SUMMARY_MAX:
        problems.append(ValidationProblem("summary", "too_long", f"Tóm tắt dài quá {SUMMARY_MAX} ký tự."))
    if not _https(link):
        problems.append(ValidationProblem("link", "not_https", "Liên kết phải là địa chỉ https://."))
    if cover and not _https(cover):
        problems.append(ValidationProblem("cover_url", "not_https", "Ảnh bìa phải là địa chỉ https://."))
    send_at = parse_send_at(data.get("send_at"), now)
    if send_at is None:
        problems.append(
            ValidationProblem("send_at", "bad_time", "Thời gian gửi không hợp lệ (ví dụ: 2026-12-01T08:00).")
        )
    clean = {"title": title, "summary": summary, "link": link, "cover_url": cover, "send_at": send_at}
    return clean, problems


class Announcements:
    def __init__(self, store: AnnouncementStore, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def schedule(self, data: dict[str, Any], author: str) -> Announcement:
        now = self.clock()
        clean, problems = validate(data, now)
        if problems:
            raise InvalidAnnouncement(problems)
        announcement = Announcement(
            announcement_id=uuid.uuid4().hex,
            title=clean["title"],
            summary=clean["summary"],
            link=clean["link"],
            cover_url=clean["cover_url"],
            send_at=clean["send_at"],
            author=author,
            created_at=now,
        )
        self.store.create(announcement)
        return announcement


def to_json(a: Announcement) -> dict[str, Any]:
    """What officials see of an announcement (API answers)."""

    def iso(value: datetime | None) -> str | None:
        return value.astimezone(VIETNAM_TZ).isoformat() if value else None

    return {
        "id": a.announcement_id,
        "title": a.title,
        "summary": a.summary,
        "link": a.link,
        "cover_url": a.cover_url,
        "send_at": iso(a.send_at),
        "state": a.state,
        "author": a.author,
        "article_id": a.article_id or None,
        "zalo_message_id": a.zalo_message_id or None,
        "error": a.error or None,
        "created_at": iso(a.created_at),
        "sent_at": iso(a.sent_at),
    }
