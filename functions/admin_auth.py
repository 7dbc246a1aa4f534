"""Officials' API credentials: bearer tokens whose SHA-256 digests are configured.

Only digests are stored in configuration (`ADMIN_TOKEN_SHA256`), so the configuration alone cannot
be used to call the API. The principal is a short digest prefix, never the token itself.
"""

from __future__ import annotations

import hashlib
import hmac


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def principal_for(authorization: str | None, allowed_digests: tuple[str, ...]) -> str | None:
    """'Bearer <token>' → 'official:<digest prefix>' when the token is allowed, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    candidate = digest(token.strip())
    for allowed in allowed_digests:
        if hmac.compare_digest(candidate, allowed):
            return f"official:{candidate[:12]}"
    return None
