"""One local stack per test session, shared by tests/e2e and tests/browser: moto server, Chalice
routes, Lambda runner, Zalo simulator. Started only when a test asks for `stack`, `sim` or `api`.

Ports are picked free so the suite runs beside a `make run`. Schedules are fired by the tests, not
by the clock, so nothing depends on wall-clock time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.e2e.sim_client import SimClient

_ZALO_VARS = ("ZALO_OPENAPI_URL", "ZALO_BUSINESS_URL", "ZALO_OAUTH_URL")


@pytest.fixture(scope="session")
def stack() -> Iterator[object]:
    from local.stack import LocalStack, Ports

    saved = dict(os.environ)
    for name in _ZALO_VARS:
        os.environ.pop(name, None)  # the e2e suite always runs against its own simulator
    local = LocalStack(
        Ports.from_env(ephemeral=True), schedule_seconds=None, seed=False, queue_visibility_seconds=1
    )
    local.start()
    try:
        yield local
    finally:
        local.stop()
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def sim(stack) -> SimClient:
    return SimClient(stack.urls["zalo"])


@pytest.fixture(scope="session")
def api(stack) -> str:
    return stack.urls["api"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests that need the local stack last: once it starts it points the process's AWS
    environment at its moto server, and in-process moto (tests/integration) must not meet it."""
    items.sort(key=lambda item: "stack" in getattr(item, "fixturenames", ()))
