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
from dataclasses import dataclass
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
_NOTE_MAX = 800  # in the chat card
_NOTE_PAGE_MAX = 4000  # on the status page
_UNKNOWN_STATUS_SHORT = "Đang cập nhật"
_UNKNOWN_STATUS = "Trạng thái hồ sơ đang được cập nhật."

_SPACES = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


def lookup_reply(dossier: Dossier, now: datetime, status_url: str) -> str:
    """The status card sent in reply to a code: what, where, when, which state, what to do next.

    The desk's note is the only field that can be long; it gets what the 2,000 characters leave.
    """
    card = status_card(dossier, now)
    head = [f"Hồ sơ {card.code}", *(f"{title}: {value}" for title, value in card.facts)]
    head += [f"Trạng thái: {card.status_label}", card.explain] if card.status_label else [card.explain]
    tail = [line for line in (card.overdue, card.collect) if line]
    if status_url.strip():
        tail.append(f"Xem chi tiết: {_line(status_url, _FIELD_MAX['url'])}")
    if card.action:
        note = _titled(card.action_title, card.action)
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


def unreadable_photo_reply(found_other_qr: bool = False, example_code: str = EXAMPLE_CODE) -> str:
    """A photo with no readable dossier QR: ask for a clearer photo or the typed code.

    `found_other_qr`: a QR was read but it holds no dossier code (a bank's or a shop's QR).
    """
    first = (
        "Mã QR trong ảnh Ông/Bà gửi không phải mã tra cứu hồ sơ."
        if found_other_qr
        else "Xin lỗi, hệ thống chưa đọc được mã QR trong ảnh Ông/Bà gửi."
    )
    return _finish(
        f"{first}\n"
        "Ông/Bà vui lòng chụp lại mã QR trên Phiếu tiếp nhận hồ sơ và hẹn trả kết quả: đủ sáng, rõ nét, "
        "mã QR nằm trọn trong khung hình; hoặc gửi mã hồ sơ in trên phiếu, ví dụ:\n"
        f"{example_code}"
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


@dataclass(frozen=True)
class StatusCard:
    """The facts of one dossier's status, cleaned and capped: one computation for every place that
    shows a status (the chat card here, the public page in status_page.py), so they never disagree.
    """

    code: str
    facts: tuple[tuple[str, str], ...]  # (title, value) of procedure, masked owner, unit, dates
    status: DossierStatus | None  # None: a code we do not know (OpenCPS's 11, a vendor's own)
    status_label: str  # the official wording; "" when the status is unknown
    explain: str  # the state in plain words
    overdue: str  # "Trễ hạn: …" or ""
    action_title: str  # 5/6 with the desk's note: what the note is about; "" otherwise
    action: str  # 5/6: the note (line breaks kept), or how to learn what is needed; "" otherwise
    collect: str  # 9: where to collect the result; "" otherwise


def status_card(dossier: Dossier, now: datetime) -> StatusCard:
    """What a citizen should know about `dossier` at `now` (the applicant's name masked)."""
    status = from_code(dossier.status)
    action_title, action = _action(dossier, status)
    return StatusCard(
        code=_line(dossier.code, _FIELD_MAX["code"]),
        facts=_facts(dossier, status),
        status=status,
        status_label=status.label if status else "",
        explain=status.explain if status else _UNKNOWN_STATUS,
        overdue=_overdue(dossier, status, now),
        action_title=action_title,
        action=action,
        collect=_collect(dossier, status),
    )


def _facts(dossier: Dossier, status: DossierStatus | None) -> tuple[tuple[str, str], ...]:
    """Identity of the dossier: procedure, owner (masked), unit, dates; empty ones left out."""
    optional = [
        ("Thủ tục", _line(dossier.procedure_name, _FIELD_MAX["procedure"])),
        ("Chủ hồ sơ", _line(privacy.mask_name(dossier.applicant_name), _FIELD_MAX["name"])),
        ("Đơn vị giải quyết", _line(dossier.processing_unit, _FIELD_MAX["unit"])),
        ("Ngày tiếp nhận", format_when(dossier.received_at)),
        ("Ngày hẹn trả", format_when(dossier.due_at)),
    ]
    if status == DossierStatus.DA_TRA_KET_QUA:
        optional.append(("Ngày trả kết quả", format_when(dossier.returned_at)))
    return tuple((title, value) for title, value in optional if value)


def _overdue(dossier: Dossier, status: DossierStatus | None, now: datetime) -> str:
    if not dossier.is_overdue(now):
        return ""
    if status is not None and status.has_result:
        return "Trễ hạn: hồ sơ được giải quyết sau ngày hẹn trả."
    return "Trễ hạn: hồ sơ đã quá ngày hẹn trả."


def _collect(dossier: Dossier, status: DossierStatus | None) -> str:
    """Where a ready result (9) is collected."""
    if status != DossierStatus.DA_XU_LY_XONG:
        return ""
    place = _line(dossier.processing_unit, _FIELD_MAX["unit"]) or "nơi đã nộp hồ sơ"
    return (
        f"Nơi nhận kết quả: {place}. Khi đến nhận, Ông/Bà vui lòng mang theo phiếu tiếp nhận "
        "và giấy tờ tùy thân."
    )


def _action(dossier: Dossier, status: DossierStatus | None) -> tuple[str, str]:
    """What the agency asks for (5: documents, 6: fees), with the desk's note when there is one."""
    if status is None or not status.needs_citizen_action:
        return "", ""
    note = _truncate(_paragraph(dossier.note), _NOTE_PAGE_MAX)
    asking_documents = status == DossierStatus.YEU_CAU_BO_SUNG
    if note:
        return ("Giấy tờ cần bổ sung" if asking_documents else "Nội dung cần nộp"), note
    if asking_documents:
        return "", "Ông/Bà vui lòng liên hệ đơn vị giải quyết để biết giấy tờ cần bổ sung."
    return "", "Ông/Bà vui lòng liên hệ đơn vị giải quyết để biết khoản phí, lệ phí hoặc thuế cần nộp."


def _titled(title: str, text: str) -> str:
    """`Title: text`; a numbered list (several lines) starts on its own line."""
    if not title:
        return text
    return f"{title}:\n{text}" if "\n" in text else f"{title}: {text}"


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
