"""Masks for personal data in logs and replies (domain.md §6)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.privacy import mask_name, mask_phone, mask_text, mask_user_id


@pytest.mark.parametrize(
    "phone", ["+84912345678", "0912 345 678", "84912345678", "0912.345.678", "+84 912 345 678"]
)
def test_mask_phone_keeps_prefix_and_last_three(phone: str) -> None:
    assert mask_phone(phone) == "+8491****678"


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("", ""),
        ("   ", ""),
        ("không có", "***"),
        ("024 3825 6789", "********789"),  # a landline: last 3 digits only
        ("12345", "*****"),
    ],
)
def test_mask_phone_of_anything_else_keeps_at_most_three_digits(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def _national_digits(masked: str) -> str:
    return re.sub(r"\D", "", masked.removeprefix("+84"))


@given(st.text("0123456789 .+-", max_size=20))
def test_mask_phone_never_leaks_more_than_five_digits(phone: str) -> None:
    assert len(_national_digits(mask_phone(phone))) <= 5


@given(st.text(max_size=30))
def test_mask_phone_never_raises(phone: str) -> None:
    assert isinstance(mask_phone(phone), str)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Nguyễn Thị Hương", "Nguyễn T. H."),
        ("Trần Văn Bình", "Trần V. B."),
        ("  Lê   Đức  ", "Lê Đ."),
        ("Tôn Nữ Ánh Nguyệt", "Tôn N. Á. N."),
        ("Hương", "H."),
        ("", ""),
        ("Nguye\u0302\u0303n Thi\u0323 U\u031bo\u031b\u0300ng", "Nguyễn T. Ư."),  # decomposed input
        ("trần văn bình", "trần V. B."),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_mask_name_hides_the_given_name() -> None:
    assert "Hương" not in mask_name("Nguyễn Thị Hương")
    assert "Bình" not in mask_name("Trần Văn Bình")


@pytest.mark.parametrize(
    ("user_id", "masked"),
    [("5461837590210348291", "***8291"), ("1234", "****"), ("", ""), ("  ", "")],
)
def test_mask_user_id(user_id: str, masked: str) -> None:
    assert mask_user_id(user_id) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Số của tôi là 0912 345 678 ạ", "Số của tôi là +8491****678 ạ"),
        ("gọi +84.912.345.678 nhé", "gọi +8491****678 nhé"),
        ("CCCD 044190001234", "CCCD ************"),
        ("CMND 044190001", "CMND *********"),
        ("Tra cứu 000.00.12.H46-240115-0003 giúp tôi", "Tra cứu 000.00.12.H46-240115-0003 giúp tôi"),
        (
            "0912345678 000.00.12.H46-240115-0003",
            "+8491****678 000.00.12.H46-240115-0003",
        ),
        ("hẹn ngày 15/01/2024, phí 1.500.000 đồng", "hẹn ngày 15/01/2024, phí 1.500.000 đồng"),
        ("số ０９１２３４５６７８", "số +8491****678"),  # full-width digits
        ("sdt0912345678", "sdt+8491****678"),  # glued to letters, typed without diacritics
        (
            "notice=3f81234567890123456789ab0c1d2e3f4a5b6c7d",
            "notice=3f81234567890123456789ab0c1d2e3f4a5b6c7d",
        ),
        ("id 123e4567-e89b-12d3-a456-426614174000", "id 123e4567-e89b-12d3-a456-426614174000"),
        ("09123456780987654321", "********************"),  # all digits: not a hex id
        ("", ""),
    ],
)
def test_mask_text(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@given(
    st.text("abc ,.", max_size=10),
    st.sampled_from(["0912345678", "0912 345 678", "044190001234", "+84 987 654 321"]),
    st.text("abc ,.", max_size=10),
)
def test_mask_text_never_leaks_a_whole_phone_or_cccd(before: str, secret: str, after: str) -> None:
    masked = mask_text(f"{before} {secret} {after}")
    digits = re.sub(r"\D", "", secret)
    assert digits not in re.sub(r"\D", "", masked)
    assert len(re.findall(r"\d", masked)) <= 2 + 5  # the +84 of a phone mask and 5 digits at most
