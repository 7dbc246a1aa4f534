"""Zalo's answer shapes and request reading, shared by the OA, ZBS and OAuth handlers.

OA and ZBS answer `{"error", "message", "data"}` with HTTP 200 even for application errors;
a handler raises `ZaloFail` and the app turns it into that envelope.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from flask import Response, jsonify, request

Api = Literal["oa", "zbs", "oauth"]
RAW_HEADERS_KEY = "zalo_sim.raw_headers"  # set by server.py: header names exactly as sent


class ZaloFail(Exception):
    """An application error: answered as HTTP 200 with `error` = code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def ok(data: dict[str, Any]) -> Response:
    return jsonify({"error": 0, "message": "Success", "data": data})


def fail(code: int, message: str, http_status: int = 200) -> Response:
    answer = jsonify({"error": code, "message": message})
    answer.status_code = http_status
    return answer


def oauth_fail(code: int, reason: str, description: str, http_status: int = 200) -> Response:
    """The OAuth token endpoint's error shape: no access_token, often with HTTP 200 (§4)."""
    answer = jsonify(
        {
            "error": code,
            "error_name": "Invalid parameter",
            "error_reason": reason,
            "error_description": description,
            "ref_doc": "https://developers.zalo.me/docs/official-account/bat-dau/xac-thuc-va-uy-quyen-cho-ung-dung-new",
        }
    )
    answer.status_code = http_status
    return answer


def api_of(path: str) -> Api:
    """Which Zalo host a path belongs to (one app serves all three)."""
    if path.startswith("/v4/"):
        return "oauth"
    if path.startswith(("/message/", "/template/", "/rsa/")):
        return "zbs"
    return "oa"


def zalo_header(name: str) -> str | None:
    """A header by its exact name, underscores included (`access_token`, `secret_key`).

    Werkzeug's server drops underscore headers from the WSGI environ (a CGI rule), so server.py
    keeps the raw list; `access-token` therefore does not pass for `access_token` here, as with
    Zalo. Under the Flask test client (no raw list) the environ lookup is the best we have.
    """
    raw = request.environ.get(RAW_HEADERS_KEY)
    if raw is None:
        return request.headers.get(name)
    for key, value in raw:
        if key.lower() == name.lower():
            return value
    return None


def json_body(bad_code: int) -> dict[str, Any]:
    """The POST body as a JSON object (Content-Type must be application/json), else ZaloFail."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ZaloFail(bad_code, "Body must be a JSON object sent as application/json")
    return body


def data_param() -> dict[str, Any]:
    """GET endpoints take one `data` query parameter holding a JSON object."""
    try:
        data = json.loads(request.args.get("data", ""))
    except ValueError:
        raise ZaloFail(-201, "Parameter data must be a JSON object") from None
    if not isinstance(data, dict):
        raise ZaloFail(-201, "Parameter data must be a JSON object")
    return data
