"""Zalo secrets from Secrets Manager in AWS; from the environment on a developer's machine.

In AWS the function's environment holds only `ZALO_SECRET_ID`; the secret is a JSON object with
`app_secret`, `oa_secret_key`, `status_link_key` and (for the first start) `refresh_token`.
Read once per cold start.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from typing import Any

from functions.config import Settings


def load_zalo_secrets(settings: Settings, secrets_client: Any | None = None) -> Settings:
    secret_id = os.environ.get("ZALO_SECRET_ID", "").strip()
    if not secret_id:
        return settings
    if secrets_client is None:
        import boto3

        secrets_client = boto3.client("secretsmanager", region_name=settings.region)
    values = json.loads(secrets_client.get_secret_value(SecretId=secret_id)["SecretString"])
    settings = replace(settings, status_link_key=values.get("status_link_key", settings.status_link_key))
    return settings.with_zalo(
        app_secret=values.get("app_secret", settings.zalo.app_secret),
        oa_secret_key=values.get("oa_secret_key", settings.zalo.oa_secret_key),
        initial_refresh_token=values.get("refresh_token", settings.zalo.initial_refresh_token),
    )
