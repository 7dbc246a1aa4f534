"""Links to the public status page, `GET /tra-cuu/{code}?k=…`, and their check.

The receipt's QR code, the chat replies and the page itself all use this one module, so a link printed
on a receipt today still opens the page tomorrow. `k` is a keyed MAC of the canonical dossier code:
without the key nobody can turn a guessed code into a working link, so the page cannot be used to
enumerate dossiers. 16 base64url characters (96 bits) keep the QR small and guessing hopeless.

The key (`STATUS_LINK_KEY`, in AWS inside the Zalo secret as `status_link_key`) must stay the same for
as long as printed receipts are in citizens' hands; rotating it breaks the QR codes already printed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote

from functions.dossier_code import parse

PATH_PREFIX = "/tra-cuu/"
TOKEN_LENGTH = 16


def token(code: str, key: str) -> str:
    """The `k` for a dossier code (any accepted spelling of it; the canonical form is signed)."""
    if not key:
        raise ValueError("STATUS_LINK_KEY is not configured")
    parsed = parse(code)
    canonical = parsed.text if parsed else code.strip()
    digest = hmac.new(key.encode(), canonical.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:TOKEN_LENGTH]


def verify(code: str, k: str, key: str) -> bool:
    """True only for the `k` we issued for this code; constant-time."""
    if not key or not k or parse(code) is None:
        return False
    return hmac.compare_digest(token(code, key), k)


def url(base_url: str, code: str, key: str) -> str:
    """The full public link, e.g. https://dvc.example.gov.vn/tra-cuu/000.00.12.H46-240115-0003?k=…"""
    parsed = parse(code)
    canonical = parsed.text if parsed else code.strip()
    return f"{base_url.rstrip('/')}{PATH_PREFIX}{quote(canonical, safe='.-')}?k={token(canonical, key)}"
