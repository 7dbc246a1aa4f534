"""The Zalo simulator follows zalo-api.md: envelopes, error codes, token rotation, signed webhooks.

Signatures are recomputed here with hashlib, independently of the simulator's code.
The simulator's clock is pinned (conftest.START_S) and moved with /_sim/clock/advance.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from local.zalo_sim import SimConfig, start
from tests.simulator.conftest import START_S, Receiver

CFG = SimConfig()
TOKEN = {"access_token": CFG.access_token}
DOSSIER = "000.00.12.H46-240115-0003"
HUONG_PHONE = "84912345678"
STATUS_DATA = {
    "ma_ho_so": DOSSIER,
    "ten_thu_tuc": "Cấp giấy phép xây dựng đối với nhà ở riêng lẻ",
    "trang_thai": "Đang xử lý",
    "ngay_hen_tra": "20/01/2024",
    "ghi_chu": "",
}
DAY_S = 24 * 3600


# helpers ------------------------------------------------------------------------------------------
def expected_mac(raw: bytes, timestamp: str, cfg: SimConfig = CFG) -> str:
    text = cfg.app_id + raw.decode("utf-8") + timestamp + cfg.oa_secret_key
    return "mac=" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def citizen(
    client: FlaskClient, name: str = "Nguyễn Thị Hương", phone: str = "0912 345 678", follower: bool = True
) -> dict[str, Any]:
    answer = client.post("/_sim/users", json={"display_name": name, "phone": phone, "follower": follower})
    assert answer.status_code == 201
    return answer.get_json()


def say(client: FlaskClient, user_id: str, text: str) -> dict[str, Any]:
    return client.post(f"/_sim/users/{user_id}/messages", json={"text": text}).get_json()


def cs_text(client: FlaskClient, user_id: str, text: str, headers: dict | None = None) -> dict[str, Any]:
    body = {"recipient": {"user_id": user_id}, "message": {"text": text}}
    answer = client.post("/v3.0/oa/message/cs", json=body, headers=TOKEN if headers is None else headers)
    assert answer.status_code == 200  # Zalo answers application errors with HTTP 200 too
    return answer.get_json()


def zbs(client: FlaskClient, headers: dict | None = None, **fields: Any) -> dict[str, Any]:
    body = {
        "phone": HUONG_PHONE,
        "template_id": "dvc_status_v1",
        "template_data": dict(STATUS_DATA),
        "tracking_id": "ntf-000.00.12.H46-240115-0003-4",
    }
    body.update(fields)
    answer = client.post("/message/template", json=body, headers=TOKEN if headers is None else headers)
    assert answer.status_code == 200
    return answer.get_json()


def refresh(client: FlaskClient, refresh_token: str, secret: str = CFG.app_secret) -> dict[str, Any]:
    form = {"app_id": CFG.app_id, "grant_type": "refresh_token", "refresh_token": refresh_token}
    answer = client.post("/v4/oa/access_token", data=form, headers={"secret_key": secret})
    assert answer.status_code == 200
    return answer.get_json()


def user_detail(client: FlaskClient, user_id: str) -> dict[str, Any]:
    query = {"data": json.dumps({"user_id": user_id})}
    return client.get("/v3.0/oa/user/detail", query_string=query, headers=TOKEN).get_json()["data"]


def fresh_token(client: FlaskClient) -> dict[str, str]:
    current = client.get("/_sim/tokens").get_json()["refresh_token"]
    return {"access_token": refresh(client, current)["access_token"]}


def flush(client: FlaskClient) -> None:
    assert client.post("/_sim/deliveries/flush", json={"timeout_s": 5}).get_json()["pending"] == 0


def advance(client: FlaskClient, seconds: float) -> None:
    client.post("/_sim/clock/advance", json={"seconds": seconds})


# webhooks -----------------------------------------------------------------------------------------
def test_user_message_is_delivered_signed_with_string_ids(client: FlaskClient, receiver: Receiver) -> None:
    huong = citizen(client)

    sent = say(client, huong["user_id"], f"Cho tôi hỏi hồ sơ {DOSSIER}")

    assert sent["webhook_status"] == 200
    [got] = receiver.requests
    body = json.loads(got.body)
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["X-Zevent-Signature"] == expected_mac(got.body, body["timestamp"])
    assert body["timestamp"] == str(int(START_S * 1000))
    assert body["event_name"] == "user_send_text"
    assert body["app_id"] == CFG.app_id
    assert body["sender"] == {"id": huong["user_id"]}
    assert body["recipient"] == {"id": CFG.oa_id}
    assert body["user_id_by_app"] == huong["user_id_by_app"] != huong["user_id"]
    assert body["message"] == {"msg_id": sent["msg_id"], "text": f"Cho tôi hỏi hồ sơ {DOSSIER}"}
    assert len(huong["user_id"]) == 19 and huong["user_id"].isdigit()
    assert "Cho tôi hỏi".encode() in got.body  # UTF-8 on the wire, not \\u escapes


def test_follow_unfollow_and_submit_info_shapes(client: FlaskClient, receiver: Receiver) -> None:
    binh = citizen(client, "Trần Văn Bình", "0983.112.233", follower=False)

    client.post(f"/_sim/users/{binh['user_id']}/follow")
    client.post(f"/_sim/users/{binh['user_id']}/unfollow")
    shared = client.post(f"/_sim/users/{binh['user_id']}/submit-info", json={}).get_json()

    follow, unfollow, info = (json.loads(r.body) for r in receiver.requests)
    assert follow == {
        "app_id": CFG.app_id,
        "oa_id": CFG.oa_id,
        "user_id_by_app": binh["user_id_by_app"],
        "event_name": "follow",
        "timestamp": follow["timestamp"],
        "follower": {"id": binh["user_id"]},
        "source": "oa_profile",
    }
    assert unfollow["event_name"] == "unfollow"
    assert info["event_name"] == "user_submit_info"
    assert info["sender"] == {"id": binh["user_id"]}
    assert info["info"] == {"name": "Trần Văn Bình", "phone": "84983112233"} == shared["info"]
    for got in receiver.requests:
        assert got.headers["X-Zevent-Signature"] == expected_mac(got.body, json.loads(got.body)["timestamp"])


def test_chat_now_and_withdraw_shapes(client: FlaskClient, receiver: Receiver) -> None:
    lan = citizen(client, "Phạm Thị Lan", "0905 678 901", follower=True)
    client.post(f"/_sim/users/{lan['user_id']}/submit-info", json={})

    client.post(f"/_sim/users/{lan['user_id']}/chatnow")
    withdrawn = client.post(f"/_sim/users/{lan['user_id']}/withdraw").get_json()

    _, chatnow, withdraw = (json.loads(r.body) for r in receiver.requests)
    assert chatnow["event_name"] == "user_click_chatnow" and chatnow["user_id"] == lan["user_id"]
    assert withdraw == {
        "app_id": CFG.app_id,
        "oa_id": CFG.oa_id,
        "user_id": lan["user_id"],
        "user_id_by_app": lan["user_id_by_app"],
        "event_name": "user_withdraw",
        "timestamp": withdraw["timestamp"],
    }
    assert withdrawn["webhook_status"] == 200
    assert client.get(f"/_sim/users/{lan['user_id']}").get_json()["shared_info"] is None
    assert client.post("/_sim/users/1234567890123456789/withdraw").status_code == 404
    for got in receiver.requests:
        assert got.headers["X-Zevent-Signature"] == expected_mac(got.body, json.loads(got.body)["timestamp"])


def test_redelivery_posts_the_same_bytes_and_signature(client: FlaskClient, receiver: Receiver) -> None:
    huong = citizen(client)
    first = say(client, huong["user_id"], DOSSIER)

    again = client.post(f"/_sim/deliveries/{first['delivery']}/redeliver").get_json()

    assert again["webhook_status"] == 200
    one, two = receiver.requests
    assert one.body == two.body
    assert one.headers["X-Zevent-Signature"] == two.headers["X-Zevent-Signature"]
    listed = client.get("/_sim/deliveries").get_json()["deliveries"]
    assert [d["trigger"] for d in listed] == ["control", "redeliver"]
    assert listed[1]["redelivery_of"] == 0 and listed[1]["status"] == 200


def test_webhook_status_reports_what_our_side_answered(client: FlaskClient, receiver: Receiver) -> None:
    receiver.status = 401
    huong = citizen(client)

    forged = client.post(
        "/_sim/webhook/send",
        json={"payload": {"event_name": "user_send_text", "timestamp": "1"}, "signature": "invalid"},
    )

    assert say(client, huong["user_id"], "xin chào")["webhook_status"] == 401
    assert forged.get_json()["webhook_status"] == 401
    assert receiver.requests[0].headers["X-Zevent-Signature"] == "mac=" + "0" * 64


def test_photo_is_served_back_and_sent_as_user_send_image(client: FlaskClient, receiver: Receiver) -> None:
    huong = citizen(client)
    png = b"\x89PNG\r\n\x1a\n fake receipt photo"

    sent = client.post(
        f"/_sim/users/{huong['user_id']}/images",
        json={"image_base64": base64.b64encode(png).decode(), "content_type": "image/png"},
    )

    body = json.loads(receiver.requests[0].body)
    assert body["event_name"] == "user_send_image"
    url = body["message"]["attachments"][0]["payload"]["url"]
    assert url == sent.get_json()["url"]
    served = client.get(url.replace("http://localhost", ""))
    assert served.data == png and served.content_type == "image/png"


def test_shared_link_is_sent_as_user_send_link(client: FlaskClient, receiver: Receiver) -> None:
    huong = citizen(client)
    link = "https://dvc.example.gov.vn/tra-cuu/000.00.12.H46-240115-0003?k=abc"

    sent = client.post(f"/_sim/users/{huong['user_id']}/links", json={"url": link, "description": "Tra cứu"})

    assert sent.status_code == 200
    body = json.loads(receiver.requests[0].body)
    assert body["event_name"] == "user_send_link"
    assert body["sender"]["id"] == huong["user_id"]
    assert body["message"]["attachments"] == [
        {"type": "link", "payload": {"url": link, "thumbnail": "", "description": "Tra cứu"}}
    ]
    assert client.post(f"/_sim/users/{huong['user_id']}/links", json={}).status_code == 400


# OAuth --------------------------------------------------------------------------------------------
def test_refresh_rotates_and_the_old_refresh_token_is_refused(client: FlaskClient) -> None:
    first = refresh(client, CFG.refresh_token)

    assert set(first) == {"access_token", "refresh_token", "expires_in"}
    assert first["expires_in"] == "90000"
    assert first["refresh_token"] != CFG.refresh_token
    reused = refresh(client, CFG.refresh_token)
    assert "access_token" not in reused
    assert reused["error"] == -14014 and reused["error_name"] and reused["error_description"]
    assert refresh(client, first["refresh_token"], secret="wrong")["error"] == -14004
    second = refresh(client, first["refresh_token"])
    assert "access_token" in second
    # old access tokens stay valid until they expire
    for token in (CFG.access_token, first["access_token"], second["access_token"]):
        assert client.get("/v2.0/oa/getoa", headers={"access_token": token}).get_json()["error"] == 0
    tokens = client.get("/_sim/tokens").get_json()
    assert tokens["refresh_token"] == second["refresh_token"]
    assert tokens["refresh_count"] == 2


def test_expired_tokens_answer_216_on_oa_and_124_on_zbs(client: FlaskClient) -> None:
    client.post("/_sim/tokens/expire")

    assert client.get("/v2.0/oa/getoa", headers=TOKEN).get_json()["error"] == -216
    assert zbs(client)["error"] == -124
    assert client.get("/v2.0/oa/getoa").get_json()["error"] == -216  # no header at all
    fresh = fresh_token(client)
    assert client.get("/v2.0/oa/getoa", headers=fresh).get_json()["error"] == 0
    advance(client, 25 * 3600 + 1)
    assert client.get("/v2.0/oa/getoa", headers=fresh).get_json()["error"] == -220


# CS messages --------------------------------------------------------------------------------------
def test_cs_needs_an_interaction_within_seven_days(client: FlaskClient) -> None:
    huong = citizen(client, follower=False)
    client.post(f"/_sim/users/{huong['user_id']}/follow")  # a follow is not an interaction

    assert cs_text(client, huong["user_id"], "Chào chị")["error"] == -230
    say(client, huong["user_id"], DOSSIER)
    answer = cs_text(client, huong["user_id"], f"Hồ sơ {DOSSIER}: Đang xử lý")
    assert answer["error"] == 0
    assert answer["data"]["user_id"] == huong["user_id"]
    assert answer["data"]["sent_time"] == str(int(START_S * 1000))
    assert answer["data"]["quota"]["quota_type"] == "reply"
    advance(client, 3 * DAY_S)  # access tokens live 25 h: take a fresh one after each jump
    later = cs_text(client, huong["user_id"], "Nhắc lại", headers=fresh_token(client))
    assert later["data"]["quota"]["quota_type"] == "sub_quota"  # billed between 48 h and 7 days
    advance(client, 4 * DAY_S + 1)
    assert cs_text(client, huong["user_id"], "Quá hạn", headers=fresh_token(client))["error"] == -230


def test_cs_parameter_errors(client: FlaskClient) -> None:
    huong = citizen(client)
    say(client, huong["user_id"], "xin chào")

    assert cs_text(client, "1234567890123456789", "ai đó")["error"] == -201
    assert cs_text(client, huong["user_id"], "a" * 2001)["error"] == -210
    assert cs_text(client, huong["user_id"], "a" * 2000)["error"] == 0
    not_json = client.post("/v3.0/oa/message/cs", data="text", headers=TOKEN).get_json()
    assert not_json["error"] == -201


def test_cs_send_lands_in_inbox_and_is_echoed(client: FlaskClient, receiver: Receiver) -> None:
    huong = citizen(client)
    say(client, huong["user_id"], DOSSIER)
    element = {"title": "Chia sẻ số điện thoại", "subtitle": "Để nhận thông báo hồ sơ", "image_url": ""}
    payload = {"template_type": "request_user_info", "elements": [element]}
    ask = {
        "recipient": {"user_id": huong["user_id"]},
        "message": {"attachment": {"type": "template", "payload": payload}},
    }

    sent = cs_text(client, huong["user_id"], f"Hồ sơ {DOSSIER} đang được xử lý.")
    asked = client.post("/v3.0/oa/message/cs", json=ask, headers=TOKEN).get_json()
    flush(client)

    assert asked["error"] == 0
    chat = client.get(f"/_sim/users/{huong['user_id']}/inbox").get_json()["chat"]
    assert [c["type"] for c in chat] == ["text", "request_user_info"]
    assert chat[0]["text"] == f"Hồ sơ {DOSSIER} đang được xử lý."
    echo = json.loads(receiver.requests[1].body)
    assert echo["event_name"] == "oa_send_text"
    assert echo["sender"] == {"id": CFG.oa_id} and echo["recipient"] == {"id": huong["user_id"]}
    assert echo["message"]["msg_id"] == sent["data"]["message_id"]
    assert receiver.requests[1].headers["X-Zevent-Signature"] == expected_mac(
        receiver.requests[1].body, echo["timestamp"]
    )


# ZBS by phone -------------------------------------------------------------------------------------
def test_zbs_happy_path_and_zns_receipt(client: FlaskClient, receiver: Receiver) -> None:
    huong = citizen(client)

    answer = zbs(client, phone="+84912345678")
    flush(client)

    assert answer["error"] == 0
    data = answer["data"]
    assert data["sent_time"] == str(int(START_S * 1000)) and data["sending_mode"] == "1"
    assert data["quota"] == {"dailyQuota": "5000", "remainingQuota": "4999"}
    [notice] = client.get(f"/_sim/phones/{HUONG_PHONE}/inbox").get_json()["zbs"]
    assert notice["msg_id"] == data["msg_id"] and notice["template_data"]["ma_ho_so"] == DOSSIER
    assert client.get(f"/_sim/users/{huong['user_id']}/inbox").get_json()["zbs"] == [notice]
    [got] = receiver.requests
    receipt = json.loads(got.body)
    assert got.headers["X-Zevent-Server"] == "ZNS"
    assert got.headers["X-Zevent-Signature"] == expected_mac(got.body, receipt["timestamp"])
    assert receipt["event_name"] == "user_received_message"
    assert receipt["sender"] == {"id": CFG.oa_id} and receipt["recipient"] == {"id": HUONG_PHONE}
    assert receipt["message"] == {
        "msg_id": data["msg_id"],
        "tracking_id": "ntf-000.00.12.H46-240115-0003-4",
        "delivery_time": data["sent_time"],
    }


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"phone": "0912345678"}, -108),
        ({"phone": "8491234"}, -108),
        ({"phone": 84912345678}, -108),
        ({"template_id": "khong_co"}, -109),
        ({"template_data": {}}, -111),
        ({"template_data": {**STATUS_DATA, "ma_ho_so": ""}}, -1122),
        ({"template_data": {**STATUS_DATA, "ghi_chu": "Bổ sung " * 20}}, -1121),
        ({"tracking_id": ""}, -1122),
        ({"phone": "84977000111"}, -118),
        ({"mode": "development"}, -127),
    ],
)
def test_zbs_errors(client: FlaskClient, fields: dict[str, Any], code: int) -> None:
    assert zbs(client, **fields)["error"] == code


def test_night_restricted_templates_are_refused_from_22_to_6_vietnam_time(client: FlaskClient) -> None:
    client.patch("/_sim/config", json={"night_templates": ["dvc_status_v1"]})
    assert zbs(client)["error"] == 0  # 13:26
    advance(client, 9 * 3600)  # 22:26
    assert zbs(client)["error"] == -133
    advance(client, 7 * 3600)  # 05:26
    assert zbs(client)["error"] == -133
    advance(client, 3600)  # 06:26
    assert zbs(client)["error"] == 0


def test_zbs_missing_tracking_id_no_zalo_control_and_dev_mode_admin(client: FlaskClient) -> None:
    body = {"phone": HUONG_PHONE, "template_id": "dvc_status_v1", "template_data": STATUS_DATA}
    assert client.post("/message/template", json=body, headers=TOKEN).get_json()["error"] == -1122
    client.post("/_sim/phones/no-zalo", json={"phone": "0912 345 678"})
    assert zbs(client)["error"] == -118
    assert zbs(client, phone="84987654321", mode="development")["error"] == 0


# articles and broadcasts ---------------------------------------------------------------------------
def test_article_verify_polls_then_broadcast_reaches_followers(client: FlaskClient) -> None:
    client.patch("/_sim/config", json={"article_processing_polls": 2})
    follower = citizen(client, "Lê Minh Tuấn", "+84 868 224 466")
    stranger = citizen(client, "Phạm Thị Lan", "0905 678 901", follower=False)
    cover = {"cover_type": "photo", "photo_url": "https://example.gov.vn/bia.jpg", "status": "show"}
    article = {
        "type": "normal",
        "title": "Thông báo lịch tiếp công dân tháng 12",
        "author": "UBND tỉnh",
        "cover": cover,
        "description": "Làm việc cả sáng thứ Bảy.",
        "body": [{"type": "text", "content": "Chi tiết…"}],
        "status": "show",
    }

    token = client.post("/v2.0/article/create", json=article, headers=TOKEN).get_json()["data"]["token"]
    polls = [
        client.post("/v2.0/article/verify", json={"token": token}, headers=TOKEN).get_json() for _ in range(3)
    ]
    assert [p["error"] for p in polls] == [-214, -214, 0]
    article_id = polls[2]["data"]["id"]
    message = {
        "attachment": {
            "type": "template",
            "payload": {
                "template_type": "media",
                "elements": [{"media_type": "article", "attachment_id": article_id}],
            },
        }
    }
    sent = client.post(
        "/v2.0/oa/message",
        headers=TOKEN,
        json={"recipient": {"target": {"cities": "4,5"}}, "message": message},
    ).get_json()

    assert sent["error"] == 0 and sent["data"]["message_id"]
    [got] = client.get(f"/_sim/users/{follower['user_id']}/inbox").get_json()["broadcasts"]
    assert got["article"]["title"] == article["title"] and got["article"]["id"] == article_id
    assert client.get(f"/_sim/users/{stranger['user_id']}/inbox").get_json()["broadcasts"] == []


def test_article_and_broadcast_errors(client: FlaskClient) -> None:
    no_title = {"type": "normal", "title": "", "description": "x", "body": [{"type": "text", "content": "x"}]}
    empty = client.post("/v2.0/article/create", json=no_title, headers=TOKEN)
    message = {
        "attachment": {
            "type": "template",
            "payload": {
                "template_type": "media",
                "elements": [{"media_type": "article", "attachment_id": "khong-co"}],
            },
        }
    }
    unknown = client.post(
        "/v2.0/oa/message", json={"recipient": {"target": {}}, "message": message}, headers=TOKEN
    )
    one_to_one = client.post(
        "/v2.0/oa/message", json={"recipient": {"user_id": "1"}, "message": message}, headers=TOKEN
    )

    assert empty.get_json()["error"] == -201
    assert unknown.get_json()["error"] == -201
    assert one_to_one.get_json()["error"] == -240


# followers ------------------------------------------------------------------------------------------
def test_getlist_and_detail(client: FlaskClient) -> None:
    huong = citizen(client)
    citizen(client, "Chưa quan tâm", "0905 000 001", follower=False)  # unknown to the OA

    listed = client.get(
        "/v3.0/oa/user/getlist",
        query_string={"data": json.dumps({"offset": 0, "count": 50, "is_follower": True})},
        headers=TOKEN,
    ).get_json()
    too_many = client.get(
        "/v3.0/oa/user/getlist", query_string={"data": json.dumps({"count": 51})}, headers=TOKEN
    ).get_json()
    detail = user_detail(client, huong["user_id"])

    assert listed["data"] == {"total": 1, "count": 1, "offset": 0, "users": [{"user_id": huong["user_id"]}]}
    assert too_many["error"] == -201
    assert detail["display_name"] == "Nguyễn Thị Hương" and detail["user_is_follower"] is True
    assert detail["shared_info"]["phone"] == 0  # not shared yet
    client.post(f"/_sim/users/{huong['user_id']}/submit-info", json={})
    detail = user_detail(client, huong["user_id"])
    assert detail["shared_info"]["phone"] == HUONG_PHONE
    assert detail["user_last_interaction_date"] == "15/01/2024"


# rate limit, faults, records ------------------------------------------------------------------------
def test_rate_limit_answers_32(client: FlaskClient) -> None:
    client.patch("/_sim/config", json={"rate_limit_per_minute": 2})

    codes = [client.get("/v2.0/oa/getoa", headers=TOKEN).get_json()["error"] for _ in range(3)]

    assert codes == [0, 0, -32]
    advance(client, 61)
    assert client.get("/v2.0/oa/getoa", headers=TOKEN).get_json()["error"] == 0


def test_faults_are_injected_then_used_up(client: FlaskClient) -> None:
    client.post("/_sim/faults", json={"path": "/message/template", "count": 1, "error": -100})
    client.post("/_sim/faults", json={"path": "/v2.0/oa/getoa", "count": 1, "http_status": 503})

    assert zbs(client)["error"] == -100
    assert zbs(client)["error"] == 0
    assert client.get("/v2.0/oa/getoa", headers=TOKEN).status_code == 503
    assert client.get("/v2.0/oa/getoa", headers=TOKEN).status_code == 200
    client.post("/_sim/faults", json={"path": "/message/template", "count": 5, "error": -100})
    client.delete("/_sim/faults")
    assert zbs(client)["error"] == 0


def test_a_fault_can_let_the_first_calls_through(client: FlaskClient) -> None:
    client.post("/_sim/faults", json={"path": "/message/template", "skip": 1, "count": 1, "error": -100})
    assert [zbs(client)["error"] for _ in range(3)] == [0, -100, 0]


def test_random_faults_hit_about_their_probability_and_are_reproducible(client: FlaskClient) -> None:
    def run() -> list[int]:
        client.delete("/_sim/faults")
        fault = {"path": "/v2.0/oa/getoa", "count": None, "error": -32, "probability": 0.25, "seed": 7}
        assert client.post("/_sim/faults", json=fault).status_code == 201
        return [client.get("/v2.0/oa/getoa", headers=TOKEN).get_json()["error"] for _ in range(400)]

    first = run()
    hits = first.count(-32)
    assert 60 <= hits <= 140 and set(first) == {0, -32}  # 25 % of 400 = 100, never used up
    assert run() == first  # the same seed, the same faults
    bad = client.post("/_sim/faults", json={"path": "/message/template", "probability": 0})
    assert bad.status_code == 400


def test_a_slow_call_without_an_error_is_still_accepted(client: FlaskClient) -> None:
    """A timeout the client sees after Zalo accepted: the message exists (the duplicate risk)."""
    client.post("/_sim/faults", json={"path": "/message/template", "delay_ms": 30})
    assert zbs(client)["error"] == 0
    assert len(client.get("/_sim/calls", query_string={"path": "/message/template"}).get_json()["calls"]) == 1


def test_calls_are_recorded_without_secrets(client: FlaskClient) -> None:
    zbs(client)
    refresh(client, CFG.refresh_token)

    [call] = client.get("/_sim/calls", query_string={"path": "/message/template"}).get_json()["calls"]
    assert call["method"] == "POST" and call["had_token"] is True
    assert call["body"]["template_data"]["ma_ho_so"] == DOSSIER
    assert call["response_json"]["error"] == 0
    everything = json.dumps(client.get("/_sim/calls").get_json(), ensure_ascii=False)
    assert CFG.app_secret not in everything
    client.delete("/_sim/calls")
    assert client.get("/_sim/calls").get_json()["calls"] == []


def test_unknown_zalo_path_is_a_json_404(client: FlaskClient) -> None:
    answer = client.post("/v3.0/oa/message/transactionn", json={}, headers=TOKEN)
    assert answer.status_code == 404
    assert answer.get_json()["error"] == -201


def test_reset_keeps_settings_and_forgets_everything_else(client: FlaskClient) -> None:
    client.patch("/_sim/config", json={"rate_limit_per_minute": 7})
    huong = citizen(client)
    refresh(client, CFG.refresh_token)

    client.post("/_sim/reset")

    assert client.get(f"/_sim/users/{huong['user_id']}").status_code == 404
    assert client.get("/_sim/config").get_json()["rate_limit_per_minute"] == 7
    assert client.get("/_sim/tokens").get_json() == {
        "refresh_token": CFG.refresh_token,
        "access_token": CFG.access_token,
        "access_token_expires_ms": int(START_S * 1000) + 90000 * 1000,
        "valid_access_tokens": 1,
        "refresh_count": 0,
    }
    assert client.patch("/_sim/config", json={"app_secret": "x"}).status_code == 400


def test_phone_page_is_vietnamese(client: FlaskClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "Điện thoại công dân" in page.get_data(as_text=True)
    assert client.get("/_sim/static/phone.js").status_code == 200


def test_from_env_reads_sim_variables() -> None:
    cfg = SimConfig.from_env(
        {
            "SIM_APP_ID": "42",
            "SIM_WEBHOOK_URL": "http://127.0.0.1:8000/zalo/webhook",
            "SIM_RATE_LIMIT_PER_MINUTE": "10",
            "SIM_DELIVER_ECHOES": "false",
            "SIM_ADMIN_PHONES": "84900000001, 84900000002",
            "SIM_TEMPLATES_JSON": json.dumps({"tb_1": [{"name": "ma_ho_so", "max_length": 30}]}),
        }
    )
    assert (cfg.app_id, cfg.rate_limit_per_minute, cfg.deliver_echoes) == ("42", 10, False)
    assert cfg.admin_phones == ["84900000001", "84900000002"]
    assert cfg.default_template_id == "tb_1" and cfg.templates["tb_1"][0].required is True


# a real socket ------------------------------------------------------------------------------------
def test_server_on_a_free_port_keeps_underscore_headers(receiver: Receiver) -> None:
    server = start(SimConfig(webhook_url=receiver.url))
    try:
        getoa = f"{server.url}/v2.0/oa/getoa"
        ok = requests.get(getoa, headers={"access_token": CFG.access_token}, timeout=5)
        dashed = requests.get(getoa, headers={"access-token": CFG.access_token}, timeout=5)
        huong = requests.post(
            f"{server.url}/_sim/users", json={"display_name": "Nguyễn Thị Hương"}, timeout=5
        )
        said = requests.post(
            f"{server.url}/_sim/users/{huong.json()['user_id']}/messages", json={"text": DOSSIER}, timeout=5
        )
    finally:
        server.stop()
    assert server.url.startswith("http://127.0.0.1:") and not server.url.endswith(":0")
    assert ok.json()["error"] == 0 and ok.headers["X-RateLimit-Limit"] == "4000"
    assert dashed.json()["error"] == -216  # Zalo's header is access_token, with an underscore
    assert said.json()["webhook_status"] == 200 and len(receiver.requests) == 1


def test_broadcasts_are_blocked_at_night_vietnam_time(client: FlaskClient) -> None:
    """zalo-api.md §6.1 -234 / §8: promotional sends (broadcasts) are refused 22:00–06:00."""
    citizen(client, "Đỗ Thị Mai", "0912 000 333")
    article = {"title": "Lịch tiếp dân", "description": "Mô tả", "body": [{"type": "text", "content": "x"}]}
    token = client.post("/v2.0/article/create", json=article, headers=TOKEN).get_json()["data"]["token"]
    article_id = client.post("/v2.0/article/verify", json={"token": token}, headers=TOKEN).get_json()["data"][
        "id"
    ]
    element = {"media_type": "article", "attachment_id": article_id}
    message = {
        "attachment": {"type": "template", "payload": {"template_type": "media", "elements": [element]}}
    }

    def broadcast() -> int:
        body = {"recipient": {"target": {}}, "message": message}
        return client.post("/v2.0/oa/message", json=body, headers=TOKEN).get_json()["error"]

    afternoon = broadcast()  # 13:26
    advance(client, 9 * 3600)  # 22:26
    night = broadcast()
    advance(client, 7 * 3600 + 34 * 60)  # 06:00 next day
    morning = broadcast()
    client.patch("/_sim/config", json={"broadcast_night_block": False})
    advance(client, -8 * 3600)  # 22:00: the knob lets a test broadcast at night on purpose
    unblocked = broadcast()

    assert (afternoon, night, morning, unblocked) == (0, -234, 0, 0)
