"""Consultation (CS) messages: `POST /v3.0/oa/message/cs` (zalo-api.md §2.2–2.3).

A CS message reaches a user only within 7 days of the user's last interaction (a message, a
shared-info answer, a "chat now" tap; not a follow unless configured), else -230. Inside the
first 48 h the quota type is "reply", after it "sub_quota" (billed in real life).
Each accepted send is logged in the user's inbox and, like Zalo, echoed as an `oa_send_*` webhook.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from local.zalo_sim import events, sim
from local.zalo_sim.envelope import ZaloFail, json_body, ok

bp = Blueprint("zalo_oa_messages", __name__)

TEXT_LIMIT = 2000
TITLE_LIMIT = 100
SUBTITLE_LIMIT = 500
CS_QUOTA = 8  # quota.remain was fixed at 8 in 2026 (zalo-api.md §0)
DAY_MS = 24 * 3600 * 1000


@bp.post("/v3.0/oa/message/cs")
def send_cs() -> Response:
    simulator = sim.current()
    cfg, state = simulator.config, simulator.state
    body = json_body(-201)
    recipient = body.get("recipient")
    user_id = str(recipient.get("user_id", "")) if isinstance(recipient, dict) else ""
    if not user_id:
        raise ZaloFail(-201, "recipient.user_id is required")
    echo_event, echo_message, inbox_item = parse_cs_message(body.get("message"))
    with state.lock:
        user = state.users.get(user_id)
        if user is None:
            raise ZaloFail(-201, "user_id is invalid")
        if cfg.cs_requires_follower and not user.is_follower:
            raise ZaloFail(-213, "User has not followed OA")
        now = state.now_ms()
        last = user.last_interaction_ms
        if last is None or now - last > cfg.interaction_window_days * DAY_MS:
            raise ZaloFail(-230, "User has not interacted with the OA in the past 7 days")
        quota_type = "reply" if now - last <= cfg.free_window_hours * 3600 * 1000 else "sub_quota"
        message_id = state.hex_id()
        state.log_user(
            user_id, {"kind": "oa_chat", "direction": "out", "message_id": message_id, **inbox_item}
        )
    if cfg.deliver_echoes:
        echo = events.oa_send_echo(cfg, user, echo_event, {"msg_id": message_id, **echo_message}, now)
        simulator.deliverer.deliver_later(echo)
    return ok(
        {
            "message_id": message_id,
            "user_id": user_id,
            "sent_time": str(now),
            "quota": {"quota_type": quota_type, "remain": CS_QUOTA, "total": CS_QUOTA},
        }
    )


def parse_cs_message(message: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Validate `message`; return (echo event name, echo message fields, inbox item)."""
    if not isinstance(message, dict):
        raise ZaloFail(-201, "message is required")
    attachment = message.get("attachment")
    if attachment is None:
        text = _text(message.get("text"))
        return "oa_send_text", {"text": text}, {"type": "text", "text": text}
    if not isinstance(attachment, dict) or attachment.get("type") != "template":
        raise ZaloFail(-233, "Message type is not supported")
    payload = attachment.get("payload")
    payload = payload if isinstance(payload, dict) else {}
    elements = payload.get("elements")
    if not isinstance(elements, list) or len(elements) != 1 or not isinstance(elements[0], dict):
        raise ZaloFail(-201, "attachment.payload.elements must hold exactly one element")
    kind = payload.get("template_type")
    if kind == "request_user_info":
        return _request_user_info(payload, elements[0])
    if kind == "media":
        return _image(message, elements[0])
    raise ZaloFail(-233, "Message type is not supported")


def _text(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ZaloFail(-201, "message.text is required")
    if len(text) > TEXT_LIMIT:
        raise ZaloFail(-210, f"message.text exceeds {TEXT_LIMIT} characters")
    return text


def _request_user_info(payload: dict[str, Any], element: dict[str, Any]) -> tuple[str, dict, dict]:
    title, subtitle = element.get("title"), element.get("subtitle", "")
    if not isinstance(title, str) or not title.strip() or not isinstance(subtitle, str):
        raise ZaloFail(-201, "elements[0].title is required")
    if len(title) > TITLE_LIMIT or len(subtitle) > SUBTITLE_LIMIT:
        raise ZaloFail(-210, "elements[0].title or subtitle is too long")
    card = {"title": title, "subtitle": subtitle, "image_url": str(element.get("image_url", ""))}
    echo = {"text": title, "attachments": [{"type": "template", "payload": payload}]}
    return "oa_send_list", echo, {"type": "request_user_info", **card}


def _image(message: dict[str, Any], element: dict[str, Any]) -> tuple[str, dict, dict]:
    url, attachment_id = element.get("url"), element.get("attachment_id")
    if element.get("media_type") != "image" or not (url or attachment_id):
        raise ZaloFail(-201, "media element needs media_type image and url or attachment_id")
    caption = message.get("text", "") if isinstance(message.get("text"), str) else ""
    media = {"url": url or "", "thumbnail": url or ""}
    echo = {"text": caption, "attachments": [{"type": "image", "payload": media}]}
    item = {"type": "image", "url": url or "", "attachment_id": attachment_id or "", "text": caption}
    return "oa_send_image", echo, item
