"""A batch of queued events: failures are reported per message, poison is logged by id only."""

from __future__ import annotations

import json
import threading
import time
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


def _from(user: str, key: str) -> dict[str, Any]:
    return {"key": key, "event": {"event_name": "user_send_text", "sender": {"id": user}}}


def test_different_citizens_are_answered_side_by_side():
    meeting = threading.Barrier(2, timeout=5)  # passes only if both citizens are being served at once

    class Waiting(Worker):
        def handle(self, envelope: dict[str, Any]) -> str:
            meeting.wait()
            return super().handle(envelope)

    worker = Waiting()
    batch = [queued("m1", _from("111", "msg:1")), queued("m2", _from("222", "msg:2"))]
    assert handle_batch(worker, batch, max_receives=5, concurrency=4) == []
    assert sorted(worker.handled) == ["msg:1", "msg:2"]


def test_one_citizens_events_stay_in_queue_order():
    class Slow(Worker):
        def handle(self, envelope: dict[str, Any]) -> str:
            time.sleep(0.002 if envelope["event"]["sender"]["id"] == "111" else 0)
            return super().handle(envelope)

    worker = Slow()
    batch = [queued(f"m{i}", _from("111" if i % 2 else "222", f"msg:{i}")) for i in range(10)]
    handle_batch(worker, batch, max_receives=5, concurrency=10)
    mine = [k for k in worker.handled if int(k.split(":")[1]) % 2]
    assert mine == ["msg:1", "msg:3", "msg:5", "msg:7", "msg:9"]


def test_failures_are_reported_from_every_thread():
    batch = [
        queued(
            f"m{i}", {**_from(str(i), f"msg:{i}"), "event": {"sender": {"id": str(i)}, "boom": i % 3 == 0}}
        )
        for i in range(9)
    ]
    failed = handle_batch(Worker(), batch, max_receives=5, concurrency=4)
    assert sorted(failed) == ["m0", "m3", "m6"]
