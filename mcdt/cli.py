"""`python -m mcdt`: the kit's command line for MCĐT vendors and the province's operators.

Where it writes: the table named by `--table`, else DOSSIERS_TABLE, else `dvc-zalo-<STAGE>-dossiers`;
the endpoint follows `--endpoint-url` or AWS_ENDPOINT_URL (the local stack prints both); credentials
and region come from the usual AWS settings. Messages are in Vietnamese and English.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from functions import qr_codes, status_link
from functions.config import Settings
from functions.dynamo_stores import DynamoDossierItems
from functions.receipts import Receipts, canonical
from functions.secrets import load_zalo_secrets
from mcdt.bulk import FileRejected, check_file, import_file
from mcdt.contract import InvalidDossier
from mcdt.table import Conflict, DossierTable

DATA_ERROR, FILE_ERROR = 1, 3
REPORT_HELP = "rejected rows go here (default: <file>.rejected.csv/json)"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except InvalidDossier as exc:
        for problem in exc.problems:
            print(f"✗ {problem}", file=sys.stderr)
        return DATA_ERROR
    except Conflict as exc:
        print(f"✗ {exc.vi}\n  {exc.en}", file=sys.stderr)
        return DATA_ERROR
    except FileRejected as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return FILE_ERROR
    except (OSError, json.JSONDecodeError) as exc:
        print(f"✗ không đọc/ghi được tệp / cannot read or write a file: {exc}", file=sys.stderr)
        return FILE_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mcdt", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--table", help="Dossiers table name (default: DOSSIERS_TABLE / dvc-zalo-<STAGE>-dossiers)"
    )
    parser.add_argument("--endpoint-url", help="another DynamoDB endpoint, e.g. the local stack's")
    parser.add_argument("--region", help="AWS region (default: AWS_REGION / ap-southeast-1)")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    upsert = commands.add_parser("upsert", help="write one whole dossier (a JSON object; - for stdin)")
    upsert.add_argument("file")
    upsert.add_argument("--version", type=int, help="PhienBan (default: the record's, else now in ms)")
    upsert.set_defaults(run=_upsert)

    status = commands.add_parser("status", help="change the status of a stored dossier")
    status.add_argument("code")
    status.add_argument("status", help="TrangThaiHoSo, 1–10")
    status.add_argument("--note", help="GhiChu (what to supplement / pay); '' removes it")
    status.add_argument("--returned-at", help="NgayTra, yyyyMMddHHmmss")
    status.add_argument("--expect-status", help="refuse unless the stored status is this")
    status.add_argument("--expect-version", type=int, help="refuse unless the stored PhienBan is this")
    status.add_argument("--version", type=int, help="the new PhienBan (default: now in ms)")
    status.set_defaults(run=_status)

    bulk = commands.add_parser("import", help="import a .csv/.json/.jsonl export (safe to rerun)")
    bulk.add_argument("file", type=Path)
    bulk.add_argument("--report", type=Path, help=REPORT_HELP)
    bulk.add_argument("--version", type=int, help="PhienBan of rows without one (default: file time, ms)")
    bulk.add_argument("--ignore-unknown-columns", action="store_true")
    bulk.add_argument("--dry-run", action="store_true", help="validate and compare, write nothing")
    bulk.add_argument("--no-progress", action="store_true")
    bulk.set_defaults(run=_import)

    check = commands.add_parser("check", help="validate a .csv/.json/.jsonl export offline (no AWS)")
    check.add_argument("file", type=Path)
    check.add_argument("--report", type=Path, help=REPORT_HELP)
    check.add_argument("--ignore-unknown-columns", action="store_true")
    check.set_defaults(run=_check)

    receipt = commands.add_parser("receipt", help="the receipt PDF of a stored dossier")
    receipt.add_argument("code")
    receipt.add_argument("-o", "--output", type=Path, help="default: <code>.pdf")
    receipt.set_defaults(run=_receipt)

    qr = commands.add_parser("qr", help="the receipt's QR code alone (PNG and/or SVG)")
    qr.add_argument("code")
    qr.add_argument("--png", type=Path)
    qr.add_argument("--svg", type=Path)
    qr.add_argument("--side-mm", type=float, default=20.0, help="printed side of the symbol (default 20)")
    qr.set_defaults(run=_qr)
    return parser


def _settings() -> Settings:
    return load_zalo_secrets(Settings.from_env())


def _table(args: argparse.Namespace) -> DossierTable:
    settings = _settings()
    return DossierTable.connect(
        args.table or settings.tables.dossiers, args.region or settings.region, args.endpoint_url
    )


def _upsert(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8-sig")
    record = json.loads(text)
    if not isinstance(record, dict):
        raise FileRejected("cần một đối tượng JSON / expected one JSON object")
    outcome = _table(args).upsert(record, version=args.version)
    print(f"✓ {record.get('MaHoSo')}: {_OUTCOMES[outcome.value]}")
    return 0


_OUTCOMES = {
    "created": "đã tạo / created",
    "updated": "đã cập nhật / updated",
    "unchanged": "không đổi, không ghi lại / unchanged, not rewritten",
}


def _status(args: argparse.Namespace) -> int:
    version = _table(args).change_status(
        args.code,
        args.status,
        version=args.version,
        expected_status=args.expect_status,
        expected_version=args.expect_version,
        note=args.note,
        returned_at=args.returned_at,
    )
    print(f"✓ {args.code}: TrangThaiHoSo={args.status}, PhienBan={version}")
    return 0


def _import(args: argparse.Namespace) -> int:
    result = import_file(
        _table(args),
        args.file,
        version=args.version,
        report_path=args.report,
        ignore_unknown_columns=args.ignore_unknown_columns,
        dry_run=args.dry_run,
        progress=not args.no_progress,
    )
    print(("(thử, không ghi / dry run) " if args.dry_run else "") + result.summary())
    print(f"PhienBan mặc định / default PhienBan: {result.version}")
    print("Thời gian / time: " + ", ".join(f"{k} {v:.2f} s" for k, v in sorted(result.seconds.items())))
    print(f"Báo cáo dòng bị từ chối / rejected rows report: {result.report_path}")
    return DATA_ERROR if result.rejected else 0


def _check(args: argparse.Namespace) -> int:
    result, valid = check_file(
        args.file, report_path=args.report, ignore_unknown_columns=args.ignore_unknown_columns
    )
    rejected = len({r.row for r in result.rejected})
    print(f"{result.total} dòng/rows: {len(valid)} hợp lệ/valid, {rejected} bị từ chối/rejected")
    for rejection in result.rejected[:20]:
        print(f"  dòng/row {rejection.row} {rejection.field}: {rejection.vi} / {rejection.en}")
    print(f"Báo cáo / report: {result.report_path}")
    return DATA_ERROR if result.rejected else 0


def _receipts(args: argparse.Namespace) -> Receipts:
    table = _table(args)
    return Receipts.configured(DynamoDossierItems(table.client, table.table_name), _settings())


def _receipt(args: argparse.Namespace) -> int:
    pdf = _receipts(args).pdf(args.code)
    if pdf is None:
        print(f"✗ không tìm thấy hồ sơ / no such dossier: {args.code}", file=sys.stderr)
        return DATA_ERROR
    output = args.output or Path(f"{canonical(args.code)}.pdf")
    output.write_bytes(pdf)
    print(f"✓ {output}")
    return 0


def _qr(args: argparse.Namespace) -> int:
    """No table read: the QR depends only on the code, PUBLIC_BASE_URL and STATUS_LINK_KEY."""

    settings = _settings()
    url = status_link.url(settings.public_base_url, canonical(args.code), settings.status_link_key)
    outputs = {args.png: qr_codes.png, args.svg: qr_codes.svg}
    if not args.png and not args.svg:
        outputs = {Path(f"{canonical(args.code)}.png"): qr_codes.png}
    for path, render in outputs.items():
        if path:
            path.write_bytes(render(url, args.side_mm))
            print(f"✓ {path}")
    print(url)
    return 0
