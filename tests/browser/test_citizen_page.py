"""A person plays a citizen on the Zalo simulator's page, in headless Chromium on a phone-sized window:
asks the OA about a dossier and sees the answer and the ZBS notice that reached their phone.
"""

from __future__ import annotations

import os
import shutil
import unicodedata

import pytest

from functions import status_link
from functions.messages import EXAMPLE_CODE
from tests.factories import next_phone, save_dossier
from tests.receipt_photos import Shot, photograph, receipt

pytestmark = pytest.mark.browser

LEAD_SCREENSHOT = "/tmp/sim-page.png"  # left for a person to look at after a run


def test_page_speaks_vietnamese(citizen_page):
    page = citizen_page

    assert page.driver.title == "Điện thoại công dân — Zalo mô phỏng"
    assert page.text("#oa-name") == "Dịch vụ công tỉnh (mô phỏng)"
    assert page.text("#follow-btn") == "Quan tâm"
    assert page.text("#new-toggle") == "＋ Mới"
    assert page.text("#send-btn") == "Gửi"
    assert page.find("#text").get_attribute("placeholder") == "Nhập tin nhắn, ví dụ mã hồ sơ…"
    assert page.text("#chat") == "Chọn hoặc tạo một công dân để bắt đầu trò chuyện với OA."
    body = page.text("body")
    assert unicodedata.is_normalized("NFC", body)
    assert not any(garbled in body for garbled in ("Ä‘", "Ã¡", "á»", "\ufffd"))  # UTF-8 read as Latin-1


def test_citizen_asks_about_a_dossier_and_sees_its_status_and_the_notice(citizen_page, tmp_path):
    page = citizen_page
    name, phone = "Hoàng Thị Thu Hà", next_phone()

    page.create_citizen(name, phone)
    assert page.chosen_citizen() == f"{name} ({phone.replace(' ', '')})"
    dossier = save_dossier(
        status=4,
        phone=phone,
        notify_zalo=True,
        applicant_name=name,
        procedure_name="Đăng ký khai sinh",
    )
    page.say(dossier.code)

    assert dossier.code in page.sent_bubble(dossier.code)
    reply = page.oa_reply(dossier.code)
    assert "Đang xử lý" in reply
    assert "Đăng ký khai sinh" in reply
    assert name not in reply  # the applicant's name is masked
    notice = page.notice(dossier.code)
    assert "Mã hồ sơ" in notice
    assert "Đang xử lý" in notice

    page.driver.save_screenshot(str(tmp_path / "answered.png"))
    shutil.copyfile(tmp_path / "answered.png", LEAD_SCREENSHOT)


def test_greeting_gets_the_how_to_with_an_example_code(citizen_page):
    page = citizen_page

    page.create_citizen("Đặng Văn Lâm", next_phone())
    page.say("xin chào")

    assert "xin chào" in page.sent_bubble("xin chào")
    reply = page.oa_reply("Để tra cứu tình trạng hồ sơ")  # after the welcome the follow left pending
    assert EXAMPLE_CODE in reply
    assert "mã hồ sơ" in reply


def test_citizen_sends_a_photo_of_the_receipt_and_gets_the_status(citizen_page, tmp_path):
    page = citizen_page
    page.create_citizen("Lý Thị Thảo", next_phone())
    dossier = save_dossier(status=9, procedure_name="Cấp bản sao trích lục hộ tịch")
    link = status_link.url("http://127.0.0.1", dossier.code, os.environ["STATUS_LINK_KEY"])
    photo = tmp_path / "phieu-tiep-nhan.jpg"
    photo.write_bytes(photograph(receipt(link, dossier.code), Shot(rotate=-7, scale=0.7, noise=20)))

    page.send_photo(str(photo))

    reply = page.oa_reply(dossier.code)
    assert "Đã xử lý xong" in reply
    assert "Nơi nhận kết quả" in reply
