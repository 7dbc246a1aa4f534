"""A scripted Zalo gateway for unit tests: records every call, raises the errors a test queues."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from functions.zalo_errors import ZaloError


@dataclass
class FakeZalo:
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    errors: dict[str, list[ZaloError | None]] = field(default_factory=dict)  # None: that call succeeds
    processing_polls: int = 0
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def fail_next(self, method: str, *errors: ZaloError | None) -> None:
        self.errors.setdefault(method, []).extend(errors)

    def _call(self, method: str, **args: Any) -> str:
        self.calls.append((method, args))
        queued = self.errors.get(method)
        if queued and (error := queued.pop(0)) is not None:
            raise error
        return f"{method}-{next(self._ids)}"

    def sent(self, method: str) -> list[dict[str, Any]]:
        return [args for name, args in self.calls if name == method]

    def send_text(self, user_id: str, text: str) -> str:
        return self._call("send_text", user_id=user_id, text=text)

    def send_request_user_info(self, user_id: str, title: str, subtitle: str, image_url: str) -> str:
        return self._call(
            "send_request_user_info", user_id=user_id, title=title, subtitle=subtitle, image_url=image_url
        )

    def send_template_by_phone(
        self, phone: str, template_id: str, template_data: dict[str, str], tracking_id: str
    ) -> str:
        return self._call(
            "send_template_by_phone",
            phone=phone,
            template_id=template_id,
            template_data=template_data,
            tracking_id=tracking_id,
        )

    def create_article(
        self, title: str, description: str, body_text: str, cover_url: str, author: str
    ) -> str:
        return self._call("create_article", title=title, description=description, body_text=body_text)

    def verify_article(self, token: str) -> str | None:
        result = self._call("verify_article", token=token)
        if self.processing_polls > 0:
            self.processing_polls -= 1
            return None
        return result

    def broadcast_article(self, article_id: str, target: dict[str, str]) -> str:
        return self._call("broadcast_article", article_id=article_id, target=target)
