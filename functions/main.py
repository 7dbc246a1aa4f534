"""The Chalice app: every route, stream, queue and schedule handler (design.md §2–3).

Handlers are thin: parse the event, call a domain service from wiring.py, shape the answer.
Non-HTTP handlers sit on `app` itself, not a Blueprint (Chalice issue 1566).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

from chalice import AuthResponse, BadRequestError, Chalice, NotFoundError, Rate, Response

from functions import notice_report, wiring
from functions.admin_auth import principal_for
from functions.announcements import InvalidAnnouncement, to_json
from functions.logs import get_logger, log
from functions.notify import StreamRecord

app = Chalice(app_name="dvc-zalo")
logger = get_logger("main")

# Resolved at import by `chalice package` / the CDK stack; the local runner feeds events itself.
DOSSIERS_STREAM_ARN = os.environ.get(
    "DOSSIERS_STREAM_ARN", "arn:aws:dynamodb:ap-southeast-1:000000000000:table/dossiers/stream/local"
)
ZALO_EVENTS_QUEUE = os.environ.get("ZALO_EVENTS_QUEUE_NAME", "dvc-zalo-events")


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(
        body=json.dumps(body, ensure_ascii=False),
        status_code=status,
        headers={"Content-Type": "application/json; charset=utf-8"},
    )


@app.route("/health", methods=["GET"])
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.route("/zalo/webhook", methods=["POST"], content_types=["application/json", "text/plain"])
def zalo_webhook() -> Response:
    request = app.current_request
    answer = wiring.webhook_intake().accept(request.raw_body or b"", dict(request.headers), wiring.utc_now())
    log(
        logger,
        logging.INFO,
        "webhook",
        event_name=answer.event_name,
        status=answer.status,
        result=answer.body.get("result") or answer.body.get("error"),
    )
    return _json(answer.status, answer.body)


@app.on_sqs_message(queue=ZALO_EVENTS_QUEUE, batch_size=10)
def zalo_events(event: Any) -> dict[str, list[dict[str, str]]]:
    """Worker for queued Zalo events; failures are reported per message (partial batch response)."""
    failures = []
    worker = wiring.event_worker()
    for record in event:
        message_id = record.to_dict().get("messageId", "")
        try:
            outcome = worker.handle(json.loads(record.body))
            log(logger, logging.INFO, "zalo event", message_id=message_id, outcome=outcome)
        except Exception:
            logger.exception("zalo event failed", extra={"fields": {"message_id": message_id}})
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}


def _time_left(event: Any) -> Callable[[], float]:
    """Seconds this invocation has left (Lambda's context; 60 s when there is none)."""
    context = getattr(event, "context", None)
    return lambda: context.get_remaining_time_in_millis() / 1000 if context else 60.0


@app.on_dynamodb_record(stream_arn=DOSSIERS_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON")
def dossier_stream(event: Any) -> dict[str, list[dict[str, str]]]:
    """Status notices (notify.py). Failed records are reported; Lambda retries from the lowest."""
    records = [StreamRecord.from_lambda(record.to_dict()) for record in event]
    failed = wiring.notifier().handle_batch(records, _time_left(event))
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failed]}


@app.schedule(Rate(1, unit=Rate.MINUTES))
def notice_sweeper(event: Any) -> dict[str, int]:
    """Re-drives notices that failed for a while, are held, or were left mid-send (notice_sweeper.py)."""
    return wiring.notice_sweeper(_time_left(event)).run()


@app.schedule(Rate(1, unit=Rate.MINUTES))
def broadcaster(event: Any) -> dict[str, int]:
    context = getattr(event, "context", None)

    def time_left() -> float:
        return context.get_remaining_time_in_millis() / 1000 if context else 60.0

    counts = wiring.broadcaster(time_left).run()
    log(logger, logging.INFO, "broadcaster run", **counts)
    return counts


@app.schedule(Rate(1, unit=Rate.HOURS))
def token_keeper(event: Any) -> dict[str, bool]:
    """Refresh the OA access token well before its 25 h expiry, under the token lock."""
    refreshed = wiring.token_manager().refresh_if_expiring(timedelta(hours=3))
    log(logger, logging.INFO, "token keeper", refreshed=refreshed)
    return {"refreshed": refreshed}


@app.authorizer()
def official_auth(auth_request: Any) -> AuthResponse:
    principal = principal_for(auth_request.token, wiring.settings().admin_token_sha256)
    if principal is None:
        return AuthResponse(routes=[], principal_id="anonymous")
    return AuthResponse(routes=["*"], principal_id=principal)


def _official() -> str:
    context = app.current_request.context.get("authorizer") or {}
    return str(context.get("principalId", "official"))


@app.route("/admin/announcements", methods=["POST"], authorizer=official_auth)
def create_announcement() -> Response:
    data = app.current_request.json_body
    if not isinstance(data, dict):
        raise BadRequestError("Body must be a JSON object / Nội dung phải là một đối tượng JSON.")
    try:
        created = wiring.announcements().schedule(data, author=_official())
    except InvalidAnnouncement as exc:
        problems = [{"field": p.field, "code": p.code, "message": p.message} for p in exc.problems]
        return _json(400, {"error": "invalid_announcement", "problems": problems})
    return _json(201, to_json(created))


@app.route("/admin/announcements", methods=["GET"], authorizer=official_auth)
def list_announcements() -> Response:
    return _json(200, {"items": [to_json(a) for a in wiring.announcements().store.list_all()]})


@app.route("/admin/announcements/{announcement_id}", methods=["GET"], authorizer=official_auth)
def get_announcement(announcement_id: str) -> Response:
    found = wiring.announcements().store.get(announcement_id)
    if found is None:
        raise NotFoundError("Không tìm thấy thông báo này.")
    return _json(200, to_json(found))


@app.route("/admin/dossiers/{code}/notices", methods=["GET"], authorizer=official_auth)
def dossier_notices(code: str) -> Response:
    """Every status notice of one dossier, for an official answering "I got nothing" (phones masked)."""
    canonical = notice_report.canonical_code(unquote(code))
    items = notice_report.rows(wiring.outbox().by_dossier(canonical))
    return _json(200, {"dossier_code": canonical, "notices": items})
