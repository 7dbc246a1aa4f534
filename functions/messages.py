"""Every text a citizen reads, in Vietnamese (design.md §1, domain.md §4 suggested wording).

Pure functions from domain values to strings, so wording is reviewed in one place and tested
without Zalo. Limits that Zalo enforces are enforced here: a CS text message is at most 2,000
characters (zalo-api.md §2.2), ZBS template parameters have their own caps (§3). Everything is
NFC-normalised: MCĐT may hand us decomposed Vietnamese, and Zalo counts characters.
Personal data is minimised (domain.md §6): the applicant's name is masked, phones never appear.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from functions import privacy
from functions.dossier import VIETNAM_TZ, Dossier
from functions.statuses import DossierStatus, from_code

TEXT_MAX = 2000  # Zalo CS text message
EXAMPLE_CODE = "000.00.12.H46-240115-0003"
ELLIPSIS = "…"

# ZBS template parameters of the status notice template and their maximum lengths.
NOTICE_LIMITS: dict[str, int] = {
    "ma_ho_so": 30,
    "ten_thu_tuc": 100,
    "trang_thai": 30,
    "ngay_hen_tra": 20,
    "ghi_chu": 100,
}

# Free fields are capped before assembling, so one huge field cannot push out the others.
_FIELD_MAX = {"code": 40, "procedure": 300, "unit": 200, "name": 80, "url": 300}
_NOTE_MAX = 800
_UNKNOWN_STATUS_SHORT = "Đang cập nhật"
_UNKNOWN_STATUS = "Trạng thái hồ sơ đang được cập nhật."

_SPACES = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


def lookup_reply(dossier: Dossier, now: datetime, status_url: str) -> str:
    """The status card sent in reply to a code: what, where, when, which state, what to do next.

    The desk's note is the only field that can be long; it gets what the 2,000 characters leave.
    """
    head = [*_card_head(dossier), *_status_lines(dossier)]
    tail = _follow_up_lines(dossier, now)
    if status_url.strip():
        tail.append(f"Xem chi tiết: {_line(status_url, _FIELD_MAX['url'])}")
    note = _note_text(dossier)
    if note:
        room = TEXT_MAX - len("\n".join([*head, *tail])) - 1
        head.append(_truncate(note, min(_NOTE_MAX, room)))
    return _finish("\n".join([*head, *tail]), TEXT_MAX)


def unknown_code_reply(code: str, example_code: str = EXAMPLE_CODE) -> str:
    """No dossier with that code. Says nothing else: whether a code exists is all a stranger learns."""
    return _finish(
        f"Không tìm thấy hồ sơ có mã {_line(code, _FIELD_MAX['code'])}.\n"
        "Ông/Bà vui lòng kiểm tra lại mã hồ sơ in trên Phiếu tiếp nhận hồ sơ và hẹn trả kết quả. "
        f"Mã hồ sơ có dạng {example_code}: mã cơ quan tiếp nhận, ngày tiếp nhận (năm, tháng, ngày) "
        "và số thứ tự.\n"
        "Hồ sơ vừa nộp có thể cần một thời gian để được cập nhật trên hệ thống."
    )


def howto_reply(example_code: str = EXAMPLE_CODE) -> str:
    """The answer to a message with no dossier code in it."""
    return _finish(
        "Để tra cứu tình trạng hồ sơ, Ông/Bà vui lòng gửi mã hồ sơ in trên Phiếu tiếp nhận hồ sơ "
        f"và hẹn trả kết quả, ví dụ:\n{example_code}\n"
        "Ông/Bà cũng có thể dùng Zalo quét mã QR in ở góc trên bên trái phiếu tiếp nhận."
    )


def too_many_codes_note(limit: int) -> str:
    """Sent alongside the answers when a message held more codes than we look up at once."""
    return _finish(
        f"Ông/Bà đã gửi nhiều hơn {limit} mã hồ sơ. Hệ thống chỉ tra cứu {limit} mã đầu tiên; "
        "vui lòng gửi các mã còn lại trong tin nhắn khác."
    )


def lookup_limit_reply(limit: int, window_minutes: int) -> str:
    """Sent once per window to a citizen who looked up more dossiers than the limit allows."""
    return _finish(
        f"Ông/Bà đã tra cứu {limit} lượt trong {window_minutes} phút vừa qua. Để bảo vệ thông tin hồ sơ "
        "của người dân, hệ thống tạm dừng tra cứu cho tài khoản này trong ít phút. "
        "Ông/Bà vui lòng thử lại sau. Xin cảm ơn!"
    )


def welcome_reply(province_name: str, example_code: str = EXAMPLE_CODE) -> str:
    """After a follow. `province_name` as configured, e.g. "tỉnh Quảng Trị" (config.PROVINCE_NAME)."""
    return _finish(
        f"Cảm ơn Ông/Bà đã quan tâm Dịch vụ công {_line(province_name, 100)}.\n"
        "Tại đây Ông/Bà có thể tra cứu tình trạng hồ sơ thủ tục hành chính: gửi mã hồ sơ in trên "
        f"Phiếu tiếp nhận hồ sơ và hẹn trả kết quả (ví dụ {example_code}) hoặc quét mã QR trên phiếu.\n"
        "Nếu đã đăng ký nhận thông báo qua Zalo khi nộp hồ sơ, Ông/Bà sẽ nhận được tin nhắn mỗi khi "
        "hồ sơ thay đổi trạng thái."
    )


def status_notice_data(dossier: Dossier) -> dict[str, str]:
    """`template_data` of the ZBS status notice: every value a string within its parameter's limit."""
    status = from_code(dossier.status)
    note = dossier.note if status is not None and status.needs_citizen_action else ""
    values = {
        "ma_ho_so": dossier.code,
        "ten_thu_tuc": dossier.procedure_name,
        "trang_thai": status.short_label if status else _UNKNOWN_STATUS_SHORT,
        "ngay_hen_tra": _format_date(dossier.due_at, with_time=False),
        "ghi_chu": note,
    }
    return {key: _line(value, NOTICE_LIMITS[key]) for key, value in values.items()}


def format_when(value: datetime | None) -> str:
    """`dd/mm/yyyy`, plus ` lúc HH:MM` when the time is not midnight, in Vietnam time; "" for None."""
    return _format_date(value, with_time=True)


# --- the status card ---------------------------------------------------------------------------


def _card_head(dossier: Dossier) -> list[str]:
    """Identity of the dossier: code, procedure, owner (masked), unit, dates."""
    lines = [f"Hồ sơ {_line(dossier.code, _FIELD_MAX['code'])}"]
    optional = [
        ("Thủ tục", _line(dossier.procedure_name, _FIELD_MAX["procedure"])),
        ("Chủ hồ sơ", _line(privacy.mask_name(dossier.applicant_name), _FIELD_MAX["name"])),
        ("Đơn vị giải quyết", _line(dossier.processing_unit, _FIELD_MAX["unit"])),
        ("Ngày tiếp nhận", format_when(dossier.received_at)),
        ("Ngày hẹn trả", format_when(dossier.due_at)),
    ]
    if from_code(dossier.status) == DossierStatus.DA_TRA_KET_QUA:
        optional.append(("Ngày trả kết quả", format_when(dossier.returned_at)))
    lines += [f"{title}: {value}" for title, value in optional if value]
    return lines


def _status_lines(dossier: Dossier) -> list[str]:
    """The current state, officially named and then in plain words."""
    status = from_code(dossier.status)
    if status is None:
        return [_UNKNOWN_STATUS]
    return [f"Trạng thái: {status.label}", status.explain]


def _follow_up_lines(dossier: Dossier, now: datetime) -> list[str]:
    """The overdue flag, and where to collect a ready result."""
    status = from_code(dossier.status)
    lines: list[str] = []
    if dossier.is_overdue(now):
        finished = status is not None and status.has_result
        lines.append(
            "Trễ hạn: hồ sơ được giải quyết sau ngày hẹn trả."
            if finished
            else "Trễ hạn: hồ sơ đã quá ngày hẹn trả."
        )
    if status == DossierStatus.DA_XU_LY_XONG:
        place = _line(dossier.processing_unit, _FIELD_MAX["unit"]) or "nơi đã nộp hồ sơ"
        lines.append(
            f"Nơi nhận kết quả: {place}. Khi đến nhận, Ông/Bà vui lòng mang theo phiếu tiếp nhận "
            "và giấy tờ tùy thân."
        )
    return lines


def _note_text(dossier: Dossier) -> str:
    """What the agency asks for (5: documents, 6: fees), with the desk's note when there is one."""
    status = from_code(dossier.status)
    if status is None or not status.needs_citizen_action:
        return ""
    note = _paragraph(dossier.note)
    asking_documents = status == DossierStatus.YEU_CAU_BO_SUNG
    if not note:
        if asking_documents:
            return "Ông/Bà vui lòng liên hệ đơn vị giải quyết để biết giấy tờ cần bổ sung."
        return "Ông/Bà vui lòng liên hệ đơn vị giải quyết để biết khoản phí, lệ phí hoặc thuế cần nộp."
    title = "Giấy tờ cần bổ sung" if asking_documents else "Nội dung cần nộp"
    separator = ":\n" if "\n" in note else ": "  # a numbered list starts on its own line
    return f"{title}{separator}{note}"


# --- text hygiene --------------------------------------------------------------------------------


def _format_date(value: datetime | None, with_time: bool) -> str:
    if value is None:
        return ""
    local = value.replace(tzinfo=VIETNAM_TZ) if value.tzinfo is None else value.astimezone(VIETNAM_TZ)
    text = local.strftime("%d/%m/%Y")
    if with_time and (local.hour, local.minute) != (0, 0):
        text += local.strftime(" lúc %H:%M")
    return text


def _line(value: str, limit: int) -> str:
    """One line of text: NFC, control characters and runs of whitespace collapsed, within `limit`."""
    text = _SPACES.sub(" ", _CONTROL.sub(" ", unicodedata.normalize("NFC", value or ""))).strip()
    return _truncate(text, limit)


def _paragraph(value: str) -> str:
    """Like `_line` but keeps line breaks: a desk's note is often a numbered list."""
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", _CONTROL.sub(" ", line)).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _truncate(text: str, limit: int) -> str:
    """At most `limit` characters; a cut text ends with '…' so the reader knows it was cut."""
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    return text[: limit - 1].rstrip() + ELLIPSIS


def _finish(text: str, limit: int = TEXT_MAX) -> str:
    return _truncate(unicodedata.normalize("NFC", text), limit)
