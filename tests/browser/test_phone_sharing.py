"""A citizen on the simulator's phone page shares their number from the OA's card, then asks for
"hồ sơ của tôi" and sees their dossier, masked."""

from __future__ import annotations

import pytest

from functions.dynamo_stores import DynamoPhoneDossierIndex
from functions.phones import normalise
from tests.e2e.sim_client import eventually
from tests.factories import next_phone, save_dossier

pytestmark = pytest.mark.browser


def test_share_phone_from_the_card_then_list_my_dossiers(citizen_page, tmp_path):
    page = citizen_page
    phone = next_phone()
    dossier = save_dossier(
        status=5, phone=phone, applicant_name="Vũ Thị Ngọc Anh", procedure_name="Đăng ký khai tử"
    )

    page.create_citizen("Vũ Thị Ngọc Anh", phone)
    page.say("xin chào")
    card = page.info_card("Chia sẻ số điện thoại")
    assert "xoá số điện thoại" in card
    page.share_info()

    confirmation = page.oa_reply("Đã liên kết số điện thoại")
    assert phone.replace(" ", "")[1:] not in confirmation.replace(" ", "")  # masked
    eventually(lambda: DynamoPhoneDossierIndex().for_phone(normalise(phone)))  # the stream has run
    page.say("hồ sơ của tôi")
    listing = page.oa_reply(dossier.code)
    assert "Đăng ký khai tử" in listing and "Cần bổ sung giấy tờ" in listing
    assert "Vũ T. N. A." in listing

    page.driver.save_screenshot(str(tmp_path / "my-dossiers.png"))
