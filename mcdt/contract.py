"""The Dossiers contract (design.md §4, docs/mcdt-contract.md) as code: every attribute MCĐT may write,
and the validation that tells a vendor exactly what is wrong with a record, in Vietnamese and English.

A record comes in with the national portal's field names (`MaHoSo`, `TenTTHC`, …) as a JSON object or a
CSV row, so values may be strings where the table wants numbers or booleans. `validate` returns the
item to store (canonical code, E.164 phone when the citizen consented, ints, NFC text, blanks dropped)
or raises `InvalidDossier` listing every problem, not only the first.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from functions import dossier_code, phones, statuses
from functions.dossier import PORTAL_DATE_FORMAT

VERSION = "PhienBan"  # the optimistic-concurrency attribute (docs/mcdt-contract.md, "The version rule")
CODE = "MaHoSo"
STATUS = "TrangThaiHoSo"
CONSENT = "NhanThongBaoZalo"
PHONE = "SoDienThoai"

TEXT, NUMBER, BOOL, DATE, DOCUMENTS = "text", "number", "bool", "date", "documents"


@dataclass(frozen=True)
class Attribute:
    name: str
    kind: str
    meaning: str


# Order = the order of the contract's table. Required-ness is decided in `validate` (it depends on status).
ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(CODE, TEXT, "mã hồ sơ"),
    Attribute(STATUS, NUMBER, "trạng thái 1–10"),
    Attribute("TenTTHC", TEXT, "tên thủ tục"),
    Attribute("MaTTHC", TEXT, "mã thủ tục"),
    Attribute("DonViXuLy", TEXT, "đơn vị xử lý"),
    Attribute("ChuHoSo", TEXT, "chủ hồ sơ"),
    Attribute(PHONE, TEXT, "số điện thoại"),
    Attribute(CONSENT, BOOL, "đồng ý nhận thông báo qua Zalo"),
    Attribute("NgayTiepNhan", DATE, "ngày tiếp nhận"),
    Attribute("NgayHenTra", DATE, "ngày hẹn trả"),
    Attribute("NgayTra", DATE, "ngày trả kết quả"),
    Attribute("GhiChu", TEXT, "ghi chú"),
    Attribute(VERSION, NUMBER, "phiên bản"),
    # More DongBoHoSoMC fields, kept as sent.
    Attribute("SoBienNhan", TEXT, "số biên nhận"),
    Attribute("MaLinhVuc", TEXT, "mã lĩnh vực"),
    Attribute("TenLinhVuc", TEXT, "tên lĩnh vực"),
    Attribute("TrichYeuHoSo", TEXT, "trích yếu"),
    Attribute("Email", TEXT, "email"),
    Attribute("LoaiDoiTuong", TEXT, "loại đối tượng"),
    Attribute("HinhThuc", TEXT, "hình thức"),
    # Printed on the receipt (Mẫu số 01, domain.md §3.1); optional.
    Attribute("DonViTiepNhan", TEXT, "cơ quan tiếp nhận (đầu phiếu)"),
    Attribute("DiaDanh", TEXT, "địa danh (dòng ngày tháng)"),
    Attribute("DiaChi", TEXT, "địa chỉ người nộp"),
    Attribute("NguoiTiepNhan", TEXT, "người tiếp nhận"),
    Attribute("NoiNhanKetQua", TEXT, "nơi nhận kết quả"),
    Attribute("SoBoHoSo", NUMBER, "số lượng hồ sơ (bộ)"),
    Attribute("SoNgayGiaiQuyet", NUMBER, "số ngày làm việc giải quyết"),
    Attribute("ThanhPhanHoSo", DOCUMENTS, "thành phần hồ sơ"),
)
BY_NAME: dict[str, Attribute] = {a.name: a for a in ATTRIBUTES}
ALWAYS_REQUIRED = (CODE, STATUS, "TenTTHC", "DonViXuLy")
DATES_REQUIRED = ("NgayTiepNhan", "NgayHenTra")  # except for statuses 1 and 3: never received
NOT_RECEIVED = (1, 3)
_EXAMPLE = "000.00.12.H46-240115-0003"
_TRUE = {"1", "true", "yes", "y", "x", "có", "co", "đúng"}
_FALSE = {"0", "false", "no", "n", "không", "khong", "sai"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field: a machine code, and the explanation in both languages."""

    field: str
    code: str
    vi: str
    en: str

    def __str__(self) -> str:
        return f"{self.field}: {self.vi} / {self.en}"


class InvalidDossier(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def unknown_attributes(names: list[str] | tuple[str, ...]) -> list[str]:
    """Column or key names that are not in the contract (a typo such as `SoDienThoaii`, or a field
    we do not store): a whole file is refused for them unless the operator says to ignore them."""
    return [name for name in names if name and name not in BY_NAME]


def validate(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record with portal field names → the item to store; raises InvalidDossier with every problem."""
    problems: list[Problem] = []
    item: dict[str, Any] = {}
    for attribute in ATTRIBUTES:
        raw = record.get(attribute.name)
        if _blank(raw):
            continue
        try:
            item[attribute.name] = _READERS[attribute.kind](attribute.name, raw)
        except _Bad as bad:
            problems.append(bad.problem)
    _check_required(item, record, problems)
    _check_phone(item, problems)
    _check_date_order(item, problems)
    if problems:
        raise InvalidDossier(problems)
    item.setdefault(CONSENT, False)  # silence is not consent (NĐ 13/2023): no tick, no notices
    return item


def validate_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Some attributes on their own (a status change), each by the same rule as in a whole record."""
    problems: list[Problem] = []
    checked: dict[str, Any] = {}
    for name, raw in values.items():
        if _blank(raw):
            problems.append(_missing(name))
            continue
        try:
            checked[name] = _READERS[BY_NAME[name].kind](name, raw)
        except _Bad as bad:
            problems.append(bad.problem)
    if problems:
        raise InvalidDossier(problems)
    return checked


def without_version(item: Mapping[str, Any]) -> dict[str, Any]:
    """What a dossier says, ignoring when it was said: two items equal here are the same state."""
    return {k: v for k, v in item.items() if k != VERSION}


# ---- field readers --------------------------------------------------------------------------------
class _Bad(Exception):
    def __init__(self, field: str, code: str, vi: str, en: str) -> None:
        super().__init__(code)
        self.problem = Problem(field, code, vi, en)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(name: str, raw: Any) -> str:
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise _Bad(name, "not_text", "phải là chuỗi ký tự", "must be a string")
    text = unicodedata.normalize("NFC", str(raw)).strip()
    if name == CODE:
        parsed = dossier_code.parse(text)
        if parsed is None:
            raise _Bad(
                name,
                "bad_code",
                f"mã hồ sơ {text!r} không đúng dạng <mã cơ quan>-YYMMDD-XXXX (vd. {_EXAMPLE})",
                f"dossier code {text!r} is not <agency id>-YYMMDD-XXXX (e.g. {_EXAMPLE})",
            )
        return parsed.text
    return text


def _number(name: str, raw: Any) -> int:
    if name == STATUS:
        status = statuses.from_code(raw)
        if status is None:
            raise _Bad(
                name,
                "unknown_status",
                f"mã trạng thái {raw!r} không có; chỉ dùng 1–10 của Cổng DVCQG",
                f"unknown status code {raw!r}; use the national portal's 1–10",
            )
        return int(status)
    value = _whole(raw)
    if value is None or value < (1 if name == VERSION else 0):
        least = "1" if name == VERSION else "0"
        raise _Bad(
            name,
            "not_a_number",
            f"phải là số nguyên ≥ {least}, nhận được {raw!r}",
            f"must be a whole number ≥ {least}, got {raw!r}",
        )
    return value


def _whole(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    text = str(raw).strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _bool(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    word = unicodedata.normalize("NFC", str(raw)).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise _Bad(
        name,
        "not_boolean",
        f"phải là true/false (hoặc 1/0, có/không), nhận được {raw!r}",
        f"must be true/false (or 1/0), got {raw!r}",
    )


def _date(name: str, raw: Any) -> str:
    text = str(raw).strip()
    try:
        if len(text) != 14 or not text.isdigit():
            raise ValueError(text)
        datetime.strptime(text, PORTAL_DATE_FORMAT)
    except ValueError:
        raise _Bad(
            name,
            "bad_date",
            f"ngày {text!r} không đúng định dạng yyyyMMddHHmmss (ví dụ 20240115083000), giờ Việt Nam",
            f"date {text!r} is not yyyyMMddHHmmss (e.g. 20240115083000), Vietnam time",
        ) from None
    return text


def _documents(name: str, raw: Any) -> list[dict[str, Any]]:
    """ThanhPhanHoSo: a list of {TenGiayTo, HinhThuc, SoLuong}; in a CSV cell, the same list as JSON."""
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = None
    bad = _Bad(
        name,
        "bad_documents",
        'phải là danh sách JSON [{"TenGiayTo": "…", "HinhThuc": "Bản chính", "SoLuong": 1}]',
        'must be a JSON list [{"TenGiayTo": "…", "HinhThuc": "Bản chính", "SoLuong": 1}]',
    )
    if not isinstance(value, list) or not all(isinstance(d, dict) and d.get("TenGiayTo") for d in value):
        raise bad
    documents = []
    for entry in value:
        count = _whole(entry.get("SoLuong", 1))
        if count is None or count < 1:
            raise bad
        documents.append(
            {
                "TenGiayTo": unicodedata.normalize("NFC", str(entry["TenGiayTo"])).strip(),
                "HinhThuc": unicodedata.normalize("NFC", str(entry.get("HinhThuc") or "")).strip(),
                "SoLuong": count,
            }
        )
    return documents


_READERS = {TEXT: _text, NUMBER: _number, BOOL: _bool, DATE: _date, DOCUMENTS: _documents}


# ---- rules across fields --------------------------------------------------------------------------
def _check_required(item: dict[str, Any], record: Mapping[str, Any], problems: list[Problem]) -> None:
    required = list(ALWAYS_REQUIRED)
    if item.get(STATUS) not in NOT_RECEIVED:
        required += DATES_REQUIRED
    if item.get(CONSENT):
        required.append(PHONE)
    already = {p.field for p in problems}
    for name in required:
        if name not in item and name not in already and _blank(record.get(name)):
            problems.append(_missing(name))


def _missing(name: str) -> Problem:
    return Problem(name, "missing", f"thiếu trường bắt buộc {name}", f"required field {name} is missing")


def _check_phone(item: dict[str, Any], problems: list[Problem]) -> None:
    """With the consent tick the phone is where notices go: it must be a VN mobile, stored as E.164.
    Without it the phone is only a contact (a landline is fine) and is kept as typed."""
    if not item.get(CONSENT) or PHONE not in item:
        return
    try:
        item[PHONE] = phones.normalise(item[PHONE])
    except phones.InvalidPhone as exc:
        why = _PHONE_REASONS.get(exc.reason, _PHONE_REASONS["invalid"])
        problems.append(
            Problem(
                PHONE,
                f"phone_{exc.reason}",
                f"số {item[PHONE]!r} không nhận được Zalo: {why[0]}",
                f"{item[PHONE]!r} cannot receive Zalo notices: {why[1]}",
            )
        )


_PHONE_REASONS = {
    "empty": ("trống", "empty"),
    "not_a_number": ("không phải số điện thoại", "not a phone number"),
    "not_vietnamese": ("không phải số Việt Nam", "not a Vietnamese number"),
    "invalid": ("sai độ dài hoặc đầu số không tồn tại", "wrong length or unallocated prefix"),
    "not_mobile": ("không phải số di động", "not a mobile number"),
}


def _check_date_order(item: dict[str, Any], problems: list[Problem]) -> None:
    received = item.get("NgayTiepNhan")
    for later in ("NgayHenTra", "NgayTra"):
        if received and item.get(later) and item[later] < received:  # same fixed-width format: sortable
            problems.append(
                Problem(
                    later,
                    "before_received",
                    f"{later} ({item[later]}) sớm hơn NgayTiepNhan ({received})",
                    f"{later} ({item[later]}) is before NgayTiepNhan ({received})",
                )
            )
