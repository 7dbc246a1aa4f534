"""OAuth v4 for OA access tokens (zalo-api.md §4): `POST /v4/oa/access_token`.

Refresh tokens are single use and rotate: a refresh spends the old refresh token and issues a new
pair; the old access token stays valid until its own 25 h run out. Failures use the OAuth error
shape with HTTP 200. Zalo documents no code for a refused refresh; the codes below are ours.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, redirect, request

from local.zalo_sim import sim
from local.zalo_sim.envelope import oauth_fail, zalo_header

bp = Blueprint("zalo_oauth", __name__)

# Simulator-chosen codes (see the module docstring).
BAD_REQUEST = -14001  # missing field or unsupported grant_type
BAD_APP = -14004  # app_id unknown or secret_key header wrong
BAD_REFRESH_TOKEN = -14014  # unknown, already used, or expired refresh token
BAD_CODE = -14019  # authorization code empty or already used


@bp.post("/v4/oa/access_token")
def access_token() -> Response:
    simulator = sim.current()
    cfg, state = simulator.config, simulator.state
    form = request.form
    if form.get("app_id") != cfg.app_id or zalo_header("secret_key") != cfg.app_secret:
        return oauth_fail(BAD_APP, "Invalid app_id or secret_key", "app_id or secret_key is invalid")
    grant = form.get("grant_type", "")
    if grant == "refresh_token":
        if not state.use_refresh_token(form.get("refresh_token", "")):
            return oauth_fail(
                BAD_REFRESH_TOKEN,
                "Invalid refresh token",
                "refresh_token is invalid, already used or expired",
            )
    elif grant == "authorization_code":
        code = form.get("code", "")
        with state.lock:
            if not code or code in state.used_codes:
                return oauth_fail(BAD_CODE, "Invalid authorization code", "code is invalid or expired")
            state.used_codes.add(code)
    else:
        return oauth_fail(
            BAD_REQUEST, "Invalid grant_type", "grant_type must be refresh_token or authorization_code"
        )
    with state.lock:
        state.add_token_pair(cfg)
        if grant == "refresh_token":
            state.refresh_count += 1
        pair = {"access_token": state.latest_access, "refresh_token": state.latest_refresh}
    return jsonify({**pair, "expires_in": str(cfg.access_token_ttl_s)})


@bp.get("/v4/oa/permission")
def permission() -> Response:
    """The consent link: an OA admin 'grants' at once and is sent back with a fresh code."""
    simulator = sim.current()
    target = request.args.get("redirect_uri", "")
    if not target:
        return oauth_fail(-14003, "Invalid redirect uri", "redirect_uri is required")
    query = {"code": "sim-code-" + simulator.state.hex_id(), "oa_id": simulator.config.oa_id}
    if "state" in request.args:
        query["state"] = request.args["state"]
    separator = "&" if "?" in target else "?"
    return redirect(target + separator + urlencode(query))
