"""Who the official is: named dev tokens locally, Cognito claims in AWS; never the token itself."""

from __future__ import annotations

import os
import subprocess
import sys

from functions.admin_auth import digest, official_from_context, principal_for
from functions.config import Settings

TOKEN_1, TOKEN_2 = "dev-official-token", "dev-official-token-2"


def test_named_tokens_map_to_their_official_and_bare_ones_to_a_digest_prefix():
    configured = Settings.from_env(
        {"ADMIN_TOKEN_SHA256": f"Nguyễn Văn An={digest(TOKEN_1).upper()}, {digest(TOKEN_2)}"}
    ).admin_token_sha256
    assert principal_for(f"Bearer {TOKEN_1}", configured) == "Nguyễn Văn An"
    assert principal_for(f"bearer  {TOKEN_2} ", configured) == f"official:{digest(TOKEN_2)[:12]}"
    assert principal_for("Bearer khong-dung", configured) is None
    assert principal_for(TOKEN_1, configured) is None  # no scheme
    assert principal_for(None, configured) is None


def test_the_official_comes_from_cognito_claims_or_our_authorizer():
    cognito = {"authorizer": {"claims": {"email": "an.nv@stp.example.gov.vn", "cognito:username": "an.nv"}}}
    username_only = {"authorizer": {"claims": {"cognito:username": "binh.tt"}}}
    ours = {"authorizer": {"principalId": "can-bo-1"}}
    assert official_from_context(cognito) == "an.nv@stp.example.gov.vn"
    assert official_from_context(username_only) == "binh.tt"
    assert official_from_context(ours) == "can-bo-1"
    assert official_from_context({"authorizer": {"principalId": "anonymous"}}) is None
    assert official_from_context({}) is None


def test_with_a_user_pool_the_officials_routes_use_cognito():
    """`chalice package` with OFFICIALS_USER_POOL_ARN set puts a Cognito authorizer on every /admin
    route, none on the public ones, and registers no dev-token authorizer (it would be deployed)."""
    probe = (
        "from functions import main; "
        "print(sorted({type(m.authorizer).__name__ for p, ms in main.app.routes.items() "
        "if p.startswith('/admin') for m in ms.values()}), "
        "sorted({p for p, ms in main.app.routes.items() for m in ms.values() if m.authorizer is None}), "
        "[a.name for a in main.app.builtin_auth_handlers])"
    )
    arn = "arn:aws:cognito-idp:ap-southeast-1:123456789012:userpool/ap-southeast-1_AbCdEf123"
    env = {**os.environ, "OFFICIALS_USER_POOL_ARN": arn}
    with_pool = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    env.pop("OFFICIALS_USER_POOL_ARN")
    without = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    public = "['/health', '/tra-cuu/{code}', '/zalo/webhook', '/{file_name}']"
    assert with_pool.stdout.strip() == f"['CognitoUserPoolAuthorizer'] {public} []"
    assert without.stdout.strip() == f"['ChaliceAuthorizer'] {public} ['official_auth']"
