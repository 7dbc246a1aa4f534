"""What the receipt "Phiếu tiếp nhận hồ sơ và hẹn trả kết quả" prints (Mẫu số 01, domain.md §3.1), read
from a Dossiers item with the portal's attribute names (docs/mcdt-contract.md, receipt fields).

Reading is lenient on purpose: a receipt-only field that a vendor got wrong prints as a blank line to
fill in by hand, it never stops the desk from printing the receipt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from functions import phones
from functions.dossier import parse_portal_date


@dataclass(frozen=True)
class SubmittedDocument:
    name: str  # e.g. "Đơn đề nghị cấp giấy phép xây dựng"
    form: str = ""  # "Bản chính", "Bản sao", "Bản sao chứng thực"
    count: int = 1


@dataclass(frozen=True)
class Receipt:
    code: str  # MaHoSo
    procedure_name: str = ""  # TenTTHC: "Nội dung yêu cầu giải quyết"
    processing_unit: str = ""  # DonViXuLy
    receiving_agency: str = ""  # DonViTiepNhan (header), else DonViXuLy
    place: str = ""  # DiaDanh: "<địa danh>, ngày … tháng … năm …"
    applicant_name: str = ""  # ChuHoSo (personal data)
    address: str = ""  # DiaChi (personal data)
    phone: str = ""  # SoDienThoai for display (personal data)
    email: str = ""
    received_at: datetime | None = None
    due_at: datetime | None = None
    documents: tuple[SubmittedDocument, ...] = field(default_factory=tuple)
    sets: int = 1  # SoBoHoSo
    working_days: int | None = None  # SoNgayGiaiQuyet
    result_place: str = ""  # NoiNhanKetQua
    officer: str = ""  # NguoiTiepNhan
    receipt_number: str = ""  # SoBienNhan
    notify_zalo: bool = False


def from_item(item: Mapping[str, Any]) -> Receipt:
    """A Dossiers item (plain Python values, portal names) → Receipt."""

    def text(name: str) -> str:
        value = item.get(name)
        return str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""

    processing_unit = text("DonViXuLy")
    return Receipt(
        code=text("MaHoSo"),
        procedure_name=text("TenTTHC"),
        processing_unit=processing_unit,
        receiving_agency=text("DonViTiepNhan") or processing_unit,
        place=text("DiaDanh"),
        applicant_name=text("ChuHoSo"),
        address=text("DiaChi"),
        phone=phones.display(text("SoDienThoai")),
        email=text("Email"),
        received_at=_date(item.get("NgayTiepNhan")),
        due_at=_date(item.get("NgayHenTra")),
        documents=_documents(item.get("ThanhPhanHoSo")),
        sets=_count(item.get("SoBoHoSo")) or 1,
        working_days=_count(item.get("SoNgayGiaiQuyet")),
        result_place=text("NoiNhanKetQua"),
        officer=text("NguoiTiepNhan"),
        receipt_number=text("SoBienNhan"),
        notify_zalo=item.get("NhanThongBaoZalo") is True,
    )


def time_and_date(value: datetime | None) -> str:
    """The form's wording: '08 giờ 30 phút, ngày 15 tháng 01 năm 2024'."""
    if value is None:
        return "…… giờ …… phút, ngày …… tháng …… năm ……"
    return f"{value:%H} giờ {value:%M} phút, ngày {value:%d} tháng {value:%m} năm {value:%Y}"


def date_line(place: str, value: datetime | None) -> str:
    """'Quảng Phú, ngày 15 tháng 01 năm 2024' (the place is left out when unknown)."""
    when = f"ngày {value:%d} tháng {value:%m} năm {value:%Y}" if value else "ngày …… tháng …… năm ……"
    return f"{place}, {when}" if place else when.capitalize()


def _date(value: Any) -> datetime | None:
    try:
        return parse_portal_date(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _count(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 and not isinstance(value, bool) else None


def _documents(value: Any) -> tuple[SubmittedDocument, ...]:
    if not isinstance(value, list):
        return ()
    documents = []
    for entry in value:
        if isinstance(entry, Mapping) and str(entry.get("TenGiayTo") or "").strip():
            documents.append(
                SubmittedDocument(
                    name=str(entry["TenGiayTo"]).strip(),
                    form=str(entry.get("HinhThuc") or "").strip(),
                    count=_count(entry.get("SoLuong")) or 1,
                )
            )
    return tuple(documents)
