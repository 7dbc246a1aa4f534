"""`python -m bench.notices`: status notices per second for one 100-record stream batch, with every
Zalo call taking 100 ms, handled concurrently (the product's pool) against strictly one at a time,
in the same run; and the DynamoDB calls each notice costs.

Real code paths: the stream handler's Notifier, the real Zalo client against the simulator (HTTP,
100 ms latency per call), the DynamoDB outbox and token store on moto in-process (every call
counted at PynamoDB's dispatch). The citizens' opt-out look-up (CitizenStore.by_phone, one Query
per notice) belongs to branch citizen-links; it is counted here by a stand-in that answers "none".

Options: --records N (100), --latency-ms MS (100), --workers N (8).
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from moto import mock_aws
from pynamodb.connection.base import Connection

from functions import models
from functions.config import NoticeSettings, Settings, ZaloSettings
from functions.dynamo_stores import DynamoOutbox
from functions.notify import Notifier, Sender, StreamRecord
from functions.ports import Citizen
from functions.token_store import DynamoTokenStore
from functions.tokens import TokenManager
from functions.zalo_client import ZaloClient, ZaloOAuth
from local.zalo_sim.config import SimConfig
from local.zalo_sim.server import start
from tests.factories import make_dossier, next_phone
from tests.notice_kit import stream_record

READS = {"GetItem", "Query", "Scan", "BatchGetItem"}
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}


class CountingCitizens:
    """Stands in for DynamoCitizenStore.by_phone (one Query on a phone index per notice)."""

    def __init__(self) -> None:
        self.queries = 0

    def by_phone(self, phone: str) -> list[Citizen]:
        self.queries += 1
        return []


@contextmanager
def counted_dynamodb() -> Iterator[Counter[str]]:
    counts: Counter[str] = Counter()
    original = Connection.dispatch

    def dispatch(self: Connection, operation_name: str, operation_kwargs: dict[str, Any]) -> dict[str, Any]:
        counts[operation_name] += 1
        return original(self, operation_name, operation_kwargs)

    Connection.dispatch = dispatch  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        Connection.dispatch = original  # type: ignore[method-assign]


def run(records: int, latency_ms: int, workers: int) -> None:
    for name, value in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}.items():
        os.environ.setdefault(name, value)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    sim = start(SimConfig(latency_ms=latency_ms, deliver_zbs_receipts=False, zbs_daily_quota=10**6))
    try:
        with mock_aws():
            models.bind(Settings.from_env({"STAGE": "bench", "AWS_REGION": "ap-southeast-1"}))
            for model in (models.NotificationModel, models.OaTokenModel):
                model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
            zalo_settings = ZaloSettings(
                openapi_url=sim.url,
                business_url=sim.url,
                oauth_url=sim.url,
                app_id=sim.config.app_id,
                app_secret=sim.config.app_secret,
                oa_id=sim.config.oa_id,
                initial_refresh_token=sim.config.refresh_token,
            )
            tokens = TokenManager(
                DynamoTokenStore(zalo_settings.oa_id),
                ZaloOAuth(zalo_settings),
                zalo_settings.initial_refresh_token,
                clock=lambda: datetime.now(UTC),
                owner="bench",
            )
            client = ZaloClient(zalo_settings, tokens)
            client.get_oa()  # the container is warm: token fetched, connection pool open
            baseline = _batch(client, records, workers=1)
            concurrent = _batch(client, records, workers=workers)
    finally:
        sim.stop()
    _report(records, latency_ms, workers, baseline, concurrent)


def _batch(client: ZaloClient, records: int, workers: int) -> dict[str, Any]:
    outbox = DynamoOutbox()
    citizens = CountingCitizens()
    sender = Sender(
        outbox, client, SimConfig().default_template_id, lambda: datetime.now(UTC), NoticeSettings()
    )
    notifier = Notifier(outbox, sender, citizens, lambda: datetime.now(UTC), workers=workers)
    batch = [
        StreamRecord.from_lambda(stream_record("INSERT", make_dossier(phone=next_phone())))
        for _ in range(records)
    ]
    with counted_dynamodb() as counts:
        started = time.perf_counter()
        failed = notifier.handle_batch(batch, lambda: 900.0)
        elapsed = time.perf_counter() - started
        stream_counts = Counter(counts)
        for record in batch:  # the ZNS receipts that follow (the event worker's one write each)
            nid = next(iter(outbox.by_dossier(record.dossier_key))).notice_id
            counts["Query"] -= 1  # the look-up above is the bench's, not the product's
            outbox.mark_delivered(nid, datetime.now(UTC))
    assert not failed
    receipt_writes = sum(counts[op] for op in WRITES) - sum(stream_counts[op] for op in WRITES)
    return {
        "elapsed": elapsed,
        "stream": stream_counts,
        "receipt_writes": receipt_writes,
        "citizen_queries": citizens.queries,
    }


def _report(
    records: int, latency_ms: int, workers: int, baseline: dict[str, Any], fast: dict[str, Any]
) -> None:
    print(
        f"bench.notices: one stream batch of {records} INSERT records, Zalo latency {latency_ms} ms per call"
    )
    for label, result in (("sequential (1 worker)", baseline), (f"concurrent ({workers} workers)", fast)):
        rate = records / result["elapsed"]
        print(f"  {label:24} {result['elapsed']:6.2f} s  {rate:7.1f} notices/s")
    print(f"  speed-up: {baseline['elapsed'] / fast['elapsed']:.1f}x")
    stream = fast["stream"]
    reads = sum(stream[op] for op in READS) + fast["citizen_queries"]
    writes = sum(stream[op] for op in WRITES)
    opt_out_share = fast["citizen_queries"] / records
    print(
        f"  DynamoDB per notice (stream path): {reads / records:.2f} reads "
        f"({opt_out_share:.2f} of them the opt-out Query), {writes / records:.2f} writes; "
        f"+ {fast['receipt_writes'] / records:.2f} write when its receipt arrives"
    )
    print(f"  calls by operation: {dict(stream)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--workers", type=int, default=NoticeSettings().workers)
    args = parser.parse_args()
    run(args.records, args.latency_ms, args.workers)


if __name__ == "__main__":
    main()
