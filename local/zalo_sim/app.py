"""`create_app(config)`: one Flask app that plays openapi.zalo.me, business.openapi.zalo.me and
oauth.zaloapp.com at once (the product points its three base URLs here), plus the control API
under /_sim/ and the citizen's-phone page at /.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from local.zalo_sim import (
    articles,
    control_admin,
    control_users,
    guards,
    oa_messages,
    oa_users,
    oauth_api,
    page,
    sim,
    zbs_api,
)
from local.zalo_sim.config import SimConfig
from local.zalo_sim.control_common import ControlError
from local.zalo_sim.envelope import ZaloFail, fail
from local.zalo_sim.state import Clock

BLUEPRINTS = (
    oauth_api.bp,
    oa_messages.bp,
    oa_users.bp,
    articles.bp,
    zbs_api.bp,
    control_users.bp,
    control_admin.bp,
    page.bp,
)


def create_app(config: SimConfig | None = None, *, clock: Clock | None = None) -> Flask:
    """A fresh simulator. `clock` (seconds, like time.time) lets tests pin time; default real time."""
    app = Flask(__name__, static_folder="static", static_url_path="/_sim/static")
    app.json.ensure_ascii = False  # Vietnamese stays readable in answers and recorded calls
    app.json.sort_keys = False
    app.extensions[sim.EXTENSION_KEY] = sim.Simulator(config or SimConfig(), clock)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    guards.install(app)
    app.register_error_handler(ZaloFail, _zalo_fail)
    app.register_error_handler(ControlError, _control_error)
    app.register_error_handler(HTTPException, _http_error)
    return app


def _zalo_fail(exc: ZaloFail) -> Response:
    return fail(exc.code, exc.message)


def _control_error(exc: ControlError) -> tuple[Response, int]:
    return jsonify({"error": exc.message}), exc.status


def _http_error(exc: HTTPException) -> tuple[Response, int]:
    """Unknown paths and wrong methods answer JSON: Zalo-style (-201) outside /_sim/."""
    status = exc.code or 500
    if guards.is_zalo_call():
        return fail(-201, f"Unknown API: {request.method} {request.path}", status), status
    return jsonify({"error": exc.description or exc.name}), status
