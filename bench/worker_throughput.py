"""Events per second through the chat worker when every Zalo call takes 100 ms (the simulator's
injected latency), each event a citizen's lookup answered with a status card (one CS message).

Two paths, same work per event (dossier read, lookup counter, reply claim, CS send, reply record,
interaction record):
  A. EventWorker.handle on queued envelopes, one after another (what one SQS batch does);
  B. through SQS: citizens' messages go through the webhook onto the queue, then the runner's
     QueuePoller calls the real Lambda handler in batches of 10 until the queue is empty, once with
     one thread per batch (EVENTS_CONCURRENCY=1) and once with the default (different citizens of
     a batch answered side by side).
The ceiling for a sequential worker is 1000 / latency_ms events/s; the figures say how close we get
and what our own work costs (the same run with no injected latency).

    python -m bench.worker_throughput [--n 100] [--latency-ms 100]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

os.environ.setdefault("LOG_LEVEL", "WARNING")

import boto3
import requests

from bench.common import local_stack
from functions import wiring
from functions.dossier_records import to_model
from tests.e2e.sim_client import SimClient
from tests.factories import make_dossier, text_event

USERS = 20  # lookups spread over citizens, so the per-user limit (20 / 10 min) is not what we measure


def _citizens(sim: SimClient) -> list[str]:
    """Followers who just wrote to the OA (their CS window is open)."""
    users = [sim.new_citizen(f"Người dân {i:02d}")["user_id"] for i in range(USERS)]
    for user in users:
        sim.say(user, "xin chào")
    return users


def _fresh_citizens(stack: Any, sim: SimClient) -> list[str]:
    """New citizens for each path: earlier ones have used part of their lookup allowance."""
    users = _citizens(sim)
    _drain(stack)
    return users


def _drain(stack: Any) -> int:
    """Run the queue worker until the queue is empty; returns how many messages it handled."""
    poller, handled = stack.runner.pollers[1], 0
    while count := poller.poll_once():
        handled += count
    return handled


def _direct(users: list[str], codes: list[str], n: int) -> float:
    """Path A: events/s through EventWorker.handle."""
    worker = wiring.event_worker()
    s = wiring.settings()
    envelopes = []
    for i in range(n):
        event = text_event(
            s.zalo.app_id, s.zalo.oa_id, users[i % len(users)], f"Hồ sơ {codes[i % len(codes)]}"
        )
        envelopes.append({"event": event, "server": "", "key": f"msg:{event['message']['msg_id']}"})
    started = time.perf_counter()
    outcomes = [worker.handle(envelope) for envelope in envelopes]
    elapsed = time.perf_counter() - started
    assert outcomes == ["answered"] * n, set(outcomes)
    return n / elapsed


def _through_sqs(stack: Any, sim: SimClient, users: list[str], codes: list[str], n: int) -> float:
    """Path B: events/s from a full queue through the Lambda handler (SQS receive/delete included)."""
    for i in range(n):
        sim.say(users[i % len(users)], f"Cho hỏi hồ sơ {codes[i % len(codes)]}")
    queued = boto3.client("sqs").get_queue_attributes(
        QueueUrl=stack.queue_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]["ApproximateNumberOfMessages"]
    assert int(queued) == n, queued
    started = time.perf_counter()
    handled = _drain(stack)
    elapsed = time.perf_counter() - started
    assert handled == n, handled
    return n / elapsed


def _set_latency(sim: SimClient, latency_ms: int) -> None:
    answer = requests.patch(f"{sim.base}/_sim/config", json={"latency_ms": latency_ms}, timeout=5)
    answer.raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="events per measurement")
    parser.add_argument("--latency-ms", type=int, default=100, help="latency of every Zalo call")
    args = parser.parse_args()

    with local_stack() as stack:
        stack.runner.stop()  # this script drives the worker itself
        sim = SimClient(stack.urls["zalo"])
        codes = []
        for _ in range(10):
            dossier = make_dossier(status=4)
            to_model(dossier).save()
            codes.append(dossier.code)
        users = _fresh_citizens(stack, sim)

        _set_latency(sim, 0)
        _direct(users, codes, 10)  # warm-up: token, connections
        no_latency = _direct(users, codes, args.n)
        _set_latency(sim, args.latency_ms)
        direct = _direct(users, codes, args.n)
        os.environ["EVENTS_CONCURRENCY"] = "1"
        wiring.reset()
        sqs_one_thread = _through_sqs(stack, sim, _fresh_citizens(stack, sim), codes, args.n)
        os.environ.pop("EVENTS_CONCURRENCY")
        wiring.reset()
        threads = wiring.settings().events_concurrency
        sqs = _through_sqs(stack, sim, _fresh_citizens(stack, sim), codes, args.n)
        cs_calls = len(sim.calls("/v3.0/oa/message/cs"))

    ceiling = 1000 / args.latency_ms
    own_ms = 1000 / no_latency
    print(f"chat worker throughput, {args.n} lookups per path, Zalo latency {args.latency_ms} ms per call")
    share = f"{direct / ceiling:.0%} of {ceiling:.0f}/s"
    print(f"  A. EventWorker.handle, sequential:  {direct:6.2f} events/s ({share},")
    print("     the ceiling of one sequential worker at this latency)")
    print(f"  B. webhook → SQS → Lambda handler, 1 thread:  {sqs_one_thread:6.2f} events/s")
    print(
        f"     the same, {threads} threads per batch:       {sqs:6.2f} events/s "
        f"({sqs / sqs_one_thread:.1f}x, {sqs / ceiling:.0%} of one sequential worker's ceiling)"
    )
    print(f"  our own work per event, no latency: {own_ms:6.1f} ms ({no_latency:.1f} events/s)")
    print(f"  CS calls seen by the simulator: {cs_calls} (greetings included)")
    summary = {
        "direct_eps": round(direct, 2),
        "sqs_one_thread_eps": round(sqs_one_thread, 2),
        "sqs_eps": round(sqs, 2),
        "own_ms": round(own_ms, 1),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
