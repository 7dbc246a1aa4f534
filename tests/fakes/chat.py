"""An EventWorker wired to fakes, and queued webhook envelopes as the SQS handler receives them."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from functions import messages
from functions.citizen_links import CitizenLinks
from functions.dossier import Dossier
from functions.photo_codes import PhotoReader
from functions.zalo_events import EventWorker
from tests.fakes.stores import (
    FakeCitizens,
    FakeDossiers,
    FakeLookupLimiter,
    FakeOutbox,
    FakePhoneDossiers,
    FakeReplyLog,
)
from tests.fakes.zalo import FakeZalo

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
USER = "8765432109876543210"
_msg_ids = itertools.count(1)


def make_worker(
    *dossiers: Dossier,
    zalo: FakeZalo | None = None,
    limiter: FakeLookupLimiter | None = None,
    clock: Callable[[], datetime] = lambda: NOW,
    status_url: Callable[[str], str] = lambda code: "",
    photos: PhotoReader | None = None,
    outbox: FakeOutbox | None = None,
    reader: FakeDossiers | None = None,
    citizens: FakeCitizens | None = None,
    links: CitizenLinks | None = None,
) -> EventWorker:
    """A worker on fakes; pass the stores a test wants to look into (or pre-fill) itself."""
    reader = reader or FakeDossiers(*dossiers)
    citizens = citizens or FakeCitizens()
    return EventWorker(
        reader,
        citizens,
        outbox or FakeOutbox(),
        zalo or FakeZalo(),
        status_url=status_url,
        province_name="tỉnh Quảng Trị",
        clock=clock,
        replies=FakeReplyLog(),
        limiter=limiter or FakeLookupLimiter(),
        lookup_limit_note=messages.lookup_limit_reply(20, 10),
        photos=photos,
        links=links or CitizenLinks(citizens, FakePhoneDossiers(), reader, "tỉnh Quảng Trị", "", clock=clock),
    )


def text(body: str, msg_id: str | None = None, user: str = USER) -> dict[str, Any]:
    """A queued user_send_text envelope; each call is a new Zalo message unless msg_id is given."""
    msg_id = msg_id or f"m{next(_msg_ids)}"
    return {
        "key": f"msg:{msg_id}",
        "event": {
            "event_name": "user_send_text",
            "sender": {"id": user},
            "message": {"msg_id": msg_id, "text": body},
        },
    }
