"""In-memory stand-ins for the DynamoDB/SQS adapters, with the same conditional-write semantics."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from functions.dossier import Dossier
from functions.notice_policy import DELIVERED, RECEIPT_SETTLES, REDRIVABLE, SENDING
from functions.ports import Announcement, Citizen, Notice

_OPEN = ("scheduled", "sending", "article_created")


class FakeDossiers:
    def __init__(self, *dossiers: Dossier) -> None:
        self.items = {d.code: d for d in dossiers}

    def get(self, code: str) -> Dossier | None:
        return self.items.get(code)


class FakeCitizens:
    def __init__(self) -> None:
        self.items: dict[str, Citizen] = {}

    def get(self, user_id: str) -> Citizen | None:
        return self.items.get(user_id)

    def _citizen(self, user_id: str) -> Citizen:
        return self.items.setdefault(user_id, Citizen(user_id))

    def record_interaction(self, user_id: str, at: datetime) -> None:
        self._citizen(user_id).last_interaction_at = at

    def by_phone(self, phone: str) -> list[Citizen]:
        return [c for c in self.items.values() if c.phone == phone] if phone else []

    def set_following(self, user_id: str, following: bool, at: datetime) -> None:
        self._citizen(user_id).following = following


class FakeOutbox:
    """The outbox's conditional writes (DynamoOutbox) over a dict, under one lock."""

    def __init__(self) -> None:
        self.items: dict[str, Notice] = {}
        self._lock = threading.Lock()
        self.writes = 0

    def create_if_absent(self, notice: Notice) -> bool:
        with self._lock:
            if notice.notice_id in self.items:
                return False
            self.writes += 1
            self.items[notice.notice_id] = replace(notice, updated_at=notice.created_at)
            return True

    def get(self, notice_id: str) -> Notice | None:
        found = self.items.get(notice_id)
        return replace(found) if found else None

    def claim(self, notice_id: str, claim_id: str, now: datetime, lease_until: datetime) -> Notice | None:
        with self._lock:
            notice = self.items.get(notice_id)
            due = notice is not None and notice.next_attempt_at is not None and notice.next_attempt_at <= now
            if notice is None or notice.state not in REDRIVABLE or not due:
                return None
            self.writes += 1
            notice.state, notice.attempts, notice.claim_id = SENDING, notice.attempts + 1, claim_id
            notice.next_attempt_at, notice.updated_at = lease_until, now
            return replace(notice)

    def finish(self, notice_id: str, claim_id: str, state: str, now: datetime, **fields: Any) -> bool:
        with self._lock:
            notice = self.items[notice_id]
            if notice.state != SENDING or notice.claim_id != claim_id:
                return False
            self.writes += 1
            notice.state, notice.updated_at, notice.claim_id = state, now, ""
            notice.next_attempt_at = None
            for name, value in fields.items():
                setattr(notice, name, "" if value is None and name == "error" else value)
            return True

    def mark_delivered(self, notice_id: str, now: datetime, delivered_at: datetime | None = None) -> bool:
        with self._lock:
            notice = self.items.get(notice_id)
            if notice is None or notice.state not in RECEIPT_SETTLES:
                return False
            self.writes += 1
            notice.state, notice.delivered_at, notice.updated_at = DELIVERED, delivered_at or now, now
            notice.next_attempt_at, notice.claim_id = None, ""
            return True

    def by_dossier(self, dossier_code: str) -> list[Notice]:
        return [replace(n) for n in self.items.values() if n.dossier_code == dossier_code]

    def due(self, now: datetime, limit: int) -> list[str]:
        with self._lock:
            ready = [
                (n.next_attempt_at, n.notice_id)
                for n in self.items.values()
                if n.state in REDRIVABLE and n.next_attempt_at is not None and n.next_attempt_at <= now
            ]
        return [nid for _, nid in sorted(ready)[:limit]]


class FakeAnnouncements:
    def __init__(self) -> None:
        self.items: dict[str, Announcement] = {}
        self.claims: dict[str, tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    def create(self, announcement: Announcement) -> None:
        self.items[announcement.announcement_id] = replace(announcement)

    def get(self, announcement_id: str) -> Announcement | None:
        found = self.items.get(announcement_id)
        return replace(found) if found else None

    def list_all(self) -> list[Announcement]:
        return [replace(a) for a in self.items.values()]

    def due(self, now: datetime) -> list[Announcement]:
        return [replace(a) for a in self.items.values() if a.state in _OPEN and a.send_at <= now]

    def claim(self, announcement_id: str, run_id: str, now: datetime, lease_seconds: int) -> bool:
        with self._lock:
            holder = self.claims.get(announcement_id)
            if self.items[announcement_id].state not in _OPEN:
                return False
            if holder and holder[0] != run_id and holder[1] >= now:
                return False
            self.claims[announcement_id] = (run_id, now + timedelta(seconds=lease_seconds))
            return True

    def save_progress(self, announcement: Announcement) -> None:
        self.items[announcement.announcement_id] = replace(announcement)
        if announcement.state not in _OPEN:
            self.claims.pop(announcement.announcement_id, None)

    def release(self, announcement_id: str) -> None:
        self.claims.pop(announcement_id, None)


class FakeDeduplicator:
    def __init__(self) -> None:
        self.seen: set[str] = set()

    def first_time(self, event_key: str, event_name: str, now: datetime) -> bool:
        if event_key in self.seen:
            return False
        self.seen.add(event_key)
        return True

    def forget(self, event_key: str) -> None:
        self.seen.discard(event_key)


class FakeQueue:
    def __init__(self, fail: bool = False) -> None:
        self.bodies: list[str] = []
        self.fail = fail

    def send(self, body: str) -> None:
        if self.fail:
            raise ConnectionError("queue unavailable")
        self.bodies.append(body)
