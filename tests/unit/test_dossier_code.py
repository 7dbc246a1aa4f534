"""Dossier codes as citizens send them (domain.md §1.5)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.dossier_code import DossierCode, find_codes, parse

QB = "000.00.12.H46-240115-0003"
QT = "000.00.12.H50-250805-0001"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (QB, [QB]),
        (QT, [QT]),
        ("Cho tôi hỏi hồ sơ 000.00.12.h46-240115-0003 với ạ", [QB]),
        ("000.00.12.H46 - 240115 - 0003", [QB]),
        ("000.00.12.H46 -240115- 0003 ạ", [QB]),
        ("０００.００.１２.Ｈ４６－２４０１１５－０００３", [QB]),  # full-width, from a Vietnamese IME
        ("000．00．12．H46-240115-0003", [QB]),
        ("000.00.12.H46–240115–0003", [QB]),  # en dashes from autocorrect
        ("https://dvc.example.gov.vn/tra-cuu/000.00.12.H46-240115-0003?k=abc", [QB]),
        ("https://dvc.example.gov.vn/?url=https%3A%2F%2Fx.vn%2F000.00.12.H46-240115-0003", [QB]),
        ("mã: 000.A0.01.H26-210212-9090.", ["000.A0.01.H26-210212-9090"]),
        ("000.00.12.H46-240115-12345", ["000.00.12.H46-240115-12345"]),
        (f"{QB}\n{QT}", [QB, QT]),
        (f"{QT}, {QB}, {QT.lower()}", [QT, QB]),  # de-duplicated, order kept
        ("(000.00.12.H46-240115-0003)", [QB]),
        ("Hồ sơ:000.00.12.H46-240115-0003.", [QB]),
        ("HS000.00.12.H46-240115-0003", [QB]),  # glued to an abbreviation
        ("tra cứu HSA00.00.12.H46-240115-0003", ["A00.00.12.H46-240115-0003"]),
    ],
)
def test_finds_codes_the_way_citizens_type_them(text: str, expected: list[str]) -> None:
    assert find_codes(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Xin chào, tôi muốn hỏi về hồ sơ xây nhà",
        "1.011442.000.00.00.H38",  # a TTHC procedure code
        "Thủ tục 1.011442.000.00.00.H38-240115-0003",  # procedure code glued to a code-like tail
        "000.00.12.H46-241315-0003",  # month 13
        "000.00.12.H46-240230-0003",  # 30 February
        "000.00.12.H46-240115-003",  # 3-digit sequence
        "000.00.12.H46-240115-000312",  # 6-digit sequence
        "000.00.12.46-240115-0003",  # level-1 unit without its letter
        "00.00.12.H46-240115-0003",  # short first segment
        "1000.00.12.H46-240115-0003",  # long first segment
        "H46-240115-0003",
        "0912345678",
        "CCCD 044190001234",
        "ngày 15/01/2024",
    ],
)
def test_does_not_over_match(text: str) -> None:
    assert find_codes(text) == []


def test_limit_keeps_the_first_codes() -> None:
    codes = [f"000.00.12.H46-240115-{n:04d}" for n in range(1, 9)]
    assert find_codes(" ".join(codes), limit=5) == codes[:5]
    assert len(find_codes(" ".join(codes), limit=6)) == 6


def test_parse_whole_string() -> None:
    code = parse("  000.00.12.h46 - 240115 - 0003 ")
    assert code == DossierCode("000.00.12.H46", date(2024, 1, 15), "0003")
    assert code is not None
    assert code.text == QB
    assert code.province == "H46"
    assert parse(QT) is not None and parse(QT).province == "H50"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text",
    ["", "hồ sơ 000.00.12.H46-240115-0003", "000.00.12.H46-240115-0003 ạ", "000.00.12.H46-240001-0003"],
)
def test_parse_rejects_anything_but_one_code(text: str) -> None:
    assert parse(text) is None


def test_dossier_code_refuses_invalid_parts() -> None:
    with pytest.raises(ValueError):
        DossierCode("000.00.12.46", date(2024, 1, 15), "0003")
    with pytest.raises(ValueError):
        DossierCode("000.00.12.H46", date(2024, 1, 15), "3")
    with pytest.raises(ValueError):
        DossierCode("000.00.12.H46", date(1999, 1, 15), "0003")


# --- properties -------------------------------------------------------------------------------------

_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"


def _segment(length: int) -> st.SearchStrategy[str]:
    return st.text(_ALNUM, min_size=length, max_size=length)


codes = st.builds(
    DossierCode,
    agency=st.builds(
        lambda a, b, c, letter, nn: f"{a}.{b}.{c}.{letter}{nn}",
        _segment(3),
        _segment(2),
        _segment(2),
        st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        st.text(_DIGITS, min_size=2, max_size=2),
    ),
    received_on=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    sequence=st.text(_DIGITS, min_size=4, max_size=5),
)


@given(codes)
def test_canonical_text_round_trips(code: DossierCode) -> None:
    assert parse(code.text) == code
    assert parse(code.text.lower()) == code


@st.composite
def typed_forms(draw: st.DrawFn, code: DossierCode) -> str:
    """The canonical text as a citizen might type it: any case, spaces around hyphens, full width."""
    text = code.text
    if draw(st.booleans()):
        text = text.lower()
    if draw(st.booleans()):
        text = text.replace("-", draw(st.sampled_from([" - ", " -", "- ", "–"])))
    if draw(st.booleans()):
        text = text.translate({ord(d): chr(0xFF10 + int(d)) for d in _DIGITS})
    return text


@given(codes, st.data(), st.text(max_size=40), st.text(max_size=40))
def test_codes_embedded_in_random_text_are_found(
    code: DossierCode, data: st.DataObject, before: str, after: str
) -> None:
    typed = data.draw(typed_forms(code))
    assert code.text in find_codes(f"{before} {typed} {after}", limit=100)


@given(st.text(max_size=200))
def test_whatever_is_found_is_canonical(text: str) -> None:
    for found in find_codes(text):
        code = parse(found)
        assert code is not None and code.text == found
