"""Run the simulator on a real socket in a daemon thread: `start(config) -> SimServer`.

The request handler keeps header names exactly as sent: Werkzeug's server otherwise drops any
header with an underscore, and Zalo's auth headers are `access_token` and `secret_key`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from local.zalo_sim import sim
from local.zalo_sim.app import create_app
from local.zalo_sim.config import SimConfig
from local.zalo_sim.envelope import RAW_HEADERS_KEY
from local.zalo_sim.state import SimState


class ZaloRequestHandler(WSGIRequestHandler):
    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        environ[RAW_HEADERS_KEY] = list(self.headers.items())
        return environ

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Quiet: the runner prints its own summary and tests read /_sim/calls."""


@dataclass
class SimServer:
    url: str  # e.g. http://127.0.0.1:54321 (no trailing slash)
    app: Flask
    simulator: sim.Simulator
    _server: BaseWSGIServer
    _thread: threading.Thread

    @property
    def state(self) -> SimState:
        return self.simulator.state

    @property
    def config(self) -> SimConfig:
        """The live settings (PATCH /_sim/config replaces them)."""
        return self.simulator.config

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self.simulator.deliverer.close()


def start(config: SimConfig | None = None, host: str = "127.0.0.1", port: int = 0) -> SimServer:
    """Serve a fresh simulator; port 0 picks a free port (read it back from `.url`)."""
    app = create_app(config or SimConfig())
    server = make_server(host, port, app, threaded=True, request_handler=ZaloRequestHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="zalo-sim", daemon=True
    )
    thread.start()
    return SimServer(
        url=f"http://{host}:{server.server_port}",
        app=app,
        simulator=app.extensions[sim.EXTENSION_KEY],
        _server=server,
        _thread=thread,
    )
