"""A tiny run of each benchmark's measuring code on the shared local stack, so a refactor cannot
break the benchmarks unnoticed. The figures themselves come from `python -m bench.<name>`."""

from __future__ import annotations

import pytest

from bench import webhook_ack, worker_throughput
from bench.common import percentile
from functions import wiring
from tests.factories import save_dossier

pytestmark = pytest.mark.e2e


def test_webhook_ack_measures_every_path(api, stack):
    s = wiring.settings()
    bodies = webhook_ack._bodies(3, s.zalo.app_id, s.zalo.oa_id, s.zalo.oa_secret_key)
    samples = webhook_ack._time_http(f"{api}/zalo/webhook", bodies)
    assert len(samples) == 3 and percentile(samples, 50) > 0


def test_worker_throughput_counts_answered_lookups(sim, stack):
    dossier = save_dossier(status=4)
    users = [sim.new_citizen(f"Người đo {i}")["user_id"] for i in range(2)]
    for user in users:
        sim.say(user, "xin chào")
    assert worker_throughput._direct(users, [dossier.code], 2) > 0
