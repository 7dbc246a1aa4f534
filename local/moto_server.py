"""The embedded AWS (moto's server) with DynamoDB requests serialised.

Real DynamoDB applies a conditional write atomically per item: of two writers racing on the same
condition, exactly one wins. moto checks the condition and writes without a lock, so two request
threads can both pass it, and a race test would measure moto instead of our code. Running moto's
DynamoDB handler under one lock (other services stay concurrent) gives back the guarantee the
product relies on. tests/integration applies the same wrapper to in-process moto.
Usage: `python -m local.moto_server -H 127.0.0.1 -p 4566` (what local/stack.py starts).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto import server
from moto.dynamodb.responses import DynamoHandler


def serialised(call_action: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`DynamoHandler.call_action` under one lock: one DynamoDB request at a time."""
    lock = threading.Lock()

    @functools.wraps(call_action)
    def one_at_a_time(handler: Any) -> Any:
        with lock:
            return call_action(handler)

    return one_at_a_time


def main() -> None:
    DynamoHandler.call_action = serialised(DynamoHandler.call_action)  # type: ignore[method-assign]
    server.main()


if __name__ == "__main__":
    main()
