"""Bounded download of a picture a citizen sent (`user_send_image`: `attachments[].payload.url`).

The URL comes from a verified Zalo event, but what sits behind it is the citizen's: a 40 MB photo, a
slow CDN, or not a picture at all. The download is therefore capped in size (checked on the declared
length and again while streaming), in time (per read and in total) and in scheme, and every failure
becomes one `ImageUnavailable` with a short reason the worker can log and answer.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import requests

from functions.ports import ImageUnavailable

MAX_BYTES = 5 * 1024 * 1024  # a phone photo of a receipt is 0.3–4 MB
TOTAL_SECONDS = 10.0  # the whole download; the worker's Lambda has 60 s for a batch
CONNECT_SECONDS = 3.05
READ_SECONDS = 5.0
_CHUNK = 64 * 1024
_ACCEPTED_TYPES = ("image/", "application/octet-stream", "binary/octet-stream")


class ImageDownloader:
    """`ImageFetcher` over HTTP(S) with limits; one `requests.Session` reused across a container's calls."""

    def __init__(
        self,
        max_bytes: int = MAX_BYTES,
        total_seconds: float = TOTAL_SECONDS,
        session: requests.Session | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.total_seconds = total_seconds
        self.session = session or requests.Session()

    def __call__(self, url: str) -> bytes:
        if urlsplit(url).scheme not in ("https", "http") or not urlsplit(url).netloc:
            raise ImageUnavailable("bad_url")
        deadline = time.monotonic() + self.total_seconds
        try:
            with self.session.get(
                url,
                stream=True,
                timeout=(CONNECT_SECONDS, READ_SECONDS),
                headers={"Accept": "image/*"},
            ) as answer:
                self._check_headers(answer)
                return self._read(answer, deadline)
        except requests.RequestException as exc:
            raise ImageUnavailable(f"unreachable:{type(exc).__name__}") from None

    def _check_headers(self, answer: requests.Response) -> None:
        if answer.status_code != 200:
            raise ImageUnavailable(f"http_{answer.status_code}")
        content_type = answer.headers.get("Content-Type", "").lower()
        if content_type and not content_type.startswith(_ACCEPTED_TYPES):
            raise ImageUnavailable("not_an_image")
        declared = answer.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise ImageUnavailable("too_large")

    def _read(self, answer: requests.Response, deadline: float) -> bytes:
        """Stream the body, stopping as soon as it is over the size or time limit."""
        data = bytearray()
        for chunk in answer.iter_content(_CHUNK):
            data += chunk
            if len(data) > self.max_bytes:
                raise ImageUnavailable("too_large")
            if time.monotonic() > deadline:
                raise ImageUnavailable("too_slow")
        if not data:
            raise ImageUnavailable("empty")
        return bytes(data)
