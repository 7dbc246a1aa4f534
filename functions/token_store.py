"""The OA token row in DynamoDB (OaTokenModel): the TokenStore that functions/tokens.py talks to.

Every write is conditional, because the lock is what keeps two Lambdas from spending the same
single-use refresh token: taking it succeeds only when it is free, its lease has run out, or it is
already ours; saving succeeds only while we still hold it. Reads are strongly consistent so that a
waiter sees the new pair as soon as the holder has written it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from functions.models import OaTokenModel
from functions.tokens import LockLost, TokenPair, TokenRecord

_CONDITION_FAILED = "ConditionalCheckFailedException"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class DynamoTokenStore:
    """One OA's token row, keyed by the OA id. Table name and region come from models.bind()."""

    def __init__(self, oa_id: str, clock: Callable[[], datetime] = _utcnow) -> None:
        self._oa_id = oa_id
        self._clock = clock

    def load(self) -> TokenRecord | None:
        try:
            row = OaTokenModel.get(self._oa_id, consistent_read=True)
        except OaTokenModel.DoesNotExist:
            return None
        return TokenRecord(
            access_token=row.access_token,
            refresh_token=row.refresh_token,
            expires_at=row.expires_at,
            lock_owner=row.lock_owner,
            lock_until=row.lock_until,
        )

    def try_lock(self, owner: str, until: datetime) -> bool:
        """Creates the row on first use (bootstrap), so the very first refresh is serialised too."""
        free = (
            OaTokenModel.lock_owner.does_not_exist()
            | OaTokenModel.lock_until.does_not_exist()
            | (OaTokenModel.lock_until < self._clock())
            | (OaTokenModel.lock_owner == owner)
        )
        actions = [OaTokenModel.lock_owner.set(owner), OaTokenModel.lock_until.set(until)]
        return self._update(actions, free)

    def save(self, pair: TokenPair, owner: str) -> None:
        actions = [
            OaTokenModel.access_token.set(pair.access_token),
            OaTokenModel.refresh_token.set(pair.refresh_token),
            OaTokenModel.expires_at.set(pair.expires_at),
            OaTokenModel.refreshed_at.set(self._clock()),
            OaTokenModel.lock_owner.remove(),
            OaTokenModel.lock_until.remove(),
        ]
        if not self._update(actions, OaTokenModel.lock_owner == owner):
            raise LockLost(owner)

    def unlock(self, owner: str) -> None:
        actions = [OaTokenModel.lock_owner.remove(), OaTokenModel.lock_until.remove()]
        self._update(actions, OaTokenModel.lock_owner == owner)

    def _update(self, actions: list[Action], condition: Condition) -> bool:
        """Apply a conditional update; False when the condition did not hold."""
        try:
            OaTokenModel(self._oa_id).update(actions=actions, condition=condition)
        except UpdateError as error:
            if error.cause_response_code == _CONDITION_FAILED:
                return False
            raise
        return True
