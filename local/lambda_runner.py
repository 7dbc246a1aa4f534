"""Plays AWS Lambda's part on one machine: polls the Dossiers stream and the events queue, fires the
schedules, and calls the real Chalice handlers with Lambda-shaped events and a Lambda-like context.

It follows Lambda's event-source rules closely enough that the handlers cannot tell the difference:
stream records in order per shard, partial batch failures retried from the failed record (bounded,
then skipped as Lambda's MaximumRetryAttempts would), SQS messages deleted only when they succeeded.
A failed message becomes visible again after the queue's visibility timeout; the queue's redrive
policy then moves it to the DLQ on the receive after its maxReceiveCount-th, which moto's SQS applies
exactly like SQS (tests/e2e/test_chat_resilience.py checks it), so the runner adds nothing there.
"""

from __future__ import annotations

import json
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object our handlers (and Chalice) read."""

    function_name: str
    timeout_seconds: float = 60.0
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return int(max(0.0, self.timeout_seconds - (time.monotonic() - self.started)) * 1000)


def _failed_ids(result: Any) -> list[str]:
    if not isinstance(result, dict):
        return []
    return [str(f.get("itemIdentifier")) for f in result.get("batchItemFailures") or []]


class StreamPoller:
    """DynamoDB stream → handler, one shard iterator per shard (moto has one shard per table)."""

    def __init__(
        self,
        streams: Any,
        stream_arn: str,
        region: str,
        handler: Callable[..., Any],
        batch_size: int = 100,
        max_retries: int = 3,
    ) -> None:
        self.streams = streams
        self.stream_arn = stream_arn
        self.region = region
        self.handler = handler
        self.batch_size = batch_size
        self.max_retries = max_retries
        self.iterators: dict[str, str] = {}
        self.failures: dict[str, int] = {}

    def poll_once(self) -> int:
        """Deliver what is waiting on every shard; returns how many records were handled."""
        handled = 0
        shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in self.iterators:
                self.iterators[shard_id] = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            handled += self._drain(shard_id)
        return handled

    def _drain(self, shard_id: str) -> int:
        answer = self.streams.get_records(ShardIterator=self.iterators[shard_id], Limit=self.batch_size)
        records = answer.get("Records", [])
        if not records:
            self.iterators[shard_id] = answer.get("NextShardIterator") or self.iterators[shard_id]
            return 0
        for record in records:
            record["eventSourceARN"] = self.stream_arn  # moto leaves it out; Lambda sets it
            record["dynamodb"]["ApproximateCreationDateTime"] = time.time()
        result = self._invoke({"Records": records})
        failed = _failed_ids(result)
        if not failed:
            self.iterators[shard_id] = answer["NextShardIterator"]
            return len(records)
        return self._retry_from(shard_id, failed[0], records)

    def _retry_from(self, shard_id: str, sequence: str, records: list[dict[str, Any]]) -> int:
        attempts = self.failures.get(sequence, 0) + 1
        self.failures[sequence] = attempts
        kind = "AT_SEQUENCE_NUMBER" if attempts <= self.max_retries else "AFTER_SEQUENCE_NUMBER"
        if attempts > self.max_retries:
            print(f"[runner] stream record {sequence} failed {self.max_retries} times: skipped (on-failure)")
        self.iterators[shard_id] = self.streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType=kind, SequenceNumber=sequence
        )["ShardIterator"]
        return sum(1 for r in records if int(r["dynamodb"]["SequenceNumber"]) < int(sequence))

    def _invoke(self, event: dict[str, Any]) -> Any:
        return self.handler(event, LambdaContext("dossier_stream", timeout_seconds=120))


class QueuePoller:
    """SQS → handler, deleting only the messages the handler did not report as failed."""

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        region: str,
        handler: Callable[..., Any],
        batch_size: int = 10,
        wait_seconds: int = 0,
    ) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.region = region
        self.handler = handler
        self.batch_size = batch_size
        self.wait_seconds = wait_seconds

    def poll_once(self) -> int:
        answer = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=self.wait_seconds,
            AttributeNames=["All"],
        )
        messages = answer.get("Messages", [])
        if not messages:
            return 0
        event = {"Records": [self._record(m) for m in messages]}
        failed = set(_failed_ids(self.handler(event, LambdaContext("zalo_events", timeout_seconds=60))))
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
        return len(messages)

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": {},
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": self.region,
        }


def scheduled_event(rule: str, region: str) -> dict[str, Any]:
    """An EventBridge 'Scheduled Event', as Lambda receives it."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:000000000000:rule/{rule}"],
        "detail": {},
    }


class Schedule:
    """An EventBridge rule: fires at start and then every `every_seconds`; None = only by hand."""

    def __init__(
        self, name: str, every_seconds: float | None, handler: Callable[..., Any], region: str
    ) -> None:
        self.name = name
        self.every_seconds = every_seconds
        self.handler = handler
        self.region = region
        self.next_at = time.monotonic() if every_seconds is not None else float("inf")

    def fire(self) -> Any:
        if self.every_seconds is not None:
            self.next_at = time.monotonic() + self.every_seconds
        return self.handler(scheduled_event(self.name, self.region), LambdaContext(self.name, 120))


class LambdaRunner:
    """Runs the pollers and schedules in one background thread until stopped."""

    def __init__(self, pollers: list[Any], schedules: list[Schedule], idle_sleep: float = 0.2) -> None:
        self.pollers = pollers
        self.schedules = {s.name: s for s in schedules}
        self.idle_sleep = idle_sleep
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._idle = threading.Condition()
        self.idle_loops = 0
        self._thread = threading.Thread(target=self._loop, name="lambda-runner", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def fire(self, name: str) -> Any:
        """Fire a schedule now (tests, and the local control route), serialised with the loop."""
        with self._lock:
            return self.schedules[name].fire()

    def _loop(self) -> None:
        while not self._stop.is_set():
            busy = 0
            with self._lock:
                for step in [*self.pollers, *self._due_schedules()]:
                    busy += self._safely(step)
            if not busy:
                with self._idle:
                    self.idle_loops += 1
                    self._idle.notify_all()
                self._stop.wait(self.idle_sleep)

    def settle(self, timeout: float = 30.0) -> bool:
        """Wait until two whole polling rounds found nothing to do: all queued work is handled."""
        with self._idle:
            target = self.idle_loops + 2
            return self._idle.wait_for(lambda: self.idle_loops >= target, timeout=timeout)

    def _due_schedules(self) -> list[Any]:
        now = time.monotonic()
        return [_ScheduleStep(s) for s in self.schedules.values() if s.next_at <= now]

    @staticmethod
    def _safely(step: Any) -> int:
        try:
            return int(step.poll_once() or 0)
        except Exception:  # a crashed invocation must not stop the runner, as on Lambda
            print(f"[runner] {type(step).__name__} failed:\n{traceback.format_exc()}")
            return 0


class _ScheduleStep:
    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule

    def poll_once(self) -> int:
        result = self.schedule.fire()
        print(f"[runner] schedule {self.schedule.name}: {json.dumps(result, default=str)}")
        return 0
