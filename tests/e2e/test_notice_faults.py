"""Fault injection through the whole local stack: MCĐT writes, moto's stream, the Lambda runner, the
real Zalo client against the simulator failing about a quarter of the ZBS calls at random (HTTP 503,
timeouts after which the simulator still accepts, -32, -124 which makes the client refresh the
token). Fewer changes than the unit-level variant (tests/unit/test_notice_faults.py): here every
call is real HTTP and every write goes through moto."""

from __future__ import annotations

from collections import Counter

import pytest

from functions import notice_policy as policy
from tests.e2e.notice_driver import (
    QUICK,
    SLOW_MS,
    accepted_by_tracking_id,
    drive_until_settled,
    notices,
    product_settings,
)
from tests.factories import change_status, next_phone, save_dossier, zalo_phone

pytestmark = pytest.mark.e2e

# Four faults tried in turn on every call, 8 % each: about 28 % of calls hit one.
FAULTS = [{"http_status": 503}, {"delay_ms": SLOW_MS}, {"error": -32}, {"error": -124}]


def test_a_quarter_of_zalo_calls_failing_loses_nothing_and_duplicates_nothing(sim, stack, capsys):
    assert stack.runner.settle()
    with product_settings(QUICK):
        for n, fault in enumerate(FAULTS):
            sim.fault(
                path="/message/template", count=None, probability=0.08, seed=11 if n == 0 else None, **fault
            )
        try:
            opted_in, unticked = [], []
            for n in range(29):
                dossier = save_dossier(status=2, phone=next_phone(), notify_zalo=n < 25)
                (opted_in if n < 25 else unticked).append(dossier)
            for status in (4, 5, 9):  # each dossier: received, processing, supplement, result
                for dossier in opted_in + unticked:
                    change_status(dossier, status)
            runs = drive_until_settled(stack, sim, [d.code for d in opted_in + unticked])
        finally:
            sim.clear_faults()

    template_calls = sim.calls("/message/template")
    faulted = sum(1 for c in template_calls if (c.get("response_json") or {}).get("error") != 0)
    states = Counter(n.state for d in opted_in for n in notices(d.code))
    accepted = accepted_by_tracking_id(sim, [zalo_phone(d.phone) for d in opted_in])
    expected = {n.notice_id for d in opted_in for n in notices(d.code)}
    with capsys.disabled():
        print(
            f"\nstack fault injection: {len(expected)} opted-in changes, {len(template_calls)} ZBS calls, "
            f"{faulted} answered with an error (+ the delayed ones), {runs} driver rounds → {dict(states)}; "
            f"duplicates {sum(c - 1 for c in accepted.values())}; lost {len(expected - set(accepted))}"
        )

    assert len(expected) == 25 * 4
    assert set(states) <= {policy.SENT, policy.DELIVERED, policy.FAILED_FINAL}
    assert set(accepted) == expected and set(accepted.values()) == {1}
    assert accepted_by_tracking_id(sim, [zalo_phone(d.phone) for d in unticked]) == Counter()
