"""The public status page in headless Chromium at phone size (360 px): the receipt's QR opens it."""

from __future__ import annotations

import os
import unicodedata
from datetime import datetime

import pytest

from functions import status_link
from functions.dossier import VIETNAM_TZ
from tests.factories import save_dossier

pytestmark = pytest.mark.browser

FAR_FUTURE = datetime(2099, 12, 31, 16, 0, tzinfo=VIETNAM_TZ)  # never overdue, whatever the clock says
LONG_AGO = datetime(2024, 12, 10, 16, 0, tzinfo=VIETNAM_TZ)  # always overdue


def link(api: str, code: str) -> str:
    return status_link.url(api, code, os.environ["STATUS_LINK_KEY"])


def test_a_valid_link_shows_the_status_readably_on_a_small_phone(status_page, api):
    dossier = save_dossier(status=4, due_at=FAR_FUTURE, procedure_name="Đăng ký khai sinh")
    status_page.open(link(api, dossier.code))

    assert status_page.lang() == "vi"
    assert status_page.viewport_width() == 360
    assert status_page.heading() == "Tình trạng hồ sơ"
    assert status_page.text("code") == f"Mã hồ sơ\n{dossier.code}"  # the code on one line of its own
    assert status_page.text("status").startswith("Đang xử lý\n")
    facts = status_page.facts()
    assert facts["Thủ tục"] == "Đăng ký khai sinh"
    assert facts["Chủ hồ sơ"] == "Nguyễn T. H."  # masked
    assert facts["Ngày hẹn trả"] == "31/12/2099 lúc 16:00"
    assert not status_page.has("overdue")
    body = status_page.body_text()
    assert "Nguyễn Thị Hương" not in body
    assert unicodedata.is_normalized("NFC", body)
    # The inline stylesheet was allowed by the page's own CSP (its hash) and applied:
    assert status_page.style("body", "backgroundColor") == "rgb(243, 245, 248)"
    assert float(status_page.style("body", "fontSize").removesuffix("px")) >= 16
    assert not status_page.overflows_horizontally()


def test_a_wrong_k_shows_nothing_about_the_dossier(status_page, api):
    dossier = save_dossier(status=9, due_at=FAR_FUTURE)
    good = link(api, dossier.code)
    status_page.open(good[:-1] + ("A" if good[-1] != "A" else "B"))

    assert status_page.heading() == "Tra cứu hồ sơ"
    assert not status_page.has("status") and not status_page.has("facts")
    body = status_page.body_text()
    assert dossier.code not in body and "Nguyễn" not in body and "Đã xử lý xong" not in body
    assert "Cách tra cứu" in body
    assert not status_page.overflows_horizontally()
    wrong_page = body

    status_page.open(link(api, "000.00.12.H46-200101-9999"))  # a well-signed link, no such dossier
    assert status_page.body_text() == wrong_page


def test_an_overdue_dossier_says_so_first(status_page, api):
    dossier = save_dossier(status=4, due_at=LONG_AGO)
    status_page.open(link(api, dossier.code))

    assert status_page.text("overdue") == "Trễ hạn: hồ sơ đã quá ngày hẹn trả."
    assert status_page.style("#overdue", "color") == "rgb(140, 29, 29)"


def test_supplement_request_shows_what_to_bring_as_the_desk_wrote_it(status_page, api):
    note = "1. Bản vẽ thiết kế có chữ ký của chủ đầu tư.\n2. Bản sao Giấy chứng nhận quyền sử dụng đất."
    dossier = save_dossier(status=5, due_at=FAR_FUTURE, note=note)
    status_page.open(link(api, dossier.code))

    assert status_page.text("status").startswith("Yêu cầu bổ sung giấy tờ\n")
    assert status_page.text("action") == f"Giấy tờ cần bổ sung\n{note}"  # the numbered lines kept
    assert not status_page.overflows_horizontally()


def test_financial_obligation_says_what_to_pay(status_page, api):
    dossier = save_dossier(status=6, due_at=FAR_FUTURE, note="Lệ phí trước bạ: 1.250.000 đồng.")
    status_page.open(link(api, dossier.code))

    assert status_page.text("status").startswith("Yêu cầu thực hiện nghĩa vụ tài chính\n")
    assert status_page.text("action") == "Nội dung cần nộp\nLệ phí trước bạ: 1.250.000 đồng."


def test_ready_result_says_where_to_collect_it(status_page, api):
    dossier = save_dossier(status=9, due_at=FAR_FUTURE, processing_unit="UBND xã Quảng Phú")
    status_page.open(link(api, dossier.code))

    assert status_page.text("status").startswith("Đã xử lý xong\n")
    assert status_page.text("collect").startswith("Nhận kết quả\nNơi nhận kết quả: UBND xã Quảng Phú.")
    assert not status_page.has("action")
