"""Signing and POSTing webhook events to the product, and remembering every attempt.

Signature (zalo-api.md §1.2): `X-ZEvent-Signature: mac=<hex>`, hex = plain SHA-256 of
app_id + raw_body + timestamp + oa_secret_key, where timestamp is the body's own `timestamp`.
Events caused by a user action (control API) are delivered synchronously so the caller sees our
webhook's HTTP status; events caused by an API call (echoes, ZNS receipts) go through one
background worker so the API answer is not delayed, in the order they were caused.
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, Literal

import requests

from local.zalo_sim.config import SimConfig
from local.zalo_sim.state import Delivery, SimState

SignatureMode = Literal["valid", "invalid", "missing"]


def encode(payload: dict[str, Any]) -> bytes:
    """The exact bytes POSTed (UTF-8, Vietnamese left unescaped, like Zalo's compact JSON)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The X-ZEvent-Signature header value for a body."""
    text = app_id + raw_body.decode("utf-8") + timestamp + oa_secret_key
    return "mac=" + hashlib.sha256(text.encode("utf-8")).hexdigest()


class Deliverer:
    """POSTs events to the configured webhook_url and records each attempt in `state.deliveries`."""

    def __init__(self, state: SimState, get_config: Callable[[], SimConfig]) -> None:
        self._state = state
        self._config = get_config
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._worker_lock = threading.Lock()

    def deliver(self, payload: dict[str, Any], *, zns: bool = False, trigger: str = "control") -> Delivery:
        """Sign and POST now; the returned record carries our webhook's status."""
        return self._post(self._record(encode(payload), zns=zns, trigger=trigger))

    def deliver_later(self, payload: dict[str, Any], *, zns: bool = False) -> Delivery:
        """Sign and record now (fixing the order), POST from the background worker."""
        delivery = self._record(encode(payload), zns=zns, trigger="api")
        self._ensure_worker()
        self._queue.put(delivery)
        return delivery

    def deliver_raw(
        self,
        body: bytes,
        *,
        mode: SignatureMode = "valid",
        zns: bool = False,
        extra_headers: dict[str, str] | None = None,
    ) -> Delivery:
        """POST arbitrary bytes with a valid, wrong or missing signature (for the product's tests)."""
        delivery = self._record(body, zns=zns, trigger="raw", mode=mode, extra_headers=extra_headers)
        return self._post(delivery)

    def redeliver(self, index: int) -> Delivery:
        """POST an earlier delivery again, byte for byte and with the same headers (a Zalo retry)."""
        with self._state.lock:
            original = self._state.deliveries[index]
            copy = Delivery(
                index=len(self._state.deliveries),
                event_name=original.event_name,
                trigger="redeliver",
                url=self._config().webhook_url or original.url,
                headers=dict(original.headers),
                body=original.body,
                zns=original.zns,
                at=self._state.now_ms(),
                redelivery_of=original.index,
            )
            self._state.deliveries.append(copy)
        return self._post(copy)

    def flush(self, timeout_s: float = 5.0) -> int:
        """Wait for queued deliveries; returns how many are still pending."""
        deadline = time.monotonic() + timeout_s
        with self._state.lock:
            pending = [d for d in self._state.deliveries if not d.done.is_set()]
        for delivery in pending:
            delivery.done.wait(max(0.0, deadline - time.monotonic()))
        return sum(1 for d in pending if not d.done.is_set())

    def close(self) -> None:
        if self._worker is not None:
            self._queue.put(None)

    # internals -----------------------------------------------------------------------------------
    def _record(
        self,
        body: bytes,
        *,
        zns: bool,
        trigger: str,
        mode: SignatureMode = "valid",
        extra_headers: dict[str, str] | None = None,
    ) -> Delivery:
        cfg = self._config()
        parsed = _parse(body)
        headers = {"Content-Type": "application/json"}
        if mode != "missing":
            mac = signature(cfg.app_id, body, str(parsed.get("timestamp", "")), cfg.oa_secret_key)
            headers["X-ZEvent-Signature"] = mac if mode == "valid" else "mac=" + "0" * 64
        if zns:
            headers["X-ZEvent-Server"] = "ZNS"
        headers.update(extra_headers or {})
        with self._state.lock:
            delivery = Delivery(
                index=len(self._state.deliveries),
                event_name=str(parsed.get("event_name", "")),
                trigger=trigger,
                url=cfg.webhook_url,
                headers=headers,
                body=body.decode("utf-8"),
                zns=zns,
                at=self._state.now_ms(),
            )
            self._state.deliveries.append(delivery)
        return delivery

    def _post(self, delivery: Delivery) -> Delivery:
        if not delivery.url:
            delivery.error = "webhook_url is empty: recorded, not delivered"
            delivery.done.set()
            return delivery
        started = time.monotonic()
        try:
            answer = requests.post(
                delivery.url,
                data=delivery.body.encode("utf-8"),
                headers=delivery.headers,
                timeout=self._config().webhook_timeout_s,
            )
            delivery.status = answer.status_code
        except Exception as exc:  # the worker must outlive any failure; record it instead
            delivery.error = f"{type(exc).__name__}: {exc}"
        delivery.elapsed_ms = int((time.monotonic() - started) * 1000)
        delivery.done.set()
        return delivery

    def _ensure_worker(self) -> None:
        with self._worker_lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="zalo-sim-webhooks", daemon=True)
                self._worker.start()

    def _run(self) -> None:
        while (delivery := self._queue.get()) is not None:
            self._post(delivery)


def _parse(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
