"""Keeps our phone → open dossiers projection in step with MCĐT's Dossiers table, from its stream.

"Hồ sơ của tôi" needs the dossiers of one phone, but MCĐT stores the phone as the desk typed it
(`0912 345 678`, `+84 912…`, an 11-digit pre-2018 number), which no DynamoDB query can match. So
every stream record is projected here under the E.164 form of its phone: written while the dossier
is open, deleted when it closes, moved when the desk corrects the phone, deleted on REMOVE.

Applying a record is idempotent (a put or a delete of one key), so the stream's redeliveries and
retried batches do no harm. It must never hold up status notices: `apply_records` logs a failure
with the dossier code and carries on; `rebuild` re-projects from the table when needed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from functions.dossier import Dossier
from functions.dossier_records import InvalidRecord, from_stream_image
from functions.logs import get_logger, log
from functions.phones import InvalidPhone, normalise
from functions.ports import PhoneDossier, PhoneDossierIndex
from functions.statuses import DossierStatus, from_code

logger = get_logger("phone_index")


def is_open(status: int) -> bool:
    """Listed under the citizen's phone: still in progress, or its result waits at the desk (9).

    Returned (10), refused (3), withdrawn (7) and stopped (8) dossiers are closed. A status we do not
    know stays listed: better shown than silently dropped.
    """
    known = from_code(status)
    return known is None or known == DossierStatus.DA_XU_LY_XONG or not known.is_finished


def phone_of(dossier: Dossier | None) -> str:
    """The dossier's phone in E.164, or "" when it has none we can use."""
    if dossier is None or not dossier.phone:
        return ""
    try:
        return normalise(dossier.phone)
    except InvalidPhone:
        return ""


class PhoneIndexer:
    def __init__(self, index: PhoneDossierIndex, clock: Callable[[], datetime]) -> None:
        self.index = index
        self.clock = clock

    def apply_records(self, records: Iterable[dict[str, Any]]) -> dict[str, int]:
        """Lambda-shaped stream records, in order. Never raises: notices must not wait on this."""
        counts: dict[str, int] = {}
        for record in records:
            outcome = self._apply_safely(record)
            counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    def apply(
        self, event_name: str, old_image: dict[str, Any] | None, new_image: dict[str, Any] | None
    ) -> str:
        """One change: remove the entry under the old phone if it moved, then put or remove the new."""
        old = _dossier(old_image)
        new = _dossier(new_image) if event_name != "REMOVE" else None
        old_phone, new_phone = phone_of(old), phone_of(new)
        outcome = "unchanged"
        if old is not None and old_phone and old_phone != new_phone:
            self.index.remove(old_phone, old.code)
            outcome = "removed"
        if new is not None and new_phone:
            if is_open(new.status):
                self.index.put(PhoneDossier(new_phone, new.code, new.status, self.clock()))
                outcome = "listed"
            else:
                self.index.remove(new_phone, new.code)
                outcome = "closed"
        return outcome

    def rebuild(self, dossiers: Iterable[Dossier]) -> dict[str, int]:
        """Re-project existing dossiers (first deployment, or after failures): open ones are listed,
        closed ones removed. Returns counts of "listed", "closed" and "no_phone"."""
        counts = {"listed": 0, "closed": 0, "no_phone": 0}
        for dossier in dossiers:
            phone = phone_of(dossier)
            if not phone:
                counts["no_phone"] += 1
            elif is_open(dossier.status):
                self.index.put(PhoneDossier(phone, dossier.code, dossier.status, self.clock()))
                counts["listed"] += 1
            else:
                self.index.remove(phone, dossier.code)
                counts["closed"] += 1
        return counts

    def _apply_safely(self, record: dict[str, Any]) -> str:
        ddb = record.get("dynamodb") or {}
        code = str(((ddb.get("Keys") or {}).get("MaHoSo") or {}).get("S", ""))
        try:
            return self.apply(str(record.get("eventName", "")), ddb.get("OldImage"), ddb.get("NewImage"))
        except Exception as exc:  # a failure here must not block the notifier that runs after it
            log(logger, logging.ERROR, "phone index not updated", dossier=code, error=type(exc).__name__)
            return "failed"


def _dossier(image: dict[str, Any] | None) -> Dossier | None:
    if not image:
        return None
    try:
        return from_stream_image(image)
    except InvalidRecord:
        return None
