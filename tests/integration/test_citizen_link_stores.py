"""The citizens table (phone link, opt-outs, the by-phone index) and the dossiers-by-phone projection,
against moto in-process, through the same models `local/resources.py` creates tables from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from functions import models
from functions.dynamo_stores import DynamoCitizenStore, DynamoPhoneDossierIndex
from functions.ports import Citizen, PhoneDossier

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
PHONE = "+84912345678"
CODE = "000.00.12.H46-240115-0003"


@pytest.fixture
def tables(moto_tables) -> None:
    moto_tables(models.CitizenModel, models.PhoneDossierModel)


def test_citizens_table_has_the_by_phone_index(tables):
    table = boto3.client("dynamodb").describe_table(TableName=models.CitizenModel.Meta.table_name)["Table"]
    [index] = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "by-phone"
    assert index["KeySchema"] == [{"AttributeName": "phone", "KeyType": "HASH"}]


def test_linked_phone_is_found_by_phone_with_its_opt_outs(tables):
    store = DynamoCitizenStore()
    store.record_interaction("u1", NOW)
    store.link_phone("u1", PHONE, NOW)
    store.set_opt_outs("u1", False, frozenset({CODE}), NOW)
    store.set_following("u2", True, NOW)  # a follower without a phone is not in the index

    [found] = store.by_phone(PHONE)

    assert found == Citizen(
        "u1",
        last_interaction_at=NOW,
        phone=PHONE,
        opted_out_codes=frozenset({CODE}),
        phone_linked_at=NOW,
    )
    assert not found.wants_notices_for(CODE)
    assert found.wants_notices_for("000.00.12.H46-240115-0004")
    assert store.by_phone("+84983112233") == []
    assert store.by_phone("") == []


def test_opt_outs_can_be_cleared_and_the_link_withdrawn(tables):
    store = DynamoCitizenStore()
    store.set_following("u1", True, NOW)
    store.link_phone("u1", PHONE, NOW)
    store.set_opt_outs("u1", True, frozenset({CODE}), NOW)
    store.set_opt_outs("u1", False, frozenset(), NOW)  # no empty sets in DynamoDB: the attribute goes
    assert store.get("u1").opted_out_codes == frozenset()

    store.set_opt_outs("u1", True, frozenset({CODE}), NOW)
    store.unlink_phone("u1", NOW + timedelta(minutes=1))

    citizen = store.get("u1")
    assert (citizen.phone, citizen.opted_out, citizen.opted_out_codes, citizen.phone_linked_at) == (
        "",
        False,
        frozenset(),
        None,
    )
    assert citizen.following  # the follow state is not the citizen's phone link
    assert store.by_phone(PHONE) == []
    raw = boto3.client("dynamodb").get_item(
        TableName=models.CitizenModel.Meta.table_name, Key={"user_id": {"S": "u1"}}
    )["Item"]
    assert (
        not {"phone", "phone_linked_at", "opted_out", "opted_out_codes"} & raw.keys()
    )  # deleted, not blanked


def test_welcome_pending_flag(tables):
    store = DynamoCitizenStore()
    store.set_welcome_pending("u1", True, NOW)
    assert store.get("u1").welcome_pending
    store.set_welcome_pending("u1", False, NOW)
    assert not store.get("u1").welcome_pending


def test_phone_dossiers_newest_first_and_removal(tables):
    index = DynamoPhoneDossierIndex()
    index.put(PhoneDossier(PHONE, CODE, 4, NOW))
    index.put(PhoneDossier(PHONE, "000.00.12.H50-250805-0001", 5, NOW + timedelta(hours=1)))
    index.put(PhoneDossier("+84983112233", "000.00.12.H46-240115-0004", 2, NOW))
    index.put(PhoneDossier(PHONE, CODE, 6, NOW + timedelta(hours=2)))  # a status change overwrites

    assert [(e.dossier_code, e.status) for e in index.for_phone(PHONE)] == [
        (CODE, 6),
        ("000.00.12.H50-250805-0001", 5),
    ]
    index.remove(PHONE, CODE)
    index.remove(PHONE, CODE)  # idempotent
    assert [e.dossier_code for e in index.for_phone(PHONE)] == ["000.00.12.H50-250805-0001"]


def test_rebuild_script_projects_the_dossiers_table(moto_tables, monkeypatch):
    from functions import wiring
    from functions.dossier_records import to_model
    from scripts.rebuild_phone_index import rebuild
    from tests.factories import make_dossier

    moto_tables(models.DossierModel, models.PhoneDossierModel)
    monkeypatch.setenv("STAGE", "itest")
    monkeypatch.setenv("AWS_REGION", "ap-southeast-1")
    open_one = make_dossier(phone="0912 345 678", status=4)
    for dossier in (open_one, make_dossier(phone="0912.345.678", status=10), make_dossier(phone="")):
        to_model(dossier).save()
    models.DossierModel(code="000.00.12.H46-240115-0009", status=4, received_at="hôm qua").save()

    wiring.reset()
    try:
        counts = rebuild()
    finally:
        wiring.reset()

    assert counts == {"listed": 1, "closed": 1, "no_phone": 1, "invalid": 1}
    assert [e.dossier_code for e in DynamoPhoneDossierIndex().for_phone(PHONE)] == [open_one.code]
