"""Control API for tests and the runner: recorded calls and deliveries, tokens, faults, clock,
settings and reset. None of this exists on Zalo; it is how a test sets up and checks a scenario.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from local.zalo_sim import sim
from local.zalo_sim.control_common import ControlError, body, delivered
from local.zalo_sim.state import Fault
from local.zalo_sim.webhooks import encode

bp = Blueprint("sim_admin", __name__, url_prefix="/_sim")


@bp.get("/health")
def health() -> Response:
    return jsonify({"ok": True})


@bp.get("/config")
def get_config() -> Response:
    return jsonify(sim.current().config.public_dict())


@bp.patch("/config")
def patch_config() -> Response:
    simulator = sim.current()
    try:
        simulator.config = simulator.config.patched(body())
    except (ValueError, TypeError) as exc:
        raise ControlError(400, str(exc)) from None
    return jsonify(simulator.config.public_dict())


@bp.post("/reset")
def reset() -> Response:
    sim.current().reset()
    return jsonify({"reset": True})


@bp.get("/calls")
def list_calls() -> Response:
    """Recorded Zalo API calls, oldest first; `?path=` filters on the exact path, `?since=` on seq."""
    state = sim.current().state
    path, since = request.args.get("path"), int(request.args.get("since", 0))
    with state.lock:
        calls = [c for c in state.calls if (path is None or c["path"] == path) and c["seq"] > since]
    return jsonify({"calls": calls})


@bp.delete("/calls")
def clear_calls() -> Response:
    state = sim.current().state
    with state.lock:
        count = len(state.calls)
        state.calls.clear()
    return jsonify({"cleared": count})


@bp.get("/deliveries")
def list_deliveries() -> Response:
    state = sim.current().state
    since = int(request.args.get("since", -1))
    with state.lock:
        return jsonify({"deliveries": [d.to_json() for d in state.deliveries if d.index > since]})


@bp.post("/deliveries/<int:index>/redeliver")
def redeliver(index: int) -> Response:
    simulator = sim.current()
    if not 0 <= index < len(simulator.state.deliveries):
        raise ControlError(404, f"no delivery {index}")
    return jsonify(delivered(simulator.deliverer.redeliver(index)))


@bp.post("/deliveries/flush")
def flush() -> Response:
    """Wait (up to timeout_s, default 5) for background deliveries: echoes and ZNS receipts."""
    timeout = float(body().get("timeout_s", 5))
    return jsonify({"pending": sim.current().deliverer.flush(timeout)})


@bp.post("/webhook/send")
def send_raw() -> Response:
    """POST any event: `payload` (object) or `raw` (string), signature valid | invalid | missing."""
    data = body()
    if isinstance(data.get("raw"), str):
        raw = data["raw"].encode("utf-8")
    elif isinstance(data.get("payload"), dict):
        raw = encode(data["payload"])
    else:
        raise ControlError(400, "pass payload (object) or raw (string)")
    mode = data.get("signature", "valid")
    if mode not in ("valid", "invalid", "missing"):
        raise ControlError(400, "signature must be valid, invalid or missing")
    headers = {str(k): str(v) for k, v in (data.get("headers") or {}).items()}
    delivery = sim.current().deliverer.deliver_raw(
        raw, mode=mode, zns=bool(data.get("zns")), extra_headers=headers
    )
    return jsonify(delivered(delivery))


@bp.get("/tokens")
def tokens() -> Response:
    state = sim.current().state
    with state.lock:
        now = state.now_ms()
        refresh = state.refresh_tokens.get(state.latest_refresh)
        access = state.access_tokens.get(state.latest_access)
        return jsonify(
            {
                "refresh_token": refresh.token if refresh and not refresh.used else None,
                "access_token": access.token if access and not access.revoked else None,
                "access_token_expires_ms": access.expires_ms if access else None,
                "valid_access_tokens": sum(
                    1 for t in state.access_tokens.values() if not t.revoked and now < t.expires_ms
                ),
                "refresh_count": state.refresh_count,
            }
        )


@bp.post("/tokens/expire")
def expire_tokens() -> Response:
    """Revoke every access token (OA -216, ZBS -124); `refresh_too` also kills the refresh tokens."""
    state = sim.current().state
    refresh_too = bool(body().get("refresh_too", False))
    with state.lock:
        live = [t for t in state.access_tokens.values() if not t.revoked]
        for token in live:
            token.revoked = True
        if refresh_too:
            for refresh in state.refresh_tokens.values():
                refresh.used = True
    return jsonify({"expired": len(live), "refresh_too": refresh_too})


@bp.get("/faults")
def list_faults() -> Response:
    state = sim.current().state
    with state.lock:
        return jsonify({"faults": [f.to_json() for f in state.faults]})


@bp.post("/faults")
def add_fault() -> tuple[Response, int]:
    """`{path, count (null: unlimited), error | http_status, delay_ms, probability, seed}`."""
    data = body()
    if not str(data.get("path", "")).startswith("/"):
        raise ControlError(400, "path (e.g. /message/template) is required")
    probability = float(data.get("probability", 1.0))
    if not 0 < probability <= 1:
        raise ControlError(400, "probability must be in (0, 1]")
    fault = Fault(
        path=str(data["path"]),
        count=_optional_int(data.get("count", 1)),
        skip=int(data.get("skip", 0)),
        error=_optional_int(data.get("error")),
        http_status=_optional_int(data.get("http_status")),
        delay_ms=int(data.get("delay_ms", 0)),
        message=str(data.get("message", "Injected fault")),
        probability=probability,
    )
    state = sim.current().state
    with state.lock:
        if data.get("seed") is not None:  # reproducible random faults
            state.fault_rng.seed(int(data["seed"]))
        state.faults.append(fault)
        return jsonify({"faults": [f.to_json() for f in state.faults]}), 201


@bp.delete("/faults")
def clear_faults() -> Response:
    state = sim.current().state
    with state.lock:
        state.faults.clear()
    return jsonify({"faults": []})


@bp.get("/clock")
def clock() -> Response:
    state = sim.current().state
    return jsonify({"now_ms": state.now_ms(), "offset_s": state.clock_offset_s})


@bp.post("/clock/advance")
def advance_clock() -> Response:
    """Shift the simulator's clock (interaction window, token expiry) without sleeping."""
    state = sim.current().state
    now = state.advance(float(body().get("seconds", 0)))
    return jsonify({"now_ms": now, "offset_s": state.clock_offset_s})


@bp.get("/articles")
def articles() -> Response:
    state = sim.current().state
    with state.lock:
        return jsonify({"articles": [a.to_json() for a in state.articles_by_token.values()]})


@bp.get("/broadcasts")
def broadcasts() -> Response:
    state = sim.current().state
    with state.lock:
        return jsonify({"broadcasts": list(state.broadcasts)})


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)
