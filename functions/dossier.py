"""The dossier as our domain sees it, independent of how MCĐT stores it.

MCĐT writes the national portal's field names (MaHoSo, TrangThaiHoSo, …, design.md §4); the DynamoDB
adapter maps them to this plain dataclass, so the domain never touches PynamoDB or raw items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")
PORTAL_DATE_FORMAT = "%Y%m%d%H%M%S"


def parse_portal_date(value: str | None) -> datetime | None:
    """`yyyyMMddHHmmss` in Vietnam time (the portal's format) → aware datetime; blank → None.

    Raises ValueError for anything else, so a malformed record is rejected with a reason.
    """
    if value is None or not str(value).strip():
        return None
    return datetime.strptime(str(value).strip(), PORTAL_DATE_FORMAT).replace(tzinfo=VIETNAM_TZ)


def format_portal_date(value: datetime) -> str:
    return value.astimezone(VIETNAM_TZ).strftime(PORTAL_DATE_FORMAT)


@dataclass(frozen=True)
class Dossier:
    """One administrative dossier (hồ sơ TTHC). Personal fields: applicant_name, phone."""

    code: str  # MaHoSo, e.g. 000.00.12.H46-240115-0003
    status: int  # TrangThaiHoSo, 1–10 (statuses.py)
    procedure_name: str = ""  # TenTTHC
    procedure_code: str = ""  # MaTTHC
    processing_unit: str = ""  # DonViXuLy
    applicant_name: str = ""  # ChuHoSo (personal data)
    phone: str = ""  # SoDienThoai as typed at the desk (personal data)
    notify_zalo: bool = False  # NhanThongBaoZalo: the desk's consent tick
    received_at: datetime | None = None  # NgayTiepNhan
    due_at: datetime | None = None  # NgayHenTra
    returned_at: datetime | None = None  # NgayTra
    note: str = ""  # GhiChu

    def is_overdue(self, now: datetime) -> bool:
        """'Trễ hạn' is derived, not a status: past the appointment and not finished (domain.md §2.1).

        Refused (3), withdrawn (7) and stopped (8) dossiers have no appointment left to miss. A finished
        one (9, 10) is late only if it was returned after the appointment; without NgayTra we cannot
        tell, and the time a result waits for its owner is not the agency's delay.
        """
        if self.due_at is None or self.status in (3, 7, 8):
            return False
        if self.status in (9, 10):
            return self.returned_at is not None and self.returned_at > self.due_at
        return now > self.due_at
