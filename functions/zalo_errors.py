"""What a Zalo error means for the caller: retry, refresh the token, or give up (zalo-api.md §6).

Zalo answers application errors with HTTP 200 and a non-zero `error`; the client turns every
failure (those, HTTP 5xx, timeouts) into one `ZaloError` whose `kind` tells the caller what to do.
Pure Python: the domain imports this without pulling in HTTP.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

Api = Literal["oa", "zbs", "oauth"]


class Kind(StrEnum):
    RETRY = "retry"  # transient: back off and try again (bounded)
    REFRESH = "refresh"  # the access token is invalid/expired: refresh once, then retry once
    QUOTA = "quota"  # a quota or rate limit: hold until it returns, alarmable
    PERMANENT = "permanent"  # will fail the same way again: record the reason, do not retry


# Codes not listed here are PERMANENT: retrying an unknown error forever is worse than recording it.
_OA_KINDS: dict[int, Kind] = {
    -32: Kind.QUOTA,  # rate limit
    -200: Kind.RETRY,  # send failed
    -211: Kind.QUOTA,  # feature quota exceeded
    -216: Kind.REFRESH,  # access token invalid
    -220: Kind.REFRESH,  # access token expired or removed
    -218: Kind.QUOTA,  # recipient's receive quota exceeded (not today)
    -214: Kind.RETRY,  # article still being processed (zalo-api.md §8): ask again later
    -234: Kind.QUOTA,  # this message type can't be sent 22:00–06:00: wait until morning
}
_ZBS_KINDS: dict[int, Kind] = {
    -32: Kind.QUOTA,
    -100: Kind.RETRY,  # unknown error, retry later
    -124: Kind.REFRESH,  # access token invalid/expired
    -115: Kind.QUOTA,  # out of quota / balance
    -144: Kind.QUOTA,  # OA daily limit
    -133: Kind.QUOTA,  # template not allowed 22:00–06:00: wait until morning
    -147: Kind.QUOTA,  # template daily limit (zalo-api.md §6.2)
}

# Errors that say "this person cannot get this message", recorded as such (not as faults).
NO_ZALO_ACCOUNT = -118
PHONE_INVALID = -108
USER_CANNOT_RECEIVE = (-114, -119)
OUTSIDE_INTERACTION_WINDOW = (-230, -232)
RATE_LIMITED = -32  # per-app calls per minute: back off briefly, it is not a quota
# ZBS by phone (zalo-api.md §6.2): what the status notifier does with each.
ZBS_NIGHT_RESTRICTED = -133  # this template cannot go out 22:00–06:00: hold until 06:00
ZBS_BALANCE_EXHAUSTED = -115  # out of quota / balance: held until someone tops it up
ZBS_DAILY_LIMITS = (-144, -147)  # OA / template daily limit: held until the next day
ZBS_TEMPLATE_PROBLEMS = (-109, -111, -112, -113, -116, -117, -131, -132, -146, -1121, -1122, -1124)
ZBS_USER_REFUSED = (-139, -140, -141)
# Article verify: the article is still being created; not an error for the broadcaster.
ARTICLE_PROCESSING = -214


def classify(api: Api, code: int) -> Kind:
    if api == "oa":
        return _OA_KINDS.get(code, Kind.PERMANENT)
    if api == "zbs":
        return _ZBS_KINDS.get(code, Kind.PERMANENT)
    return Kind.PERMANENT  # OAuth: a refused refresh needs an OA admin to grant again


class ZaloError(Exception):
    """A failed Zalo call. `code` is Zalo's `error` (negative), or the HTTP status, or 0 for no answer."""

    def __init__(self, api: Api, code: int, message: str, kind: Kind | None = None) -> None:
        super().__init__(f"zalo {api} error {code}: {message}")
        self.api = api
        self.code = code
        self.message = message
        self.kind = kind if kind is not None else classify(api, code)

    @property
    def retryable(self) -> bool:
        return self.kind in (Kind.RETRY, Kind.QUOTA)

    @classmethod
    def transport(cls, api: Api, reason: str, http_status: int = 0) -> ZaloError:
        """No usable answer (timeout, connection refused, HTTP 5xx, non-JSON): always worth a retry."""
        return cls(api, http_status, reason, Kind.RETRY)
