"""`python -m mcdt` end to end against DynamoDB (moto): what an operator types and reads."""

from __future__ import annotations

import io
import json

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from functions import models, status_link
from mcdt.cli import main
from tests.unit.test_mcdt_contract import record

CODE = "000.00.12.H46-240115-0003"


@pytest.fixture
def table(moto_tables, monkeypatch) -> str:
    moto_tables(models.DossierModel)
    monkeypatch.setenv("STATUS_LINK_KEY", "cli-test-key")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://dvc.example.gov.vn")
    return models.DossierModel.Meta.table_name


def test_upsert_status_and_the_messages_an_operator_reads(table, tmp_path, capsys):
    source = tmp_path / "ho-so.json"
    source.write_text(json.dumps(record(), ensure_ascii=False), encoding="utf-8")

    assert main(["--table", table, "upsert", str(source), "--version", "10"]) == 0
    assert main(["--table", table, "upsert", str(source), "--version", "11"]) == 0
    change = ["--table", table, "status", CODE, "5", "--note", "Bổ sung CCCD", "--expect-status", "2"]
    assert main(change) == 0
    assert main(["--table", table, "status", CODE, "4", "--expect-status", "2"]) == 1
    out, err = capsys.readouterr()
    assert "đã tạo / created" in out and "không đổi, không ghi lại / unchanged, not rewritten" in out
    assert "TrangThaiHoSo=5" in out
    assert "đang ở trạng thái 5, không phải 2" in err and "is in status 5, not 2" in err


def test_bad_records_list_every_problem(table, tmp_path, capsys):
    source = tmp_path / "sai.json"
    source.write_text(json.dumps(record(MaHoSo="HS-1", NgayHenTra="25/01/2024")), encoding="utf-8")

    assert main(["--table", table, "upsert", str(source)]) == 1
    err = capsys.readouterr().err
    assert "✗ MaHoSo:" in err and "✗ NgayHenTra:" in err


def test_import_reports_and_exit_status(table, tmp_path, capsys):
    source = tmp_path / "xuat.jsonl"
    lines = [record(), record(MaHoSo="000.00.12.H46-240115-0004", TrangThaiHoSo="13")]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines), encoding="utf-8")

    assert main(["--table", table, "import", str(source), "--no-progress"]) == 1  # one row rejected
    out = capsys.readouterr().out
    assert "1 mới/created" in out and "1 bị từ chối/rejected" in out
    assert "xuat.rejected.json" in out
    assert main(["check", str(source)]) == 1  # offline: no table needed
    assert "2 dòng/rows: 1 hợp lệ/valid, 1 bị từ chối/rejected" in capsys.readouterr().out
    assert main(["--table", table, "import", str(tmp_path / "nope.xlsx")]) == 3
    assert main(["--table", table, "import", str(tmp_path / "missing.csv")]) == 3
    assert main(["--table", table, "upsert", str(tmp_path / "missing.json")]) == 3
    assert "cannot read" in capsys.readouterr().err


def test_receipt_and_qr_from_the_command_line(table, tmp_path, capsys):
    source = tmp_path / "ho-so.json"
    source.write_text(json.dumps(record(), ensure_ascii=False), encoding="utf-8")
    main(["--table", table, "upsert", str(source)])
    link = status_link.url("https://dvc.example.gov.vn", CODE, "cli-test-key")

    assert main(["--table", table, "receipt", CODE, "-o", str(tmp_path / "phieu.pdf")]) == 0
    assert main(["qr", CODE, "--png", str(tmp_path / "qr.png"), "--svg", str(tmp_path / "qr.svg")]) == 0
    assert main(["--table", table, "receipt", "000.00.12.H46-240115-0999"]) == 1

    text = PdfReader(io.BytesIO((tmp_path / "phieu.pdf").read_bytes())).pages[0].extract_text()
    assert CODE in text
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(tmp_path / "qr.png"))] == [link]
    assert (tmp_path / "qr.svg").read_text().startswith("<?xml")
    assert link in capsys.readouterr().out
