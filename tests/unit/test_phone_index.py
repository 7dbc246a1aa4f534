"""The phone → open dossiers projection, from hand-built Dossiers stream records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from functions.dossier import Dossier
from functions.dossier_records import to_model
from functions.phone_index import PhoneIndexer, is_open
from functions.ports import PhoneDossier
from tests.factories import make_dossier
from tests.fakes.stores import FakePhoneDossiers

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
PHONE = "+84912345678"


def record(event_name: str, new: Dossier | None, old: Dossier | None = None) -> dict:
    code = (new or old).code
    return {
        "eventName": event_name,
        "dynamodb": {
            "Keys": {"MaHoSo": {"S": code}},
            "NewImage": to_model(new).serialize() if new else None,
            "OldImage": to_model(old).serialize() if old else None,
        },
    }


def indexer() -> PhoneIndexer:
    return PhoneIndexer(FakePhoneDossiers(), clock=lambda: NOW)


def test_insert_lists_the_dossier_under_its_e164_phone_whatever_the_desk_typed():
    ix = indexer()
    typed = make_dossier(phone="0912.345.678", status=2)
    old_form = make_dossier(phone="01629 345 678", status=4)  # pre-2018 Viettel 11 digits → 032…
    assert ix.apply_records([record("INSERT", typed), record("INSERT", old_form)]) == {"listed": 2}
    assert ix.index.for_phone(PHONE) == [PhoneDossier(PHONE, typed.code, 2, NOW)]
    assert [e.dossier_code for e in ix.index.for_phone("+84329345678")] == [old_form.code]


def test_closing_removes_it_and_reopening_lists_it_again():
    ix = indexer()
    dossier = make_dossier(phone="0912 345 678", status=4)
    returned = make_dossier(code=dossier.code, phone=dossier.phone, status=10)
    ix.apply_records([record("INSERT", dossier), record("MODIFY", returned, dossier)])
    assert ix.index.for_phone(PHONE) == []
    ix.apply_records([record("MODIFY", dossier, returned)])
    assert len(ix.index.for_phone(PHONE)) == 1


def test_corrected_phone_moves_the_entry_and_remove_deletes_it():
    ix = indexer()
    wrong = make_dossier(phone="0912 345 678", status=4)
    right = make_dossier(code=wrong.code, phone="0983 112 233", status=4)
    ix.apply_records([record("INSERT", wrong), record("MODIFY", right, wrong)])
    assert ix.index.for_phone(PHONE) == []
    assert [e.dossier_code for e in ix.index.for_phone("+84983112233")] == [wrong.code]
    ix.apply_records([record("REMOVE", None, right)])
    assert ix.index.items == {}


def test_redelivered_records_change_nothing():
    ix = indexer()
    dossier = make_dossier(phone="0912 345 678", status=4)
    batch = [record("INSERT", dossier), record("MODIFY", dossier, dossier)]
    ix.apply_records(batch)
    ix.apply_records(batch)
    assert len(ix.index.items) == 1


def test_no_phone_a_landline_or_a_broken_record_are_skipped():
    ix = indexer()
    broken = {"eventName": "INSERT", "dynamodb": {"NewImage": {"MaHoSo": {"S": "x"}}}}
    counts = ix.apply_records(
        [
            record("INSERT", make_dossier(phone="", status=4)),
            record("INSERT", make_dossier(phone="0232 3822 123", status=4)),
            broken,
        ]
    )
    assert counts == {"unchanged": 3}
    assert ix.index.items == {}


def test_a_failing_store_never_raises():
    class Down(FakePhoneDossiers):
        def put(self, entry: PhoneDossier) -> None:
            raise ConnectionError("dynamodb unavailable")

    ix = PhoneIndexer(Down(), clock=lambda: NOW)
    dossier = make_dossier(phone="0912 345 678", status=4)
    assert ix.apply_records([record("INSERT", dossier), record("INSERT", dossier)]) == {"failed": 2}


def test_rebuild_lists_open_dossiers_and_drops_closed_ones():
    ix = indexer()
    dossiers = [make_dossier(phone="0912 345 678", status=s) for s in (2, 4, 9, 10, 3)]
    ix.index.put(PhoneDossier(PHONE, dossiers[3].code, 4, NOW))  # its closing record was lost
    counts = ix.rebuild([*dossiers, make_dossier(phone="")])
    assert counts == {"listed": 3, "closed": 2, "no_phone": 1}
    assert {e.status for e in ix.index.for_phone(PHONE)} == {2, 4, 9}


@pytest.mark.parametrize(("status", "listed"), [(1, True), (5, True), (6, True), (9, True), (11, True)])
def test_open_statuses(status: int, listed: bool) -> None:
    assert is_open(status) is listed


@pytest.mark.parametrize("status", [3, 7, 8, 10])
def test_closed_statuses(status: int) -> None:
    assert not is_open(status)
