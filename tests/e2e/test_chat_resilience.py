"""The front door and the chat worker under Zalo's real behaviour, through the whole local stack:
refusals with JSON reasons, replays, redeliveries, poison events, Zalo refusals and rate limits."""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import boto3
import pytest
import requests

from functions import messages, wiring
from functions.models import ReplyModel
from tests import factories
from tests.e2e.sim_client import eventually
from tests.factories import save_dossier

pytestmark = pytest.mark.e2e
CS = "/v3.0/oa/message/cs"


def _now_ms() -> int:
    """The local stack's clock (the simulator's, which tests may have advanced), as Zalo would stamp."""
    return int(wiring.utc_now().timestamp() * 1000)


def text_event(user_id: str, text: str, at_ms: int | None = None) -> dict[str, Any]:
    at_ms = _now_ms() if at_ms is None else at_ms
    return factories.text_event(os.environ["ZALO_APP_ID"], os.environ["ZALO_OA_ID"], user_id, text, at_ms)


def post_signed(api: str, event: dict[str, Any], raw: bytes | None = None) -> requests.Response:
    """POST as Zalo would: the body's own bytes signed with the App id and the OA secret key."""
    app_id, secret = os.environ["ZALO_APP_ID"], os.environ["ZALO_OA_SECRET_KEY"]
    body, headers = factories.signed_webhook(event, app_id, secret, raw)
    return requests.post(f"{api}/zalo/webhook", data=body, headers=headers, timeout=5)


@pytest.fixture
def faults(sim):
    yield sim
    sim.clear_faults()


def test_refusals_are_short_json_reasons_and_nothing_reaches_the_chat(sim, api, stack):
    citizen = sim.new_citizen("Đỗ Văn Khải")
    user = citizen["user_id"]
    now_ms = _now_ms()
    event = text_event(user, "000.00.12.H46-240115-0003")
    raw = json.dumps(event).encode()
    json_type = {"Content-Type": "application/json"}

    answers = {
        "forged": requests.post(
            f"{api}/zalo/webhook", data=raw, headers={**json_type, "X-ZEvent-Signature": "mac=" + "0" * 64}
        ),
        "unsigned": requests.post(f"{api}/zalo/webhook", data=raw, headers=json_type),
        "stale": post_signed(api, text_event(user, "xin chào", at_ms=now_ms - 10 * 60 * 1000)),
        "future": post_signed(api, text_event(user, "xin chào", at_ms=now_ms + 10 * 60 * 1000)),
        "malformed": requests.post(
            f"{api}/zalo/webhook", data=b"{oops", headers={**json_type, "X-ZEvent-Signature": "mac=0"}
        ),
        "huge": post_signed(api, event, raw=raw + b" " * (64 * 1024)),
    }

    got = {name: (r.status_code, r.json()) for name, r in answers.items()}
    assert got == {
        "forged": (401, {"error": "bad_signature"}),
        "unsigned": (401, {"error": "missing_signature"}),
        "stale": (401, {"error": "stale_event"}),
        "future": (401, {"error": "future_event"}),
        "malformed": (400, {"error": "malformed_json"}),
        "huge": (400, {"error": "body_too_large"}),
    }
    assert all(r.headers["Content-Type"].startswith("application/json") for r in answers.values())
    assert stack.runner.settle()
    assert sim.chat_texts(user) == []


def test_a_redelivered_webhook_is_acknowledged_and_answered_once(sim, api, stack):
    dossier = save_dossier(status=4)
    citizen = sim.new_citizen("Hoàng Thị Mai")
    sim.say(citizen["user_id"], "xin chào")  # an interaction opens the CS window
    event = text_event(citizen["user_id"], dossier.code)
    raw = json.dumps(event).encode()

    assert post_signed(api, event, raw).json() == {"result": "queued"}
    assert post_signed(api, event, raw).json() == {"result": "duplicate"}
    assert stack.runner.settle()
    assert sum(dossier.code in t for t in sim.chat_texts(citizen["user_id"])) == 1


def test_zalo_domain_verification_file_is_served_from_configuration(api, stack, monkeypatch):
    name = "zalo_verifierMeVd6DceSpupfjWIxOznI1I4v7FuyZOgD3Gp.html"
    monkeypatch.setenv("ZALO_DOMAIN_VERIFICATION_FILE", name)
    wiring.reset()
    try:
        page = requests.get(f"{api}/{name}", timeout=5)
        other = requests.get(f"{api}/zalo_verifierSomethingElse.html", timeout=5)
    finally:
        monkeypatch.delenv("ZALO_DOMAIN_VERIFICATION_FILE")
        wiring.reset()
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert 'content="MeVd6DceSpupfjWIxOznI1I4v7FuyZOgD3Gp"' in page.text
    assert other.status_code == 404
    assert requests.get(f"{api}/{name}", timeout=5).status_code == 404  # unconfigured again


def _queue_body(event: dict[str, Any]) -> str:
    """The envelope the webhook intake puts on the queue."""
    key = f"msg:{event['message']['msg_id']}"
    return json.dumps({"event": event, "server": "", "received_at": "", "key": key}, ensure_ascii=False)


def test_sqs_delivering_an_event_twice_still_gives_one_reply(sim, stack):
    dossier = save_dossier(status=9)
    citizen = sim.new_citizen("Vũ Đức Thắng")
    sim.say(citizen["user_id"], "xin chào")
    body = _queue_body(text_event(citizen["user_id"], dossier.code))
    sqs = boto3.client("sqs")

    sqs.send_message(QueueUrl=stack.queue_url, MessageBody=body)
    sqs.send_message(QueueUrl=stack.queue_url, MessageBody=body)  # at-least-once: the same event again

    assert eventually(lambda: any(dossier.code in t for t in sim.chat_texts(citizen["user_id"])))
    assert stack.runner.settle()
    assert sum(dossier.code in t for t in sim.chat_texts(citizen["user_id"])) == 1


def test_poison_events_end_in_the_dlq_after_bounded_retries(stack):
    sqs = boto3.client("sqs")
    marker = uuid.uuid4().hex
    poison = ["not json " + marker, json.dumps({"key": f"poison:{marker}", "event": "not an object"})]
    for body in poison:
        sqs.send_message(QueueUrl=stack.queue_url, MessageBody=body)

    dead: dict[str, int] = {}

    def both_dead() -> bool:
        answer = sqs.receive_message(
            QueueUrl=stack.dlq_url, MaxNumberOfMessages=10, AttributeNames=["All"], VisibilityTimeout=60
        )
        for message in answer.get("Messages", []):
            if marker in message["Body"]:
                dead[message["Body"]] = int(message["Attributes"]["ApproximateReceiveCount"])
        return len(dead) == 2

    assert eventually(both_dead, timeout=60)
    receives = wiring.settings().events_max_receives
    assert all(count >= receives for count in dead.values())  # tried exactly that often, then dead


def test_a_message_with_three_codes_failing_midway_repeats_no_card(sim, stack, faults):
    dossiers = [save_dossier(status=s) for s in (2, 4, 9)]
    citizen = sim.new_citizen("Trịnh Văn Long")
    faults.fault(CS, skip=1, count=1, error=-32, message="The application has reached the limit")

    sim.say(citizen["user_id"], "Tra cứu giúp: " + ", ".join(d.code for d in dossiers))

    def all_answered() -> list[str]:
        texts = sim.chat_texts(citizen["user_id"])
        return texts if all(any(d.code in t for t in texts) for d in dossiers) else []

    assert eventually(all_answered, timeout=30)
    assert stack.runner.settle()
    texts = sim.chat_texts(citizen["user_id"])
    assert [sum(d.code in t for t in texts) for d in dossiers] == [1, 1, 1]
    assert len(sim.cs_calls_to(citizen["user_id"])) == 4  # the refused one was sent again, only it


@pytest.mark.parametrize("code", [-230, -232])
def test_outside_the_interaction_window_is_recorded_and_not_retried(sim, stack, faults, code):
    dossier = save_dossier(status=4)
    citizen = sim.new_citizen("Lý Thị Ngọc")
    faults.fault(CS, count=1, error=code, message="User has not interacted with the OA in the past 7 days")

    sent = sim.say(citizen["user_id"], dossier.code)

    reply_id = f"msg:{sent['msg_id']}#0"
    record = eventually(lambda: next((r for r in ReplyModel.query(reply_id) if r.state != "sending"), None))
    assert (record.state, record.error_code, record.attempts) == ("failed_permanent", code, 1)
    assert stack.runner.settle()
    assert len(sim.cs_calls_to(citizen["user_id"])) == 1
    assert sim.chat_texts(citizen["user_id"]) == []


def test_a_citizen_who_never_wrote_gets_nothing_and_the_refusal_is_recorded(sim, stack):
    """No fault injected: the simulator itself refuses a CS message to someone who never interacted."""
    dossier = save_dossier(status=4)
    citizen = sim.new_citizen("Mai Văn Tư")  # a follower who never wrote to the OA
    event = text_event(citizen["user_id"], dossier.code)
    boto3.client("sqs").send_message(QueueUrl=stack.queue_url, MessageBody=_queue_body(event))

    reply_id = f"msg:{event['message']['msg_id']}#0"
    record = eventually(lambda: next((r for r in ReplyModel.query(reply_id) if r.state != "sending"), None))
    assert (record.state, record.error_code) == ("failed_permanent", -230)
    assert stack.runner.settle()
    assert len(sim.cs_calls_to(citizen["user_id"])) == 1


def test_lookups_beyond_the_limit_get_one_polite_note(sim, stack):
    limit = wiring.settings().lookup_limit
    dossier = save_dossier(status=4)
    citizen = sim.new_citizen("Ngô Bảo Châu")
    for _ in range(limit + 3):
        sim.say(citizen["user_id"], dossier.code)

    assert eventually(lambda: len(sim.chat_texts(citizen["user_id"])) >= limit + 1, timeout=30)
    assert stack.runner.settle()
    texts = sim.chat_texts(citizen["user_id"])
    note = messages.lookup_limit_reply(limit, wiring.settings().lookup_window_seconds // 60)
    assert len(texts) == limit + 1
    assert sum(dossier.code in t for t in texts) == limit
    assert texts[-1] == note
