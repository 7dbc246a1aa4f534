"""One SQS batch of queued Zalo events through the worker, with partial batch failures.

Each message is handled on its own: one that fails is reported back (`batchItemFailures`) and the
rest of the batch is deleted. A failed message returns after the queue's visibility timeout; after
`max_receives` receives the queue's redrive policy moves it to the DLQ. That is the fate of a poison
event (not JSON, or failing every time): bounded retries, then the DLQ, where an operator finds it
by the ids logged here. Logs name the message id and the event key only, never the event's content
(it holds a citizen's user id and text).

Nearly all of a lookup's time is spent waiting for Zalo and DynamoDB, so the batch runs in a few
threads: one citizen's events stay in order (one thread takes all of them, in queue order), different
citizens are answered side by side.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from functions.logs import get_logger, log

logger = get_logger("zalo_events")


class EventHandler(Protocol):
    def handle(self, envelope: dict[str, Any]) -> str: ...


@dataclass(frozen=True)
class QueuedEvent:
    message_id: str
    body: str
    receive_count: int = 1  # SQS's ApproximateReceiveCount, this receive included

    @classmethod
    def from_lambda(cls, record: dict[str, Any]) -> QueuedEvent:
        attributes = record.get("attributes") or {}
        try:
            receives = int(attributes.get("ApproximateReceiveCount", 1))
        except (TypeError, ValueError):
            receives = 1
        return cls(str(record.get("messageId", "")), str(record.get("body", "")), receives)


def handle_batch(
    worker: EventHandler, events: Iterable[QueuedEvent], max_receives: int, concurrency: int = 1
) -> list[str]:
    """Handle every event; return the message ids that failed (for SQS to deliver again)."""
    groups: dict[str, list[QueuedEvent]] = {}
    for queued in events:
        groups.setdefault(_citizen_of(queued), []).append(queued)
    workers = max(1, min(concurrency, len(groups)))

    def run(group: list[QueuedEvent]) -> list[str]:
        return _handle_in_order(worker, group, max_receives)

    if workers == 1:
        results = [run(group) for group in groups.values()]
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zalo-event") as pool:
            results = list(pool.map(run, groups.values()))
    return [message_id for failures in results for message_id in failures]


def _citizen_of(queued: QueuedEvent) -> str:
    """Whose event it is (events of one citizen are handled in order); its own group if unreadable."""
    try:
        event = json.loads(queued.body).get("event") or {}
        who = (event.get("sender") or {}).get("id") or (event.get("follower") or {}).get("id")
    except (ValueError, AttributeError):
        who = None
    return f"user:{who}" if who else f"message:{queued.message_id}"


def _handle_in_order(worker: EventHandler, group: list[QueuedEvent], max_receives: int) -> list[str]:
    return [queued.message_id for queued in group if not _handle_one(worker, queued, max_receives)]


def _handle_one(worker: EventHandler, queued: QueuedEvent, max_receives: int) -> bool:
    key = ""
    try:
        envelope = json.loads(queued.body)
        if not isinstance(envelope, dict):
            raise ValueError("a queued event must be a JSON object")
        key = str(envelope.get("key", ""))
        outcome = worker.handle(envelope)
    except Exception as exc:
        _log_failure(queued, key, exc, last=queued.receive_count >= max_receives)
        return False
    log(logger, logging.INFO, "zalo event", message_id=queued.message_id, event_key=key, outcome=outcome)
    return True


def _log_failure(queued: QueuedEvent, key: str, exc: Exception, last: bool) -> None:
    fields = {
        "message_id": queued.message_id,
        "event_key": key,
        "receive_count": queued.receive_count,
        "error_type": type(exc).__name__,
    }
    if last:  # the queue moves it to the DLQ instead of delivering it again
        logger.error("zalo event dead-lettered", exc_info=exc, extra={"fields": fields})
    else:
        log(logger, logging.WARNING, "zalo event failed, will be retried", **fields)
