"""`python -m local.run` (what `make run` calls): start the whole system on 127.0.0.1 and wait.

Ports: API_PORT (8000), AWS_PORT (4566), SIM_PORT (8500), LOCAL_HOST (127.0.0.1); 0 picks a free
port. Set ZALO_OPENAPI_URL (and the other ZALO_* variables) to use another Zalo-speaking server.
"""

from __future__ import annotations

import os
import shlex
import signal
import sys
import threading

from functions import status_link
from local.stack import DEV_ADMIN_TOKEN, DEV_ADMIN_TOKEN_2, LocalStack, Ports

DEMO_CODE = "000.00.12.H46-240115-0003"
TRY_IT = f"Try: open the simulator page, pick Nguyễn Thị Hương, send {DEMO_CODE}.\n"


def banner(stack: LocalStack) -> str:
    api, zalo, aws = stack.urls["api"], stack.urls["zalo"], stack.urls["aws"]
    sim_line = (
        f"  Zalo simulator (be a citizen): {zalo}/\n"
        if stack.simulator
        else f"  Zalo API (external): {zalo}\n"
    )
    return (
        "\ndvc-zalo is running locally.\n"
        f"{sim_line}"
        f"  Webhook (Zalo → us):           {api}/zalo/webhook\n"
        f"  Officials' API:                {api}/admin/announcements  "
        f"(Authorization: Bearer {DEV_ADMIN_TOKEN} = can-bo-1, {DEV_ADMIN_TOKEN_2} = can-bo-2)\n"
        f"  Health:                        {api}/health\n"
        f"  Status page (receipt's QR):    {status_link.url(api, DEMO_CODE, os.environ['STATUS_LINK_KEY'])}\n"
        f"  Notices of a dossier:          python -m functions.ops notices <code> --local\n"
        f"  Embedded AWS (moto):           {aws}  (AWS_ENDPOINT_URL; region ap-southeast-1)\n"
        f"  MCĐT kit / receipts from another shell (python -m mcdt --help):\n    {kit_exports()}\n"
        f"{TRY_IT if stack.simulator else ''}"
        "Ctrl-C stops everything.\n"
    )


KIT_VARIABLES = (
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_REGION",
    "STAGE",
    "PUBLIC_BASE_URL",
    "STATUS_LINK_KEY",
)


def kit_exports() -> str:
    """The `export …` line that points the MCĐT kit (mcdt/) at this stack's table and link key."""
    return "export " + " ".join(f"{name}={shlex.quote(os.environ.get(name, ''))}" for name in KIT_VARIABLES)


def main() -> int:
    stack = LocalStack(Ports.from_env())
    stopping = threading.Event()
    # Explicit handlers: a shell may start us with SIGINT ignored, and Ctrl-C must still stop us.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        stack.start()
        print(banner(stack), flush=True)
        while not stopping.wait(0.5):
            pass
    finally:
        print("\nStopping…", flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
