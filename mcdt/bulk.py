"""Bulk import of dossiers from CSV or JSON files with the national portal's field names.

Safe to rerun: every row is one conditional PutItem (atomic on its own, so nothing is ever half-written),
and rows whose content is already stored are skipped after a batch read instead of rewritten, so a
rerun produces no stream records and therefore no second notice to any citizen. Rows that break the
contract, or that are older than what the table holds, are listed in a report with the reason.
"""

from __future__ import annotations

import csv
import functools
import json
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from mcdt.contract import CODE, VERSION, InvalidDossier, unknown_attributes, validate
from mcdt.table import Conflict, DossierTable, Outcome, plan

CHUNK = 100  # BatchGetItem's limit
REPORT_COLUMNS = ("row", "MaHoSo", "field", "code", "reason_vi", "reason_en")


class FileRejected(ValueError):
    """The whole file cannot be imported (unreadable, unknown columns); nothing was written."""


@dataclass(frozen=True)
class Rejection:
    row: int  # 1-based position of the record in the file (CSV: header not counted)
    code: str  # MaHoSo as written in the file
    field: str
    reason_code: str
    vi: str
    en: str

    def as_row(self) -> dict[str, Any]:
        values = (self.row, self.code, self.field, self.reason_code, self.vi, self.en)
        return dict(zip(REPORT_COLUMNS, values, strict=True))


@dataclass
class ImportResult:
    total: int = 0
    counts: Counter[str] = field(default_factory=Counter)  # created / updated / unchanged
    rejected: list[Rejection] = field(default_factory=list)
    seconds: Counter[str] = field(default_factory=Counter)  # read_file / validate / compare / write
    report_path: Path | None = None
    version: int | None = None

    def summary(self) -> str:
        c = self.counts
        return (
            f"{self.total} dòng/rows: {c['created']} mới/created, {c['updated']} cập nhật/updated, "
            f"{c['unchanged']} không đổi/unchanged (không ghi lại/not rewritten), "
            f"{len({r.row for r in self.rejected})} bị từ chối/rejected"
        )

    @contextmanager
    def timing(self, phase: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[phase] += time.perf_counter() - started


def read_records(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """(column names, records) from .csv (UTF-8, with or without Excel's BOM), .json (a list) or .jsonl."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json", ".jsonl"):
        raise FileRejected(f"chỉ nhận .csv, .json, .jsonl / only .csv, .json, .jsonl files: {path.name}")
    try:
        if suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as handle:
                delimiter = _delimiter(handle.readline())
                handle.seek(0)
                reader = csv.DictReader(handle, delimiter=delimiter)
                records = list(reader)
                return list(reader.fieldnames or []), records
        text = path.read_text(encoding="utf-8-sig")
        if suffix == ".jsonl":
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            records = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
        raise FileRejected(f"không đọc được tệp / cannot read the file {path.name}: {exc}") from exc
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise FileRejected("JSON phải là một danh sách đối tượng / JSON must be a list of objects")
    columns = list(dict.fromkeys(name for record in records for name in record))
    return columns, records


def check_file(
    path: Path,
    *,
    version: int | None = None,
    report_path: Path | None = None,
    ignore_unknown_columns: bool = False,
) -> tuple[ImportResult, list[tuple[int, dict[str, Any]]]]:
    """Read and validate a whole file without touching any table (vendors can check an export offline).

    Returns the result so far (rejections, timings; the report is written) and the valid rows as items.
    """
    result = ImportResult()
    with result.timing("read_file"):
        columns, records = read_records(path)
    unknown = unknown_attributes(columns)
    if unknown and not ignore_unknown_columns:
        raise FileRejected(
            f"cột không có trong hợp đồng dữ liệu / columns not in the contract: {', '.join(unknown)} "
            "(sửa tên cột, hoặc dùng --ignore-unknown-columns / fix them, or pass --ignore-unknown-columns)"
        )
    result.version = version if version is not None else path.stat().st_mtime_ns // 1_000_000
    result.total = len(records)
    with result.timing("validate"):
        valid = _validate_all(records, result)
    result.report_path = write_report(result.rejected, report_path or default_report_path(path))
    return result, valid


def _delimiter(header: str) -> str:
    """Comma, semicolon (Excel in some locales) or tab: whichever separates the header's names.
    Only the delimiter is guessed; quoting stays Excel's, so JSON inside a cell ("" escapes) survives."""
    return max((",", ";", "\t"), key=header.count)


def import_file(
    table: DossierTable,
    path: Path,
    *,
    version: int | None = None,
    report_path: Path | None = None,
    ignore_unknown_columns: bool = False,
    dry_run: bool = False,
    progress: bool = True,
    workers: int = 8,
) -> ImportResult:
    """Import every valid row; returns counts, rejections and time per phase. See the module docstring.

    PhienBan of a row: its own `PhienBan` column, else `version`, else the file's modification time in
    milliseconds — the moment the export was true, so a newer live update in the table is never undone.
    Writes run on `workers` threads: DynamoDB calls are latency-bound and the rows are independent.
    """
    result, valid = check_file(
        path, version=version, report_path=report_path, ignore_unknown_columns=ignore_unknown_columns
    )
    bar = tqdm(total=result.total, unit="hồ sơ", disable=not progress, desc=path.name)
    bar.update(result.total - len(valid))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for start in range(0, len(valid), CHUNK):
            chunk = valid[start : start + CHUNK]
            with result.timing("compare"):
                stored = table.get_many(item[CODE] for _, item in chunk)
            with result.timing("write"):  # rows are independent, each its own conditional write
                write = functools.partial(_write_one, table, stored, dry_run)
                outcomes = list(pool.map(write, (item for _, item in chunk)))
            for (row, item), outcome in zip(chunk, outcomes, strict=True):
                if isinstance(outcome, Conflict):
                    result.rejected.append(
                        Rejection(row, item[CODE], VERSION, outcome.code, outcome.vi, outcome.en)
                    )
                else:
                    result.counts[outcome.value] += 1
            bar.update(len(chunk))
    bar.close()
    result.rejected.sort(key=lambda r: r.row)
    result.report_path = write_report(result.rejected, result.report_path)
    return result


def _validate_all(records: list[dict[str, Any]], result: ImportResult) -> list[tuple[int, dict[str, Any]]]:
    valid: list[tuple[int, dict[str, Any]]] = []
    first_row: dict[str, int] = {}
    for row, record in enumerate(records, start=1):
        code = str(record.get(CODE) or "").strip()
        try:
            item = validate(record)
        except InvalidDossier as exc:
            for p in exc.problems:
                result.rejected.append(Rejection(row, code, p.field, p.code, p.vi, p.en))
            continue
        item.setdefault(VERSION, result.version)
        if item[CODE] in first_row:  # which of two rows is true cannot be guessed: refuse the later one
            seen = first_row[item[CODE]]
            result.rejected.append(
                Rejection(
                    row,
                    code,
                    CODE,
                    "duplicate",
                    f"trùng mã hồ sơ với dòng {seen}; dòng này không được ghi",
                    f"same dossier code as row {seen}; this row was not written",
                )
            )
            continue
        first_row[item[CODE]] = row
        valid.append((row, item))
    return valid


def _write_one(
    table: DossierTable, stored: dict[str, dict[str, Any]], dry_run: bool, item: dict[str, Any]
) -> Outcome | Conflict:
    current = stored.get(item[CODE])
    try:
        return plan(item, current) if dry_run else table.put_validated(item, current)
    except Conflict as conflict:
        return conflict


def default_report_path(path: Path) -> Path:
    """Next to the input, same format: `ho-so.csv` → `ho-so.rejected.csv`."""
    suffix = ".json" if path.suffix.lower() in (".json", ".jsonl") else ".csv"
    return path.with_name(f"{path.stem}.rejected{suffix}")


def write_report(rejected: list[Rejection], path: Path) -> Path:
    """Always written, even empty: the report beside a file tells about its last import, not an older one."""
    rows = [r.as_row() for r in rejected]
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return path
    with path.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel shows the diacritics
        writer = csv.DictWriter(handle, fieldnames=REPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path
