"""In-memory stand-ins for the DynamoDB/SQS adapters, with the same conditional-write semantics."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from functions import rate_limit
from functions.dossier import Dossier
from functions.notice_policy import DELIVERED, RECEIPT_SETTLES, REDRIVABLE, SENDING
from functions.ports import (
    BROADCASTER_STATES,
    Announcement,
    AuditEntry,
    Citizen,
    LookupAllowance,
    Notice,
    PhoneDossier,
    ReplyClaim,
)

_CLAIMABLE = ("pending", "failed_temporary")


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
    """The announcements table's conditional writes: version checks, claims with leases."""

    def __init__(self) -> None:
        self.items: dict[str, Announcement] = {}
        self.claims: dict[str, tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    def create(self, announcement: Announcement) -> None:
        with self._lock:
            assert announcement.announcement_id not in self.items
            self.items[announcement.announcement_id] = replace(announcement)

    def get(self, announcement_id: str) -> Announcement | None:
        found = self.items.get(announcement_id)
        return replace(found, approvers=list(found.approvers)) if found else None

    def list(self, state: str | None = None) -> list[Announcement]:
        found = [replace(a) for a in self.items.values() if state in (None, a.state)]
        return sorted(found, key=lambda a: a.created_at or datetime.min, reverse=True)

    def due(self, now: datetime) -> list[Announcement]:
        found = [
            replace(a)
            for a in self.items.values()
            if a.state in BROADCASTER_STATES and a.send_at is not None and a.send_at <= now
        ]
        return sorted(found, key=lambda a: a.send_at or now)

    def _held_by_other(self, announcement_id: str, run_id: str, now: datetime) -> bool:
        holder = self.claims.get(announcement_id)
        return bool(holder and holder[0] != run_id and holder[1] >= now)

    def update_if_unchanged(self, announcement: Announcement, now: datetime) -> bool:
        with self._lock:
            stored = self.items[announcement.announcement_id]
            if stored.version != announcement.version or self._held_by_other(stored.announcement_id, "", now):
                return False
            announcement.version += 1
            announcement.updated_at = now
            self.items[announcement.announcement_id] = replace(
                announcement, approvers=list(announcement.approvers)
            )
            return True

    def claim(
        self, announcement_id: str, run_id: str, now: datetime, lease_seconds: int
    ) -> Announcement | None:
        with self._lock:
            stored = self.items[announcement_id]
            if stored.state not in BROADCASTER_STATES or stored.send_at is None or stored.send_at > now:
                return None
            if (stored.not_before and stored.not_before > now) or self._held_by_other(
                announcement_id, run_id, now
            ):
                return None
            self.claims[announcement_id] = (run_id, now + timedelta(seconds=lease_seconds))
            stored.version += 1
            return replace(stored)

    def save_progress(self, announcement: Announcement, run_id: str, release: bool = False) -> bool:
        with self._lock:
            holder = self.claims.get(announcement.announcement_id)
            if holder is None or holder[0] != run_id:
                return False
            announcement.version += 1
            self.items[announcement.announcement_id] = replace(announcement)
            if release:
                self.claims.pop(announcement.announcement_id, None)
            return True


class FakeAuditLog:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    def for_announcement(self, announcement_id: str) -> list[AuditEntry]:
        return [e for e in self.entries if e.announcement_id == announcement_id]

    def actions(self, announcement_id: str) -> list[tuple[str, str]]:
        return [(e.actor, e.action) for e in self.for_announcement(announcement_id)]


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


_REPLY_DONE = ("sent", "failed_permanent", "failed_final")


class FakeReplyLog:
    """ports.ReplyLog with DynamoReplyLog's conditional claim (and a lease that a test's clock ends)."""

    def __init__(self, lease_seconds: int = 90) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.lease_seconds = lease_seconds
        self._lock = threading.Lock()

    def claim(self, reply_id: str, kind: str, now: datetime) -> ReplyClaim:
        with self._lock:
            item = self.items.get(reply_id)
            if item is not None:
                expired = item["state"] == "sending" and item["lease_until"] < now
                if item["state"] in _REPLY_DONE:
                    return ReplyClaim("done")
                if item["state"] != "failed_temporary" and not expired:
                    return ReplyClaim("busy")
            item = self.items.setdefault(reply_id, {"attempts": 0, "error_code": 0, "zalo_msg_id": ""})
            item.update(kind=kind, state="sending", attempts=item["attempts"] + 1)
            item["lease_until"] = now + timedelta(seconds=self.lease_seconds)
            return ReplyClaim("claimed", item["attempts"])

    def finish(
        self, reply_id: str, state: str, now: datetime, error_code: int = 0, zalo_msg_id: str = ""
    ) -> None:
        with self._lock:
            self.items[reply_id].update(state=state, error_code=error_code, zalo_msg_id=zalo_msg_id)

    def states(self) -> dict[str, str]:
        return {reply_id: item["state"] for reply_id, item in self.items.items()}


class FakeLookupLimiter:
    """ports.LookupLimiter with DynamoLookupLimiter's counting (rate_limit.py does the arithmetic)."""

    def __init__(self, limit: int = 20, window_seconds: int = 600) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self.buckets: dict[str, dict[str, Any]] = {}

    def take(self, user_id: str, event_key: str, count: int, now: datetime) -> LookupAllowance:
        key = rate_limit.bucket_key(user_id, now, self.window_seconds)
        bucket = self.buckets.setdefault(key, {"hits": 0, "events": set(), "notified_by": None})
        if event_key not in bucket["events"]:
            bucket["hits"] += count
            bucket["events"].add(event_key)
        allowed = rate_limit.allowed_of(count, bucket["hits"], self.limit)
        if allowed >= count:
            return LookupAllowance(allowed)
        if bucket["notified_by"] in (None, event_key):
            bucket["notified_by"] = event_key
            return LookupAllowance(allowed, tell_user=True)
        return LookupAllowance(allowed)
