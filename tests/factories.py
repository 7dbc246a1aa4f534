"""Factory helpers that make tests read like the real thing: real-looking codes, Vietnamese names.

Each call gets a fresh dossier code, so tests sharing one local stack never step on each other.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from functions.dossier import VIETNAM_TZ, Dossier
from functions.webhook_signature import compute_mac

_sequence = itertools.count(1)


def next_code(agency: str = "000.00.12.H46", received: str = "241125") -> str:
    return f"{agency}-{received}-{next(_sequence):04d}"


def make_dossier(**overrides: Any) -> Dossier:
    base = Dossier(
        code=next_code(),
        status=2,
        procedure_name="Cấp giấy phép xây dựng đối với nhà ở riêng lẻ",
        procedure_code="1.009994",
        processing_unit="UBND xã Quảng Phú",
        applicant_name="Nguyễn Thị Hương",
        phone="0912 345 678",
        notify_zalo=True,
        received_at=datetime(2024, 11, 25, 8, 30, tzinfo=VIETNAM_TZ),
        due_at=datetime(2024, 12, 10, 16, 0, tzinfo=VIETNAM_TZ),
    )
    return replace(base, **overrides)


def save_dossier(**overrides: Any) -> Dossier:
    """Write a dossier to the Dossiers table the way MCĐT does (needs bound models)."""
    from functions.dossier_records import to_model

    dossier = make_dossier(**overrides)
    to_model(dossier).save()
    return dossier


def change_status(dossier: Dossier, status: int, **overrides: Any) -> Dossier:
    """MCĐT updating a dossier's status: a full put, as sync systems usually do."""
    from functions.dossier_records import to_model

    changed = replace(dossier, status=status, **overrides)
    to_model(changed).save()
    return changed


_phones = itertools.count(1)


def next_phone() -> str:
    """A fresh, valid VinaPhone number as a desk officer types it (e.g. '0912 000 001')."""
    digits = f"{next(_phones):06d}"
    return f"0912 {digits[:3]} {digits[3:]}"


def zalo_phone(typed: str) -> str:
    """'0912 000 001' → '84912000001', the form Zalo's ZBS API and the simulator use."""
    from functions.phones import normalise, to_zalo

    return to_zalo(normalise(typed))


def text_event(app_id: str, oa_id: str, user_id: str, text: str, at_ms: int | None = None) -> dict[str, Any]:
    """A user_send_text webhook body as Zalo sends it: fresh msg_id, timestamp in ms (now by default)."""
    return {
        "app_id": app_id,
        "user_id_by_app": "552233",
        "event_name": "user_send_text",
        "timestamp": str(int(time.time() * 1000) if at_ms is None else at_ms),
        "sender": {"id": user_id},
        "recipient": {"id": oa_id},
        "message": {"msg_id": uuid.uuid4().hex, "text": text},
    }


def signed_webhook(
    event: dict[str, Any], app_id: str, oa_secret_key: str, raw: bytes | None = None
) -> tuple[bytes, dict[str, str]]:
    """The body bytes and headers of a delivery Zalo signed (`raw`: other bytes, same timestamp)."""
    body = raw if raw is not None else json.dumps(event, ensure_ascii=False).encode()
    mac = compute_mac(app_id, body, event["timestamp"], oa_secret_key)
    return body, {"Content-Type": "application/json", "X-ZEvent-Signature": f"mac={mac}"}
