"""The webhook front door: only verified, first-seen events reach the queue; echoes are dropped."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from functions.webhook import MAX_BODY_BYTES, WebhookIntake, event_key
from tests.fakes.stores import FakeDeduplicator, FakeQueue

APP_ID = "3106514389617452871"
SECRET = "oa-secret-key-quang-tri"
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)


def signed(event: dict, secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(event, ensure_ascii=False).encode("utf-8")
    mac = hashlib.sha256((APP_ID + raw.decode("utf-8") + event["timestamp"] + secret).encode()).hexdigest()
    return raw, {"X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json"}


def text_event(
    msg_id: str = "a1b2c3", text: str = "Hồ sơ 000.00.12.H46-240115-0003", at_ms: int = NOW_MS - 1500
) -> dict:
    return {
        "app_id": APP_ID,
        "event_name": "user_send_text",
        "timestamp": str(at_ms),
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


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ("body", "bad_signature"),
        ("key", "bad_signature"),
        ("missing", "missing_signature"),
        ("empty", "missing_signature"),
        ("garbage", "bad_signature"),
        ("timestamp", "bad_signature"),  # the signed timestamp moved: the MAC covers it
    ],
)
def test_forged_or_unsigned_events_are_refused(intake, tamper, reason):
    raw, headers = signed(text_event(), secret="wrong-key" if tamper == "key" else SECRET)
    if tamper == "body":
        raw = raw.replace(b"0003", b"0004")
    if tamper == "missing":
        headers.pop("X-ZEvent-Signature")
    if tamper == "empty":
        headers["X-ZEvent-Signature"] = ""
    if tamper == "garbage":
        headers["X-ZEvent-Signature"] = "mac=not-hex"
    if tamper == "timestamp":
        raw = raw.replace(str(NOW_MS - 1500).encode(), str(NOW_MS - 1000).encode())
    answer = intake.accept(raw, headers, NOW)
    assert (answer.status, answer.body) == (401, {"error": reason})
    assert intake.queue.bodies == []


@pytest.mark.parametrize(
    ("offset_s", "reason"),
    [(-301, "stale_event"), (-24 * 3600, "stale_event"), (301, "future_event"), (10 * 3600, "future_event")],
)
def test_validly_signed_events_outside_the_window_are_refused(intake, offset_s, reason):
    raw, headers = signed(text_event(at_ms=NOW_MS + offset_s * 1000))
    answer = intake.accept(raw, headers, NOW)
    assert (answer.status, answer.body) == (401, {"error": reason})
    assert intake.queue.bodies == [] and intake.dedup.seen == set()


@pytest.mark.parametrize("offset_s", [-300, -299, 0, 299, 300])
def test_events_inside_the_window_either_way_are_queued(intake, offset_s):
    raw, headers = signed(text_event(msg_id=f"m{offset_s}", at_ms=NOW_MS + offset_s * 1000))
    assert intake.accept(raw, headers, NOW).body == {"result": "queued"}


def test_the_window_is_configurable():
    wide = WebhookIntake(APP_ID, SECRET, FakeDeduplicator(), FakeQueue(), max_skew_seconds=3600)
    raw, headers = signed(text_event(at_ms=NOW_MS - 1800 * 1000))
    assert wide.accept(raw, headers, NOW).body == {"result": "queued"}


def test_a_signed_event_without_a_numeric_timestamp_is_refused(intake):
    event = {**text_event(), "timestamp": "hôm qua"}
    raw, headers = signed(event)
    assert intake.accept(raw, headers, NOW).body == {"error": "bad_timestamp"}


def test_a_replayed_event_after_the_window_is_refused_even_when_dedup_forgot_it(intake):
    raw, headers = signed(text_event())
    assert intake.accept(raw, headers, NOW).body == {"result": "queued"}
    intake.dedup.seen.clear()  # the de-duplication record's TTL ran out
    later = NOW + timedelta(minutes=6)
    assert intake.accept(raw, headers, later).body == {"error": "stale_event"}
    assert len(intake.queue.bodies) == 1


def test_malformed_and_oversized_bodies_get_400(intake):
    headers = {"X-ZEvent-Signature": "mac=" + "0" * 64}
    assert intake.accept(b"{not json", headers, NOW).body == {"error": "malformed_json"}
    assert intake.accept(b"[1, 2]", headers, NOW).body == {"error": "malformed_json"}
    assert intake.accept(b"\xff\xfe", headers, NOW).body == {"error": "malformed_json"}
    too_big = intake.accept(b"x" * (MAX_BODY_BYTES + 1), headers, NOW)
    assert (too_big.status, too_big.body) == (400, {"error": "body_too_large"})
    assert intake.queue.bodies == []


def test_a_body_of_exactly_64_kb_is_still_read(intake):
    event = text_event()
    raw, _ = signed(event)
    event["message"]["text"] += " " * (MAX_BODY_BYTES - len(raw))
    raw, headers = signed(event)
    assert len(raw) == MAX_BODY_BYTES
    assert intake.accept(raw, headers, NOW).body == {"result": "queued"}


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
