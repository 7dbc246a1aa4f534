"""A batch of queued events: failures are reported per message, poison is logged by id only."""

from __future__ import annotations

import json
from typing import Any

from functions.event_batch import QueuedEvent, handle_batch

SECRET_TEXT = "Nguyễn Thị Hương 0912345678"


class Worker:
    def __init__(self) -> None:
        self.handled: list[str] = []

    def handle(self, envelope: dict[str, Any]) -> str:
        if envelope["event"].get("boom"):
            raise RuntimeError("the worker failed")
        self.handled.append(envelope["key"])
        return "answered"


def queued(message_id: str, body: Any, receives: int = 1) -> QueuedEvent:
    return QueuedEvent(message_id, body if isinstance(body, str) else json.dumps(body), receives)


def good(key: str, **event: Any) -> dict[str, Any]:
    return {"key": key, "event": {"event_name": "user_send_text", "message": {"text": SECRET_TEXT}, **event}}


def test_only_the_failing_messages_are_reported_and_the_rest_is_handled():
    worker = Worker()
    batch = [
        queued("m1", good("msg:1")),
        queued("m2", "{not json"),
        queued("m3", good("msg:3", boom=True)),
        queued("m4", "[1, 2]"),
        queued("m5", good("msg:5")),
    ]
    assert handle_batch(worker, batch, max_receives=5) == ["m2", "m3", "m4"]
    assert worker.handled == ["msg:1", "msg:5"]


def test_poison_is_logged_by_id_then_dead_lettered_on_the_last_receive(capsys):
    worker = Worker()
    handle_batch(worker, [queued("m3", good("msg:3", boom=True), receives=2)], max_receives=5)
    handle_batch(worker, [queued("m3", good("msg:3", boom=True), receives=5)], max_receives=5)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    retried, dead = lines
    assert retried["message"] == "zalo event failed, will be retried"
    assert (retried["message_id"], retried["event_key"], retried["receive_count"]) == ("m3", "msg:3", 2)
    assert dead["message"] == "zalo event dead-lettered" and dead["level"] == "ERROR"
    assert (dead["message_id"], dead["error_type"]) == ("m3", "RuntimeError")
    everything = json.dumps(lines, ensure_ascii=False)
    assert "Nguyễn" not in everything and "0912345678" not in everything


def test_lambda_records_give_their_receive_count():
    record = {"messageId": "m1", "body": "{}", "attributes": {"ApproximateReceiveCount": "4"}}
    assert QueuedEvent.from_lambda(record) == QueuedEvent("m1", "{}", 4)
    assert QueuedEvent.from_lambda({"messageId": "m2", "body": "{}"}).receive_count == 1
