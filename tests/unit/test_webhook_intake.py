"""The webhook front door: only verified, first-seen events reach the queue; echoes are dropped."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest

from functions.webhook import MAX_BODY_BYTES, WebhookIntake, event_key
from tests.fakes.stores import FakeDeduplicator, FakeQueue

APP_ID = "3106514389617452871"
SECRET = "oa-secret-key-quang-tri"
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def signed(event: dict, secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(event, ensure_ascii=False).encode("utf-8")
    mac = hashlib.sha256((APP_ID + raw.decode("utf-8") + event["timestamp"] + secret).encode()).hexdigest()
    return raw, {"X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json"}


def text_event(msg_id: str = "a1b2c3", text: str = "Hồ sơ 000.00.12.H46-240115-0003") -> dict:
    return {
        "app_id": APP_ID,
        "event_name": "user_send_text",
        "timestamp": "1764036000000",
        "user_id_by_app": "552233",
        "sender": {"id": "8765432109876543210"},
        "recipient": {"id": "2795046581239174563"},
        "message": {"msg_id": msg_id, "text": text},
    }


@pytest.fixture
def intake() -> WebhookIntake:
    return WebhookIntake(APP_ID, SECRET, FakeDeduplicator(), FakeQueue())


def test_signed_event_is_queued_with_its_raw_fields(intake):
    raw, headers = signed(text_event())
    answer = intake.accept(raw, headers, NOW)
    assert (answer.status, answer.body) == (200, {"result": "queued"})
    queued = json.loads(intake.queue.bodies[0])
    assert queued["event"]["message"]["text"] == "Hồ sơ 000.00.12.H46-240115-0003"


@pytest.mark.parametrize("tamper", ["body", "key", "missing", "garbage"])
def test_forged_or_unsigned_events_are_refused(intake, tamper):
    raw, headers = signed(text_event(), secret="wrong-key" if tamper == "key" else SECRET)
    if tamper == "body":
        raw = raw.replace(b"0003", b"0004")
    if tamper == "missing":
        headers.pop("X-ZEvent-Signature")
    if tamper == "garbage":
        headers["X-ZEvent-Signature"] = "mac=not-hex"
    answer = intake.accept(raw, headers, NOW)
    assert answer.status == 401
    assert intake.queue.bodies == []


def test_malformed_and_oversized_bodies_get_400(intake):
    headers = {"X-ZEvent-Signature": "mac=" + "0" * 64}
    assert intake.accept(b"{not json", headers, NOW).status == 400
    assert intake.accept(b"x" * (MAX_BODY_BYTES + 1), headers, NOW).status == 400


def test_redelivery_is_acknowledged_but_queued_once(intake):
    raw, headers = signed(text_event())
    assert intake.accept(raw, headers, NOW).body == {"result": "queued"}
    assert intake.accept(raw, headers, NOW).body == {"result": "duplicate"}
    assert len(intake.queue.bodies) == 1


def test_echo_of_our_own_message_is_ignored(intake):
    echo = {**text_event(), "event_name": "oa_send_text"}
    raw, headers = signed(echo)
    assert intake.accept(raw, headers, NOW).body == {"result": "ignored"}
    assert intake.queue.bodies == []


def test_queue_failure_lets_zalo_redeliver():
    intake = WebhookIntake(APP_ID, SECRET, FakeDeduplicator(), FakeQueue(fail=True))
    raw, headers = signed(text_event())
    with pytest.raises(ConnectionError):
        intake.accept(raw, headers, NOW)
    intake.queue.fail = False
    assert intake.accept(raw, headers, NOW).body == {"result": "queued"}


def test_event_keys():
    assert event_key(text_event("m1")) == "msg:m1"
    follow = {"event_name": "follow", "timestamp": "1", "follower": {"id": "42"}}
    assert event_key(follow) == "evt:follow:42:1"
    receipt = {"event_name": "user_received_message", "message": {"msg_id": "z9", "tracking_id": "t"}}
    assert event_key(receipt) == "zns:z9"
