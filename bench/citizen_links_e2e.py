"""Chat round trips of the citizen-link flows through the whole local stack (simulator → webhook →
SQS → worker → DynamoDB → Zalo CS message), with the stream projection feeding "hồ sơ của tôi".

    python -m bench.citizen_links_e2e [citizens]

Printed, p50/p95 in ms from the citizen's action to the OA's answer in their chat: sharing the phone
→ confirmation; "hồ sơ của tôi" over 5 dossiers → the list; a plain dossier lookup in the same run
as the baseline (ratio). The runner idles 0.2 s between empty polls, which dominates these figures.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from functools import partial

from local.stack import LocalStack, Ports
from tests.e2e.sim_client import SimClient, eventually
from tests.factories import next_phone, save_dossier, zalo_phone


def _timed(sim: SimClient, user_id: str, act) -> float:
    before = len(sim.inbox(user_id).get("chat", []))
    started = time.perf_counter()
    act()
    eventually(lambda: len(sim.inbox(user_id).get("chat", [])) > before, timeout=30, interval=0.01)
    return (time.perf_counter() - started) * 1000


def _summary(name: str, values: list[float]) -> float:
    p50 = statistics.median(values)
    p95 = statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else p50
    print(f"{name:<28} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   (n={len(values)})")
    return p50


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    for name in ("ZALO_OPENAPI_URL", "ZALO_BUSINESS_URL", "ZALO_OAUTH_URL"):
        os.environ.pop(name, None)
    stack = LocalStack(Ports.from_env(ephemeral=True), schedule_seconds=None, seed=False).start()
    try:
        sim = SimClient(stack.urls["zalo"])
        share, listing, lookup = [], [], []
        for index in range(count):
            phone = next_phone()
            dossiers = [save_dossier(status=4, phone=phone, notify_zalo=False) for _ in range(5)]
            citizen = sim.new_citizen(f"Công dân {index}", phone=zalo_phone(phone))
            user_id = citizen["user_id"]
            lookup.append(_timed(sim, user_id, partial(sim.say, user_id, dossiers[0].code)))
            share.append(_timed(sim, user_id, partial(sim.submit_info, user_id)))
            listing.append(_timed(sim, user_id, partial(sim.say, user_id, "hồ sơ của tôi")))
        base = _summary("lookup by code (baseline)", lookup)
        for name, values in (("share phone → confirmation", share), ("hồ sơ của tôi → list of 5", listing)):
            print(f"{'':<28} ratio to baseline p50: {_summary(name, values) / base:.2f}")
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
