"""Fixtures for the Zalo simulator's own tests: a pinned clock, an app, and a tiny webhook
receiver (a real HTTP server on a free port) that records exactly what the simulator POSTed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from local.zalo_sim import SimConfig, create_app

START_S = 1_705_300_000.0  # 2024-01-15 13:26 Vietnam time; the simulator's clock is pinned here


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Our product's webhook, reduced to a recorder that answers `status`."""

    url: str = ""
    status: int = 200
    requests: list[Received] = field(default_factory=list)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.requests.append(Received(request.path, dict(request.headers), request.get_data()))
        return Response("ok", status=self.status)(environ, start_response)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    recorder = Receiver()
    server = make_server("127.0.0.1", 0, recorder, threaded=True)
    recorder.url = f"http://127.0.0.1:{server.server_port}/zalo/webhook"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield recorder
    server.shutdown()
    server.server_close()


@pytest.fixture
def config(receiver: Receiver) -> SimConfig:
    return SimConfig(webhook_url=receiver.url, no_zalo_phones=["0977 000 111"])


@pytest.fixture
def app(config: SimConfig) -> Flask:
    return create_app(config, clock=lambda: START_S)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
