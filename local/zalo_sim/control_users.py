"""Control API for citizens: create them and make them act (follow, write, send a photo, share
their phone), each action delivered as a signed webhook synchronously so the caller sees our
webhook's HTTP status; and read what reached them (chat replies, ZBS notices, broadcasts).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Blueprint, Response, jsonify, request

from local.zalo_sim import events, sim
from local.zalo_sim.control_common import ControlError, body, delivered, user_or_404
from local.zalo_sim.phones import any_phone
from local.zalo_sim.state import User

bp = Blueprint("sim_users", __name__, url_prefix="/_sim")


@bp.post("/users")
def create_user() -> tuple[Response, int]:
    data = body()
    name = str(data.get("display_name", "")).strip()
    if not name:
        raise ControlError(400, "display_name is required")
    phone = _phone(data.get("phone")) if data.get("phone") else None
    user = sim.current().state.add_user(name, phone, bool(data.get("follower", False)))
    return jsonify(user.to_json()), 201


@bp.get("/users")
def list_users() -> Response:
    state = sim.current().state
    with state.lock:
        return jsonify({"users": [u.to_json() for u in state.users.values()]})


@bp.get("/users/<user_id>")
def get_user(user_id: str) -> Response:
    state = sim.current().state
    with state.lock:
        return jsonify(user_or_404(state, user_id).to_json())


@bp.patch("/users/<user_id>")
def patch_user(user_id: str) -> Response:
    """Silent edits for test set-up (no webhook): e.g. last_interaction_ms 8 days ago, or null."""
    data = body()
    state = sim.current().state
    with state.lock:
        user = user_or_404(state, user_id)
        if "display_name" in data:
            user.display_name = str(data["display_name"])
        if "phone" in data:
            user.phone = _phone(data["phone"]) if data["phone"] else None
        if "is_follower" in data:
            user.is_follower = bool(data["is_follower"])
        if "last_interaction_ms" in data:
            value = data["last_interaction_ms"]
            user.last_interaction_ms = None if value is None else int(value)
        return jsonify(user.to_json())


@bp.post("/users/<user_id>/follow")
def follow(user_id: str) -> Response:
    return _set_follow(user_id, True)


@bp.post("/users/<user_id>/unfollow")
def unfollow(user_id: str) -> Response:
    return _set_follow(user_id, False)


@bp.post("/users/<user_id>/messages")
def send_text(user_id: str) -> Response:
    data = body()
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ControlError(400, "text is required")
    simulator = sim.current()
    user, now, msg_id = _interact(user_id)
    simulator.state.log_user(
        user_id, {"kind": "user_chat", "direction": "in", "msg_id": msg_id, "type": "text", "text": text}
    )
    payload = events.user_send_text(simulator.config, user, msg_id, text, now, data.get("quote_msg_id"))
    return jsonify({"msg_id": msg_id, **delivered(simulator.deliverer.deliver(payload))})


@bp.post("/users/<user_id>/images")
def send_image(user_id: str) -> Response:
    """A photo as `image_base64` (+ content_type), served back at /_sim/media/<id>, or a plain `url`."""
    data = body()
    simulator = sim.current()
    url = _image_url(data)
    caption = str(data.get("text", ""))
    user, now, msg_id = _interact(user_id)
    _log_attachment(user_id, msg_id, "image", url, caption)
    payload = events.user_send_image(simulator.config, user, msg_id, url, caption, now)
    return jsonify({"msg_id": msg_id, "url": url, **delivered(simulator.deliverer.deliver(payload))})


@bp.post("/users/<user_id>/links")
def send_link(user_id: str) -> Response:
    """The citizen shares a link (`url`, optional `text` and `description`) as a user_send_link event."""
    data = body()
    url = data.get("url")
    if not isinstance(url, str) or not url.strip():
        raise ControlError(400, "url is required")
    simulator = sim.current()
    caption, description = str(data.get("text", "")), str(data.get("description", ""))
    user, now, msg_id = _interact(user_id)
    _log_attachment(user_id, msg_id, "link", url, caption)
    payload = events.user_send_link(simulator.config, user, msg_id, url, caption, description, now)
    return jsonify({"msg_id": msg_id, **delivered(simulator.deliverer.deliver(payload))})


@bp.post("/users/<user_id>/chatnow")
def click_chatnow(user_id: str) -> Response:
    simulator = sim.current()
    user, now, _ = _interact(user_id)
    simulator.state.log_user(
        user_id, {"kind": "event", "direction": "in", "event_name": "user_click_chatnow"}
    )
    delivery = simulator.deliverer.deliver(events.user_click_chatnow(simulator.config, user, now))
    return jsonify(delivered(delivery))


@bp.post("/users/<user_id>/withdraw")
def withdraw(user_id: str) -> Response:
    """The citizen asks, in Zalo's own settings, to withdraw consent and delete their data.

    Zalo forgets what they shared; it is not an interaction (no CS window opens).
    """
    simulator = sim.current()
    with simulator.state.lock:
        user = user_or_404(simulator.state, user_id)
        user.shared_info = None
        now = simulator.state.now_ms()
    simulator.state.log_user(user_id, {"kind": "event", "direction": "in", "event_name": "user_withdraw"})
    return jsonify(delivered(simulator.deliverer.deliver(events.user_withdraw(simulator.config, user, now))))


@bp.post("/users/<user_id>/submit-info")
def submit_info(user_id: str) -> Response:
    """The citizen taps "share" on a request_user_info card; defaults to their name and own phone."""
    data = body()
    simulator = sim.current()
    with simulator.state.lock:
        user = user_or_404(simulator.state, user_id)
        phone = _phone(data["phone"]) if data.get("phone") else user.phone
        if phone is None:
            raise ControlError(400, "this user has no phone: pass one")
        info = {"name": str(data.get("name") or user.display_name), "phone": phone}
        info.update({k: str(data[k]) for k in ("address", "city", "district", "ward") if k in data})
        user.shared_info = info
    user, now, _ = _interact(user_id)
    simulator.state.log_user(
        user_id, {"kind": "event", "direction": "in", "event_name": "user_submit_info", "info": info}
    )
    payload = events.user_submit_info(simulator.config, user, info, now)
    return jsonify({"info": info, **delivered(simulator.deliverer.deliver(payload))})


@bp.get("/users/<user_id>/inbox")
def user_inbox(user_id: str) -> Response:
    """What this citizen's phone shows: chat both ways, broadcasts, ZBS notices to their number(s)."""
    state = sim.current().state
    with state.lock:
        user = user_or_404(state, user_id)
        log = list(state.user_log.get(user_id, []))
        zbs = [item for phone in _phones_of(user) for item in state.phone_log.get(phone, [])]
        return jsonify(
            {
                "user": user.to_json(),
                "timeline": sorted(log + zbs, key=lambda item: item["seq"]),
                "chat": [i for i in log if i["kind"] == "oa_chat"],
                "sent": [i for i in log if i["kind"] == "user_chat"],
                "broadcasts": [i for i in log if i["kind"] == "broadcast"],
                "zbs": sorted(zbs, key=lambda item: item["seq"]),
            }
        )


@bp.get("/phones/<phone>/inbox")
def phone_inbox(phone: str) -> Response:
    normalised = _phone(phone)
    state = sim.current().state
    with state.lock:
        zbs = list(state.phone_log.get(normalised, []))
    return jsonify({"phone": normalised, "zbs": zbs, "messages": zbs})


@bp.post("/phones/no-zalo")
def mark_no_zalo() -> Response:
    """That number has no Zalo account (ZBS answers -118); `no_zalo: false` undoes it."""
    data = body()
    phone = _phone(data.get("phone"))
    state = sim.current().state
    with state.lock:
        if data.get("no_zalo", True):
            state.no_zalo.add(phone)
        else:
            state.no_zalo.discard(phone)
        return jsonify({"phone": phone, "no_zalo": phone in state.no_zalo, "all": sorted(state.no_zalo)})


@bp.get("/media/<media_id>")
def media(media_id: str) -> Response:
    state = sim.current().state
    with state.lock:
        found = state.media.get(media_id)
    if found is None:
        raise ControlError(404, f"no media {media_id}")
    content_type, data = found
    return Response(data, content_type=content_type)


# helpers -----------------------------------------------------------------------------------------
def _set_follow(user_id: str, following: bool) -> Response:
    simulator = sim.current()
    state, cfg = simulator.state, simulator.config
    with state.lock:
        user = user_or_404(state, user_id)
        user.is_follower = following
        now = state.now_ms()
        if following and cfg.follow_counts_as_interaction:
            user.last_interaction_ms = now
    name = "follow" if following else "unfollow"
    state.log_user(user_id, {"kind": "event", "direction": "in", "event_name": name})
    delivery = simulator.deliverer.deliver(events.follow(cfg, user, name, now))
    return jsonify({"user": user.to_json(), **delivered(delivery)})


def _interact(user_id: str) -> tuple[User, int, str]:
    """Mark an interaction (opens the 7-day CS window); returns the user, now and a fresh msg_id."""
    state = sim.current().state
    with state.lock:
        user = user_or_404(state, user_id)
        now = state.now_ms()
        user.last_interaction_ms = now
        return user, now, state.hex_id()


def _log_attachment(user_id: str, msg_id: str, kind: str, url: str, caption: str) -> None:
    """What the citizen's phone shows of a photo or link they sent."""
    entry = {
        "kind": "user_chat",
        "direction": "in",
        "msg_id": msg_id,
        "type": kind,
        "url": url,
        "text": caption,
    }
    sim.current().state.log_user(user_id, entry)


def _image_url(data: dict[str, Any]) -> str:
    if data.get("url"):
        return str(data["url"])
    try:
        raw = base64.b64decode(str(data.get("image_base64", "")), validate=True)
    except (binascii.Error, ValueError):
        raise ControlError(400, "image_base64 is not valid base64") from None
    if not raw:
        raise ControlError(400, "pass url or image_base64")
    state = sim.current().state
    media_id = state.hex_id()
    with state.lock:
        state.media[media_id] = (str(data.get("content_type", "image/jpeg")), raw)
    return f"{request.host_url}_sim/media/{media_id}"


def _phone(raw: Any) -> str:
    phone = any_phone(raw)
    if phone is None:
        raise ControlError(400, f"not a Vietnamese mobile number: {raw!r}")
    return phone


def _phones_of(user: User) -> list[str]:
    phones = [user.phone] if user.phone else []
    shared = (user.shared_info or {}).get("phone")
    if shared and shared not in phones:
        phones.append(shared)
    return phones
