"""Zalo's webhook signature `X-ZEvent-Signature: mac=<sha256 hex>` (zalo-api.md §1.2).

Zalo signs with a plain SHA-256 (not HMAC) of `app_id + raw_body + timestamp + oa_secret_key`,
where `timestamp` is the `timestamp` field inside the JSON body and the key is the OA Secret Key
(not the App secret). Anyone can POST to our public webhook, so an event is trusted only when its
signature matches; the body must be the bytes exactly as received, never re-serialised JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import re

_PREFIX = "mac="
_SHA256_HEX = re.compile(r"[0-9a-f]{64}", re.ASCII)


def compute_mac(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The lowercase hex digest Zalo would send. Raises UnicodeDecodeError for a non-UTF-8 body."""
    data = app_id + raw_body.decode("utf-8") + timestamp + oa_secret_key
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def verify(
    header_value: str | None, app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str
) -> bool:
    """True only when the header carries the right digest (`mac=<hex>` or a bare hex, any case).

    Missing, empty or malformed headers and non-UTF-8 bodies are False, never an exception: the
    caller answers 401 either way. The comparison is constant-time so the digest cannot be guessed
    byte by byte from response times.
    """
    claimed = _claimed_digest(header_value)
    if claimed is None or not oa_secret_key:
        return False
    try:
        expected = compute_mac(app_id, raw_body, timestamp, oa_secret_key)
    except UnicodeDecodeError:
        return False
    return hmac.compare_digest(claimed, expected)


def _claimed_digest(header_value: str | None) -> str | None:
    """The lowercase hex digest in the header, or None when there is none."""
    if not header_value:
        return None
    value = header_value.strip()
    if value[: len(_PREFIX)].lower() == _PREFIX:
        value = value[len(_PREFIX) :].strip()
    value = value.lower()
    return value if _SHA256_HEX.fullmatch(value) else None
