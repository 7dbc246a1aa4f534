"""What an operator sees of a dossier's notices: "why did this citizen get nothing?" (issue 4).

Pure: the CLI (functions/ops.py) and the officials' API route (main.py) both print these rows.
Every notice of the dossier, oldest first, with its state, channel, timestamps in Vietnam time,
attempts and error; the phone masked (privacy.mask_phone), the template data left out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from functions import dossier_code
from functions.dossier import VIETNAM_TZ
from functions.ports import Notice
from functions.privacy import mask_phone

# The table's columns (the JSON has every field).
COLUMNS = (
    "created_at",
    "state",
    "status",
    "channel",
    "attempts",
    "phone",
    "sent_at",
    "delivered_at",
    "error",
)


def canonical_code(text: str) -> str:
    """The code as stored in MaHoSo when `text` is one (any case or spacing), else `text` trimmed."""
    parsed = dossier_code.parse(text)
    return parsed.text if parsed else text.strip()


def rows(notices: list[Notice]) -> list[dict[str, Any]]:
    ordered = sorted(notices, key=lambda n: n.created_at or datetime.min.replace(tzinfo=VIETNAM_TZ))
    return [row(n) for n in ordered]


def row(notice: Notice) -> dict[str, Any]:
    return {
        "notice_id": notice.notice_id,
        "dossier_code": notice.dossier_code,
        "status": notice.status,
        "state": notice.state,
        "channel": notice.channel,
        "phone": mask_phone(notice.phone),
        "attempts": notice.attempts,
        "error_code": notice.error_code,
        "error": notice.error,
        "zalo_msg_id": notice.zalo_msg_id,
        "stream_sequence": notice.sequence_number,
        "created_at": _when(notice.created_at),
        "updated_at": _when(notice.updated_at),
        "sent_at": _when(notice.sent_at),
        "delivered_at": _when(notice.delivered_at),
        "next_attempt_at": _when(notice.next_attempt_at),
    }


def table(code: str, items: list[dict[str, Any]]) -> str:
    """A plain-text table for a terminal (the CLI's default output)."""
    if not items:
        return f"{code}: no notices recorded"
    widths = {c: max(len(c), *(len(str(i[c])) for i in items)) for c in COLUMNS}
    lines = [f"{code}: {len(items)} notice(s)", "  ".join(c.ljust(widths[c]) for c in COLUMNS)]
    lines += ["  ".join(str(i[c]).ljust(widths[c]) for c in COLUMNS) for i in items]
    return "\n".join(line.rstrip() for line in lines)


def _when(value: datetime | None) -> str:
    """ISO 8601 in Vietnam time (what the desk and the citizen talk in); "" when unset."""
    return value.astimezone(VIETNAM_TZ).isoformat(timespec="seconds") if value else ""
