"""Followers and OA info: user/getlist, user/detail, getoa (zalo-api.md §5, §9).

The OA only "knows" users who follow it or have interacted with it; a citizen created in the
simulator who did neither is not listed (but user/detail still answers for their id).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from local.zalo_sim import sim
from local.zalo_sim.envelope import ZaloFail, data_param, ok
from local.zalo_sim.state import User
from local.zalo_sim.vietnam_time import vietnam_time

bp = Blueprint("zalo_oa_users", __name__)

MAX_COUNT = 50
# Before a user shares their info Zalo reportedly returns phone as the number 0 (zalo-api.md §5).
EMPTY_SHARED_INFO = {"address": "", "city": "", "district": "", "phone": 0, "name": ""}


@bp.get("/v3.0/oa/user/getlist")
def getlist() -> Response:
    data = data_param()
    offset, count = _int(data.get("offset", 0)), _int(data.get("count", MAX_COUNT))
    if offset < 0 or not 1 <= count <= MAX_COUNT:
        raise ZaloFail(-201, f"offset must be >= 0 and count between 1 and {MAX_COUNT}")
    state = sim.current().state
    with state.lock:
        known = [u for u in state.users.values() if u.is_follower or u.last_interaction_ms is not None]
    if isinstance(data.get("is_follower"), bool):
        known = [u for u in known if u.is_follower == data["is_follower"]]
    page = known[offset : offset + count]
    return ok(
        {
            "total": len(known),
            "count": len(page),
            "offset": offset,
            "users": [{"user_id": u.user_id} for u in page],
        }
    )


@bp.get("/v3.0/oa/user/detail")
def detail() -> Response:
    user_id = str(data_param().get("user_id", ""))
    state = sim.current().state
    with state.lock:
        user = state.users.get(user_id)
        if user is None:
            raise ZaloFail(-201, "user_id is invalid")
        return ok(user_detail(user, request.host_url))


@bp.get("/v2.0/oa/getoa")
def getoa() -> Response:
    simulator = sim.current()
    with simulator.state.lock:
        followers = sum(1 for u in simulator.state.users.values() if u.is_follower)
    return ok(
        {
            "oaid": simulator.config.oa_id,
            "name": simulator.config.oa_name,
            "description": "Tra cứu hồ sơ thủ tục hành chính và nhận thông báo (mô phỏng)",
            "is_verified": True,
            "oa_type": 2,
            "cate_name": "Cơ quan nhà nước",
            "num_follower": followers,
            "avatar": request.host_url + "_sim/static/avatar.svg",
            "cover": "",
            "package_name": "Gói Nâng cao",
        }
    )


def user_detail(user: User, host_url: str) -> dict[str, Any]:
    """The user/detail `data` fields for one user."""
    avatar = host_url + "_sim/static/avatar.svg"
    return {
        "user_id": user.user_id,
        "user_id_by_app": user.user_id_by_app,
        "user_external_id": "",
        "display_name": user.display_name,
        "user_alias": "",
        "is_sensitive": False,
        "user_last_interaction_date": _date(user.last_interaction_ms),
        "user_is_follower": user.is_follower,
        "avatar": avatar,
        "avatars": {"120": avatar, "240": avatar},
        "dynamic_param": "",
        "tags_and_notes_info": {"notes": [], "tag_names": []},
        "shared_info": {**EMPTY_SHARED_INFO, **(user.shared_info or {})},
    }


def _date(ms: int | None) -> str:
    """DD/MM/YYYY in Vietnam time, "" when the user never interacted."""
    if ms is None:
        return ""
    return vietnam_time(ms).strftime("%d/%m/%Y")


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ZaloFail(-201, "offset and count must be integers") from None
