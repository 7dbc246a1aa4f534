"""What citizens read (design.md §1, domain.md §4)."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions import messages
from functions.dossier import VIETNAM_TZ, Dossier
from functions.messages import (
    NOTICE_LIMITS,
    TEXT_MAX,
    howto_reply,
    lookup_reply,
    status_notice_data,
    too_many_codes_note,
    unknown_code_reply,
    welcome_reply,
)
from tests.factories import make_dossier


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VIETNAM_TZ)  # type: ignore[misc]


CODE = "000.00.12.H46-240115-0003"
URL = f"https://dvc.example.gov.vn/tra-cuu/{CODE}"
BEFORE_DUE = vn(2024, 1, 20, 9, 0)
AFTER_DUE = vn(2024, 2, 5, 9, 0)

DOSSIER = make_dossier(
    code=CODE,
    status=4,
    applicant_name="Trần Văn Bình",
    received_at=vn(2024, 1, 15, 8, 30),
    due_at=vn(2024, 1, 29),
)
NOTE_5 = "1. Bản vẽ thiết kế có chữ ký của chủ đầu tư.\n2. Bản sao Giấy chứng nhận quyền sử dụng đất."


def nfc(text: str) -> bool:
    return text == unicodedata.normalize("NFC", text)


# --- lookup_reply ----------------------------------------------------------------------------------


def test_status_card_in_plain_words() -> None:
    reply = lookup_reply(DOSSIER, BEFORE_DUE, URL)
    assert reply.splitlines()[0] == f"Hồ sơ {CODE}"
    assert "Thủ tục: Cấp giấy phép xây dựng đối với nhà ở riêng lẻ" in reply
    assert "Đơn vị giải quyết: UBND xã Quảng Phú" in reply
    assert "Ngày tiếp nhận: 15/01/2024 lúc 08:30" in reply
    assert "Ngày hẹn trả: 29/01/2024\n" in reply  # midnight: no time
    assert "Trạng thái: Đang xử lý" in reply
    assert "đang được cơ quan có thẩm quyền giải quyết" in reply
    assert reply.endswith(f"Xem chi tiết: {URL}")
    assert "Trễ hạn" not in reply


def test_status_card_minimises_personal_data() -> None:
    reply = lookup_reply(DOSSIER, BEFORE_DUE, URL)
    assert "Chủ hồ sơ: Trần V. B." in reply
    assert "Bình" not in reply
    assert "345" not in reply and "678" not in reply  # the phone never appears


def test_dates_are_shown_in_vietnam_time() -> None:
    dossier = replace(
        DOSSIER,
        received_at=datetime(2024, 1, 15, 1, 30, tzinfo=UTC),  # 08:30 in Vietnam
        due_at=datetime(2024, 1, 28, 17, 0, tzinfo=UTC),  # midnight 29/01 in Vietnam
    )
    reply = lookup_reply(dossier, BEFORE_DUE, URL)
    assert "Ngày tiếp nhận: 15/01/2024 lúc 08:30" in reply
    assert "Ngày hẹn trả: 29/01/2024\n" in reply


def test_format_when() -> None:
    assert messages.format_when(vn(2024, 1, 29)) == "29/01/2024"
    assert messages.format_when(vn(2024, 1, 29, 16, 5)) == "29/01/2024 lúc 16:05"
    assert messages.format_when(datetime(2024, 1, 29, 16, 0)) == "29/01/2024 lúc 16:00"  # naive = VN time
    assert messages.format_when(None) == ""


def test_overdue_is_flagged() -> None:
    assert "Trễ hạn: hồ sơ đã quá ngày hẹn trả." in lookup_reply(DOSSIER, AFTER_DUE, URL)


@pytest.mark.parametrize("status", [3, 7, 8])
def test_refused_withdrawn_and_stopped_dossiers_are_never_overdue(status: int) -> None:
    dossier = replace(DOSSIER, status=status)
    assert not dossier.is_overdue(AFTER_DUE)
    assert "Trễ hạn" not in lookup_reply(dossier, AFTER_DUE, URL)


def test_finished_dossiers_are_late_only_if_returned_late() -> None:
    on_time = replace(DOSSIER, status=10, returned_at=vn(2024, 1, 26, 10, 0))
    late = replace(DOSSIER, status=10, returned_at=vn(2024, 2, 1, 10, 0))
    waiting = replace(DOSSIER, status=9)  # finish time unknown; the result waits for its owner
    assert not on_time.is_overdue(AFTER_DUE)
    assert late.is_overdue(BEFORE_DUE)
    assert not waiting.is_overdue(AFTER_DUE)
    reply = lookup_reply(late, AFTER_DUE, URL)
    assert "Trễ hạn: hồ sơ được giải quyết sau ngày hẹn trả." in reply
    assert "Ngày trả kết quả: 01/02/2024 lúc 10:00" in reply


def test_no_appointment_is_never_overdue() -> None:
    assert not replace(DOSSIER, due_at=None).is_overdue(AFTER_DUE)


def test_supplement_request_says_what_to_bring() -> None:
    reply = lookup_reply(replace(DOSSIER, status=5, note=NOTE_5), BEFORE_DUE, URL)
    assert "Trạng thái: Yêu cầu bổ sung giấy tờ" in reply
    assert "Hồ sơ cần bổ sung giấy tờ." in reply
    assert "Giấy tờ cần bổ sung:\n1. Bản vẽ thiết kế có chữ ký của chủ đầu tư.\n2. Bản sao" in reply
    without_note = lookup_reply(replace(DOSSIER, status=5), BEFORE_DUE, URL)
    assert "liên hệ đơn vị giải quyết để biết giấy tờ cần bổ sung" in without_note


def test_financial_obligation_says_what_to_pay() -> None:
    note = "Lệ phí cấp giấy phép xây dựng: 75.000 đồng."
    reply = lookup_reply(replace(DOSSIER, status=6, note=note), BEFORE_DUE, URL)
    assert f"Nội dung cần nộp: {note}" in reply
    assert "phí, lệ phí hoặc thuế" in lookup_reply(replace(DOSSIER, status=6), BEFORE_DUE, URL)


@pytest.mark.parametrize("status", [1, 2, 3, 4, 7, 8, 9, 10])
def test_internal_notes_are_shown_only_when_the_citizen_must_act(status: int) -> None:
    dossier = replace(DOSSIER, status=status, note="Ghi chú nội bộ của cán bộ")
    assert "Ghi chú nội bộ" not in lookup_reply(dossier, BEFORE_DUE, URL)
    assert status_notice_data(dossier)["ghi_chu"] == ""


def test_ready_result_says_where_to_collect_it() -> None:
    reply = lookup_reply(replace(DOSSIER, status=9), BEFORE_DUE, URL)
    assert "Nơi nhận kết quả: UBND xã Quảng Phú." in reply
    no_unit = lookup_reply(replace(DOSSIER, status=9, processing_unit=""), BEFORE_DUE, URL)
    assert "Nơi nhận kết quả: nơi đã nộp hồ sơ." in no_unit


def test_unknown_status_still_answers() -> None:
    reply = lookup_reply(replace(DOSSIER, status=11), BEFORE_DUE, URL)
    assert "Trạng thái hồ sơ đang được cập nhật." in reply
    assert status_notice_data(replace(DOSSIER, status=11))["trang_thai"] == "Đang cập nhật"


def test_a_huge_note_is_truncated_and_the_link_survives() -> None:
    dossier = replace(DOSSIER, status=5, note="Bổ sung bản sao chứng thực. " * 500)
    reply = lookup_reply(dossier, AFTER_DUE, URL)
    assert len(reply) <= TEXT_MAX
    assert "…" in reply
    assert reply.endswith(f"Xem chi tiết: {URL}")
    assert "Trễ hạn" in reply


def test_everything_huge_still_fits() -> None:
    dossier = replace(
        DOSSIER,
        status=5,
        code="X" * 5000,
        procedure_name="Cấp giấy phép " * 1000,
        processing_unit="UBND " * 1000,
        applicant_name="Nguyễn " * 1000,
        note="n" * 100_000,
    )
    assert len(lookup_reply(dossier, AFTER_DUE, URL + "?" + "q" * 5000)) <= TEXT_MAX


def test_without_optional_fields() -> None:
    reply = lookup_reply(Dossier(code=CODE, status=2), BEFORE_DUE, "")
    assert reply.splitlines() == [
        f"Hồ sơ {CODE}",
        "Trạng thái: Được tiếp nhận",
        "Hồ sơ đã được tiếp nhận và sẽ được chuyển đến cơ quan có thẩm quyền giải quyết.",
    ]


_fields = st.text(max_size=3000)


@given(
    st.integers(min_value=-1, max_value=12),
    _fields,
    _fields,
    _fields,
    st.text(max_size=300),
    st.text(max_size=300),
)
def test_lookup_reply_always_fits_and_is_nfc(
    status: int, procedure: str, unit: str, note: str, name: str, url: str
) -> None:
    dossier = replace(
        DOSSIER, status=status, procedure_name=procedure, processing_unit=unit, note=note, applicant_name=name
    )
    reply = lookup_reply(dossier, AFTER_DUE, url)
    assert len(reply) <= TEXT_MAX
    assert nfc(reply)


# --- other replies ---------------------------------------------------------------------------------


def test_unknown_code_reply_reveals_nothing_else() -> None:
    reply = unknown_code_reply("000.00.12.H46-240115-0009")
    assert "Không tìm thấy hồ sơ có mã 000.00.12.H46-240115-0009." in reply
    assert "Phiếu tiếp nhận hồ sơ và hẹn trả kết quả" in reply
    assert messages.EXAMPLE_CODE in reply
    assert "H50-250805-0001" in unknown_code_reply("x", example_code="000.00.12.H50-250805-0001")


def test_howto_reply() -> None:
    reply = howto_reply()
    assert "000.00.12.H46-240115-0003" in reply
    assert "mã QR" in reply
    assert "000.00.12.H50-250805-0001" in howto_reply("000.00.12.H50-250805-0001")


def test_too_many_codes_note() -> None:
    assert "nhiều hơn 5 mã hồ sơ" in too_many_codes_note(5)
    assert "5 mã đầu tiên" in too_many_codes_note(5)


def test_welcome_reply_names_the_province() -> None:
    reply = welcome_reply("tỉnh Quảng Trị")
    assert "Dịch vụ công tỉnh Quảng Trị" in reply
    assert messages.EXAMPLE_CODE in reply


def test_every_citizen_facing_text_is_nfc() -> None:
    decomposed = replace(
        DOSSIER,
        status=5,
        procedure_name=unicodedata.normalize("NFD", DOSSIER.procedure_name),
        processing_unit=unicodedata.normalize("NFD", DOSSIER.processing_unit),
        applicant_name=unicodedata.normalize("NFD", DOSSIER.applicant_name),
        note=unicodedata.normalize("NFD", NOTE_5),
    )
    texts = [
        *(lookup_reply(replace(decomposed, status=s), AFTER_DUE, URL) for s in range(1, 12)),
        unknown_code_reply(CODE),
        howto_reply(),
        too_many_codes_note(5),
        welcome_reply(unicodedata.normalize("NFD", "tỉnh Quảng Trị")),
        *status_notice_data(decomposed).values(),
    ]
    for text in texts:
        assert nfc(text), text
    assert "Quảng Phú" in texts[4]  # composed again, so it reads (and matches) normally


# --- status_notice_data ----------------------------------------------------------------------------


def test_status_notice_data() -> None:
    data = status_notice_data(replace(DOSSIER, status=5, note="Bản vẽ thiết kế có chữ ký."))
    assert data == {
        "ma_ho_so": CODE,
        "ten_thu_tuc": "Cấp giấy phép xây dựng đối với nhà ở riêng lẻ",
        "trang_thai": "Cần bổ sung giấy tờ",
        "ngay_hen_tra": "29/01/2024",
        "ghi_chu": "Bản vẽ thiết kế có chữ ký.",
    }


def test_status_notice_data_truncates_and_flattens() -> None:
    dossier = replace(
        DOSSIER,
        status=6,
        code="000.00.12.H50-250805-0001",
        procedure_name="Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất " * 3,
        note="Lệ phí trước bạ:\n 0,5% giá trị " * 20,
        due_at=None,
    )
    data = status_notice_data(dossier)
    assert data["ma_ho_so"] == "000.00.12.H50-250805-0001"
    assert data["ten_thu_tuc"].endswith("…") and 90 < len(data["ten_thu_tuc"]) <= 100
    assert data["ghi_chu"].endswith("…") and "\n" not in data["ghi_chu"]
    assert data["ngay_hen_tra"] == ""
    assert data["trang_thai"] == "Cần nộp phí, lệ phí, thuế"


@given(st.integers(min_value=-1, max_value=12), st.text(max_size=200), st.text(max_size=400), st.text())
def test_status_notice_values_are_strings_within_limits(status: int, code: str, name: str, note: str) -> None:
    data = status_notice_data(replace(DOSSIER, status=status, code=code, procedure_name=name, note=note))
    assert list(data) == ["ma_ho_so", "ten_thu_tuc", "trang_thai", "ngay_hen_tra", "ghi_chu"]
    for key, value in data.items():
        assert isinstance(value, str)
        assert len(value) <= NOTICE_LIMITS[key], key
        assert nfc(value)
