"""The simulator's settings: Zalo credentials, templates and the knobs tests turn.

Everything has a local default so `python -m local.zalo_sim` runs with no setup; `from_env` reads
`SIM_*` variables so the runner can line the simulator up with the product's `ZALO_*` settings.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any


@dataclass(frozen=True)
class TemplateParam:
    """One `template_data` key of a ZBS template, as Zalo's template/info lists it."""

    name: str
    max_length: int
    required: bool = True
    label: str = ""  # Vietnamese caption the citizen's phone page shows beside the value


DEFAULT_TEMPLATE_ID = "dvc_status_v1"

# Change the dossier-status template here (or with SIM_TEMPLATES_JSON); the product's template
# id setting must name one of these keys.
DEFAULT_TEMPLATES: dict[str, list[TemplateParam]] = {
    DEFAULT_TEMPLATE_ID: [
        TemplateParam("ma_ho_so", 30, True, "Mã hồ sơ"),
        TemplateParam("ten_thu_tuc", 100, True, "Thủ tục"),
        TemplateParam("trang_thai", 30, True, "Trạng thái"),
        TemplateParam("ngay_hen_tra", 20, True, "Ngày hẹn trả"),
        TemplateParam("ghi_chu", 100, False, "Ghi chú"),
    ],
}

# Fields PATCH /_sim/config may change at run time (credentials and templates stay fixed).
MUTABLE_FIELDS = frozenset(
    {
        "webhook_url",
        "rate_limit_per_minute",
        "article_processing_polls",
        "latency_ms",
        "deliver_echoes",
        "deliver_zbs_receipts",
        "cs_requires_follower",
        "follow_counts_as_interaction",
        "admin_phones",
        "zbs_daily_quota",
        "night_templates",
        "webhook_timeout_s",
        "broadcast_night_block",
    }
)
SECRET_FIELDS = frozenset({"app_secret", "oa_secret_key"})


@dataclass
class SimConfig:
    """How the simulated Zalo behaves. Times are seconds unless the name says otherwise."""

    app_id: str = "3106514389617452871"
    app_secret: str = "local-app-secret"
    oa_id: str = "2795046581239174563"
    oa_secret_key: str = "local-oa-secret-key"
    oa_name: str = "Dịch vụ công tỉnh (mô phỏng)"
    access_token: str = "local-access-token-0"  # valid when the simulator starts
    refresh_token: str = "local-refresh-token-0"  # valid once: the runner hands it to the product
    webhook_url: str = ""  # empty: events are recorded but not POSTed
    templates: dict[str, list[TemplateParam]] = field(default_factory=lambda: dict(DEFAULT_TEMPLATES))
    admin_phones: list[str] = field(default_factory=lambda: ["84987654321"])  # `mode: development`
    no_zalo_phones: list[str] = field(default_factory=list)  # numbers answered with -118
    rate_limit_per_minute: int = 4000
    access_token_ttl_s: int = 90000  # 25 h, sent as expires_in "90000"
    refresh_token_ttl_s: int = 90 * 24 * 3600
    interaction_window_days: int = 7
    free_window_hours: int = 48  # CS quota_type "reply" inside, "sub_quota" after
    deliver_echoes: bool = True  # oa_send_* webhook after each CS send, like real Zalo
    deliver_zbs_receipts: bool = True  # ZNS user_received_message after each ZBS send
    article_processing_polls: int = 0  # article/verify answers -214 this many times first
    latency_ms: int = 0  # added to every Zalo API call
    cs_requires_follower: bool = False  # True: CS to a non-follower answers -213
    follow_counts_as_interaction: bool = False  # zalo-api.md §2.3 leaves this open
    zbs_daily_quota: int = 5000
    night_templates: list[str] = field(default_factory=list)  # refused 22:00–06:00 Vietnam time (-133)
    webhook_timeout_s: float = 3.0
    broadcast_night_block: bool = True  # broadcasts answer -234 22:00–06:00 Vietnam time

    @property
    def default_template_id(self) -> str:
        return next(iter(self.templates), DEFAULT_TEMPLATE_ID)

    def public_dict(self) -> dict[str, Any]:
        """The settings as JSON for /_sim/config, secrets masked (calls and logs never show them)."""
        out = asdict(self)
        for name in SECRET_FIELDS:
            out[name] = "***"
        return out

    def patched(self, changes: Mapping[str, Any]) -> SimConfig:
        """A copy with run-time changes applied; unknown or fixed fields raise ValueError."""
        bad = sorted(set(changes) - MUTABLE_FIELDS)
        if bad:
            allowed = ", ".join(sorted(MUTABLE_FIELDS))
            raise ValueError(f"cannot change {', '.join(bad)}; changeable: {allowed}")
        kinds = {f.name: f.type for f in fields(self)}
        clean = {name: _coerce(kinds[name], value) for name, value in changes.items()}
        return replace(self, **clean)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SimConfig:
        """Read SIM_<FIELD> variables (e.g. SIM_APP_ID, SIM_WEBHOOK_URL); SIM_TEMPLATES_JSON for templates."""
        env = os.environ if environ is None else environ
        kinds = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {}
        for name, kind in kinds.items():
            raw = env.get(f"SIM_{name.upper()}")
            if raw is None or name == "templates":
                continue
            values[name] = _coerce(kind, raw)
        if env.get("SIM_TEMPLATES_JSON"):
            values["templates"] = parse_templates(json.loads(env["SIM_TEMPLATES_JSON"]))
        return cls(**values)


def parse_templates(raw: Mapping[str, list[Mapping[str, Any]]]) -> dict[str, list[TemplateParam]]:
    """`{"tpl": [{"name", "max_length", "required"?, "label"?}, ...]}` → templates."""
    return {
        str(template_id): [
            TemplateParam(
                name=str(p["name"]),
                max_length=int(p["max_length"]),
                required=bool(p.get("required", True)),
                label=str(p.get("label", "")),
            )
            for p in params
        ]
        for template_id, params in raw.items()
    }


def _coerce(kind: Any, value: Any) -> Any:
    """Turn env strings / JSON values into the field's type (annotations are strings here)."""
    kind = str(kind)
    if kind == "bool":
        return value if isinstance(value, bool) else str(value).strip().lower() in {"1", "true", "yes", "on"}
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind.startswith("list"):
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return [str(v) for v in value]
    return str(value)
