"""Vietnamese mobile numbers (domain.md §5)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.phones import OLD_PREFIXES, InvalidPhone, normalise, to_zalo


@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "+84 912345678",
        "+84912345678",
        "84912345678",
        "(+84) 912 345 678",
        "+84 0912 345 678",
        "0084 912 345 678",
        "912345678",  # a spreadsheet dropped the leading zero
        "０９１２３４５６７８",  # full-width digits
        " 0912345678\n",
    ],
)
def test_common_forms_normalise_to_e164(raw: str) -> None:
    assert normalise(raw) == "+84912345678"


# One number from each carrier's current ranges (domain.md §5.2).
CARRIER_NUMBERS = {
    "Viettel": ["0321234567", "0351234567", "0391234567", "0861234567", "0961234567", "0971234567",
                "0981234567"],
    "VinaPhone": ["0811234567", "0831234567", "0851234567", "0881234567", "0911234567", "0941234567"],
    "MobiFone": ["0701234567", "0761234567", "0791234567", "0896123456", "0901234567", "0931234567"],
    "Vietnamobile": ["0522123456", "0561234567", "0581234567", "0921234567"],
    "Gmobile": ["0591234567", "0991234567"],
    "Itelecom": ["0871234567", "0998123456"],
}  # fmt: skip


@pytest.mark.parametrize(
    ("carrier", "national"),
    [(carrier, number) for carrier, numbers in CARRIER_NUMBERS.items() for number in numbers],
)
def test_every_carrier_range_is_a_mobile(carrier: str, national: str) -> None:
    assert normalise(national) == "+84" + national[1:], carrier


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("0168 123 4567", "+84381234567"),  # Viettel 0168 → 038
        ("0162.123.4567", "+84321234567"),  # Viettel 0162 → 032
        ("0120 123 4567", "+84701234567"),  # MobiFone 0120 → 070
        ("0121 123 4567", "+84791234567"),  # MobiFone 0121 → 079
        ("0123 123 4567", "+84831234567"),  # VinaPhone 0123 → 083
        ("0127 123 4567", "+84811234567"),  # VinaPhone 0127 → 081
        ("0186 123 4567", "+84561234567"),  # Vietnamobile 0186 → 056
        ("0199 123 4567", "+84591234567"),  # Gmobile 0199 → 059
        ("+84 168 123 4567", "+84381234567"),
        ("841681234567", "+84381234567"),
    ],
)
def test_old_eleven_digit_numbers_get_their_new_prefix(old: str, new: str) -> None:
    assert normalise(old) == new


@pytest.mark.parametrize(("old", "new"), sorted(OLD_PREFIXES.items()))
def test_every_old_prefix_maps_to_a_valid_mobile(old: str, new: str) -> None:
    assert normalise(f"0{old}1234567") == f"+84{new}1234567"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (" . - ", "empty"),
        ("không có", "not_a_number"),
        ("0912ABC678", "not_a_number"),  # letters are not vanity numbers here
        ("0912345678, 0987654321", "not_a_number"),
        ("+1 650 253 0000", "not_vietnamese"),
        ("0065 6123 4567", "not_vietnamese"),
        ("091234567", "invalid"),  # one digit short
        ("09123456789", "invalid"),  # one digit long
        ("0912345678 0987654321", "invalid"),  # two numbers in one field
        ("0551234567", "invalid"),  # unallocated range
        ("0111234567", "invalid"),
        ("024 3825 6789", "not_mobile"),  # Hà Nội landline
        ("0232 3822 123", "not_mobile"),  # Quảng Bình landline
        ("1900 1234", "not_mobile"),  # a valid hotline, but no Zalo behind it
    ],
)
def test_junk_is_rejected_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidPhone) as caught:
        normalise(raw)
    assert caught.value.reason == reason
    assert isinstance(caught.value, ValueError)


def test_to_zalo_drops_the_plus() -> None:
    assert to_zalo("+84912345678") == "84912345678"
    assert to_zalo("0912 345 678") == "84912345678"
    with pytest.raises(InvalidPhone):
        to_zalo("024 3825 6789")


# Two-digit prefixes whose whole range is allocated (052, 089 and 099 are only partly).
_FULL_PREFIXES = [*map(str, range(32, 40)), "56", "58", "59", "70", *map(str, range(76, 80)),
                  *map(str, range(81, 89)), *map(str, range(90, 99))]  # fmt: skip
valid_mobiles = st.builds(
    lambda prefix, rest: "+84" + prefix + rest,
    st.sampled_from(_FULL_PREFIXES),
    st.text("0123456789", min_size=7, max_size=7),
)


@given(valid_mobiles)
def test_a_normalised_number_is_a_fixed_point(e164: str) -> None:
    assert normalise(e164) == e164
    assert normalise(normalise(e164)) == e164
    assert to_zalo(e164) == e164[1:]


@given(valid_mobiles, st.sampled_from(["0{n}", "+84 {n}", "84{n}", "{n}"]), st.sampled_from(["", " ", "."]))
def test_every_written_form_gives_the_same_number(e164: str, shape: str, separator: str) -> None:
    national = e164[3:]
    spaced = separator.join([national[:2], national[2:5], national[5:]])
    assert normalise(shape.format(n=spaced)) == e164


@given(st.text(max_size=30))
def test_never_fails_with_anything_but_invalid_phone(raw: str) -> None:
    try:
        result = normalise(raw)
    except InvalidPhone as error:
        assert error.reason in {"empty", "not_a_number", "not_vietnamese", "invalid", "not_mobile"}
    else:
        assert result.startswith("+84") and len(result) == 12


def test_display_writes_vietnamese_numbers_the_vietnamese_way():
    from functions.phones import display

    assert display("+84912345678") == "0912 345 678"
    assert display("+1 415 555 0100") == "+1 415 555 0100"
    assert display("không rõ") == "không rõ"
