"""Shared pieces for the notifier's tests: hand-built Lambda stream records, a clock the test moves,
and a notifier + sweeper wired to the in-memory fakes (tests/fakes)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from functions.config import NoticeSettings
from functions.dossier import Dossier
from functions.dossier_records import to_model
from functions.notice_sweeper import Sweeper
from functions.notify import Notifier, Sender, StreamRecord
from tests.fakes.stores import FakeCitizens, FakeOutbox
from tests.fakes.zalo import FakeZalo

TEMPLATE = "dvc_status_v1"
# 09:00 in Vietnam: daytime, so night-restricted templates are not in play unless a test says so.
DAYTIME = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
_sequence = itertools.count(1_100_000_001)


class Clock:
    def __init__(self, start: datetime = DAYTIME) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def image(dossier: Dossier) -> dict[str, Any]:
    return to_model(dossier).serialize()


def stream_record(
    event_name: str, new: Dossier | None, old: Dossier | None = None, seq: str | None = None
) -> dict[str, Any]:
    """A DynamoDB stream record as Lambda hands it over (NEW_AND_OLD_IMAGES)."""
    code = (new or old).code if (new or old) else "?"
    images = {"NewImage": image(new) if new else None, "OldImage": image(old) if old else None}
    return {
        "eventID": f"e{seq}",
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "ap-southeast-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1764036000,
            "Keys": {"MaHoSo": {"S": code}},
            "SequenceNumber": seq or str(next(_sequence)),
            "SizeBytes": 640,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
            **{name: value for name, value in images.items() if value is not None},
        },
        "eventSourceARN": "arn:aws:dynamodb:ap-southeast-1:000000000000:table/dossiers/stream/x",
    }


def parsed(*raw: dict[str, Any]) -> list[StreamRecord]:
    return [StreamRecord.from_lambda(r) for r in raw]


FAST = NoticeSettings(
    workers=4,
    backoff_seconds=30,
    backoff_max_seconds=600,
    lease_seconds=120,
    receipt_grace_seconds=300,
)


@dataclass
class Kit:
    """One notifier and one sweeper over the same fakes and clock."""

    settings: NoticeSettings = FAST
    zalo: Any = field(default_factory=FakeZalo)
    outbox: FakeOutbox = field(default_factory=FakeOutbox)
    citizens: FakeCitizens = field(default_factory=FakeCitizens)
    clock: Clock = field(default_factory=Clock)
    time_left: float = 100.0

    def __post_init__(self) -> None:
        self.sender = Sender(self.outbox, self.zalo, TEMPLATE, self.clock, self.settings)
        self.notifier = Notifier(
            self.outbox, self.sender, self.citizens, self.clock, workers=self.settings.workers
        )

    def handle(self, raw: dict[str, Any]) -> str:
        return self.notifier.handle(StreamRecord.from_lambda(raw))

    def batch(self, *raw: dict[str, Any]) -> list[str]:
        return self.notifier.handle_batch(parsed(*raw), lambda: self.time_left)

    def sweep(self) -> dict[str, int]:
        return Sweeper(self.notifier, lambda: self.time_left).run()

    def sends(self) -> list[dict[str, Any]]:
        return self.zalo.sent("send_template_by_phone")

    def only_notice(self) -> Any:
        [notice] = self.outbox.items.values()
        return notice
