"""Operators' command line: `python -m functions.ops notices <dossier code> [--json]`.

Reads the outbox directly with the deployment's settings (STAGE, AWS_REGION, table names), so it
works in AWS with the operator's credentials and against the local stack with
`--local` (AWS_ENDPOINT_URL=http://127.0.0.1:4566, STAGE=local, the stack's dummy credentials).
It needs no Zalo secret. Phones are masked; nothing personal is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from functions import models, notice_report
from functions.config import Settings
from functions.dynamo_stores import DynamoOutbox

LOCAL_ENV = {
    "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
    "STAGE": "local",
    "AWS_REGION": "ap-southeast-1",
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m functions.ops", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    notices = commands.add_parser("notices", help="every status notice of one dossier, with its state")
    notices.add_argument("code", help="dossier code, e.g. 000.00.12.H46-240115-0003")
    notices.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    notices.add_argument("--local", action="store_true", help="read the local stack (make run)")
    args = parser.parse_args(argv)
    if args.local:
        for name, value in LOCAL_ENV.items():
            os.environ.setdefault(name, value)
    models.bind(Settings.from_env())
    code = notice_report.canonical_code(args.code)
    items = notice_report.rows(DynamoOutbox().by_dossier(code))
    if args.json:
        for item in items:
            print(json.dumps(item, ensure_ascii=False))
    else:
        print(notice_report.table(code, items))
    return 0


if __name__ == "__main__":
    sys.exit(main())
