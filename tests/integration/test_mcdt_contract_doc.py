"""The boto3 example in docs/mcdt-contract.md does what the text says (so the vendors' doc cannot rot)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

DOC = Path(__file__).resolve().parents[2] / "docs" / "mcdt-contract.md"
TABLE = "dvc-zalo-prod-dossiers"
KEY = {"MaHoSo": {"S": "000.00.12.H46-240115-0003"}}


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


@pytest.fixture
def dynamodb(monkeypatch):
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-1")
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "MaHoSo", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "MaHoSo", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def test_the_example_item_passes_the_kits_validation():
    from mcdt.contract import validate

    [example] = blocks("json")
    raw = json.loads(example)
    plain = {k: boto3.dynamodb.types.TypeDeserializer().deserialize(v) for k, v in raw.items()}
    assert validate(plain)["MaHoSo"] == "000.00.12.H46-240115-0003"


def test_the_boto3_status_change_moves_4_to_5_once_and_refuses_a_replay(dynamodb):
    [example] = blocks("json")
    dynamodb.put_item(TableName=TABLE, Item=json.loads(example))  # status 4, PhienBan 1705282200000
    snippet = next(b for b in blocks("python") if "update_item" in b)
    refused: list[dict] = []
    code = snippet.replace("...  #", "refused.append(current)  #")

    exec(code, {"refused": refused})  # our own documentation, run against moto
    stored = dynamodb.get_item(TableName=TABLE, Key=KEY)["Item"]
    assert stored["TrangThaiHoSo"] == {"N": "5"} and stored["PhienBan"] == {"N": "1705369800000"}
    assert refused == []

    exec(code, {"refused": refused})  # the same write again: not in status 4 any more
    assert len(refused) == 1 and refused[0]["Item"]["TrangThaiHoSo"] == {"N": "5"}
