"""The citizen's phone: a small Vietnamese web page at / that talks to the control API."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

bp = Blueprint("phone_page", __name__)


@bp.get("/")
def index() -> Response:
    return current_app.send_static_file("phone.html")
