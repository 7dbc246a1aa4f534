"""ZaloClient and ZaloOAuth: request shapes and the error envelope (zalo-api.md §2–4, §6, §8)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from functions.config import ZaloSettings
from functions.zalo_client import ZaloClient, ZaloOAuth
from functions.zalo_errors import Kind, ZaloError

OPENAPI = "https://openapi.test"
BUSINESS = "https://business.test"
OAUTH = "https://oauth.test"
SETTINGS = ZaloSettings(
    openapi_url=OPENAPI,
    business_url=BUSINESS,
    oauth_url=OAUTH,
    app_id="app-1",
    app_secret="app-secret",
    timeout_seconds=2.5,
)
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


class FakeTokens:
    """A TokenProvider that hands out tok-1, tok-2, … and records what it was asked to refresh."""

    def __init__(self) -> None:
        self.token = "tok-1"
        self.refreshed: list[str] = []

    def access_token(self) -> str:
        return self.token

    def refresh(self, stale_access_token: str) -> str:
        self.refreshed.append(stale_access_token)
        self.token = f"tok-{len(self.refreshed) + 1}"
        return self.token


def ok(**data) -> dict:
    return {"error": 0, "message": "Success", "data": data}


def fail(code: int, message: str = "error") -> dict:
    return {"error": code, "message": message}


@pytest.fixture
def tokens() -> FakeTokens:
    return FakeTokens()


@pytest.fixture
def client(tokens: FakeTokens) -> ZaloClient:
    return ZaloClient(SETTINGS, tokens)


@pytest.fixture
def http():
    with responses.RequestsMock() as mock:
        yield mock


def sent(call) -> dict:
    return json.loads(call.request.body)


def query_data(call) -> dict:
    return json.loads(parse_qs(urlsplit(call.request.url).query)["data"][0])


# --- request shapes -------------------------------------------------------------------------------


def test_send_text_posts_a_cs_message_with_bare_access_token_header(client, http):
    http.post(f"{OPENAPI}/v3.0/oa/message/cs", json=ok(message_id="m-1", user_id="u-1"))

    assert client.send_text("u-1", "Hồ sơ đã tiếp nhận") == "m-1"

    call = http.calls[0]
    assert call.request.headers["access_token"] == "tok-1"
    assert "Authorization" not in call.request.headers
    assert call.request.headers["Content-Type"] == "application/json"
    assert sent(call) == {"recipient": {"user_id": "u-1"}, "message": {"text": "Hồ sơ đã tiếp nhận"}}


def test_send_template_by_phone_posts_zbs_with_string_values(client, http):
    http.post(f"{BUSINESS}/message/template", json=ok(msg_id="z-1", sent_time="1"))

    msg_id = client.send_template_by_phone("84912345678", "tpl-9", {"ma_ho_so": "H46", "so": 3}, "n-1")

    assert msg_id == "z-1"
    call = http.calls[0]
    assert call.request.headers["access_token"] == "tok-1"
    assert sent(call) == {
        "phone": "84912345678",
        "template_id": "tpl-9",
        "template_data": {"ma_ho_so": "H46", "so": "3"},
        "tracking_id": "n-1",
    }


def test_zbs_development_mode_is_sent_when_configured(tokens, http):
    http.post(f"{BUSINESS}/message/template", json=ok(msg_id="z-1"))
    dev = ZaloClient(replace(SETTINGS, zbs_mode="development"), tokens)

    dev.send_template_by_phone("84912345678", "tpl-9", {}, "n-1")

    assert sent(http.calls[0])["mode"] == "development"


def test_create_article_posts_a_visible_normal_article(client, http):
    http.post(f"{OPENAPI}/v2.0/article/create", json=ok(token="art-tok"))

    assert client.create_article("Tiêu đề", "Tóm tắt", "Nội dung", "https://x/c.jpg", "UBND") == "art-tok"

    assert sent(http.calls[0]) == {
        "type": "normal",
        "title": "Tiêu đề",
        "author": "UBND",
        "cover": {"cover_type": "photo", "photo_url": "https://x/c.jpg", "status": "show"},
        "description": "Tóm tắt",
        "body": [{"type": "text", "content": "Nội dung"}],
        "status": "show",
        "comment": "show",
    }


def test_verify_article_returns_the_id(client, http):
    http.post(f"{OPENAPI}/v2.0/article/verify", json=ok(id="a-1"))

    assert client.verify_article("art-tok") == "a-1"
    assert sent(http.calls[0]) == {"token": "art-tok"}


def test_verify_article_returns_none_while_processing(client, http):
    http.post(f"{OPENAPI}/v2.0/article/verify", json=fail(-214, "Article is being processed"))

    assert client.verify_article("art-tok") is None


def test_verify_article_other_errors_raise(client, http):
    http.post(f"{OPENAPI}/v2.0/article/verify", json=fail(-201, "invalid token"))

    with pytest.raises(ZaloError) as caught:
        client.verify_article("art-tok")
    assert caught.value.kind is Kind.PERMANENT


def test_broadcast_article_posts_a_media_template_to_a_target(client, http):
    http.post(f"{OPENAPI}/v2.0/oa/message", json=ok(message_id="b-1"))

    assert client.broadcast_article("a-1", {"cities": "4"}) == "b-1"

    assert sent(http.calls[0]) == {
        "recipient": {"target": {"cities": "4"}},
        "message": {
            "attachment": {
                "type": "template",
                "payload": {
                    "template_type": "media",
                    "elements": [{"media_type": "article", "attachment_id": "a-1"}],
                },
            }
        },
    }


def test_request_user_info_posts_the_template(client, http):
    http.post(f"{OPENAPI}/v3.0/oa/message/cs", json=ok(message_id="m-2"))

    assert (
        client.send_request_user_info("u-1", "Chia sẻ SĐT", "để nhận thông báo", "https://x/i.png") == "m-2"
    )

    payload = sent(http.calls[0])["message"]["attachment"]["payload"]
    assert payload == {
        "template_type": "request_user_info",
        "elements": [
            {"title": "Chia sẻ SĐT", "subtitle": "để nhận thông báo", "image_url": "https://x/i.png"}
        ],
    }
    assert sent(http.calls[0])["recipient"] == {"user_id": "u-1"}


def test_get_endpoints_pass_json_in_the_data_query_parameter(client, http):
    http.get(f"{OPENAPI}/v3.0/oa/user/getlist", json=ok(total=1, users=[{"user_id": "u-1"}]))
    http.get(f"{OPENAPI}/v3.0/oa/user/detail", json=ok(user_id="u-1", display_name="An"))
    http.get(f"{OPENAPI}/v2.0/oa/getoa", json=ok(oaid="oa-1", name="DVC"))

    assert client.get_followers(offset=50, count=20)["users"] == [{"user_id": "u-1"}]
    assert client.get_user_detail("u-1")["display_name"] == "An"
    assert client.get_oa()["oaid"] == "oa-1"

    followers, detail, oa = http.calls
    assert query_data(followers) == {"offset": 50, "count": 20}
    assert query_data(detail) == {"user_id": "u-1"}
    assert urlsplit(oa.request.url).query == ""
    assert all(call.request.headers["access_token"] == "tok-1" for call in http.calls)


def test_session_is_reused_and_timeout_comes_from_settings(tokens, http):
    class Recording(requests.Session):
        def __init__(self) -> None:
            super().__init__()
            self.timeouts: list[object] = []

        def request(self, *args, **kwargs):
            self.timeouts.append(kwargs.get("timeout"))
            return super().request(*args, **kwargs)

    session = Recording()
    http.post(f"{OPENAPI}/v3.0/oa/message/cs", json=ok(message_id="m-1"))
    client = ZaloClient(SETTINGS, tokens, session)

    client.send_text("u-1", "a")
    client.send_text("u-1", "b")

    assert session.timeouts == [2.5, 2.5]


# --- errors -----------------------------------------------------------------------------------------


def test_rejected_token_is_refreshed_once_and_the_call_retried(client, tokens, http):
    http.post(f"{OPENAPI}/v3.0/oa/message/cs", json=fail(-216, "Access token is invalid"))
    http.post(f"{OPENAPI}/v3.0/oa/message/cs", json=ok(message_id="m-1"))

    assert client.send_text("u-1", "hi") == "m-1"

    assert tokens.refreshed == ["tok-1"]
    assert [c.request.headers["access_token"] for c in http.calls] == ["tok-1", "tok-2"]


def test_zbs_token_error_is_refreshed_too(client, tokens, http):
    http.post(f"{BUSINESS}/message/template", json=fail(-124, "access token invalid"))
    http.post(f"{BUSINESS}/message/template", json=ok(msg_id="z-1"))

    assert client.send_template_by_phone("84912345678", "t", {}, "n-1") == "z-1"
    assert tokens.refreshed == ["tok-1"]


def test_second_token_rejection_propagates(client, tokens, http):
    http.post(f"{OPENAPI}/v3.0/oa/message/cs", json=fail(-220, "access_token is expired"))

    with pytest.raises(ZaloError) as caught:
        client.send_text("u-1", "hi")

    assert caught.value.kind is Kind.REFRESH
    assert tokens.refreshed == ["tok-1"]
    assert len(http.calls) == 2


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (-230, Kind.PERMANENT),
        (-213, Kind.PERMANENT),
        (-32, Kind.QUOTA),
        (-200, Kind.RETRY),
        (-999, Kind.PERMANENT),
    ],
)
def test_oa_error_codes_become_zalo_errors_with_http_200(client, tokens, http, code, kind):
    http.post(f"{OPENAPI}/v3.0/oa/message/cs", json=fail(code, "nope"), status=200)

    with pytest.raises(ZaloError) as caught:
        client.send_text("u-1", "hi")

    assert (caught.value.api, caught.value.code, caught.value.kind) == ("oa", code, kind)
    assert caught.value.message == "nope"
    assert tokens.refreshed == []
    assert len(http.calls) == 1


def test_zbs_phone_not_on_zalo_is_permanent(client, http):
    http.post(f"{BUSINESS}/message/template", json=fail(-118, "Zalo account not existed"))

    with pytest.raises(ZaloError) as caught:
        client.send_template_by_phone("84900000000", "t", {}, "n-1")

    assert (caught.value.api, caught.value.code, caught.value.kind) == ("zbs", -118, Kind.PERMANENT)


def test_http_5xx_is_a_transport_retry(client, http):
    http.post(f"{OPENAPI}/v3.0/oa/message/cs", body="Bad gateway", status=502)

    with pytest.raises(ZaloError) as caught:
        client.send_text("u-1", "hi")

    assert (caught.value.api, caught.value.code, caught.value.kind) == ("oa", 502, Kind.RETRY)


@pytest.mark.parametrize(
    "exception",
    [requests.ReadTimeout("slow"), requests.ConnectTimeout("slow"), requests.ConnectionError("x")],
)
def test_no_answer_is_a_transport_retry(client, http, exception):
    http.post(f"{BUSINESS}/message/template", body=exception)

    with pytest.raises(ZaloError) as caught:
        client.send_template_by_phone("84912345678", "t", {}, "n-1")

    assert (caught.value.api, caught.value.code, caught.value.kind) == ("zbs", 0, Kind.RETRY)


def test_non_json_answer_is_a_transport_retry(client, http):
    http.post(f"{OPENAPI}/v3.0/oa/message/cs", body="<html>maintenance</html>", status=200)

    with pytest.raises(ZaloError) as caught:
        client.send_text("u-1", "hi")

    assert caught.value.kind is Kind.RETRY


def test_http_4xx_without_envelope_is_permanent(client, http):
    http.post(f"{OPENAPI}/v3.0/oa/message/cs", body="not found", status=404)

    with pytest.raises(ZaloError) as caught:
        client.send_text("u-1", "hi")

    assert (caught.value.code, caught.value.kind) == (404, Kind.PERMANENT)


def test_success_without_an_id_is_permanent(client, http):
    http.post(f"{OPENAPI}/v3.0/oa/message/cs", json=ok())

    with pytest.raises(ZaloError) as caught:
        client.send_text("u-1", "hi")

    assert caught.value.kind is Kind.PERMANENT


# --- OAuth --------------------------------------------------------------------------------------------


def test_oauth_refresh_is_form_encoded_with_secret_key_header(http):
    http.post(
        f"{OAUTH}/v4/oa/access_token",
        json={"access_token": "at-2", "refresh_token": "rt-2", "expires_in": "90000"},
    )

    pair = ZaloOAuth(SETTINGS, clock=lambda: T0).refresh("rt-1")

    assert (pair.access_token, pair.refresh_token) == ("at-2", "rt-2")
    assert pair.expires_at == T0 + timedelta(seconds=90000)
    assert pair.expires_at.tzinfo is not None
    request = http.calls[0].request
    assert request.headers["secret_key"] == "app-secret"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.body) == {
        "app_id": ["app-1"],
        "grant_type": ["refresh_token"],
        "refresh_token": ["rt-1"],
    }


def test_oauth_numeric_expires_in_is_accepted(http):
    http.post(
        f"{OAUTH}/v4/oa/access_token", json={"access_token": "a", "refresh_token": "r", "expires_in": 60}
    )

    assert ZaloOAuth(SETTINGS, clock=lambda: T0).refresh("rt-1").expires_at == T0 + timedelta(seconds=60)


def test_oauth_refusal_with_http_200_is_permanent(http):
    http.post(
        f"{OAUTH}/v4/oa/access_token",
        json={"error": -14014, "error_name": "Invalid refresh token", "error_reason": "expired or used"},
    )

    with pytest.raises(ZaloError) as caught:
        ZaloOAuth(SETTINGS).refresh("rt-used")

    assert (caught.value.api, caught.value.code, caught.value.kind) == ("oauth", -14014, Kind.PERMANENT)
    assert caught.value.message == "expired or used"


def test_oauth_answer_without_access_token_is_permanent(http):
    http.post(f"{OAUTH}/v4/oa/access_token", json={"refresh_token": "r"})

    with pytest.raises(ZaloError) as caught:
        ZaloOAuth(SETTINGS).refresh("rt-1")

    assert caught.value.kind is Kind.PERMANENT


def test_oauth_5xx_and_timeouts_are_retryable(http):
    http.post(f"{OAUTH}/v4/oa/access_token", status=503)
    http.post(f"{OAUTH}/v4/oa/access_token", body=requests.ReadTimeout("slow"))
    oauth = ZaloOAuth(SETTINGS)

    for _ in range(2):
        with pytest.raises(ZaloError) as caught:
            oauth.refresh("rt-1")
        assert (caught.value.api, caught.value.kind) == ("oauth", Kind.RETRY)
