"""Every event source the Chalice app declares has its driver in the local runner, so nothing that
runs in AWS is silently missing from `make run` and the end-to-end tests."""

from __future__ import annotations

import pytest

from functions.main import app

pytestmark = pytest.mark.e2e


def test_every_stream_queue_and_schedule_handler_is_driven_by_the_runner(stack):
    declared = {source.name for source in app.event_sources}
    # Chalice wraps each handler; the wrapper keeps the user's function as `.func`.
    driven = {poller.handler.func.__name__ for poller in stack.runner.pollers}
    driven |= {schedule.handler.func.__name__ for schedule in stack.runner.schedules.values()}
    assert declared <= driven, f"declared in functions/main.py but not run locally: {declared - driven}"
