"""What one deployment needs to know, from CDK context (`cdk.json` defaults, `-c key=value` overrides).

Nothing secret comes through here: secret values live only in Secrets Manager (docs/deploy.md). The
officials' API token digests are SHA-256 hashes, not the tokens.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]

# The functions' tunable settings (functions/config.py) an operator may set through the context key
# `function_settings` (a JSON object). Nothing else: names, URLs and secrets are the stack's business.
TUNABLE_SETTINGS = frozenset(
    {
        "WEBHOOK_MAX_SKEW_SECONDS",
        "ZALO_DOMAIN_VERIFICATION_FILE",
        "ZALO_DOMAIN_VERIFICATION_CONTENT",
        "LOOKUP_LIMIT",
        "LOOKUP_WINDOW_SECONDS",
        "EVENTS_CONCURRENCY",
        "ANNOUNCEMENT_APPROVALS_REQUIRED",
        "BROADCAST_HOURS",
        "INFO_CARD_IMAGE_URL",
        "ZALO_TIMEOUT_SECONDS",
        "LOG_LEVEL",
        *(f"NOTICE_{name}" for name in ("WORKERS", "MAX_ATTEMPTS", "BACKOFF_SECONDS", "BACKOFF_MAX_SECONDS")),
    }
)


def _function_settings(value: Any) -> dict[str, str]:
    """`-c function_settings='{"WEBHOOK_MAX_SKEW_SECONDS": "3900"}'` (or an object in cdk.json)."""
    if value in (None, ""):
        return {}
    settings = json.loads(value) if isinstance(value, str) else value
    if not isinstance(settings, dict):
        raise ValueError("function_settings must be a JSON object of setting → value")
    unknown = sorted(set(settings) - TUNABLE_SETTINGS)
    if unknown:
        raise ValueError(
            f"function_settings: {unknown} cannot be set here; allowed: {sorted(TUNABLE_SETTINGS)}"
        )
    return {name: str(v) for name, v in settings.items()}


def chalice_stages() -> tuple[str, ...]:
    """The stages .chalice/config.json declares: the only ones the stack can package."""
    config = json.loads((REPO_ROOT / ".chalice" / "config.json").read_text())
    return tuple(config.get("stages", {}))


@dataclass(frozen=True)
class DeployConfig:
    stage: str
    region: str
    account: str | None
    alarm_email: str
    # Who may assume the MCĐT write role: a 12-digit account id or a role/user ARN (the province's
    # one-stop software). Empty in dev means this account itself (to try the contract by hand).
    mcdt_principal: str
    mcdt_external_id: str
    public_base_url: str
    zalo_app_id: str
    zalo_oa_id: str
    zalo_template_status: str
    zalo_zbs_mode: str
    province_name: str
    log_retention_days: int
    webhook_rate_limit: float
    webhook_burst_limit: int
    api_rate_limit: float
    api_burst_limit: int
    # Extra environment for every function, from TUNABLE_SETTINGS only.
    function_settings: dict[str, str]

    @property
    def is_prod(self) -> bool:
        return self.stage == "prod"

    @property
    def prefix(self) -> str:
        return f"dvc-zalo-{self.stage}"

    @classmethod
    def from_context(cls, get: Any) -> DeployConfig:
        """`get(key)` is `node.try_get_context`: strings from `-c`, any JSON type from cdk.json."""

        def text(key: str, default: str = "") -> str:
            value = get(key)
            return str(value).strip() or default if value is not None else default

        stage = text("stage", "dev")
        if stage not in chalice_stages():
            raise ValueError(f"stage {stage!r} is not in .chalice/config.json stages {chalice_stages()}")
        if text("admin_token_sha256"):
            raise ValueError(
                "admin_token_sha256 is not used in AWS: officials sign in to the stack's Cognito user pool"
                " (docs/deploy.md §8)"
            )
        config = cls(
            stage=stage,
            region=text("region", "ap-southeast-1"),
            account=text("account") or None,
            alarm_email=text("alarm_email"),
            mcdt_principal=text("mcdt_principal"),
            mcdt_external_id=text("mcdt_external_id", f"dvc-zalo-{stage}-mcdt"),
            public_base_url=text("public_base_url").rstrip("/"),
            zalo_app_id=text("zalo_app_id"),
            zalo_oa_id=text("zalo_oa_id"),
            zalo_template_status=text("zalo_template_status"),
            zalo_zbs_mode=text("zalo_zbs_mode", "" if stage == "prod" else "development"),
            province_name=text("province_name", "tỉnh"),
            log_retention_days=int(text("log_retention_days", "90" if stage == "prod" else "14")),
            webhook_rate_limit=float(text("webhook_rate_limit", "50")),
            webhook_burst_limit=int(text("webhook_burst_limit", "100")),
            api_rate_limit=float(text("api_rate_limit", "20")),
            api_burst_limit=int(text("api_burst_limit", "40")),
            function_settings=_function_settings(get("function_settings")),
        )
        config.check()
        return config

    def check(self) -> None:
        """Refuse a prod stack that would be unsafe or unreachable, with the reason."""
        if self.mcdt_principal and not re.fullmatch(
            r"\d{12}|arn:aws[\w-]*:iam::\d{12}:\S+", self.mcdt_principal
        ):
            raise ValueError(
                f"mcdt_principal must be an account id or an IAM ARN, not {self.mcdt_principal!r}"
            )
        if not self.is_prod:
            return
        missing = [
            key
            for key in ("alarm_email", "mcdt_principal", "public_base_url", "zalo_app_id", "zalo_oa_id")
            if not getattr(self, key)
        ]
        if missing:
            raise ValueError(f"prod needs context {missing} (docs/deploy.md)")
        if self.mcdt_external_id == f"dvc-zalo-{self.stage}-mcdt":
            raise ValueError(
                "prod needs its own mcdt_external_id agreed with the MCĐT vendor (docs/deploy.md)"
            )
        if not self.public_base_url.startswith("https://"):
            raise ValueError("public_base_url must be https: it is printed in receipts' QR codes")
