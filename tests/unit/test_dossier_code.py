"""Dossier codes as citizens send them (domain.md §1.5)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions import status_link
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


# --- as citizens really type them (issue 3) ---------------------------------------------------------

_FULL_WIDTH = {ord(d): chr(0xFF10 + int(d)) for d in _DIGITS}
_VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
vietnamese_text = st.text(
    alphabet=st.sampled_from(_VIETNAMESE + _VIETNAMESE.upper() + " ,!?:;()\n"), max_size=60
)


@st.composite
def sloppy_forms(draw: st.DrawFn, code: DossierCode) -> str:
    """Each separator typed its own way: dots with spaces or left out, hyphens as spaces or look-alikes,
    any case, full-width digits, an invisible zero-width space pasted in somewhere."""
    dot = st.sampled_from([".", ". ", " . ", "", " ", "．"])
    hyphen = st.sampled_from(["-", " - ", "- ", " ", "–", "‑", "－", "-\n"])
    agency = code.agency.split(".")
    text = agency[0]
    for segment in agency[1:]:
        text += draw(dot) + segment
    text += draw(hyphen) + f"{code.received_on:%y%m%d}" + draw(hyphen) + code.sequence
    if draw(st.booleans()):
        text = text.lower()
    if draw(st.booleans()):
        text = text.translate(_FULL_WIDTH)
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + "\u200b" + text[at:]
    return text


@given(codes, st.data(), vietnamese_text, vietnamese_text)
def test_any_sloppy_form_inside_vietnamese_text_is_found(
    code: DossierCode, data: st.DataObject, before: str, after: str
) -> None:
    typed = data.draw(sloppy_forms(code))
    assert find_codes(f"{before} {typed} {after}", limit=100) == [code.text]


@given(codes, st.data())
def test_parse_accepts_every_sloppy_form_of_one_code(code: DossierCode, data: st.DataObject) -> None:
    assert parse(data.draw(sloppy_forms(code))) == code


@given(
    codes,
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=16, max_size=16
    ),
)
def test_pasted_status_page_links_are_read_as_their_code(code: DossierCode, k: str) -> None:
    link = status_link.url("https://dichvucong.quangtri.gov.vn", code.text, key="k")
    assert find_codes(link) == [code.text]
    assert find_codes(f"Mình bấm link này không được: {link} ạ") == [code.text]
    typed_k = f"https://dvc.example.gov.vn/tra-cuu/{code.text}?k={k}"
    assert find_codes(typed_k) == [code.text]


@given(codes, codes, vietnamese_text)
def test_several_codes_come_back_in_order(first: DossierCode, second: DossierCode, between: str) -> None:
    found = find_codes(f"{first.text} {between} {second.text.lower()}", limit=10)
    assert found == list(dict.fromkeys([first.text, second.text]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Em chào anh/chị, hồ sơ của em mã 000.00.12.H46-240115-0003 giờ tới đâu rồi ạ?", [QB]),
        ("ma ho so 000.00.12.h46-240115-0003", [QB]),
        ("000 . 00 . 12 . H46 - 240115 - 0003", [QB]),
        ("000.00.12H46-240115-0003", [QB]),  # one dot forgotten
        ("0000012H46-240115-0003", [QB]),  # every dot forgotten
        ("000 00 12 H46 240115 0003", [QB]),  # spaces only, as dictated
        ("000.00.12.H46\u00a0-\u00a0240115\u00a0-\u00a00003", [QB]),  # non-breaking spaces from Word
        ("000.00.12.H46-\n240115-0003", [QB]),  # wrapped at the hyphen in a PDF
        ("000.00.12.H46-240115-\u200b0003", [QB]),  # a zero-width space from a copy-paste
        ("Mã hồ sơ: 000.00.12.H50-250805-0001 (nộp tại Trung tâm phục vụ hành chính công xã)", [QT]),
        ("https://dvc.quangtri.gov.vn/tra-cuu/000.00.12.H46-240115-0003?k=Zk3x_9aB-LmN0pQr", [QB]),
        ("dvc.quangtri.gov.vn/tra-cuu/000.00.12.h46-240115-0003?k=abc", [QB]),
        ("https://dvc.quangtri.gov.vn/tra-cuu/000%2E00%2E12%2EH46-240115-0003?k=abc", [QB]),
        ("Hai hồ sơ: 000.00.12.H46-240115-0003 và 000.00.12.H50-250805-0001", [QB, QT]),
        ("Số biên nhận 03706/2026/07906", []),  # BHXH's own numbering: not a dossier code
        ("Gọi 0912 345 678 hoặc 0232 3822 111", []),
        ("Thủ tục 1.011442.000.00.00.H38 nộp ngày 24/01/15", []),
        ("000.00.12.H46-240115", []),  # no sequence number
    ],
)
def test_real_looking_messages(text: str, expected: list[str]) -> None:
    assert find_codes(text) == expected


@given(st.text(alphabet="0123456789 .-\n/:", max_size=80))
def test_digits_dots_and_dashes_alone_are_never_a_code(text: str) -> None:
    """Phone numbers, dates, ID and receipt numbers: without the level-1 unit's letter, no code."""
    assert find_codes(text) == []
