"""`python -m local.zalo_sim [--host H] [--port P] [--webhook-url URL]`: run the simulator alone.

Other settings come from SIM_* environment variables (see SimConfig.from_env).
"""

from __future__ import annotations

import argparse
import threading

from local.zalo_sim.config import SimConfig
from local.zalo_sim.server import start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m local.zalo_sim", description="Local Zalo API simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8500)
    parser.add_argument(
        "--webhook-url", default=None, help="where to POST signed events (overrides SIM_WEBHOOK_URL)"
    )
    args = parser.parse_args(argv)
    config = SimConfig.from_env()
    if args.webhook_url is not None:
        config.webhook_url = args.webhook_url
    server = start(config, host=args.host, port=args.port)
    print(f"Zalo simulator: {server.url}  (citizen's phone: {server.url}/ , control API: {server.url}/_sim/)")
    print(f"  app_id={config.app_id} oa_id={config.oa_id} refresh_token={config.refresh_token}")
    print(f"  webhook_url={config.webhook_url or '(none: events recorded, not delivered)'}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
