"""The kit's writes against DynamoDB (moto): the version rule, races between two writers, status changes."""

from __future__ import annotations

import boto3
import pytest

from functions import models
from mcdt.table import Conflict, DossierTable, Outcome
from tests.unit.test_mcdt_contract import record


@pytest.fixture
def table(moto_tables) -> DossierTable:
    moto_tables(models.DossierModel)
    client = boto3.client("dynamodb", region_name="ap-southeast-1")
    return DossierTable(client, models.DossierModel.Meta.table_name)


def test_upsert_creates_then_skips_the_same_state_and_updates_a_newer_one(table):
    assert table.upsert(record(), version=1000) is Outcome.CREATED
    assert table.upsert(record(), version=2000) is Outcome.UNCHANGED  # nothing written
    assert table.get(record()["MaHoSo"])["PhienBan"] == 1000
    assert table.upsert(record(TrangThaiHoSo="4"), version=3000) is Outcome.UPDATED
    stored = table.get(record()["MaHoSo"])
    assert (stored["TrangThaiHoSo"], stored["PhienBan"]) == (4, 3000)


def test_an_older_update_never_overwrites_a_newer_one(table):
    table.upsert(record(TrangThaiHoSo="9"), version=2000)
    with pytest.raises(Conflict) as caught:
        table.upsert(record(TrangThaiHoSo="4"), version=1500)
    assert caught.value.code == "stale"
    assert "1500" in caught.value.vi and "2000" in caught.value.en
    assert table.get(record()["MaHoSo"])["TrangThaiHoSo"] == 9


def test_two_writers_racing_the_older_loses_at_the_condition(table):
    """Both read version 1; the newer writes first; the older's conditional put fails in DynamoDB."""
    from mcdt.contract import validate

    table.upsert(record(), version=1)
    seen_by_both = table.get(record()["MaHoSo"])
    newer = {**validate(record(TrangThaiHoSo="5", GhiChu="Bổ sung bản sao CCCD")), "PhienBan": 3}
    older = {**validate(record(TrangThaiHoSo="4")), "PhienBan": 2}
    assert table.put_validated(newer, seen_by_both) is Outcome.UPDATED
    with pytest.raises(Conflict, match="không mới hơn bản đã lưu 3"):
        table.put_validated(older, seen_by_both)
    assert table.get(record()["MaHoSo"])["TrangThaiHoSo"] == 5


def test_items_written_before_the_version_rule_count_as_version_zero(table):
    table.client.put_item(
        TableName=table.table_name,
        Item={"MaHoSo": {"S": record()["MaHoSo"]}, "TrangThaiHoSo": {"N": "2"}},
    )
    assert table.upsert(record(TrangThaiHoSo="4"), version=1) is Outcome.UPDATED


def test_status_change_with_expectations(table):
    code = record()["MaHoSo"]
    table.upsert(record(), version=10)
    new_version = table.change_status(code, "5", version=11, expected_status=2, expected_version=10,
                                      note="Bổ sung bản sao CCCD")  # fmt: skip
    stored = table.get(code)
    assert (stored["TrangThaiHoSo"], stored["PhienBan"], stored["GhiChu"]) == (5, 11, "Bổ sung bản sao CCCD")
    assert new_version == 11

    with pytest.raises(Conflict) as moved:
        table.change_status(code, "4", version=12, expected_status=2)
    assert moved.value.code == "status_moved" and "trạng thái 5, không phải 2" in moved.value.vi

    with pytest.raises(Conflict) as raced:
        table.change_status(code, "4", version=12, expected_version=10)
    assert raced.value.code == "version_moved" and "PhienBan is 11, expected 10" in raced.value.en

    with pytest.raises(Conflict) as stale:
        table.change_status(code, "4", version=11)
    assert stale.value.code == "stale"

    table.change_status(code, "10", version=20, note="", returned_at="20240124100000")
    stored = table.get(code)
    assert "GhiChu" not in stored and stored["NgayTra"] == "20240124100000"


def test_status_change_of_a_dossier_that_is_not_there(table):
    with pytest.raises(Conflict) as caught:
        table.change_status("000.00.12.H46-240115-0999", "4")
    assert caught.value.code == "not_found" and "upsert" in caught.value.en


def test_status_change_values_are_validated(table):
    from mcdt.contract import InvalidDossier

    with pytest.raises(InvalidDossier) as caught:
        table.change_status("HS-1", "11", returned_at="24/01/2024")
    assert {p.code for p in caught.value.problems} == {"bad_code", "unknown_status", "bad_date"}
