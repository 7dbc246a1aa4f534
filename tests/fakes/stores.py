"""In-memory stand-ins for the DynamoDB/SQS adapters, with the same conditional-write semantics."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from functions.dossier import Dossier
from functions.ports import Announcement, Citizen, Notice, PhoneDossier

_CLAIMABLE = ("pending", "failed_temporary")
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
        found = self.items.get(user_id)
        return replace(found) if found else None  # a snapshot, as a database read would be

    def _citizen(self, user_id: str) -> Citizen:
        return self.items.setdefault(user_id, Citizen(user_id))

    def record_interaction(self, user_id: str, at: datetime) -> None:
        self._citizen(user_id).last_interaction_at = at

    def by_phone(self, phone: str) -> list[Citizen]:
        return [replace(c) for c in self.items.values() if c.phone == phone] if phone else []

    def set_following(self, user_id: str, following: bool, at: datetime) -> None:
        self._citizen(user_id).following = following

    def link_phone(self, user_id: str, phone: str, at: datetime) -> None:
        citizen = self._citizen(user_id)
        citizen.phone, citizen.phone_linked_at = phone, at

    def set_opt_outs(
        self, user_id: str, opted_out: bool, opted_out_codes: frozenset[str], at: datetime
    ) -> None:
        citizen = self._citizen(user_id)
        citizen.opted_out, citizen.opted_out_codes = opted_out, frozenset(opted_out_codes)

    def unlink_phone(self, user_id: str, at: datetime) -> None:
        citizen = self._citizen(user_id)
        citizen.phone, citizen.phone_linked_at = "", None
        citizen.opted_out, citizen.opted_out_codes = False, frozenset()

    def set_welcome_pending(self, user_id: str, pending: bool, at: datetime) -> None:
        self._citizen(user_id).welcome_pending = pending


class FakePhoneDossiers:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], PhoneDossier] = {}

    def put(self, entry: PhoneDossier) -> None:
        self.items[(entry.phone, entry.dossier_code)] = entry

    def remove(self, phone: str, dossier_code: str) -> None:
        self.items.pop((phone, dossier_code), None)

    def for_phone(self, phone: str) -> list[PhoneDossier]:
        found = [e for (p, _), e in self.items.items() if p == phone]
        return sorted(found, key=lambda e: e.updated_at, reverse=True)


class FakeOutbox:
    def __init__(self, lease_seconds: int = 120) -> None:
        self.items: dict[str, Notice] = {}
        self.leases: dict[str, datetime] = {}
        self.lease_seconds = lease_seconds
        self._lock = threading.Lock()

    def create_if_absent(self, notice: Notice) -> bool:
        with self._lock:
            if notice.notice_id in self.items:
                return False
            self.items[notice.notice_id] = replace(notice)
            return True

    def claim_for_sending(self, notice_id: str, now: datetime) -> Notice | None:
        with self._lock:
            notice = self.items.get(notice_id)
            if notice is None:
                return None
            expired = notice.state == "sending" and self.leases.get(notice_id, now) < now
            if notice.state not in _CLAIMABLE and not expired:
                return None
            notice.state, notice.attempts = "sending", notice.attempts + 1
            self.leases[notice_id] = now + timedelta(seconds=self.lease_seconds)
            return replace(notice)

    def finish(self, notice_id: str, state: str, now: datetime, **fields: Any) -> None:
        with self._lock:
            notice = self.items[notice_id]
            notice.state, notice.updated_at = state, now
            for name, value in fields.items():
                setattr(notice, name, value)

    def mark_delivered(self, notice_id: str, now: datetime) -> bool:
        with self._lock:
            notice = self.items.get(notice_id)
            if notice is None or notice.state not in ("sent", "sending", "delivered"):
                return False
            notice.state = "delivered"
            return True

    def by_dossier(self, dossier_code: str) -> list[Notice]:
        return [n for n in self.items.values() if n.dossier_code == dossier_code]


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
