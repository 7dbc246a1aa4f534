"""Helpers for the notices' stack tests: settings that make retries quick, and a driver that runs
the sweeper (by hand, as the local runner lets tests do) until every notice has settled."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from functions import notice_policy as policy
from functions import wiring
from functions.dynamo_stores import DynamoOutbox
from functions.ports import Notice
from tests.e2e.sim_client import SimClient

# Retries at once, a 1 s Zalo timeout; ambiguous failures (timeouts, 5xx) and crashed claims still
# wait for a receipt, 2 s here (300 s in production), longer than the simulator takes to send one.
QUICK = {
    "NOTICE_BACKOFF_SECONDS": "0",
    "NOTICE_LEASE_SECONDS": "0",
    "NOTICE_RECEIPT_GRACE_SECONDS": "2",
    "ZALO_TIMEOUT_SECONDS": "1",
}
SLOW_MS = 1500  # a fault delay beyond the 1 s timeout


@contextmanager
def product_settings(values: dict[str, str]) -> Iterator[None]:
    """The product's environment changed for one test; the cached services rebuilt on both sides."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    wiring.reset()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        wiring.reset()


def notices(code: str) -> list[Notice]:
    return DynamoOutbox().by_dossier(code)


def settled(codes: list[str]) -> bool:
    return all(n.state in policy.FINAL for code in codes for n in notices(code))


def drive_until_settled(stack, sim: SimClient, codes: list[str], rounds: int = 60) -> int:
    """Let the stream drain, the receipts arrive, then fire the sweeper until nothing is left to do.

    Waits (by polling the outbox) for notices whose next attempt is still ahead: with QUICK only
    the receipt grace of an ambiguous failure. Returns how many sweeper runs it took.
    """
    for run in range(1, rounds + 1):
        assert stack.runner.settle()
        sim.flush_deliveries()
        assert stack.runner.settle()
        if settled(codes):
            return run
        stack.runner.fire("notice_sweeper")
        if not DynamoOutbox().due(wiring.utc_now(), 1):
            time.sleep(0.5)  # only future retries are left: the product's own clock must pass them
    raise AssertionError(f"not settled after {rounds} sweeper runs: {states(codes)}")


def states(codes: list[str]) -> Counter[str]:
    return Counter(n.state for code in codes for n in notices(code))


def accepted_by_tracking_id(sim: SimClient, phones84: list[str]) -> Counter[str]:
    """How many times Zalo (the simulator) accepted each tracking_id: the duplicate count."""
    return Counter(m["tracking_id"] for phone in phones84 for m in sim.phone_inbox(phone))
