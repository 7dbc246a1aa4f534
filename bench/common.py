"""What the benchmarks share: a quiet local stack, percentiles, signed webhook bodies."""

from __future__ import annotations

import json
import os
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from functions.webhook_signature import compute_mac


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


def text_event(app_id: str, oa_id: str, user_id: str, text: str) -> dict[str, Any]:
    """A user_send_text webhook body as Zalo sends it (fresh msg_id, timestamp now in ms)."""
    return {
        "app_id": app_id,
        "user_id_by_app": "552233",
        "event_name": "user_send_text",
        "timestamp": str(int(time.time() * 1000)),
        "sender": {"id": user_id},
        "recipient": {"id": oa_id},
        "message": {"msg_id": uuid.uuid4().hex, "text": text},
    }


def signed(event: dict[str, Any], app_id: str, oa_secret_key: str) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(event, ensure_ascii=False).encode()
    mac = compute_mac(app_id, raw, event["timestamp"], oa_secret_key)
    return raw, {"Content-Type": "application/json", "X-ZEvent-Signature": f"mac={mac}"}
