"""The only module that speaks HTTP to Zalo or builds a Zalo URL (design.md §5, zalo-api.md).

Zalo answers application errors with HTTP 200 and a non-zero `error`, so every answer is read
through one envelope check that turns any failure (error codes, HTTP 5xx, timeouts, non-JSON) into
a `ZaloError` whose kind tells the caller what to do. A rejected access token is refreshed once and
the call retried once; everything else is the caller's decision (outbox, broadcaster).
Logs carry the API, the path and the error code only: never tokens, phones, user ids or texts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests

from functions.articles import article_payload, broadcast_payload
from functions.config import ZaloSettings
from functions.logs import get_logger
from functions.tokens import TokenPair, TokenProvider
from functions.zalo_errors import ARTICLE_PROCESSING, Api, Kind, ZaloError

log = get_logger("zalo_client")

# Assumed lifetime when the token endpoint's `expires_in` is missing or unreadable: short, so that a
# wrong guess costs an early refresh rather than a run of -216 errors.
_FALLBACK_EXPIRES_IN = 3600


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _http_failure(api: Api, response: requests.Response) -> ZaloError:
    """An HTTP error status without a Zalo error code in the body."""
    status = response.status_code
    if status >= 500:
        return ZaloError.transport(api, f"http {status}", status)
    return ZaloError(api, status, f"http {status}", Kind.QUOTA if status == 429 else None)


def _envelope(api: Api, response: requests.Response) -> dict[str, Any]:
    """`data` of a successful answer; a ZaloError for anything else (HTTP 200 is not success)."""
    if response.status_code >= 500:
        raise _http_failure(api, response)
    try:
        body = response.json()
        code = int(body.get("error", 0))
    except (ValueError, TypeError, AttributeError):
        if response.status_code >= 400:
            raise _http_failure(api, response) from None
        raise ZaloError.transport(api, "answer is not a Zalo JSON envelope", response.status_code) from None
    if code != 0:
        raise ZaloError(api, code, str(body.get("message", "")))
    if response.status_code >= 400:
        raise _http_failure(api, response)
    data = body.get("data")
    return data if isinstance(data, dict) else {}


def _field(api: Api, data: dict[str, Any], name: str) -> str:
    """A required id from a success answer. Missing means we cannot tell what happened: the message
    may have gone out, so this is PERMANENT (a retry could send it twice)."""
    value = data.get(name)
    if value is None or value == "":
        raise ZaloError(api, 0, f"answer lacks data.{name}", Kind.PERMANENT)
    return str(value)


class ZaloClient:
    """Zalo OA Open API and ZBS by phone. Implements functions.ports.ZaloGateway.

    One instance per Lambda container: the requests.Session keeps connections open across warm
    invocations.
    """

    def __init__(
        self, settings: ZaloSettings, tokens: TokenProvider, session: requests.Session | None = None
    ) -> None:
        self._settings = settings
        self._tokens = tokens
        self._http = session or requests.Session()

    # --- ZaloGateway -------------------------------------------------------------------------

    def send_text(self, user_id: str, text: str) -> str:
        """A CS (consultation) text; Zalo accepts it only within 7 days of the user's last interaction."""
        body = {"recipient": {"user_id": user_id}, "message": {"text": text}}
        return _field("oa", self._oa("POST", "/v3.0/oa/message/cs", body=body), "message_id")

    def send_template_by_phone(
        self, phone: str, template_id: str, template_data: dict[str, str], tracking_id: str
    ) -> str:
        """A ZBS template message by phone (`84…` form, as given). Returns Zalo's msg_id."""
        body: dict[str, Any] = {
            "phone": phone,
            "template_id": template_id,
            "template_data": {key: str(value) for key, value in template_data.items()},
            "tracking_id": tracking_id,
        }
        if self._settings.zbs_mode:
            body["mode"] = self._settings.zbs_mode
        url = f"{self._settings.business_url}/message/template"
        return _field("zbs", self._call("zbs", "POST", url, body=body), "msg_id")

    def create_article(
        self, title: str, description: str, body_text: str, cover_url: str, author: str
    ) -> str:
        """A normal, visible article. Returns the creation token to pass to verify_article."""
        body = article_payload(title, description, body_text, cover_url, author)
        return _field("oa", self._oa("POST", "/v2.0/article/create", body=body), "token")

    def verify_article(self, token: str) -> str | None:
        """The article id, or None while Zalo is still processing it (-214)."""
        try:
            data = self._oa("POST", "/v2.0/article/verify", body={"token": token})
        except ZaloError as error:
            if error.api == "oa" and error.code == ARTICLE_PROCESSING:
                return None
            raise
        article_id = data.get("id")
        return str(article_id) if article_id not in (None, "") else None

    def broadcast_article(self, article_id: str, target: dict[str, str]) -> str:
        """Send an article to followers matching `target` (zalo-api.md §8; {} for everyone)."""
        body = broadcast_payload(article_id, target)
        return _field("oa", self._oa("POST", "/v2.0/oa/message", body=body), "message_id")

    # --- more of the OA API --------------------------------------------------------------------

    def send_request_user_info(self, user_id: str, title: str, subtitle: str, image_url: str) -> str:
        """A CS message asking the user to share name and phone (answer: `user_submit_info` event)."""
        element = {"title": title, "subtitle": subtitle, "image_url": image_url}
        body = {
            "recipient": {"user_id": user_id},
            "message": {
                "attachment": {
                    "type": "template",
                    "payload": {"template_type": "request_user_info", "elements": [element]},
                }
            },
        }
        return _field("oa", self._oa("POST", "/v3.0/oa/message/cs", body=body), "message_id")

    def get_user_detail(self, user_id: str) -> dict[str, Any]:
        """Zalo's `data` for one user (display_name, user_is_follower, shared_info, …)."""
        return self._oa("GET", "/v3.0/oa/user/detail", query={"user_id": user_id})

    def get_followers(self, offset: int = 0, count: int = 50) -> dict[str, Any]:
        """One page of followers: `data{total, count, offset, users:[{user_id}]}`; count ≤ 50."""
        return self._oa("GET", "/v3.0/oa/user/getlist", query={"offset": offset, "count": count})

    def get_oa(self) -> dict[str, Any]:
        """The OA's profile (health check: proves the token works)."""
        return self._oa("GET", "/v2.0/oa/getoa")

    # --- plumbing --------------------------------------------------------------------------------

    def _oa(
        self, method: str, path: str, body: dict[str, Any] | None = None, query: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return self._call("oa", method, f"{self._settings.openapi_url}{path}", body=body, query=query)

    def _call(
        self,
        api: Api,
        method: str,
        url: str,
        body: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One call with the current token; on a rejected token, one refresh and one retry."""
        token = self._tokens.access_token()
        try:
            return self._once(api, method, url, token, body, query)
        except ZaloError as error:
            if error.kind is not Kind.REFRESH:
                raise
            log.info("zalo %s token rejected (code %s): refreshing once", api, error.code)
        return self._once(api, method, url, self._tokens.refresh(token), body, query)

    def _once(
        self,
        api: Api,
        method: str,
        url: str,
        token: str,
        body: dict[str, Any] | None,
        query: dict[str, Any] | None,
    ) -> dict[str, Any]:
        params = {"data": json.dumps(query, separators=(",", ":"))} if query is not None else None
        try:
            response = self._http.request(
                method,
                url,
                headers={"access_token": token},
                json=body,
                params=params,
                timeout=self._settings.timeout_seconds,
            )
        except requests.RequestException as error:
            log.warning("zalo %s %s: no answer (%s)", api, _path(url), type(error).__name__)
            raise ZaloError.transport(api, type(error).__name__) from error
        try:
            return _envelope(api, response)
        except ZaloError as error:
            # Structured: the ZaloQuotaExhausted alarm counts codes (infra/stacks/log_signals.py).
            fields = {"api": api, "path": _path(url), "zalo_error": error.code, "kind": str(error.kind)}
            log.warning("zalo call failed", extra={"fields": fields})
            raise


def _path(url: str) -> str:
    """The URL's path, for logs (never the query: it can carry a user id)."""
    return urlsplit(url).path


class ZaloOAuth:
    """Zalo's OAuth v4 token endpoint for OAs: spends a (single-use) refresh token for a new pair."""

    def __init__(
        self,
        settings: ZaloSettings,
        session: requests.Session | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._settings = settings
        self._http = session or requests.Session()
        self._clock = clock

    def refresh(self, refresh_token: str) -> TokenPair:
        """A new pair, or ZaloError: RETRY when there was no answer, PERMANENT when Zalo refused
        (an OA admin must grant access again; no dedicated error code exists, zalo-api.md §4)."""
        form = {
            "app_id": self._settings.app_id,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        try:
            response = self._http.post(
                f"{self._settings.oauth_url}/v4/oa/access_token",
                data=form,
                headers={"secret_key": self._settings.app_secret},
                timeout=self._settings.timeout_seconds,
            )
        except requests.RequestException as error:
            log.warning("zalo oauth: no answer (%s)", type(error).__name__)
            raise ZaloError.transport("oauth", type(error).__name__) from error
        return self._pair(response, refresh_token)

    def _pair(self, response: requests.Response, spent: str) -> TokenPair:
        if response.status_code >= 500:
            raise ZaloError.transport("oauth", f"http {response.status_code}", response.status_code)
        try:
            body = response.json()
        except ValueError:
            raise ZaloError.transport("oauth", "answer is not JSON", response.status_code) from None
        if not isinstance(body, dict) or not body.get("access_token"):
            raise _refused(body if isinstance(body, dict) else {}, response.status_code)
        return TokenPair(
            access_token=str(body["access_token"]),
            # Zalo always rotates it; if an answer ever lacks one, the old one is all we have.
            refresh_token=str(body.get("refresh_token") or spent),
            expires_at=self._clock() + timedelta(seconds=_seconds(body.get("expires_in"))),
        )


def _seconds(expires_in: object) -> int:
    """`expires_in` is a string of seconds ("90000"); tolerate a number, fall back when unreadable."""
    try:
        seconds = int(str(expires_in).strip())
    except ValueError:
        return _FALLBACK_EXPIRES_IN
    return seconds if seconds > 0 else _FALLBACK_EXPIRES_IN


def _refused(body: dict[str, Any], http_status: int) -> ZaloError:
    """An OAuth answer without access_token. Error bodies use `error` plus error_name/reason."""
    try:
        code = int(body.get("error", 0))
    except (TypeError, ValueError):
        code = 0
    if code == 0 and http_status >= 400:
        code = http_status
    keys = ("error_reason", "error_name", "error_description", "message")
    reason = next((str(body[key]) for key in keys if body.get(key)), "no access_token in the answer")
    log.error("zalo oauth refused the refresh token: code %s", code)
    return ZaloError("oauth", code, reason, Kind.PERMANENT)
