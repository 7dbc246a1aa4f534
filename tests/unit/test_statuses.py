"""DVCQG dossier statuses 1–10 (domain.md §2.1)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from functions.statuses import SHORT_LABEL_MAX, DossierStatus, from_code

S = DossierStatus


def test_codes_match_the_national_portal() -> None:
    assert [(s.value, s.label) for s in S] == [
        (1, "Mới đăng ký"),
        (2, "Được tiếp nhận"),
        (3, "Không được tiếp nhận"),
        (4, "Đang xử lý"),
        (5, "Yêu cầu bổ sung giấy tờ"),
        (6, "Yêu cầu thực hiện nghĩa vụ tài chính"),
        (7, "Công dân yêu cầu rút hồ sơ"),
        (8, "Dừng xử lý"),
        (9, "Đã xử lý xong"),
        (10, "Đã trả kết quả"),
    ]


@pytest.mark.parametrize("status", list(S))
def test_short_label_fits_a_zbs_parameter(status: DossierStatus) -> None:
    assert 0 < len(status.short_label) <= SHORT_LABEL_MAX == 30


@pytest.mark.parametrize("status", list(S))
def test_every_text_is_nfc_vietnamese(status: DossierStatus) -> None:
    for text in (status.label, status.short_label, status.explain):
        assert text == unicodedata.normalize("NFC", text)
        assert text.strip() == text and text


def test_explanations_say_what_to_do() -> None:
    assert S.YEU_CAU_BO_SUNG.explain.startswith("Hồ sơ cần bổ sung giấy tờ.")
    assert "nộp phí, lệ phí hoặc thuế" in S.YEU_CAU_NGHIA_VU_TAI_CHINH.explain
    assert "nhận kết quả" in S.DA_XU_LY_XONG.explain
    assert len({s.explain for s in S}) == len(S)


def test_finished_means_a_result_or_closed_without_one() -> None:
    assert {s for s in S if s.has_result} == {S.DA_XU_LY_XONG, S.DA_TRA_KET_QUA}
    assert {s for s in S if s.is_closed_without_result} == {
        S.KHONG_DUOC_TIEP_NHAN,
        S.CONG_DAN_RUT_HO_SO,
        S.DUNG_XU_LY,
    }
    assert {s.value for s in S if s.is_finished} == {3, 7, 8, 9, 10}
    assert {s.value for s in S if s.needs_citizen_action} == {5, 6}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5, S.YEU_CAU_BO_SUNG),
        ("5", S.YEU_CAU_BO_SUNG),
        (" 10 ", S.DA_TRA_KET_QUA),
        (Decimal("9"), S.DA_XU_LY_XONG),  # DynamoDB numbers arrive as Decimal
        (4.0, S.DANG_XU_LY),
        (0, None),
        (11, None),  # OpenCPS "other"
        (-1, None),
        ("", None),
        ("abc", None),
        ("٥", None),  # an Arabic-Indic five is not a portal code
        (Decimal("4.5"), None),
        (Decimal("NaN"), None),
        (float("inf"), None),
        (True, None),
        (None, None),
        ([5], None),
    ],
)
def test_from_code(value: object, expected: DossierStatus | None) -> None:
    assert from_code(value) is expected
