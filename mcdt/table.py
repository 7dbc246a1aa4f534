"""Writes to the Dossiers table the way the contract says (docs/mcdt-contract.md): conditional writes on
`PhienBan`, so an older update never overwrites a newer one, and nothing is rewritten that is unchanged.

The same boto3 calls are shown in the contract for vendors who do not use Python. The endpoint follows
`AWS_ENDPOINT_URL` like every boto3 client, which is how the kit talks to the local stack.
"""

from __future__ import annotations

import enum
import time
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from functions.dynamo_stores import DynamoDossierItems, deserialize_item
from mcdt.contract import CODE, STATUS, VERSION, validate, validate_fields, without_version

NEWER_THAN_STORED = "attribute_not_exists(#v) OR #v < :v"
_serializer = TypeSerializer()


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"  # same content already stored: nothing written, no stream record


class Conflict(Exception):
    """The write lost a race or came too late. `vi`/`en` say why; `current` is what is stored."""

    def __init__(self, code: str, vi: str, en: str, current: Mapping[str, Any] | None = None) -> None:
        super().__init__(f"{vi} / {en}")
        self.code, self.vi, self.en = code, vi, en
        self.current = dict(current or {})


def now_version() -> int:
    """The default PhienBan: now in Unix milliseconds (the moment this state was recorded)."""
    return time.time_ns() // 1_000_000


def stored_version(item: Mapping[str, Any] | None) -> int:
    """Items written before the version rule (or by a writer that ignores it) count as version 0."""
    return int(item.get(VERSION, 0)) if item else 0


def plan(item: Mapping[str, Any], current: Mapping[str, Any] | None) -> Outcome:
    """What writing `item` over the stored `current` means; raises Conflict when `item` is not newer."""
    if current is None:
        return Outcome.CREATED
    if without_version(current) == without_version(item):
        return Outcome.UNCHANGED
    if stored_version(current) >= item[VERSION]:
        raise _stale(item[CODE], item[VERSION], current)
    return Outcome.UPDATED


@dataclass
class DossierTable:
    client: Any
    table_name: str

    @classmethod
    def connect(
        cls, table_name: str, region: str | None = None, endpoint_url: str | None = None
    ) -> DossierTable:
        client = boto3.client("dynamodb", region_name=region, endpoint_url=endpoint_url or None)
        return cls(client, table_name)

    # ---- reads ------------------------------------------------------------------------------
    def get(self, code: str) -> dict[str, Any] | None:
        return DynamoDossierItems(self.client, self.table_name, consistent=True).get_item(code)

    def get_many(self, codes: Iterable[str]) -> dict[str, dict[str, Any]]:
        """BatchGetItem in chunks of 100, re-asking for unprocessed keys (throttling) with backoff."""
        found: dict[str, dict[str, Any]] = {}
        unique = list(dict.fromkeys(codes))
        for start in range(0, len(unique), 100):
            keys = [_key(c) for c in unique[start : start + 100]]
            request = {self.table_name: {"Keys": keys, "ConsistentRead": True}}
            for attempt in range(8):
                answer = self.client.batch_get_item(RequestItems=request)
                for raw in answer["Responses"].get(self.table_name, []):
                    item = deserialize_item(raw)
                    found[item[CODE]] = item
                request = answer.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(min(0.05 * 2**attempt, 2.0))
            else:
                raise RuntimeError("DynamoDB kept keys unprocessed (throttled); try again later")
        return found

    # ---- writes -----------------------------------------------------------------------------
    def upsert(self, record: Mapping[str, Any], version: int | None = None) -> Outcome:
        """Validate and write one whole dossier; UNCHANGED (no write) when the table already says the same.

        Raises InvalidDossier (bad record) or Conflict (a newer state is stored).
        """
        item = validate(record)
        if version is not None:
            item[VERSION] = version
        item.setdefault(VERSION, now_version())
        return self.put_validated(item, self.get(item[CODE]))

    def put_validated(self, item: dict[str, Any], current: Mapping[str, Any] | None) -> Outcome:
        """Write a validated item (with PhienBan) given what was read before; the condition guards races."""
        outcome = plan(item, current)
        if outcome is Outcome.UNCHANGED:
            return outcome
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=_typed(item),
                ConditionExpression=NEWER_THAN_STORED,
                ExpressionAttributeNames={"#v": VERSION},
                ExpressionAttributeValues={":v": _serializer.serialize(item[VERSION])},
            )
        except ClientError as exc:
            if not _condition_failed(exc):
                raise
            latest = self.get(item[CODE])
            if latest is not None and without_version(latest) == without_version(item):
                return Outcome.UNCHANGED  # another writer stored the very same state first
            raise _stale(item[CODE], item[VERSION], latest) from None
        return outcome

    def change_status(
        self,
        code: str,
        status: int | str,
        *,
        version: int | None = None,
        expected_status: int | str | None = None,
        expected_version: int | None = None,
        note: str | None = None,
        returned_at: str | None = None,
    ) -> int:
        """Move an existing dossier to `status` (UpdateItem), optionally only from `expected_status` and/or
        only if its PhienBan is still `expected_version` (0 = never versioned). Returns the new PhienBan.

        `note` replaces GhiChu ("" removes it); `returned_at` sets NgayTra. Raises InvalidDossier for bad
        values and Conflict when the dossier is missing, newer, or not in the expected state.
        """
        checked = _status_change_fields(code, status, expected_status, note, returned_at)
        new_version = version if version is not None else now_version()
        sets = ["#s = :s", "#v = :v"]
        removes: list[str] = []
        names = {"#s": STATUS, "#v": VERSION}
        values: dict[str, Any] = {":s": checked[STATUS], ":v": new_version}
        for attribute, placeholder in (("GhiChu", "note"), ("NgayTra", "ret")):
            if attribute not in checked:
                continue
            names[f"#{placeholder}"] = attribute
            if checked[attribute] == "":
                removes.append(f"#{placeholder}")
            else:
                sets.append(f"#{placeholder} = :{placeholder}")
                values[f":{placeholder}"] = checked[attribute]
        condition = f"attribute_exists(#code) AND ({NEWER_THAN_STORED})"
        names["#code"] = CODE
        if "expected_status" in checked:
            condition += " AND #s = :es"
            values[":es"] = checked["expected_status"]
        if expected_version is not None:
            condition += " AND attribute_not_exists(#v)" if expected_version == 0 else " AND #v = :ev"
            if expected_version:
                values[":ev"] = expected_version
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=_key(checked[CODE]),
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={k: _serializer.serialize(v) for k, v in values.items()},
            )
        except ClientError as exc:
            if not _condition_failed(exc):
                raise
            raise self._explain(checked, new_version, expected_version) from None
        return new_version

    def _explain(self, checked: dict[str, Any], version: int, expected_version: int | None) -> Conflict:
        """Which part of a status change's condition failed, read back from the table."""
        code = checked[CODE]
        current = self.get(code)
        if current is None:
            return Conflict(
                "not_found",
                f"hồ sơ {code} chưa có trong bảng: hãy ghi cả hồ sơ (upsert) trước",
                f"dossier {code} is not in the table: write the whole dossier (upsert) first",
            )
        stored = stored_version(current)
        if expected_version is not None and stored != expected_version:
            return Conflict(
                "version_moved",
                f"hồ sơ {code} đã được nơi khác cập nhật: PhienBan là {stored}, chờ {expected_version}",
                f"dossier {code} was updated elsewhere: PhienBan is {stored}, expected {expected_version}",
                current,
            )
        expected, status = checked.get("expected_status"), current.get(STATUS)
        if expected is not None and status != expected:
            return Conflict(
                "status_moved",
                f"hồ sơ {code} đang ở trạng thái {status}, không phải {expected}",
                f"dossier {code} is in status {status}, not {expected}",
                current,
            )
        return _stale(code, version, current)


# ---- helpers ------------------------------------------------------------------------------------
def _status_change_fields(
    code: str, status: Any, expected_status: Any, note: str | None, returned_at: str | None
) -> dict[str, Any]:
    """Validate a status change's values with the same rules as whole records."""
    wanted: dict[str, Any] = {CODE: code, STATUS: status}
    if returned_at:
        wanted["NgayTra"] = returned_at
    checked = validate_fields(wanted)
    if expected_status is not None:
        checked["expected_status"] = validate_fields({STATUS: expected_status})[STATUS]
    if note is not None:
        checked["GhiChu"] = unicodedata.normalize("NFC", note).strip()
    if returned_at == "":
        checked["NgayTra"] = ""
    return checked


def _stale(code: str, version: int, current: Mapping[str, Any] | None) -> Conflict:
    stored = stored_version(current)
    return Conflict(
        "stale",
        f"bỏ qua bản cập nhật cũ của hồ sơ {code}: PhienBan gửi {version} không mới hơn bản đã lưu {stored}",
        f"stale update of dossier {code} refused: PhienBan {version} is not newer than the stored {stored}",
        current,
    )


def _condition_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def _key(code: str) -> dict[str, Any]:
    return {CODE: {"S": code}}


def _typed(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in item.items()}
