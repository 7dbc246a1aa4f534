"""What followers see of an announcement: the Zalo article and the broadcast that carries it.

Pure functions shared by the officials' preview and the Zalo client, so the preview is exactly what
is sent (zalo-api.md §8: only articles can be broadcast; target values are comma-separated strings).
"""

from __future__ import annotations

from typing import Any

from functions.ports import Announcement

# Placeholder for the article id in a preview: Zalo gives the id only after the article is created.
PENDING_ARTICLE_ID = "<mã bài viết Zalo cấp khi tạo>"


def article_body(announcement: Announcement) -> str:
    """The article's text: the summary and where to read the whole thing."""
    return f"{announcement.summary}\n\nXem chi tiết: {announcement.link}"


def article_payload(
    title: str, description: str, body_text: str, cover_url: str, author: str
) -> dict[str, Any]:
    """`POST /v2.0/article/create` body: a normal, visible article (a cover only when there is one)."""
    payload: dict[str, Any] = {
        "type": "normal",
        "title": title,
        "author": author,
        "description": description,
        "body": [{"type": "text", "content": body_text}],
        "status": "show",
        "comment": "show",
    }
    if cover_url:
        payload["cover"] = {"cover_type": "photo", "photo_url": cover_url, "status": "show"}
    return payload


def broadcast_payload(article_id: str, target: dict[str, str]) -> dict[str, Any]:
    """`POST /v2.0/oa/message` body: the article to followers matching `target` ({} for everyone)."""
    element = {"media_type": "article", "attachment_id": article_id}
    return {
        "recipient": {"target": dict(target)},
        "message": {
            "attachment": {"type": "template", "payload": {"template_type": "media", "elements": [element]}}
        },
    }


def announcement_article(announcement: Announcement, author: str) -> dict[str, Any]:
    return article_payload(
        announcement.title, announcement.summary, article_body(announcement), announcement.cover_url, author
    )
