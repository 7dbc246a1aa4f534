"""The public status page (status_page.py): what a link shows, and what a wrong link does not."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import datetime
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions import messages, status_link
from functions.dossier import VIETNAM_TZ
from functions.status_page import CONTENT_SECURITY_POLICY, CSS, NOT_FOUND_STATUS, StatusPages
from tests.factories import make_dossier
from tests.fakes.stores import FakeDossiers

KEY = "khoá-trang-tra-cứu"
BEFORE_DUE = datetime(2024, 12, 1, 9, 0, tzinfo=VIETNAM_TZ)
AFTER_DUE = datetime(2024, 12, 20, 9, 0, tzinfo=VIETNAM_TZ)


def pages(*dossiers, now=BEFORE_DUE) -> StatusPages:
    return StatusPages(FakeDossiers(*dossiers), KEY, "tỉnh Quảng Trị", clock=lambda: now)


def k(code: str) -> str:
    return status_link.token(code, KEY)


class _Text(HTMLParser):
    """The text a reader sees (no tags, no style), to compare with the chat card."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = False

    def handle_starttag(self, tag, attrs):
        self._skip = tag in ("style", "title")

    def handle_endtag(self, tag):
        self._skip = False

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def test_a_valid_link_shows_the_same_facts_as_the_chat_card():
    dossier = make_dossier(status=4)
    page = pages(dossier).page(dossier.code, k(dossier.code))

    assert page.status_code == 200
    text = visible_text(page.body)
    card = messages.status_card(dossier, BEFORE_DUE)
    for title, value in card.facts:
        assert title in text and value in text
    assert card.status_label in text and card.explain in text
    assert "Nguyễn T. H." in text
    assert "Thông tin tính đến 01/12/2024 lúc 09:00." in text
    assert dossier.applicant_name not in page.body
    assert dossier.phone not in page.body


def test_the_page_is_a_vietnamese_mobile_page_without_external_assets():
    dossier = make_dossier(status=4)
    body = pages(dossier).page(dossier.code, k(dossier.code)).body

    assert body.startswith("<!doctype html>")
    assert '<html lang="vi">' in body
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in body
    assert unicodedata.is_normalized("NFC", body)
    assert "<script" not in body
    assert not re.search(r"(src|href)\s*=", body)  # nothing to fetch: no images, fonts or links
    assert "http" not in CSS


def test_headers_forbid_caching_indexing_referrers_and_everything_but_our_style():
    dossier = make_dossier()
    for page in (pages(dossier).page(dossier.code, k(dossier.code)), pages().page(dossier.code, "x")):
        assert page.headers["Content-Type"] == "text/html; charset=utf-8"
        assert page.headers["Cache-Control"] == "no-store"
        assert page.headers["X-Robots-Tag"].startswith("noindex")
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert CONTENT_SECURITY_POLICY.startswith("default-src 'none'; style-src 'sha256-")
    assert "unsafe" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    "code_k",
    [
        lambda d: (d.code, k(d.code)[:-1] + ("A" if k(d.code)[-1] != "A" else "B")),  # tampered k
        lambda d: (d.code, ""),  # missing k
        lambda d: (d.code, None),
        lambda d: (d.code, status_link.token(d.code, "another-key")),
        lambda d: ("000.00.12.H46-241125-9999", k("000.00.12.H46-241125-9999")),  # valid k, no dossier
        lambda d: ("not-a-code", k(d.code)),
        lambda d: ("000.00.12.H46-241125-0001%3Cscript%3E", k(d.code)),
    ],
)
def test_every_wrong_link_gets_one_neutral_page(code_k):
    dossier = make_dossier(code="000.00.12.H46-241125-0001")
    code, token = code_k(dossier)
    wrong = pages(dossier).page(code, token)
    reference = pages().not_found()

    assert wrong.status_code == NOT_FOUND_STATUS == reference.status_code
    assert wrong.body == reference.body
    assert wrong.headers == reference.headers
    assert dossier.code not in wrong.body and "Nguyễn" not in wrong.body
    assert "Cách tra cứu" in wrong.body and messages.EXAMPLE_CODE in wrong.body


def test_any_spelling_of_the_code_in_the_path_opens_the_page():
    dossier = make_dossier(code="000.00.12.H46-241125-0042")
    spelled = "000.00.12.h46%20-%20241125%20-%200042"
    assert pages(dossier).page(spelled, k(dossier.code)).status_code == 200


def test_overdue_is_shown_prominently():
    dossier = make_dossier(status=4)
    body = pages(dossier, now=AFTER_DUE).page(dossier.code, k(dossier.code)).body
    assert 'id="overdue" role="alert"' in body
    assert "Trễ hạn: hồ sơ đã quá ngày hẹn trả." in body
    assert 'id="overdue"' not in pages(dossier).page(dossier.code, k(dossier.code)).body


def test_statuses_5_and_6_say_what_to_do_with_the_note_and_9_where_to_collect():
    note = "1. Bản vẽ thiết kế.\n2. Bản sao sổ đỏ."
    five = make_dossier(status=5, note=note)
    six = make_dossier(status=6)
    nine = make_dossier(status=9)
    p = pages(five, six, nine)

    body5 = p.page(five.code, k(five.code)).body
    assert "<h2>Giấy tờ cần bổ sung</h2>" in body5 and "1. Bản vẽ thiết kế.\n2. Bản sao sổ đỏ." in body5
    assert "khoản phí, lệ phí hoặc thuế" in p.page(six.code, k(six.code)).body
    body9 = p.page(nine.code, k(nine.code)).body
    assert "Nơi nhận kết quả: UBND xã Quảng Phú." in body9
    assert 'class="status done"' in body9


def test_everything_from_the_dossier_is_escaped():
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    dossier = make_dossier(
        status=5, procedure_name=hostile, processing_unit=hostile, applicant_name=hostile, note=hostile
    )
    body = pages(dossier).page(dossier.code, k(dossier.code)).body
    assert "<script" not in body and "<img" not in body
    assert "&lt;script&gt;" in body


_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "header", "footer", "section"}
_TAGS |= {"p", "h1", "h2", "strong", "dl", "div", "dt", "dd", "ul", "li"}
_ATTRIBUTES = {"lang", "charset", "name", "content", "class", "id", "role"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes |= {name for name, _ in attrs}


@given(
    st.integers(min_value=0, max_value=12),
    st.text(max_size=200),
    st.text(max_size=200),
    st.text(max_size=60),
    st.text(max_size=400),
)
def test_whatever_mcdt_wrote_the_page_has_only_our_tags_and_attributes(status, procedure, unit, name, note):
    dossier = make_dossier(
        status=status, procedure_name=procedure, processing_unit=unit, applicant_name=name, note=note
    )
    page = pages(dossier, now=AFTER_DUE).page(dossier.code, k(dossier.code))
    parser = _Tags()
    parser.feed(page.body)
    assert parser.tags <= _TAGS
    assert parser.attributes <= _ATTRIBUTES
    assert unicodedata.is_normalized("NFC", page.body)


def test_unknown_status_still_shows_a_page():
    dossier = replace(make_dossier(), status=11)
    body = pages(dossier).page(dossier.code, k(dossier.code)).body
    assert "Trạng thái hồ sơ đang được cập nhật." in body


def test_no_key_configured_opens_nothing():
    dossier = make_dossier()
    unconfigured = StatusPages(FakeDossiers(dossier), "", "tỉnh", clock=lambda: BEFORE_DUE)
    assert unconfigured.page(dossier.code, k(dossier.code)).status_code == NOT_FOUND_STATUS
