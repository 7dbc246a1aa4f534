"""The real ZaloClient + ZaloOAuth + TokenManager against the Zalo simulator (zalo-api.md).

The simulator was written apart from the client, from the same contract; where both agree the
contract is probably read right. The token store is the in-memory fake (DynamoTokenStore has its
own integration tests).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from functions.config import ZaloSettings
from functions.tokens import TokenManager
from functions.zalo_client import ZaloClient, ZaloOAuth
from functions.zalo_errors import Kind, ZaloError
from tests.contract.conftest import Sim
from tests.fakes.token_store import InMemoryTokenStore

pytestmark = pytest.mark.contract

PHONE = "84912345678"
STATUS_DATA = {
    "ma_ho_so": "000.00.12.H46-240115-0003",
    "ten_thu_tuc": "Cấp giấy phép xây dựng",
    "trang_thai": "Đã có kết quả",
    "ngay_hen_tra": "20/01/2024",
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


def token_manager(settings: ZaloSettings, store: InMemoryTokenStore, owner: str = "lambda-1") -> TokenManager:
    return TokenManager(
        store, ZaloOAuth(settings), settings.initial_refresh_token, _utcnow, owner, poll_seconds=0.01
    )


@pytest.fixture
def store() -> InMemoryTokenStore:
    return InMemoryTokenStore()


@pytest.fixture
def client(settings: ZaloSettings, store: InMemoryTokenStore) -> ZaloClient:
    return ZaloClient(settings, token_manager(settings, store))


# --- CS messages ------------------------------------------------------------------------------------


def test_cs_text_reaches_a_user_who_just_wrote(sim: Sim, client: ZaloClient):
    user_id = sim.user()
    sim.post(f"/users/{user_id}/messages", {"text": "Tra cứu hồ sơ"})

    message_id = client.send_text(user_id, "Hồ sơ của bạn đã có kết quả.")

    chat = sim.get(f"/users/{user_id}/inbox")["chat"]
    assert [(item["message_id"], item["text"]) for item in chat] == [
        (message_id, "Hồ sơ của bạn đã có kết quả.")
    ]


def test_cs_text_to_a_user_who_never_wrote_is_230(sim: Sim, client: ZaloClient):
    user_id = sim.user()

    with pytest.raises(ZaloError) as caught:
        client.send_text(user_id, "Xin chào")

    assert (caught.value.api, caught.value.code, caught.value.kind) == ("oa", -230, Kind.PERMANENT)


def test_request_user_info_card(sim: Sim, client: ZaloClient):
    user_id = sim.user()
    sim.post(f"/users/{user_id}/messages", {"text": "đăng ký"})

    client.send_request_user_info(user_id, "Chia sẻ số điện thoại", "Để nhận thông báo hồ sơ", "")

    assert sim.get(f"/users/{user_id}/inbox")["chat"][0]["type"] == "request_user_info"


# --- ZBS by phone ---------------------------------------------------------------------------------------


def test_zbs_by_phone_lands_in_the_phones_inbox(sim: Sim, client: ZaloClient, settings: ZaloSettings):
    msg_id = client.send_template_by_phone(PHONE, settings.template_status, STATUS_DATA, "notice-1")

    [notice] = sim.get(f"/phones/{PHONE}/inbox")["zbs"]
    assert (notice["msg_id"], notice["tracking_id"]) == (msg_id, "notice-1")
    assert notice["template_data"] == STATUS_DATA


def test_zbs_to_a_phone_without_zalo_is_118(sim: Sim, client: ZaloClient, settings: ZaloSettings):
    sim.post("/phones/no-zalo", {"phone": PHONE})

    with pytest.raises(ZaloError) as caught:
        client.send_template_by_phone(PHONE, settings.template_status, STATUS_DATA, "notice-2")

    assert (caught.value.api, caught.value.code, caught.value.kind) == ("zbs", -118, Kind.PERMANENT)


def test_zbs_needs_the_84_form(client: ZaloClient, settings: ZaloSettings):
    with pytest.raises(ZaloError) as caught:
        client.send_template_by_phone("0912345678", settings.template_status, STATUS_DATA, "notice-3")

    assert (caught.value.code, caught.value.kind) == (-108, Kind.PERMANENT)


def test_zbs_development_mode_reaches_admins_only(sim: Sim, store, settings: ZaloSettings):
    dev = ZaloClient(replace(settings, zbs_mode="development"), token_manager(settings, store))

    dev.send_template_by_phone(sim.config.admin_phones[0], settings.template_status, STATUS_DATA, "dev-1")
    with pytest.raises(ZaloError) as caught:
        dev.send_template_by_phone(PHONE, settings.template_status, STATUS_DATA, "dev-2")

    assert caught.value.code == -127


# --- tokens ------------------------------------------------------------------------------------------------


def test_bootstrap_spends_the_operators_refresh_token(sim: Sim, client: ZaloClient, store, settings):
    client.get_oa()

    [call] = sim.calls("/v4/oa/access_token")
    assert call["form"]["grant_type"] == "refresh_token"
    assert store.record.refresh_token == sim.get("/tokens")["refresh_token"]  # the rotated one, stored
    with pytest.raises(ZaloError) as caught:
        ZaloOAuth(settings).refresh(settings.initial_refresh_token)
    assert (caught.value.api, caught.value.kind) == ("oauth", Kind.PERMANENT)


def test_revoked_token_is_refreshed_and_the_call_retried_transparently(sim: Sim, client, store, settings):
    user_id = sim.user()
    sim.post(f"/users/{user_id}/messages", {"text": "xin chào"})
    client.get_oa()  # bootstrap
    spent = store.record.refresh_token
    sim.post("/tokens/expire")

    client.send_text(user_id, "Trả lời")

    cs_calls = sim.calls("/v3.0/oa/message/cs")
    assert [c["response_json"]["error"] for c in cs_calls] == [-216, 0]
    assert len(sim.calls("/v4/oa/access_token")) == 2
    assert store.record.refresh_token not in (spent, None)
    with pytest.raises(ZaloError) as caught:
        ZaloOAuth(settings).refresh(spent)  # single-use: Zalo refuses the spent one
    assert (caught.value.api, caught.value.kind) == ("oauth", Kind.PERMANENT)


def test_expired_token_on_zbs_is_refreshed_too(sim: Sim, client, settings):
    client.get_oa()
    sim.post("/clock/advance", {"seconds": 25 * 3600 + 60})  # Zalo's 25 h are over; our clock disagrees

    client.send_template_by_phone(PHONE, settings.template_status, STATUS_DATA, "notice-4")

    assert [c["response_json"]["error"] for c in sim.calls("/message/template")] == [-124, 0]


def test_oauth_answer_shape(sim: Sim, settings):
    before = datetime.now(UTC)
    pair = ZaloOAuth(settings).refresh(settings.initial_refresh_token)

    assert pair.access_token == sim.get("/tokens")["access_token"]
    assert 89_990 <= (pair.expires_at - before).total_seconds() <= 90_010  # expires_in "90000"


def test_concurrent_lambdas_spend_the_refresh_token_once(sim: Sim, settings):
    store = InMemoryTokenStore()
    managers = [token_manager(settings, store, f"lambda-{i}") for i in range(6)]
    barrier = threading.Barrier(len(managers))
    tokens: list[str] = []

    def run(manager: TokenManager) -> None:
        barrier.wait()
        tokens.append(manager.access_token())

    threads = [threading.Thread(target=run, args=(m,)) for m in managers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(set(tokens)) == 1 and len(tokens) == len(managers)
    [refresh] = sim.calls("/v4/oa/access_token")
    assert refresh["response_json"].get("access_token")
    assert sim.get("/tokens")["refresh_count"] == 1


# --- articles and broadcast ------------------------------------------------------------------------------


def test_article_create_verify_broadcast(sim: Sim, client: ZaloClient):
    sim.daytime()
    follower = sim.user("Trần Thị Bình", follower=True)
    sim.user("Lê Văn Cường", follower=False)
    sim.patch("/config", {"article_processing_polls": 2})
    try:
        token = client.create_article(
            "Thông báo lịch tiếp công dân",
            "Lịch tiếp công dân tháng 3",
            "Nội dung thông báo …",
            "https://example.gov.vn/cover.jpg",
            "UBND tỉnh",
        )
        polls = [client.verify_article(token) for _ in range(3)]
    finally:
        sim.patch("/config", {"article_processing_polls": 0})

    assert polls[:2] == [None, None]
    article_id = polls[2]
    assert article_id
    message_id = client.broadcast_article(article_id, {})

    [broadcast] = sim.get("/broadcasts")["broadcasts"]
    assert (broadcast["message_id"], broadcast["article_id"]) == (message_id, article_id)
    assert broadcast["recipients"] == [follower]
    [article] = sim.get("/articles")["articles"]
    assert (article["status"], article["comment"], article["type"]) == ("show", "show", "normal")


def test_broadcast_with_target_filters(sim: Sim, client: ZaloClient):
    sim.daytime()
    token = client.create_article("Tiêu đề", "Mô tả", "Nội dung", "https://example.gov.vn/c.jpg", "UBND")
    article_id = client.verify_article(token)

    client.broadcast_article(article_id, {"cities": "4", "gender": "0"})

    assert sim.get("/broadcasts")["broadcasts"][0]["target"] == {"cities": "4", "gender": "0"}


# --- followers and OA --------------------------------------------------------------------------------------


def test_followers_detail_and_oa(sim: Sim, client: ZaloClient):
    user_id = sim.user("Phạm Thị Dung", phone="0912345678", follower=True)

    page = client.get_followers(offset=0, count=50)
    detail = client.get_user_detail(user_id)
    oa = client.get_oa()

    assert [u["user_id"] for u in page["users"]] == [user_id]
    assert (detail["display_name"], detail["user_is_follower"]) == ("Phạm Thị Dung", True)
    assert oa["oaid"] == sim.config.oa_id
    assert all(call["had_token"] for call in sim.calls("/v3.0/oa/user/getlist"))
