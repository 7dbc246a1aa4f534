"""The Chalice app: every route, stream, queue and schedule handler (design.md §2–3).

Handlers are thin: parse the event, call a domain service from wiring.py, shape the answer.
Non-HTTP handlers sit on `app` itself, not a Blueprint (Chalice issue 1566).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

from chalice import (
    AuthResponse,
    BadRequestError,
    Chalice,
    CognitoUserPoolAuthorizer,
    NotFoundError,
    Rate,
    Response,
)

from functions import notice_report, wiring
from functions.admin_auth import UNAUTHORIZED, official_from_context, principal_for
from functions.announcements import InvalidAnnouncement, Refused, audit_json, to_json
from functions.event_batch import QueuedEvent, handle_batch
from functions.logs import get_logger, log
from functions.notify import StreamRecord
from functions.receipts import InvalidCode, NotConfigured, canonical
from functions.zalo_domain import verification_page

app = Chalice(app_name="dvc-zalo")
# Receipts are served as binary; image/png is already among Chalice's default binary types. API Gateway
# returns binary only to requests whose Accept names the type (e.g. `Accept: application/pdf`).
app.api.binary_types.append("application/pdf")
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


@app.route("/tra-cuu/{code}", methods=["GET"])
def status_page(code: str) -> Response:
    """The public status page the receipt's QR and the chat's link open (status_page.py)."""
    k = (app.current_request.query_params or {}).get("k", "")
    page = wiring.status_pages().page(code, k)
    log(logger, logging.INFO, "status page", status=page.status_code)
    return Response(body=page.body, status_code=page.status_code, headers=page.headers)


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


@app.route("/{file_name}", methods=["GET"])
def zalo_domain_verification(file_name: str) -> Response:
    """Zalo's domain-verification file, from configuration; any other root-level name is a 404."""
    s = wiring.settings()
    page = verification_page(file_name, s.domain_verification_file, s.domain_verification_content)
    if page is None:
        raise NotFoundError("Không tìm thấy trang này.")
    return Response(body=page, status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})


@app.on_sqs_message(queue=ZALO_EVENTS_QUEUE, batch_size=10)
def zalo_events(event: Any) -> dict[str, list[dict[str, str]]]:
    """Worker for queued Zalo events; failures are reported per message (partial batch response)."""
    queued = [QueuedEvent.from_lambda(record.to_dict()) for record in event]
    s = wiring.settings()
    failed = handle_batch(wiring.event_worker(), queued, s.events_max_receives, s.events_concurrency)
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


def _time_left(event: Any) -> Callable[[], float]:
    """Seconds this invocation has left (Lambda's context; 60 s when there is none)."""
    context = getattr(event, "context", None)
    return lambda: context.get_remaining_time_in_millis() / 1000 if context else 60.0


@app.on_dynamodb_record(stream_arn=DOSSIERS_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON")
def dossier_stream(event: Any) -> dict[str, list[dict[str, str]]]:
    """Status notices (notify.py). Failed records are reported; Lambda retries from the lowest."""
    # The phone → open dossiers projection for "hồ sơ của tôi" (phone_index.py). Idempotent, and it
    # never raises, so it cannot hold up the notices below; a retried batch simply re-applies it.
    wiring.phone_indexer().apply_records(record.to_dict() for record in event)
    records = [StreamRecord.from_lambda(record.to_dict()) for record in event]
    failed = wiring.notifier().handle_batch(records, _time_left(event))
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failed]}


@app.schedule(Rate(1, unit=Rate.MINUTES))
def notice_sweeper(event: Any) -> dict[str, int]:
    """Re-drives notices that failed for a while, are held, or were left mid-send (notice_sweeper.py)."""
    return wiring.notice_sweeper(_time_left(event)).run()


@app.schedule(Rate(1, unit=Rate.MINUTES))
def broadcaster(event: Any) -> dict[str, int]:
    """Due, approved announcements → Zalo article + broadcast, within this run's time (broadcast.py)."""
    counts = wiring.broadcaster(_time_left(event)).run()
    log(logger, logging.INFO, "broadcaster run", **counts)
    return counts


@app.schedule(Rate(1, unit=Rate.HOURS))
def token_keeper(event: Any) -> dict[str, bool]:
    """Refresh the OA access token well before its 25 h expiry, under the token lock."""
    refreshed = wiring.token_manager().refresh_if_expiring(timedelta(hours=3))
    log(logger, logging.INFO, "token keeper", refreshed=refreshed)
    return {"refreshed": refreshed}


def official_auth(auth_request: Any) -> AuthResponse:
    """Dev/local credential: named bearer tokens (admin_auth.py). In AWS, Cognito replaces it."""
    principal = principal_for(auth_request.token, wiring.settings().admin_token_sha256)
    if principal is None:
        return AuthResponse(routes=[], principal_id="anonymous")
    return AuthResponse(routes=["*"], principal_id=principal)


# In AWS the officials sign in to a Cognito user pool (docs/officials.md); its ARN is known when the
# app is packaged. Without one (local runs, tests) the dev-token authorizer above guards the routes.
# It is registered only then: Chalice deploys every registered authorizer as a Lambda function, and
# one that no route uses would be a function with a role and an invoke permission for nothing.
OFFICIALS_USER_POOL_ARN = os.environ.get("OFFICIALS_USER_POOL_ARN", "")
officials: Any
if OFFICIALS_USER_POOL_ARN:
    officials = CognitoUserPoolAuthorizer("officials", provider_arns=[OFFICIALS_USER_POOL_ARN])
else:
    officials = official_auth = app.authorizer()(official_auth)


def _officials_answer(action: Callable[[str], Any], status: int = 200) -> Response:
    """Run an official's action; map the domain's refusals to JSON answers (Vietnamese + English)."""
    official = official_from_context(app.current_request.context)
    if official is None:
        return _json(401, UNAUTHORIZED)
    try:
        return _json(status, action(official))
    except InvalidAnnouncement as exc:
        problems = [asdict(p) for p in exc.problems]
        return _json(400, {"error": "invalid_announcement", "problems": problems})
    except Refused as exc:
        return _json(exc.status, {"error": exc.code, "message": exc.message, "message_en": exc.message_en})


def _body() -> dict[str, Any]:
    try:
        data = app.current_request.json_body
    except BadRequestError:
        data = None
    return data if isinstance(data, dict) else {}


def _shown(announcement: Any) -> dict[str, Any]:
    return to_json(announcement, wiring.settings().approvals_required)


@app.route("/admin/announcements", methods=["POST"], authorizer=officials)
def create_announcement() -> Response:
    """A draft (with `send_at`, also scheduled). Bad input: 400 naming each field."""
    if not isinstance(app.current_request.json_body, dict):
        raise BadRequestError("Nội dung phải là một đối tượng JSON / Body must be a JSON object.")
    return _officials_answer(lambda who: _shown(wiring.announcements().draft(_body(), who)), 201)


@app.route("/admin/announcements", methods=["GET"], authorizer=officials)
def list_announcements() -> Response:
    query = app.current_request.query_params or {}
    service = wiring.announcements()
    return _officials_answer(
        lambda who: {"items": [_shown(a) for a in service.list(query.get("state"), query.get("date"))]}
    )


@app.route("/admin/announcements/{announcement_id}", methods=["GET"], authorizer=officials)
def get_announcement(announcement_id: str) -> Response:
    return _officials_answer(lambda who: _shown(wiring.announcements().get(announcement_id)))


@app.route("/admin/announcements/{announcement_id}/preview", methods=["GET"], authorizer=officials)
def preview_announcement(announcement_id: str) -> Response:
    return _officials_answer(lambda who: wiring.announcements().preview(announcement_id))


@app.route("/admin/announcements/{announcement_id}/schedule", methods=["POST"], authorizer=officials)
def schedule_announcement(announcement_id: str) -> Response:
    send_at = _body().get("send_at")
    return _officials_answer(
        lambda who: _shown(wiring.announcements().schedule(announcement_id, send_at, who))
    )


@app.route("/admin/announcements/{announcement_id}/approve", methods=["POST"], authorizer=officials)
def approve_announcement(announcement_id: str) -> Response:
    return _officials_answer(lambda who: _shown(wiring.announcements().approve(announcement_id, who)))


@app.route("/admin/announcements/{announcement_id}/cancel", methods=["POST"], authorizer=officials)
def cancel_announcement(announcement_id: str) -> Response:
    reason = str(_body().get("reason") or "")
    return _officials_answer(lambda who: _shown(wiring.announcements().cancel(announcement_id, who, reason)))


@app.route("/admin/announcements/{announcement_id}/audit", methods=["GET"], authorizer=officials)
def announcement_audit(announcement_id: str) -> Response:
    return _officials_answer(
        lambda who: {"items": [audit_json(e) for e in wiring.announcements().history(announcement_id)]}
    )


# Receipt files of one dossier: what the route serves, its content type, the service method.
_RECEIPT_FILES = {
    "receipt.pdf": ("application/pdf", "pdf"),
    "qr.png": ("image/png", "qr_png"),
    "qr.svg": ("image/svg+xml; charset=utf-8", "qr_svg"),
}


@app.route("/admin/dossiers/{code}/receipt.pdf", methods=["GET"], authorizer=officials)
def dossier_receipt_pdf(code: str) -> Response:
    """Phiếu tiếp nhận hồ sơ và hẹn trả kết quả, with the QR code of the public status page."""
    return _receipt_file(code, "receipt.pdf")


@app.route("/admin/dossiers/{code}/qr.png", methods=["GET"], authorizer=officials)
def dossier_qr_png(code: str) -> Response:
    """The receipt's QR code alone, for one-stop systems that print their own receipts."""
    return _receipt_file(code, "qr.png")


@app.route("/admin/dossiers/{code}/qr.svg", methods=["GET"], authorizer=officials)
def dossier_qr_svg(code: str) -> Response:
    return _receipt_file(code, "qr.svg")


def _receipt_file(code: str, name: str) -> Response:
    content_type, method = _RECEIPT_FILES[name]
    try:
        body = getattr(wiring.receipts(), method)(unquote(code))
    except InvalidCode as exc:
        return _json(400, {"error": "invalid_code", "message": str(exc)})
    except NotConfigured as exc:
        return _json(503, {"error": "not_configured", "message": str(exc)})
    if body is None:
        return _json(404, {"error": "not_found", "message": "Không tìm thấy hồ sơ này. / No such dossier."})
    # Which official asked is not logged: their e-mail is personal data too.
    log(logger, logging.INFO, "receipt file", code=canonical(unquote(code)), file=name)
    return Response(
        body=body.decode() if name.endswith(".svg") else body,
        status_code=200,
        headers={
            "Content-Type": content_type,
            "Content-Disposition": f'inline; filename="{canonical(unquote(code))}-{name}"',
            "Cache-Control": "no-store",
        },
    )


@app.route("/admin/dossiers/{code}/notices", methods=["GET"], authorizer=officials)
def dossier_notices(code: str) -> Response:
    """Every status notice of one dossier, for an official answering "I got nothing" (phones masked)."""
    canonical = notice_report.canonical_code(unquote(code))
    items = notice_report.rows(wiring.outbox().by_dossier(canonical))
    return _json(200, {"dossier_code": canonical, "notices": items})
