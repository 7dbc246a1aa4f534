"""What happens around every Zalo API call: latency, injected faults, token check, rate limit,
and the call record tests read back from /_sim/calls.

Order: fault → access token (-216/-220 OA, -124 ZBS) → rate limit (-32, per app, sliding 60 s).
OAuth calls skip the token check and the rate limit.
"""

from __future__ import annotations

import time

from flask import Flask, Response, g, request

from local.zalo_sim import sim
from local.zalo_sim.envelope import api_of, fail, oauth_fail, zalo_header
from local.zalo_sim.state import Fault

_TOKEN_ERRORS = {
    ("oa", "invalid"): (-216, "Access token is invalid"),
    ("oa", "expired"): (-220, "Access token is expired or removed"),
    ("zbs", "invalid"): (-124, "Access token is invalid or expired"),
    ("zbs", "expired"): (-124, "Access token is invalid or expired"),
}


def install(app: Flask) -> None:
    app.before_request(_before)
    app.after_request(_after)


def is_zalo_call() -> bool:
    """Everything except the control API, the phone page and its static files is Zalo's."""
    path = request.path
    return not (path == "/" or path.startswith("/_sim") or path == "/favicon.ico")


def _before() -> Response | None:
    if not is_zalo_call() or request.url_rule is None:
        return None
    simulator = sim.current()
    api = api_of(request.path)
    if simulator.config.latency_ms:
        time.sleep(simulator.config.latency_ms / 1000)
    fault = simulator.state.take_fault(request.path)
    if fault is not None and (answer := _faulted(fault, api)) is not None:
        return answer
    if api == "oauth":
        return None
    status = simulator.state.access_token_status(zalo_header("access_token"))
    if status != "ok":
        return fail(*_TOKEN_ERRORS[(api, status)])
    allowed, remaining = simulator.state.take_rate_slot(simulator.config.rate_limit_per_minute)
    g.rate_remaining = remaining
    if not allowed:
        return fail(-32, "The application has reached the limit of API calls per minute")
    return None


def _faulted(fault: Fault, api: str) -> Response | None:
    """Slow the call, then answer the injected error/status; None lets a delay-only call through."""
    if fault.delay_ms:
        time.sleep(fault.delay_ms / 1000)
    if fault.error is None and fault.http_status is None:
        return None
    code = fault.error if fault.error is not None else -100
    answer = fail(code, fault.message, fault.http_status or 200)
    if api == "oauth" and fault.error is not None:
        answer = oauth_fail(code, "Injected fault", fault.message, fault.http_status or 200)
    return answer


def _after(response: Response) -> Response:
    if not is_zalo_call():
        return response
    simulator = sim.current()
    if "rate_remaining" in g:  # the call reached the rate limiter (OA and ZBS, valid token)
        response.headers["X-RateLimit-Limit"] = str(simulator.config.rate_limit_per_minute)
        response.headers["X-RateLimit-Remain"] = str(g.rate_remaining)
    _record(simulator, response)
    return response


def _record(simulator: sim.Simulator, response: Response) -> None:
    """Keep what was asked and answered. Tokens only as `had_token`; the app secret never."""
    as_json = request.get_json(silent=True)
    form = request.form.to_dict() if request.form else None
    with simulator.state.lock:
        simulator.state.calls.append(
            {
                "seq": simulator.state.next_seq(),
                "method": request.method,
                "path": request.path,
                "query": request.args.to_dict(),
                "json": as_json,
                "form": form,
                "body": as_json if as_json is not None else form,
                "had_token": bool(zalo_header("access_token")),
                "http_status": response.status_code,
                "response_json": response.get_json(silent=True),
                "at": simulator.state.now_ms(),
            }
        )
