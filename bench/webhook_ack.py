"""How fast the webhook acknowledges a verified event (Zalo wants 200 within 2 s, zalo-api.md §1.3).

Three measurements of the same work (verify the signature, check the time window, de-duplicate with a
conditional put, queue on SQS, answer):
  1. in-process, WebhookIntake with in-memory de-duplication and queue: the pure CPU cost;
  2. in-process, WebhookIntake with the real adapters against the local stack's DynamoDB and SQS;
  3. through the local HTTP server (Chalice's dev server) with `requests`, as Zalo would call it.
The worker is stopped during (3) so only the acknowledgement is measured.

    python -m bench.webhook_ack [--n 300]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("LOG_LEVEL", "WARNING")  # one JSON line per event would drown the figures
from datetime import UTC, datetime

import requests

from bench.common import local_stack, percentile, summary_ms
from functions import wiring
from functions.webhook import WebhookIntake
from tests.factories import signed_webhook, text_event
from tests.fakes.stores import FakeDeduplicator, FakeQueue

CODE_TEXT = "Cho tôi hỏi hồ sơ 000.00.12.H46-240115-0003 với ạ"
USER = "8765432109876543210"


def _bodies(n: int, app_id: str, oa_id: str, secret: str) -> list[tuple[bytes, dict[str, str]]]:
    return [signed_webhook(text_event(app_id, oa_id, USER, CODE_TEXT), app_id, secret) for _ in range(n)]


def _time_intake(intake: WebhookIntake, bodies: list[tuple[bytes, dict[str, str]]]) -> list[float]:
    samples = []
    for raw, headers in bodies:
        started = time.perf_counter()
        answer = intake.accept(raw, headers, datetime.now(UTC))
        samples.append(time.perf_counter() - started)
        assert answer.status == 200 and answer.body == {"result": "queued"}, answer
    return samples


def _time_http(url: str, bodies: list[tuple[bytes, dict[str, str]]]) -> list[float]:
    samples = []
    for raw, headers in bodies:  # a new connection each time, as Zalo's deliveries arrive
        started = time.perf_counter()
        answer = requests.post(url, data=raw, headers=headers, timeout=5)
        samples.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.text
    return samples


def _time_health(url: str, n: int) -> list[float]:
    """The local server's own cost per request: GET /health does no work at all."""
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        requests.get(url, timeout=5).raise_for_status()
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="events per measurement")
    n = parser.parse_args().n

    with local_stack() as stack:
        s = wiring.settings()
        app_id, oa_id, secret = s.zalo.app_id, os.environ["ZALO_OA_ID"], s.zalo.oa_secret_key
        stack.runner.stop()  # acknowledgement only: the events stay queued

        pure = WebhookIntake(app_id, secret, FakeDeduplicator(), FakeQueue())
        _time_intake(pure, _bodies(20, app_id, oa_id, secret))  # warm-up
        in_memory = _time_intake(pure, _bodies(n, app_id, oa_id, secret))

        real = wiring.webhook_intake()
        _time_intake(real, _bodies(20, app_id, oa_id, secret))
        adapters = _time_intake(real, _bodies(n, app_id, oa_id, secret))

        url = f"{stack.urls['api']}/zalo/webhook"
        _time_http(url, _bodies(20, app_id, oa_id, secret))
        http = _time_http(url, _bodies(n, app_id, oa_id, secret))
        health = _time_health(f"{stack.urls['api']}/health", n)

    print(f"webhook acknowledge latency, {n} signed user_send_text events each")
    print(f"  1. in-process, in-memory dedup/queue:        {summary_ms(in_memory)}")
    print(f"  2. in-process, DynamoDB + SQS (local moto):  {summary_ms(adapters)}")
    print(f"  3. HTTP through the local server:            {summary_ms(http)}")
    print(f"     (the server alone, GET /health:           {summary_ms(health)})")
    p99_http_ms = percentile([x * 1000 for x in http], 99)
    share = percentile(adapters, 50) / percentile(http, 50)
    print(f"  the de-duplicating put + SQS send are {share:.0%} of the HTTP p50; verification is ~0")
    print(f"  p99 through HTTP is {p99_http_ms / 2000:.1%} of Zalo's 2 s budget")


if __name__ == "__main__":
    main()
