"""Turn MCĐT's Dossiers records (table items or stream images) into `Dossier`, validating them.

A record that breaks the contract raises `InvalidRecord` with a reason an operator can act on;
the stream handler records it and moves on, so one bad write never blocks the stream.
"""

from __future__ import annotations

from typing import Any

from functions.dossier import Dossier, format_portal_date, parse_portal_date
from functions.models import DossierModel


class InvalidRecord(ValueError):
    """A Dossiers record that breaks the MCĐT contract (design.md §4)."""


def from_model(item: DossierModel) -> Dossier:
    try:
        return Dossier(
            code=item.code,
            status=int(item.status),
            procedure_name=item.procedure_name or "",
            procedure_code=item.procedure_code or "",
            processing_unit=item.processing_unit or "",
            applicant_name=item.applicant_name or "",
            phone=item.phone or "",
            notify_zalo=bool(item.notify_zalo),
            received_at=parse_portal_date(item.received_at),
            due_at=parse_portal_date(item.due_at),
            returned_at=parse_portal_date(item.returned_at),
            note=item.note or "",
        )
    except (TypeError, ValueError) as exc:
        raise InvalidRecord(f"bad field value: {exc}") from exc


def from_stream_image(image: dict[str, Any]) -> Dossier:
    """A stream record's NewImage/OldImage (DynamoDB JSON) → Dossier."""
    if "MaHoSo" not in image:
        raise InvalidRecord("missing MaHoSo")
    if "TrangThaiHoSo" not in image:
        raise InvalidRecord("missing TrangThaiHoSo")
    try:
        item = DossierModel.from_raw_data(image)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidRecord(f"cannot read record: {type(exc).__name__}") from exc
    return from_model(item)


def to_model(dossier: Dossier) -> DossierModel:
    """Dossier → table item, as MCĐT would write it (seed data, tests)."""

    def date(value: Any) -> str | None:
        return format_portal_date(value) if value is not None else None

    return DossierModel(
        code=dossier.code,
        status=dossier.status,
        procedure_name=dossier.procedure_name or None,
        procedure_code=dossier.procedure_code or None,
        processing_unit=dossier.processing_unit or None,
        applicant_name=dossier.applicant_name or None,
        phone=dossier.phone or None,
        notify_zalo=dossier.notify_zalo,
        received_at=date(dossier.received_at),
        due_at=date(dossier.due_at),
        returned_at=date(dossier.returned_at),
        note=dossier.note or None,
    )
