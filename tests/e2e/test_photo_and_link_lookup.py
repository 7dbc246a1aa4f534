"""A citizen sends a photo of the receipt's QR, or pastes the status-page link, in the OA chat and gets
the status card; the link in the card opens the public status page. Through the whole local stack.
"""

from __future__ import annotations

import os

import pytest
import requests

from functions import status_link
from functions.messages import unreadable_photo_reply
from tests.e2e.sim_client import eventually
from tests.factories import save_dossier
from tests.receipt_photos import Shot, blank_photo, photograph, receipt

pytestmark = pytest.mark.e2e


def _replies(sim, user_id: str, count: int = 1) -> list[str]:
    def probe() -> list[str]:
        chat = sim.inbox(user_id).get("chat", [])
        texts = [m.get("text", "") for m in chat if m.get("text")]
        return texts if len(texts) >= count else []

    return eventually(probe)


def _link(api: str, code: str) -> str:
    return status_link.url(api, code, os.environ["STATUS_LINK_KEY"])


def test_photo_of_the_receipt_gets_the_status_card(sim, api, stack):
    dossier = save_dossier(status=5, note="Bổ sung bản sao Giấy chứng nhận quyền sử dụng đất.")
    citizen = sim.new_citizen("Võ Thị Mai")
    photo = photograph(receipt(_link(api, dossier.code), dossier.code), Shot(rotate=7, scale=0.8, noise=20))

    sent = sim.send_photo(citizen["user_id"], photo)

    assert sent["webhook_status"] == 200
    [reply] = _replies(sim, citizen["user_id"])
    assert reply.startswith(f"Hồ sơ {dossier.code}")
    assert "Giấy tờ cần bổ sung: Bổ sung bản sao Giấy chứng nhận quyền sử dụng đất." in reply
    assert "Võ Thị Mai" not in reply
    link = reply.rsplit("Xem chi tiết: ", 1)[1].strip()
    assert link == _link(api, dossier.code)
    page = requests.get(link, timeout=10)
    assert page.status_code == 200
    assert "Yêu cầu bổ sung giấy tờ" in page.text


def test_an_unreadable_photo_gets_a_request_for_a_clearer_one(sim, stack):
    citizen = sim.new_citizen("Đỗ Văn Hùng")
    sim.send_photo(citizen["user_id"], blank_photo())
    assert _replies(sim, citizen["user_id"]) == [unreadable_photo_reply()]


def test_a_pasted_status_page_link_is_answered_like_the_code(sim, api, stack):
    dossier = save_dossier(status=4, procedure_name="Đăng ký kết hôn")
    citizen = sim.new_citizen("Bùi Thị Ngọc")
    sim.say(citizen["user_id"], f"Mình quét được link này {_link(api, dossier.code)} mà không mở được")

    [reply] = _replies(sim, citizen["user_id"])
    assert reply.startswith(f"Hồ sơ {dossier.code}")
    assert "Đăng ký kết hôn" in reply


def test_a_shared_status_page_link_is_answered_like_the_code(sim, api, stack):
    dossier = save_dossier(status=6, note="Lệ phí: 50.000 đồng.")
    citizen = sim.new_citizen("Trịnh Văn Khoa")
    sim.share_link(citizen["user_id"], _link(api, dossier.code))

    [reply] = _replies(sim, citizen["user_id"])
    assert reply.startswith(f"Hồ sơ {dossier.code}")
    assert "Nội dung cần nộp: Lệ phí: 50.000 đồng." in reply


def test_the_status_page_over_http_has_its_headers_and_refuses_a_wrong_k(api, stack):
    dossier = save_dossier(status=4)
    good = requests.get(_link(api, dossier.code), timeout=10)
    wrong = requests.get(f"{api}/tra-cuu/{dossier.code}?k=AAAAAAAAAAAAAAAA", timeout=10)
    unknown = requests.get(_link(api, "000.00.12.H46-200101-9999"), timeout=10)
    missing = requests.get(f"{api}/tra-cuu/{dossier.code}", timeout=10)

    assert good.status_code == 200
    assert good.headers["Content-Type"] == "text/html; charset=utf-8"
    assert good.headers["Cache-Control"] == "no-store"
    assert good.headers["Referrer-Policy"] == "no-referrer"
    assert good.headers["X-Robots-Tag"].startswith("noindex")
    assert good.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert dossier.code in good.text
    assert {wrong.status_code, unknown.status_code, missing.status_code} == {404}
    assert wrong.content == unknown.content == missing.content
    assert dossier.code not in wrong.text
