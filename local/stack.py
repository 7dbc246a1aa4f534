"""The whole system on one machine: embedded AWS (moto server: DynamoDB with streams, SQS), our
tables and queue, the Chalice routes, a runner playing Lambda, the Zalo simulator and demo data.

The product code runs unchanged: it reads the same environment variables as in production
(design.md §6), which this module points at local services. When the Zalo URLs are already set,
no simulator is started and the product talks to whatever server they name.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
import requests

# Two dev officials, so the two-official approval can be shown locally (docs/officials.md).
DEV_ADMIN_TOKEN = "dev-official-token"  # can-bo-1
DEV_ADMIN_TOKEN_2 = "dev-official-token-2"  # can-bo-2
DEV_OFFICIALS = {"can-bo-1": DEV_ADMIN_TOKEN, "can-bo-2": DEV_ADMIN_TOKEN_2}
REGION = "ap-southeast-1"
QUEUE_NAME = "dvc-zalo-local-events"


def free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _port(env: str, default: int, host: str) -> int:
    value = int(os.environ.get(env, default))
    return value or free_port(host)


@dataclass
class Ports:
    host: str = "127.0.0.1"
    api: int = 8000
    aws: int = 4566
    sim: int = 8500

    @classmethod
    def from_env(cls, ephemeral: bool = False) -> Ports:
        host = os.environ.get("LOCAL_HOST", "127.0.0.1")
        if ephemeral:
            return cls(host, free_port(host), free_port(host), free_port(host))
        return cls(
            host, _port("API_PORT", 8000, host), _port("AWS_PORT", 4566, host), _port("SIM_PORT", 8500, host)
        )


@dataclass
class LocalStack:
    ports: Ports
    schedule_seconds: float | None = 60.0  # None: schedules fire only when a test fires them
    seed: bool = True
    # How long a failed event waits before SQS delivers it again (tests shorten it).
    queue_visibility_seconds: int = 5
    simulator: Any = None
    runner: Any = None
    api_server: Any = None
    moto: subprocess.Popen[bytes] | None = None
    urls: dict[str, str] = field(default_factory=dict)

    # ---- start -----------------------------------------------------------------------------
    def start(self) -> LocalStack:
        self._start_moto()
        self._configure_environment()
        self._start_simulator_if_needed()
        self._create_resources()
        self._start_api()
        self._start_runner()
        if self.seed:
            self.seed_demo_data()
        return self

    def _start_moto(self) -> None:
        url = f"http://{self.ports.host}:{self.ports.aws}"
        # moto logs every request (the runner polls several times a second): keep it out of sight.
        output = None if os.environ.get("LOCAL_VERBOSE") == "1" else subprocess.DEVNULL
        self.moto = subprocess.Popen(
            [sys.executable, "-m", "local.moto_server", "-H", self.ports.host, "-p", str(self.ports.aws)],
            stdout=output,
            stderr=output,
        )
        _wait_for(f"{url}/moto-api/", what="embedded AWS (moto)")
        self.urls["aws"] = url

    def _configure_environment(self) -> None:
        env = os.environ
        env["AWS_ENDPOINT_URL"] = self.urls["aws"]
        env.setdefault("AWS_ACCESS_KEY_ID", "local")
        env.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        env["AWS_DEFAULT_REGION"] = env["AWS_REGION"] = REGION
        env.setdefault("STAGE", "local")
        env.setdefault("PROVINCE_NAME", "tỉnh Quảng Trị")
        env.setdefault("PUBLIC_BASE_URL", f"http://{self.ports.host}:{self.ports.api}")
        env.setdefault("STATUS_LINK_KEY", "local-status-link-key")
        env.setdefault(
            "ADMIN_TOKEN_SHA256",
            ",".join(f"{name}={hashlib.sha256(t.encode()).hexdigest()}" for name, t in DEV_OFFICIALS.items()),
        )
        env["ZALO_EVENTS_QUEUE_NAME"] = QUEUE_NAME
        self.urls["api"] = f"http://{self.ports.host}:{self.ports.api}"

    def _start_simulator_if_needed(self) -> None:
        if os.environ.get("ZALO_OPENAPI_URL"):
            self.urls["zalo"] = os.environ["ZALO_OPENAPI_URL"]
            return  # another server speaks Zalo's contract for us
        from local.zalo_sim.config import SimConfig
        from local.zalo_sim.server import start

        config = SimConfig(webhook_url=f"{self.urls['api']}/zalo/webhook")
        self.simulator = start(config, host=self.ports.host, port=self.ports.sim)
        os.environ.update(zalo_env_for_simulator(self.simulator.url, config))
        self.urls["zalo"] = self.simulator.url
        self._follow_simulator_clock()

    def _follow_simulator_clock(self) -> None:
        """Our services read the simulator's clock, so advancing it (/_sim/clock/advance) moves
        schedules, broadcast hours, webhook timestamps and Zalo's night block together, without waiting."""
        from functions import wiring

        state = self.simulator.state
        wiring.use_clock(lambda: datetime.fromtimestamp(state.now_ms() / 1000, UTC))

    def _create_resources(self) -> None:
        from functions import wiring
        from local.resources import create_queue, create_tables

        wiring.reset()
        settings = wiring.settings()
        self.stream_arn = create_tables(settings)
        queue = create_queue(QUEUE_NAME, settings.events_max_receives, self.queue_visibility_seconds)
        self.queue_url, self.queue_arn, self.dlq_url = queue.url, queue.arn, queue.dlq_url
        os.environ["ZALO_EVENTS_QUEUE_URL"] = self.queue_url
        os.environ["DOSSIERS_STREAM_ARN"] = self.stream_arn
        wiring.reset()

    def _start_api(self) -> None:
        import threading

        from chalice.config import Config
        from chalice.local import LocalDevServer

        from functions.main import app

        config = Config.create(
            chalice_stage="local", app_name="dvc-zalo", lambda_timeout=30, lambda_memory_size=512
        )
        self.api_server = LocalDevServer(app, config, self.ports.host, self.ports.api)
        threading.Thread(
            target=self.api_server.server.serve_forever, name="chalice-local", daemon=True
        ).start()
        _wait_for(f"{self.urls['api']}/health", what="Chalice routes")

    def _start_runner(self) -> None:
        from functions import main
        from local.lambda_runner import LambdaRunner, QueuePoller, Schedule, StreamPoller

        streams = boto3.client("dynamodbstreams", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        self.runner = LambdaRunner(
            pollers=[
                StreamPoller(streams, self.stream_arn, REGION, main.dossier_stream),
                QueuePoller(sqs, self.queue_url, self.queue_arn, REGION, main.zalo_events),
            ],
            schedules=[
                Schedule("broadcaster", self.schedule_seconds, main.broadcaster, REGION),
                Schedule("notice_sweeper", self.schedule_seconds, main.notice_sweeper, REGION),
                Schedule("token_keeper", 3600 if self.schedule_seconds else None, main.token_keeper, REGION),
            ],
        )
        self.runner.start()

    # ---- demo data -------------------------------------------------------------------------
    def seed_demo_data(self) -> None:
        from functions.dossier_records import to_model
        from functions.phones import normalise, to_zalo
        from local.seed import CITIZENS, NO_ZALO_PHONE, demo_dossiers

        if self.simulator is not None:
            sim = self.urls["zalo"]
            for citizen in CITIZENS:
                phone = to_zalo(normalise(citizen.phone))
                requests.post(
                    f"{sim}/_sim/users",
                    json={"display_name": citizen.display_name, "phone": phone, "follower": True},
                    timeout=5,
                )
            requests.post(
                f"{sim}/_sim/phones/no-zalo", json={"phone": to_zalo(normalise(NO_ZALO_PHONE))}, timeout=5
            )
        for dossier in demo_dossiers():
            to_model(dossier).save()

    # ---- stop ------------------------------------------------------------------------------
    def stop(self) -> None:
        from functions import wiring

        wiring.use_clock(wiring.wall_clock)
        if self.runner is not None:
            self.runner.stop()
        if self.api_server is not None:
            self.api_server.shutdown()
        if self.simulator is not None:
            self.simulator.stop()
        if self.moto is not None:
            self.moto.terminate()
            try:
                self.moto.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.moto.kill()


def zalo_env_for_simulator(url: str, config: Any) -> dict[str, str]:
    """The product's ZALO_* variables that make it talk to a simulator with this config."""
    return {
        "ZALO_OPENAPI_URL": url,
        "ZALO_BUSINESS_URL": url,
        "ZALO_OAUTH_URL": url,
        "ZALO_APP_ID": config.app_id,
        "ZALO_APP_SECRET": config.app_secret,
        "ZALO_OA_ID": config.oa_id,
        "ZALO_OA_SECRET_KEY": config.oa_secret_key,
        "ZALO_REFRESH_TOKEN": config.refresh_token,
        "ZALO_TEMPLATE_STATUS": config.default_template_id,
    }


def _wait_for(url: str, what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not start at {url} within {seconds:.0f} s")
