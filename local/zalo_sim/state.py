"""Everything the simulated Zalo remembers, in memory, behind one lock.

Handlers take `state.lock` around read-modify-write steps and release it before any HTTP call
(a webhook our product answers may call the simulator back from another thread).
The clock is injectable and can be shifted (`advance`) so tests reach "8 days later" or
"token expired" without sleeping.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from local.zalo_sim.config import SimConfig
from local.zalo_sim.phones import any_phone

Clock = Callable[[], float]  # seconds since the epoch, like time.time
RATE_WINDOW_MS = 60_000


@dataclass
class User:
    """A Zalo user as the OA sees them (the OA-scoped `user_id` is the chat key)."""

    user_id: str
    user_id_by_app: str
    display_name: str
    phone: str | None  # the account's own number, 84… form; ZBS to it lands in this user's inbox
    is_follower: bool
    created_ms: int
    last_interaction_ms: int | None = None
    shared_info: dict[str, str] | None = None  # filled by user_submit_info

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AccessToken:
    token: str
    expires_ms: int
    revoked: bool = False


@dataclass
class RefreshToken:
    token: str
    expires_ms: int
    used: bool = False


@dataclass
class Article:
    """An article between create (token) and verify (id); broadcasts need the id."""

    token: str
    content: dict[str, Any]
    created_ms: int
    polls_left: int
    article_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"token": self.token, "id": self.article_id, "created_ms": self.created_ms, **self.content}


@dataclass
class Fault:
    """The next `count` calls to `path` fail this way (error envelope, HTTP status) or are slowed.

    `skip` lets that many matching calls through first (e.g. fail the second of three sends).
    `count` None: never used up. `probability` < 1: each call to `path` is hit with that chance
    (from the state's seedable fault RNG), and only hits use up the count. A delay longer than the
    client's timeout with no error is a call Zalo *accepts* after the client gave up; with an error
    or HTTP status it is one that fails after the timeout.
    """

    path: str
    count: int | None = 1
    skip: int = 0
    error: int | None = None
    http_status: int | None = None
    delay_ms: int = 0
    message: str = "Injected fault"
    probability: float = 1.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Delivery:
    """One webhook POST (or attempt): exactly the bytes and headers sent, and what our side answered."""

    index: int
    event_name: str
    trigger: str  # "control" (a user action), "api" (echo/receipt), "redeliver", "raw"
    url: str
    headers: dict[str, str]
    body: str
    zns: bool
    at: int
    status: int | None = None  # HTTP status our webhook answered; None = not delivered
    error: str | None = None
    elapsed_ms: int | None = None
    redelivery_of: int | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "done"}
        out["pending"] = not self.done.is_set()
        return out


class SimState:
    """The simulator's memory. `reset` empties it in place so references to it stay valid."""

    def __init__(self, config: SimConfig, clock: Clock = time.time) -> None:
        self.lock = threading.RLock()
        self._clock = clock
        self._rng = random.Random()
        self.reset(config)

    def reset(self, config: SimConfig) -> None:
        with self.lock:
            self.clock_offset_s = 0.0
            self._seq = itertools.count(1)
            self.users: dict[str, User] = {}
            self.access_tokens: dict[str, AccessToken] = {}
            self.refresh_tokens: dict[str, RefreshToken] = {}
            self.refresh_count = 0
            self.used_codes: set[str] = set()
            self.articles_by_token: dict[str, Article] = {}
            self.articles_by_id: dict[str, Article] = {}
            self.broadcasts: list[dict[str, Any]] = []
            self.user_log: dict[str, list[dict[str, Any]]] = {}
            self.phone_log: dict[str, list[dict[str, Any]]] = {}
            self.calls: list[dict[str, Any]] = []
            self.faults: list[Fault] = []
            self.fault_rng = random.Random()
            self.rate_window: deque[int] = deque()
            self.deliveries: list[Delivery] = []
            self.no_zalo: set[str] = {p for p in map(any_phone, config.no_zalo_phones) if p}
            self.media: dict[str, tuple[str, bytes]] = {}
            self.zbs_sent: dict[str, int] = {}  # per Vietnam-time day
            self.add_token_pair(config, config.access_token, config.refresh_token)

    # clock and ids -----------------------------------------------------------------------------
    def now_ms(self) -> int:
        return int((self._clock() + self.clock_offset_s) * 1000)

    def advance(self, seconds: float) -> int:
        with self.lock:
            self.clock_offset_s += seconds
            return self.now_ms()

    def next_seq(self) -> int:
        return next(self._seq)

    def numeric_id(self) -> str:
        """A Zalo-looking 19-digit id (beyond 2^53, so it must travel as a JSON string)."""
        return str(self._rng.randrange(10**18, 10**19))

    @staticmethod
    def hex_id() -> str:
        return uuid.uuid4().hex

    # users -------------------------------------------------------------------------------------
    def add_user(self, display_name: str, phone: str | None, follower: bool) -> User:
        with self.lock:
            user = User(
                user_id=self.numeric_id(),
                user_id_by_app=self.numeric_id(),
                display_name=display_name,
                phone=phone,
                is_follower=follower,
                created_ms=self.now_ms(),
            )
            self.users[user.user_id] = user
            return user

    def users_with_phone(self, phone: str) -> list[User]:
        return [u for u in self.users.values() if u.phone == phone]

    def log_user(self, user_id: str, item: dict[str, Any]) -> dict[str, Any]:
        """Append to a user's timeline (chat both ways, broadcasts, events) with a global order."""
        with self.lock:
            item = {"seq": self.next_seq(), "at": self.now_ms(), **item}
            self.user_log.setdefault(user_id, []).append(item)
            return item

    def log_phone(self, phone: str, item: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            item = {"seq": self.next_seq(), "at": self.now_ms(), **item}
            self.phone_log.setdefault(phone, []).append(item)
            return item

    # tokens ------------------------------------------------------------------------------------
    def add_token_pair(
        self, config: SimConfig, access: str | None = None, refresh: str | None = None
    ) -> None:
        with self.lock:
            now = self.now_ms()
            access = access or "sim-at-" + uuid.uuid4().hex + uuid.uuid4().hex
            refresh = refresh or "sim-rt-" + uuid.uuid4().hex + uuid.uuid4().hex
            self.access_tokens[access] = AccessToken(access, now + config.access_token_ttl_s * 1000)
            self.refresh_tokens[refresh] = RefreshToken(refresh, now + config.refresh_token_ttl_s * 1000)
            self.latest_access, self.latest_refresh = access, refresh

    def access_token_status(self, token: str | None) -> str:
        """ "ok", "invalid" (unknown or revoked) or "expired" (past its 25 h)."""
        with self.lock:
            found = self.access_tokens.get(token or "")
            if found is None or found.revoked:
                return "invalid"
            return "expired" if self.now_ms() >= found.expires_ms else "ok"

    def use_refresh_token(self, token: str) -> bool:
        """Spend a refresh token (single use). False if unknown, used or expired."""
        with self.lock:
            found = self.refresh_tokens.get(token)
            if found is None or found.used or self.now_ms() >= found.expires_ms:
                return False
            found.used = True
            return True

    # rate limit and faults ---------------------------------------------------------------------
    def take_rate_slot(self, limit: int) -> tuple[bool, int]:
        """Sliding 60 s window per app: (allowed, remaining). Refused calls do not count."""
        with self.lock:
            now = self.now_ms()
            while self.rate_window and self.rate_window[0] <= now - RATE_WINDOW_MS:
                self.rate_window.popleft()
            if len(self.rate_window) >= limit:
                return False, 0
            self.rate_window.append(now)
            return True, limit - len(self.rate_window)

    def take_fault(self, path: str) -> Fault | None:
        """The first fault for `path` that has uses left and, by its probability, hits this call."""
        with self.lock:
            for fault in self.faults:
                if fault.path != path or (fault.count is not None and fault.count <= 0):
                    continue
                if fault.probability < 1 and self.fault_rng.random() >= fault.probability:
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    return None
                if fault.count is not None:
                    fault.count -= 1
                return fault
            return None
