"""Settings read from the environment, with production defaults (design.md §6).

Everything external is configurable so that the local stack, the tests and any server that speaks
Zalo's contract can stand in for the real services. Secrets are read from the environment here;
in AWS the environment carries only the *name* of a Secrets Manager secret (`ZALO_SECRET_ID`) and
the values are fetched once per cold start by `secrets.load_zalo_secrets`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace


def _reader(environ: Mapping[str, str]) -> Callable[..., str]:
    def read(name: str, default: str = "") -> str:
        return environ.get(name, default).strip()

    return read


def _named_digest(entry: str) -> str:
    """ "name=digest" or "digest": the digest lower-cased, the official's name kept as written."""
    name, sep, value = entry.strip().rpartition("=")
    return f"{name.strip()}{sep}{value.strip().lower()}"


@dataclass(frozen=True)
class ZaloSettings:
    """Where Zalo lives and who we are to it. One deployment serves one Official Account."""

    openapi_url: str = "https://openapi.zalo.me"
    business_url: str = "https://business.openapi.zalo.me"
    oauth_url: str = "https://oauth.zaloapp.com"
    app_id: str = ""
    app_secret: str = field(default="", repr=False)
    oa_id: str = ""
    oa_secret_key: str = field(default="", repr=False)
    # The first refresh token an OA admin granted; used only when the token table is empty.
    initial_refresh_token: str = field(default="", repr=False)
    # ZBS template id for dossier status notices (registered by the operator with Zalo).
    template_status: str = ""
    # "development" sends ZBS only to the App/OA admins (zalo-api.md §3); empty in production.
    zbs_mode: str = ""
    timeout_seconds: float = 5.0


@dataclass(frozen=True)
class NoticeSettings:
    """How hard and how often the notifier and its sweeper try (notify.py, notice_sweeper.py).

    Production defaults; tests and the local stack shrink the waits through NOTICE_* variables.
    """

    workers: int = 8  # concurrent Zalo calls per stream batch or sweep (bounded thread pool)
    max_attempts: int = 6  # transient failures before a notice is failed_final
    backoff_seconds: float = 30.0  # first retry delay; doubles per failure (plus jitter)
    backoff_max_seconds: float = 3600.0
    lease_seconds: float = 120.0  # a `sending` claim older than this is taken as a crashed sender's
    # After a crash or a timeout Zalo may have accepted the message: wait this long for its delivery
    # receipt (which settles the question) before sending again.
    receipt_grace_seconds: float = 300.0
    quota_retry_seconds: float = 900.0  # -115 (balance): ask again this often while held
    max_age_hours: float = 72.0  # a notice still undelivered after this is failed_final: stale news
    sweep_batch: int = 200  # notices one sweeper run looks at
    # The outbox holds phones (personal data): DynamoDB's TTL deletes a notice this long after it
    # was created, which still leaves operators half a year to answer "I got nothing".
    retention_days: int = 180


@dataclass(frozen=True)
class Tables:
    dossiers: str
    citizens: str
    notifications: str
    announcements: str
    webhook_events: str
    oa_tokens: str
    announcement_audit: str
    replies: str
    lookup_limits: str
    phone_dossiers: str


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    zalo: ZaloSettings
    tables: Tables
    events_queue_url: str
    # Base URL of our public API (status page links in replies), e.g. https://dvc.example.gov.vn
    public_base_url: str
    province_name: str
    # Key of the status-page links' MAC (status_link.py); from the secret in AWS.
    status_link_key: str = field(repr=False)
    # Officials' API tokens as sha256 hex digests, comma separated, each optionally named
    # ("can-bo-1=<digest>") so the audit says who acted; see admin_auth.py.
    admin_token_sha256: tuple[str, ...]
    # Approvals an announcement needs from officials other than its author (announcements.py).
    approvals_required: int = 1
    # Vietnam-time hours in which broadcasts go out ("06:00-20:00"); outside them they wait.
    broadcast_hours: str = "06:00-20:00"
    # Zalo retries a webhook for up to ~1 h; de-duplication records must outlive that.
    dedup_ttl_seconds: int = 2 * 24 * 3600
    # Events whose body timestamp is further than this from now (either way) are refused: a captured,
    # validly signed event cannot be replayed after the de-duplication record has expired.
    webhook_max_skew_seconds: int = 300
    # Zalo's domain verification ("Xác thực domain"): the file name Zalo asks for
    # (`zalo_verifier<CODE>.html`) and, optionally, its exact content (else the standard meta tag).
    domain_verification_file: str = ""
    domain_verification_content: str = field(default="", repr=False)
    # Per-user dossier lookups allowed per fixed window (abuse guard, enumeration of codes).
    lookup_limit: int = 20
    lookup_window_seconds: int = 600
    # SQS receives of one event before the queue's redrive policy moves it to the DLQ.
    events_max_receives: int = 5
    # Threads answering one SQS batch (different citizens side by side; one citizen's events in order).
    events_concurrency: int = 10
    # Picture on the "share your phone" card (request_user_info); https, the OA's own banner.
    info_card_image_url: str = ""
    notices: NoticeSettings = field(default_factory=NoticeSettings)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        _env = _reader(os.environ if environ is None else environ)
        stage = _env("STAGE", "dev")

        def _table(name: str, env_name: str) -> str:
            """Our tables are prefixed by stage unless an explicit name is configured."""
            return _env(env_name) or f"dvc-zalo-{stage}-{name}"

        zalo = ZaloSettings(
            openapi_url=_env("ZALO_OPENAPI_URL", ZaloSettings.openapi_url).rstrip("/"),
            business_url=_env("ZALO_BUSINESS_URL", ZaloSettings.business_url).rstrip("/"),
            oauth_url=_env("ZALO_OAUTH_URL", ZaloSettings.oauth_url).rstrip("/"),
            app_id=_env("ZALO_APP_ID"),
            app_secret=_env("ZALO_APP_SECRET"),
            oa_id=_env("ZALO_OA_ID"),
            oa_secret_key=_env("ZALO_OA_SECRET_KEY"),
            initial_refresh_token=_env("ZALO_REFRESH_TOKEN"),
            template_status=_env("ZALO_TEMPLATE_STATUS"),
            zbs_mode=_env("ZALO_ZBS_MODE"),
            timeout_seconds=float(_env("ZALO_TIMEOUT_SECONDS", "5")),
        )
        tables = Tables(
            dossiers=_table("dossiers", "DOSSIERS_TABLE"),
            citizens=_table("citizens", "CITIZENS_TABLE"),
            notifications=_table("notifications", "NOTIFICATIONS_TABLE"),
            announcements=_table("announcements", "ANNOUNCEMENTS_TABLE"),
            webhook_events=_table("webhook-events", "WEBHOOK_EVENTS_TABLE"),
            oa_tokens=_table("oa-tokens", "OA_TOKENS_TABLE"),
            announcement_audit=_table("announcement-audit", "ANNOUNCEMENT_AUDIT_TABLE"),
            replies=_table("replies", "REPLIES_TABLE"),
            lookup_limits=_table("lookup-limits", "LOOKUP_LIMITS_TABLE"),
            phone_dossiers=_table("dossiers-by-phone", "PHONE_DOSSIERS_TABLE"),
        )
        hashes = tuple(_named_digest(h) for h in _env("ADMIN_TOKEN_SHA256").split(",") if h.strip())
        return cls(
            stage=stage,
            region=_env("AWS_REGION") or _env("AWS_DEFAULT_REGION") or "ap-southeast-1",
            zalo=zalo,
            tables=tables,
            events_queue_url=_env("ZALO_EVENTS_QUEUE_URL"),
            public_base_url=_env("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            province_name=_env("PROVINCE_NAME", "tỉnh"),
            status_link_key=_env("STATUS_LINK_KEY"),
            admin_token_sha256=hashes,
            approvals_required=max(0, int(_env("ANNOUNCEMENT_APPROVALS_REQUIRED", "1"))),
            broadcast_hours=_env("BROADCAST_HOURS", "06:00-20:00"),
            webhook_max_skew_seconds=int(_env("WEBHOOK_MAX_SKEW_SECONDS", "300")),
            domain_verification_file=_env("ZALO_DOMAIN_VERIFICATION_FILE"),
            domain_verification_content=_env("ZALO_DOMAIN_VERIFICATION_CONTENT"),
            lookup_limit=int(_env("LOOKUP_LIMIT", "20")),
            lookup_window_seconds=int(_env("LOOKUP_WINDOW_SECONDS", "600")),
            events_max_receives=int(_env("EVENTS_MAX_RECEIVES", "5")),
            events_concurrency=int(_env("EVENTS_CONCURRENCY", "10")),
            info_card_image_url=_env("INFO_CARD_IMAGE_URL"),
            notices=_notice_settings(_env),
        )

    def with_zalo(self, **changes: object) -> Settings:
        """A copy with some Zalo settings replaced (secrets fetched at cold start)."""
        return replace(self, zalo=replace(self.zalo, **changes))


def _notice_settings(env: Callable[..., str]) -> NoticeSettings:
    """NOTICE_<FIELD> variables (e.g. NOTICE_BACKOFF_SECONDS=0 in tests), else the defaults."""
    values: dict[str, object] = {}
    for item in fields(NoticeSettings):
        raw = env(f"NOTICE_{item.name.upper()}")
        if raw:
            values[item.name] = int(raw) if item.type == "int" else float(raw)
    return NoticeSettings(**values)  # type: ignore[arg-type]
