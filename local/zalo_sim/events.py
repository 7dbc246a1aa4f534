"""Webhook event bodies, field for field as zalo-api.md §1.4–1.5 describes them.

Every id and timestamp is a JSON string (real ids exceed 2^53). Builders are pure: the caller
passes the clock reading, so a body can be rebuilt and compared in tests.
"""

from __future__ import annotations

from typing import Any

from local.zalo_sim.config import SimConfig
from local.zalo_sim.state import User


def user_send_text(
    cfg: SimConfig, user: User, msg_id: str, text: str, now_ms: int, quote_msg_id: str | None = None
) -> dict[str, Any]:
    """A citizen typed in the OA chat: sender = user, recipient = OA."""
    message: dict[str, Any] = {"msg_id": msg_id, "text": text}
    if quote_msg_id:
        message["quote_msg_id"] = quote_msg_id
    return _user_to_oa(cfg, user, "user_send_text", now_ms, message)


def user_send_image(
    cfg: SimConfig, user: User, msg_id: str, url: str, caption: str, now_ms: int
) -> dict[str, Any]:
    """A citizen sent a photo (e.g. of the receipt's QR); media arrive in message.attachments[]."""
    message = {
        "msg_id": msg_id,
        "text": caption,
        "attachments": [{"type": "image", "payload": {"url": url, "thumbnail": url}}],
    }
    return _user_to_oa(cfg, user, "user_send_image", now_ms, message)


def user_send_link(
    cfg: SimConfig, user: User, msg_id: str, url: str, caption: str, description: str, now_ms: int
) -> dict[str, Any]:
    """A citizen shared a link (e.g. the status page's); payload: url, thumbnail, description."""
    message = {
        "msg_id": msg_id,
        "text": caption,
        "attachments": [
            {"type": "link", "payload": {"url": url, "thumbnail": "", "description": description}}
        ],
    }
    return _user_to_oa(cfg, user, "user_send_link", now_ms, message)


def user_submit_info(cfg: SimConfig, user: User, info: dict[str, str], now_ms: int) -> dict[str, Any]:
    """The citizen answered a request_user_info message; info.phone is in 84… form."""
    body = _user_to_oa(cfg, user, "user_submit_info", now_ms, None)
    body["info"] = info
    return body


def follow(
    cfg: SimConfig, user: User, event_name: str, now_ms: int, source: str = "oa_profile"
) -> dict[str, Any]:
    """follow / unfollow: oa_id + follower.id, no sender/recipient."""
    return {
        "app_id": cfg.app_id,
        "oa_id": cfg.oa_id,
        "user_id_by_app": user.user_id_by_app,
        "event_name": event_name,
        "timestamp": str(now_ms),
        "follower": {"id": user.user_id},
        "source": source,
    }


def user_click_chatnow(cfg: SimConfig, user: User, now_ms: int) -> dict[str, Any]:
    return _user_event(cfg, user, "user_click_chatnow", now_ms)


def user_withdraw(cfg: SimConfig, user: User, now_ms: int) -> dict[str, Any]:
    """A data-subject request made in Zalo: withdraw consent / delete data (zalo-api.md §1.5, [L])."""
    return _user_event(cfg, user, "user_withdraw", now_ms)


def _user_event(cfg: SimConfig, user: User, event_name: str, now_ms: int) -> dict[str, Any]:
    """Events about a user without a message: oa_id + a top-level user_id (no sender/recipient)."""
    return {
        "app_id": cfg.app_id,
        "oa_id": cfg.oa_id,
        "user_id": user.user_id,
        "user_id_by_app": user.user_id_by_app,
        "event_name": event_name,
        "timestamp": str(now_ms),
    }


def oa_send_echo(
    cfg: SimConfig, user: User, event_name: str, message: dict[str, Any], now_ms: int
) -> dict[str, Any]:
    """Zalo echoes the OA's own sends (oa_send_text, oa_send_image, …): sender = OA."""
    return {
        "app_id": cfg.app_id,
        "user_id_by_app": user.user_id_by_app,
        "event_name": event_name,
        "timestamp": str(now_ms),
        "sender": {"id": cfg.oa_id},
        "recipient": {"id": user.user_id},
        "message": message,
    }


def zns_receipt(
    cfg: SimConfig, phone: str, msg_id: str, tracking_id: str, delivery_ms: int, now_ms: int
) -> dict[str, Any]:
    """ZBS-by-phone delivery receipt (sent with header X-ZEvent-Server: ZNS)."""
    return {
        "app_id": cfg.app_id,
        "event_name": "user_received_message",
        "timestamp": str(now_ms),
        "sender": {"id": cfg.oa_id},
        "recipient": {"id": phone},
        "message": {"msg_id": msg_id, "tracking_id": tracking_id, "delivery_time": str(delivery_ms)},
    }


def _user_to_oa(
    cfg: SimConfig, user: User, event_name: str, now_ms: int, message: dict[str, Any] | None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "app_id": cfg.app_id,
        "user_id_by_app": user.user_id_by_app,
        "event_name": event_name,
        "timestamp": str(now_ms),
        "sender": {"id": user.user_id},
        "recipient": {"id": cfg.oa_id},
    }
    if message is not None:
        body["message"] = message
    return body
