"""Bulk import rate: dossiers per second into a local Dossiers table, and the share spent validating.

    python -m bench.bulk_import [--rows 2000] [--bad 0.05]

Uses the table of a running `make run` when AWS_ENDPOINT_URL is set (paste the `export …` line it
prints), else starts its own moto server (a subprocess, as the local stack does) with a fresh
table whose stream is on, as in production. Runs the import twice: the first writes every valid
row, the rerun must write nothing (every row compared and skipped).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import requests

from local.stack import free_port
from mcdt.bulk import import_file
from mcdt.contract import validate
from mcdt.table import DossierTable

REGION = "ap-southeast-1"
PROCEDURES = (
    ("1.009994", "Cấp giấy phép xây dựng đối với nhà ở riêng lẻ", "UBND xã Quảng Phú"),
    ("2.000720", "Đăng ký thành lập hộ kinh doanh", "Phòng Tài chính - Kế hoạch"),
    ("1.001193", "Đăng ký khai sinh", "UBND phường Đồng Hới"),
)
NAMES = ("Nguyễn Thị Hương", "Trần Văn Bình", "Lê Minh Tuấn", "Phạm Thị Lan", "Hoàng Văn Nam")


def make_rows(count: int, bad_share: float, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    day = f"{rng.randrange(20, 26):02d}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    rows = []
    for n in range(count):
        code, name, unit = rng.choice(PROCEDURES)
        row = {
            "MaHoSo": f"000.00.{rng.randrange(10, 99)}.H46-{day}-{n:05d}",
            "TrangThaiHoSo": str(rng.randrange(2, 11)),
            "MaTTHC": code,
            "TenTTHC": name,
            "DonViXuLy": unit,
            "ChuHoSo": rng.choice(NAMES),
            "SoDienThoai": f"09{rng.randrange(10, 99)} {rng.randrange(100, 999)} {rng.randrange(100, 999)}",
            "NhanThongBaoZalo": rng.choice(("1", "0")),
            "NgayTiepNhan": "20240115083000",
            "NgayHenTra": "20240125160000",
        }
        if rng.random() < bad_share:
            row[rng.choice(("NgayHenTra", "TrangThaiHoSo", "MaHoSo"))] = "??"
        rows.append(row)
    return rows


def write_csv(rows: list[dict[str, str]], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port("127.0.0.1")
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(f"{url}/moto-api/", timeout=1)
            return server, url
        except requests.RequestException:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("moto server did not start")


def fresh_table(client: object, name: str) -> None:
    client.create_table(  # type: ignore[attr-defined]
        TableName=name,
        KeySchema=[{"AttributeName": "MaHoSo", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "MaHoSo", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--bad", type=float, default=0.05, help="share of rows with one bad field")
    args = parser.parse_args()

    server = None
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
        server, endpoint = start_moto()
    try:
        client = boto3.client("dynamodb", region_name=REGION, endpoint_url=endpoint)
        rows = make_rows(args.rows, args.bad, seed=7)
        with tempfile.TemporaryDirectory() as folder:
            source = write_csv(rows, Path(folder) / "bench.csv")
            print(
                f"Bulk import of {args.rows} rows ({args.bad:.0%} with a bad field), {endpoint}, stream on:"
            )
            sequential = run(client, source, args.rows, [("first run, 1 thread", 1)])
            threaded = run(client, source, args.rows, [("first run, 8 threads", 8), ("rerun, same file", 8)])
            print(f"  8 threads vs 1 on the first run: {sequential / threaded:.1f}x faster")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
    validation_only(rows)
    return 0


def run(client: object, source: Path, count: int, runs: list[tuple[str, int]]) -> float:
    """Import into a fresh table once per (label, workers); returns the first run's seconds."""
    name = f"dvc-zalo-bench-dossiers-{time.time_ns()}"
    fresh_table(client, name)
    table = DossierTable(client, name)
    first = 0.0
    for label, workers in runs:
        started = time.perf_counter()
        result = import_file(table, source, progress=False, workers=workers)
        total = time.perf_counter() - started
        first = first or total
        phases = result.seconds
        shares = "  ".join(
            f"{phase} {phases[phase] / total:5.1%}" for phase in ("validate", "compare", "write")
        )
        print(f"  {label:<21} {count / total:6.0f} rows/s {total:6.2f} s   {shares}")
        print(f"  {'':<21} {result.summary()}")
    client.delete_table(TableName=name)  # type: ignore[attr-defined]
    return first


def validation_only(rows: list[dict[str, str]]) -> None:
    started = time.perf_counter()
    for row in rows:
        with contextlib.suppress(ValueError):
            validate(row)
    seconds = time.perf_counter() - started
    per_row = seconds / len(rows) * 1e6
    print(f"  validation alone    {len(rows) / seconds:7.0f} rows/s  ({per_row:.0f} µs a row)")


if __name__ == "__main__":
    sys.exit(main())
