"""Bulk import: bad rows reported with reasons, good rows written once, a rerun writes nothing.

"Writes nothing" is checked where it matters: the table's stream, which is what notifies citizens.
"""

from __future__ import annotations

import csv
import json

import boto3
import pytest

from functions import models
from mcdt.bulk import FileRejected, import_file
from mcdt.table import DossierTable

GOOD = [
    ("000.00.12.H46-240115-0001", "2", "0912 345 678", "1"),
    ("000.00.12.H46-240115-0002", "4", "0983.112.233", "1"),
    ("000.00.12.H50-250805-0001", "5", "+84 868 224 466", "có"),
    ("000.00.12.H46-240116-0001", "9", "", "0"),
]
BAD = [
    ("000.00.12.H46-241315-0001", "2", "0912 345 678", "1"),  # month 13
    ("000.00.12.H46-240115-0003", "11", "0912 345 678", "1"),  # unknown status
    ("000.00.12.H46-240115-0004", "2", "0232 3822 123", "1"),  # landline, consent ticked
    ("000.00.12.H46-240115-0001", "4", "0912 345 678", "1"),  # duplicate of the first good row
]
COLUMNS = ["MaHoSo", "TrangThaiHoSo", "SoDienThoai", "NhanThongBaoZalo", "TenTTHC", "DonViXuLy",
           "ChuHoSo", "NgayTiepNhan", "NgayHenTra"]  # fmt: skip


def rows(extra_bad_date: bool = True) -> list[dict[str, str]]:
    common = {
        "TenTTHC": "Đăng ký thành lập hộ kinh doanh",
        "DonViXuLy": "Phòng Tài chính - Kế hoạch",
        "ChuHoSo": "Trần Văn Bình",
        "NgayTiepNhan": "20240115083000",
        "NgayHenTra": "20240125160000",
    }
    keys = ("MaHoSo", "TrangThaiHoSo", "SoDienThoai", "NhanThongBaoZalo")
    out = [{**dict(zip(keys, row, strict=True)), **common} for row in GOOD + BAD]
    if extra_bad_date:
        out.append({**out[0], "MaHoSo": "000.00.12.H46-240115-0005", "NgayHenTra": "25/01/2024"})
    return out


def write_csv(path, records):
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(records)
    return path


@pytest.fixture
def table(moto_tables) -> DossierTable:
    moto_tables(models.DossierModel)
    client = boto3.client("dynamodb", region_name="ap-southeast-1")
    client.update_table(
        TableName=models.DossierModel.Meta.table_name,
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return DossierTable(client, models.DossierModel.Meta.table_name)


def stream_records(table: DossierTable) -> int:
    arn = table.client.describe_table(TableName=table.table_name)["Table"]["LatestStreamArn"]
    # botocore derives an account-based host from the ARN, which in-process moto does not route
    streams = boto3.client(
        "dynamodbstreams",
        region_name="ap-southeast-1",
        endpoint_url="https://streams.dynamodb.ap-southeast-1.amazonaws.com",
    )
    total = 0
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        total += len(streams.get_records(ShardIterator=iterator, Limit=1000)["Records"])
    return total


def test_bad_rows_are_reported_good_rows_written_and_a_rerun_writes_nothing(table, tmp_path):
    source = write_csv(tmp_path / "ho-so.csv", rows())

    first = import_file(table, source, progress=False)

    assert first.counts["created"] == 4 and not first.counts["updated"]
    assert first.report_path == tmp_path / "ho-so.rejected.csv"
    with first.report_path.open(encoding="utf-8-sig") as handle:
        report = list(csv.DictReader(handle))
    by_row = {int(r["row"]): r for r in report}
    assert {row: r["code"] for row, r in by_row.items()} == {
        5: "bad_code", 6: "unknown_status", 7: "phone_not_mobile", 8: "duplicate", 9: "bad_date"
    }  # fmt: skip
    assert "trùng mã hồ sơ với dòng 1" in by_row[8]["reason_vi"]
    assert "not a mobile number" in by_row[7]["reason_en"]
    assert stream_records(table) == 4

    again = import_file(table, source, progress=False)

    assert again.counts["unchanged"] == 4 and not again.counts["created"] and not again.counts["updated"]
    assert len(again.rejected) == 5
    assert stream_records(table) == 4  # no rewrite, so no stream record, so no second notice
    stored = table.get("000.00.12.H46-240115-0002")
    assert stored["SoDienThoai"] == "+84983112233" and stored["PhienBan"] == first.version


def test_a_changed_row_in_a_later_export_updates_only_that_dossier(table, tmp_path):
    records = rows(extra_bad_date=False)[:4]
    import_file(table, write_csv(tmp_path / "a.csv", records), version=1000, progress=False)
    records[1]["TrangThaiHoSo"] = "9"

    later = import_file(table, write_csv(tmp_path / "b.csv", records), version=2000, progress=False)

    assert (later.counts["updated"], later.counts["unchanged"]) == (1, 3)
    assert stream_records(table) == 5


def test_an_export_older_than_the_table_does_not_undo_live_updates(table, tmp_path):
    records = rows(extra_bad_date=False)[:1]
    import_file(table, write_csv(tmp_path / "a.csv", records), version=1000, progress=False)
    table.change_status(records[0]["MaHoSo"], "4", version=3000)  # MCĐT, live

    old = import_file(table, write_csv(tmp_path / "old.csv", records), version=2000, progress=False)

    assert [(r.code, r.reason_code) for r in old.rejected] == [(records[0]["MaHoSo"], "stale")]
    assert table.get(records[0]["MaHoSo"])["TrangThaiHoSo"] == 4


def test_json_input_gets_a_json_report(table, tmp_path):
    records = rows()
    records[0]["ThanhPhanHoSo"] = [{"TenGiayTo": "Giấy đề nghị đăng ký hộ kinh doanh", "SoLuong": 1}]
    source = tmp_path / "export.json"
    source.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")

    result = import_file(table, source, progress=False)

    assert result.counts["created"] == 4
    report = json.loads((tmp_path / "export.rejected.json").read_text(encoding="utf-8"))
    assert len(report) == 5 and {"row", "MaHoSo", "field", "code", "reason_vi", "reason_en"} <= set(report[0])
    assert table.get(records[0]["MaHoSo"])["ThanhPhanHoSo"][0]["TenGiayTo"].startswith("Giấy đề nghị")


def test_semicolon_separated_excel_export_with_json_in_a_cell(table, tmp_path):
    record = rows()[0]
    documents = [{"TenGiayTo": "Tờ khai; bản chính", "SoLuong": 1}]
    record["ThanhPhanHoSo"] = json.dumps(documents, ensure_ascii=False)
    source = tmp_path / "excel.csv"
    with source.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(record), delimiter=";")
        writer.writeheader()
        writer.writerow(record)

    result = import_file(table, source, progress=False)

    assert result.counts["created"] == 1, result.rejected
    assert table.get(record["MaHoSo"])["ThanhPhanHoSo"][0]["TenGiayTo"] == "Tờ khai; bản chính"


def test_unknown_columns_refuse_the_whole_file_before_any_write(table, tmp_path):
    source = tmp_path / "typo.csv"
    source.write_text("MaHoSo,TrangThaiHoSo,SoDienThoaii\n000.00.12.H46-240115-0001,2,0912345678\n")

    with pytest.raises(FileRejected, match="SoDienThoaii"):
        import_file(table, source, progress=False)
    assert table.get("000.00.12.H46-240115-0001") is None


def test_dry_run_writes_nothing(table, tmp_path):
    result = import_file(table, write_csv(tmp_path / "a.csv", rows()), dry_run=True, progress=False)
    assert result.counts["created"] == 4
    assert stream_records(table) == 0
