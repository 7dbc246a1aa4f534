"""The Zalo simulator (local/zalo_sim) on a free port, reset before every contract test, and the
product's settings pointed at it (all three Zalo hosts share its one base URL)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from functions.config import Settings, ZaloSettings
from local.stack import zalo_env_for_simulator
from local.zalo_sim.config import SimConfig
from local.zalo_sim.server import SimServer, start


class Sim:
    """Just enough of the simulator's control API (/_sim/...) to set up and check a scenario."""

    def __init__(self, server: SimServer) -> None:
        self.server = server
        self.url = server.url
        self.config: SimConfig = server.config

    def get(self, control_path: str, **params: Any) -> Any:
        answer = requests.get(f"{self.url}/_sim{control_path}", params=params, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = requests.post(f"{self.url}/_sim{path}", json=body or {}, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        answer = requests.patch(f"{self.url}/_sim{path}", json=body, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def user(self, name: str = "Nguyễn Văn An", phone: str = "", follower: bool = True) -> str:
        return self.post("/users", {"display_name": name, "phone": phone, "follower": follower})["user_id"]

    def calls(self, path: str) -> list[dict[str, Any]]:
        return self.get("/calls", path=path)["calls"]

    def daytime(self) -> None:
        """Move the simulator's clock to the next 10:00 Vietnam time (broadcasts are refused at night)."""
        now_s = self.get("/clock")["now_ms"] / 1000
        vietnam_s = now_s + 7 * 3600
        self.post("/clock/advance", {"seconds": (10 * 3600 - vietnam_s) % 86400})


@pytest.fixture(scope="module")
def sim_server() -> Iterator[SimServer]:
    server = start(SimConfig(), host="127.0.0.1", port=0)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sim(sim_server: SimServer) -> Sim:
    requests.post(f"{sim_server.url}/_sim/reset", timeout=10).raise_for_status()
    return Sim(sim_server)


@pytest.fixture
def settings(sim: Sim) -> ZaloSettings:
    return Settings.from_env(zalo_env_for_simulator(sim.url, sim.config)).zalo
