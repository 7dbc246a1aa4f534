"""The embedded AWS (moto's server) with DynamoDB requests serialised.

Real DynamoDB applies a conditional write atomically per item: of two writers racing on the same
condition, exactly one wins. moto checks the condition and writes without a lock, so two request
threads can both pass it, and a race test would measure moto instead of our code. Serialising the
DynamoDB calls (everything else stays threaded) gives back the guarantee the product relies on.
Usage: `python -m local.moto_server -H 127.0.0.1 -p 4566` (what local/stack.py starts).
"""

from __future__ import annotations

import argparse
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple

_DYNAMODB_TARGET = "DynamoDB_"  # X-Amz-Target of every DynamoDB API call (not streams: DynamoDBStreams_)


class SerialisedDynamoDB:
    """WSGI middleware: one DynamoDB request at a time; other services pass straight through."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith(_DYNAMODB_TARGET):
            return self.app(environ, start_response)
        with self.lock:
            return list(self.app(environ, start_response))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))  # as moto.server does: queue URLs name the port
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        args.host, args.port, SerialisedDynamoDB(app), threaded=True, request_handler=MotoRequestHandler
    )


if __name__ == "__main__":
    main()
