"""Who the official is: dev bearer tokens locally, Cognito user-pool claims in AWS (docs/officials.md).

Tokens: only SHA-256 digests are configured (`ADMIN_TOKEN_SHA256`), so the configuration alone cannot
be used to call the API. An entry may name its official ("can-bo-1=<digest>"), which is what the
audit records; an unnamed one is "official:<digest prefix>", never the token itself.
Behind a Cognito authorizer API Gateway has checked the token and passes its claims; we read the
official's e-mail (or user name) from them.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

UNAUTHORIZED = {
    "error": "unauthorized",
    "message": "Chưa đăng nhập hoặc thông tin xác thực không hợp lệ.",
    "message_en": "Missing or invalid credentials.",
}


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _entries(allowed: tuple[str, ...]) -> list[tuple[str, str]]:
    """(name, digest) pairs from "name=digest" or bare "digest" entries."""
    pairs = []
    for entry in allowed:
        name, _, value = entry.rpartition("=")
        pairs.append((name.strip(), value.strip().lower()))
    return pairs


def principal_for(authorization: str | None, allowed_digests: tuple[str, ...]) -> str | None:
    """'Bearer <token>' → the official's name when the token is allowed, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    candidate = digest(token.strip())
    for name, allowed in _entries(allowed_digests):
        if hmac.compare_digest(candidate, allowed):
            return name or f"official:{candidate[:12]}"
    return None


def official_from_context(request_context: dict[str, Any]) -> str | None:
    """The official behind a request that passed API Gateway's authorizer (Cognito or ours)."""
    authorizer = request_context.get("authorizer") or {}
    claims = authorizer.get("claims") or {}
    if claims:
        return str(claims.get("email") or claims.get("cognito:username") or "") or None
    principal = authorizer.get("principalId")
    return str(principal) if principal and principal != "anonymous" else None
