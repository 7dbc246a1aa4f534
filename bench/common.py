"""What the benchmarks share: a local stack on free ports, percentiles."""

from __future__ import annotations

import os
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def local_stack() -> Iterator[Any]:
    """The whole system on free ports (moto server, Chalice routes, runner, simulator), no demo data."""
    from local.stack import LocalStack, Ports

    for name in ("ZALO_OPENAPI_URL", "ZALO_BUSINESS_URL", "ZALO_OAUTH_URL"):
        os.environ.pop(name, None)  # always our own simulator
    stack = LocalStack(Ports.from_env(ephemeral=True), schedule_seconds=None, seed=False)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by the inclusive method; values in any order."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def summary_ms(samples_s: list[float]) -> str:
    ms = [s * 1000 for s in samples_s]
    return (
        f"n={len(ms)}  p50 {percentile(ms, 50):7.2f} ms  p99 {percentile(ms, 99):7.2f} ms  "
        f"max {max(ms):7.2f} ms"
    )
