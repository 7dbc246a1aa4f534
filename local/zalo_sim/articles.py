"""Articles and broadcasts (zalo-api.md §8): create → token, verify(token) → id, broadcast(id).

Only articles can be broadcast. `article_processing_polls` makes verify answer -214 ("being
processed") that many times first, so the product's polling is exercised. A broadcast reaches
every follower's inbox; the `target` filters are validated but not applied (the simulator keeps
no ages, genders, cities or telcos). Broadcasts are promotional sends, which Zalo blocks
22:00–06:00 Vietnam time with -234 (zalo-api.md §6.1, §8); `broadcast_night_block` turns that off.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response

from local.zalo_sim import sim
from local.zalo_sim.envelope import ZaloFail, json_body, ok
from local.zalo_sim.state import Article
from local.zalo_sim.vietnam_time import is_night

bp = Blueprint("zalo_articles", __name__)

TARGET_KEYS = frozenset({"ages", "gender", "locations", "cities", "platform", "telcos"})
_COMMA_INTS = re.compile(r"^\d+(,\d+)*$")
ARTICLE_FIELDS = ("type", "title", "author", "cover", "description", "body", "status", "comment")


@bp.post("/v2.0/article/create")
def create() -> Response:
    simulator = sim.current()
    body = json_body(-201)
    _validate_article(body)
    state = simulator.state
    with state.lock:
        article = Article(
            token=state.hex_id(),
            content={k: body[k] for k in ARTICLE_FIELDS if k in body},
            created_ms=state.now_ms(),
            polls_left=simulator.config.article_processing_polls,
        )
        article.content.setdefault("status", "hide")
        state.articles_by_token[article.token] = article
    return ok({"token": article.token})


@bp.post("/v2.0/article/verify")
def verify() -> Response:
    state = sim.current().state
    token = json_body(-201).get("token")
    with state.lock:
        article = state.articles_by_token.get(str(token))
        if article is None:
            raise ZaloFail(-201, "token is invalid")
        if article.article_id is None and article.polls_left > 0:
            article.polls_left -= 1
            raise ZaloFail(-214, "Article is being processed")
        if article.article_id is None:
            article.article_id = state.hex_id()
            state.articles_by_id[article.article_id] = article
        return ok({"id": article.article_id})


@bp.post("/v2.0/oa/message")
def broadcast() -> Response:
    state = sim.current().state
    body = json_body(-201)
    recipient = body.get("recipient")
    if not isinstance(recipient, dict):
        raise ZaloFail(-201, "recipient is required")
    if "user_id" in recipient:
        raise ZaloFail(-240, "MessageV2 API has been shut down, please switch to MessageV3")
    target = _target(recipient.get("target", {}))
    article_id = _article_id(body.get("message"))
    if sim.current().config.broadcast_night_block and is_night(state.now_ms()):
        raise ZaloFail(-234, "This message type cannot be sent between 22:00 and 06:00")
    with state.lock:
        article = state.articles_by_id.get(article_id)
        if article is None:
            raise ZaloFail(-201, "attachment_id is invalid")
        message_id = state.hex_id()
        followers = [u.user_id for u in state.users.values() if u.is_follower]
        item = {
            "kind": "broadcast",
            "direction": "out",
            "message_id": message_id,
            "article": article.to_json(),
        }
        for user_id in followers:
            state.log_user(user_id, item)
        state.broadcasts.append(
            {
                "message_id": message_id,
                "article_id": article_id,
                "target": target,
                "recipients": followers,
                "at": state.now_ms(),
            }
        )
    return ok({"message_id": message_id})


def _validate_article(body: dict[str, Any]) -> None:
    if body.get("type", "normal") != "normal":
        raise ZaloFail(-201, "type must be normal")
    for name in ("title", "description"):
        if not isinstance(body.get(name), str) or not body[name].strip():
            raise ZaloFail(-201, f"{name} is required")
    content = body.get("body")
    if not isinstance(content, list) or not content or not all(isinstance(b, dict) for b in content):
        raise ZaloFail(-201, "body must be a non-empty list of blocks")
    if "cover" in body and not isinstance(body["cover"], dict):
        raise ZaloFail(-201, "cover must be an object")
    if body.get("status", "hide") not in ("show", "hide"):
        raise ZaloFail(-201, "status must be show or hide")


def _target(target: Any) -> dict[str, str]:
    """Target filters are comma-separated digit strings (zalo-api.md §8); anything else is -201."""
    if not isinstance(target, dict):
        raise ZaloFail(-201, "recipient.target must be an object")
    for key, value in target.items():
        if key not in TARGET_KEYS:
            raise ZaloFail(-201, f"unknown target field {key}")
        if not isinstance(value, str) or not _COMMA_INTS.match(value):
            raise ZaloFail(-201, f"target.{key} must be a comma-separated string of numbers")
    return target


def _article_id(message: Any) -> str:
    try:
        attachment = message["attachment"]
        payload = attachment["payload"]
        element = payload["elements"][0]
        ok_shape = attachment["type"] == "template" and payload["template_type"] == "media"
    except (KeyError, IndexError, TypeError):
        raise ZaloFail(-201, "message.attachment.payload.elements[0] is required") from None
    if not ok_shape or element.get("media_type") != "article" or not element.get("attachment_id"):
        raise ZaloFail(-201, "only articles can be broadcast (media_type article + attachment_id)")
    return str(element["attachment_id"])
