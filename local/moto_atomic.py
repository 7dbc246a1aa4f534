"""Makes moto's DynamoDB conditional writes atomic, as DynamoDB's are.

moto checks a ConditionExpression and then writes, with no lock between the two, so two threads
(or two requests to a threaded moto server) can both "win" the same conditional write: two Lambdas
would both claim one notice, one webhook event would be handled twice. DynamoDB never allows that,
and every exactly-once guarantee here rests on it. Serialising moto's DynamoDB requests (other
services untouched) restores the guarantee for the local stack and the in-process tests.

`python -m local.moto_atomic [moto.server options]` runs moto's server with the fix installed.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from moto.dynamodb.responses import DynamoHandler

_LOCK = threading.RLock()


def install() -> None:
    """Wrap moto's DynamoDB request handler in one lock (idempotent)."""
    current = DynamoHandler.call_action
    if getattr(current, "serialised", False):
        return

    def call_action(self: DynamoHandler) -> Any:
        with _LOCK:
            return current(self)

    call_action.serialised = True  # type: ignore[attr-defined]
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


if __name__ == "__main__":
    install()
    from moto.server import main

    main(sys.argv[1:])
