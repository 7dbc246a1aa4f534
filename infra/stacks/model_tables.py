"""What each DynamoDB table looks like, read from the PynamoDB models (functions/models.py).

Pure Python (no CDK): the stack turns these specs into tables, and a table that another engineer
adds to `ALL_MODELS` appears in the stack with no infra edit. Table names are the ones the Lambda
functions themselves will use: `models.bind(Settings.from_env({"STAGE": stage}))`, exactly what a
cold start does, so the stack and the code can never disagree on a name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pynamodb.attributes import TTLAttribute
from pynamodb.models import Model

from functions import models
from functions.config import Settings


@dataclass(frozen=True)
class Key:
    name: str
    type: str  # "S", "N" or "B", as DynamoDB spells attribute types


@dataclass(frozen=True)
class IndexSpec:
    name: str
    partition: Key
    sort: Key | None
    projection: str  # ALL, KEYS_ONLY or INCLUDE
    non_key_attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    model: str  # the PynamoDB class name, for construct ids and messages
    name: str  # the physical table name the functions use
    partition: Key
    sort: Key | None
    ttl_attribute: str | None
    global_indexes: tuple[IndexSpec, ...]
    local_indexes: tuple[IndexSpec, ...]

    @property
    def short_name(self) -> str:
        """`dvc-zalo-prod-webhook-events` → `webhook-events` (for outputs and alarm names)."""
        return self.name.split("-", 3)[-1] if self.name.count("-") >= 3 else self.name


@contextmanager
def _bound(settings: Settings) -> Iterator[None]:
    """`models.bind` mutates the model classes: restore them afterwards (the test process shares them)."""
    saved = {
        m: (m.Meta.table_name, m.Meta.region, getattr(m, "_connection", None)) for m in models.ALL_MODELS
    }
    try:
        models.bind(settings)
        yield
    finally:
        for model, (name, region, connection) in saved.items():
            model.Meta.table_name, model.Meta.region, model._connection = name, region, connection


def _keys(key_schema: list[dict[str, str]], types: dict[str, str]) -> tuple[Key, Key | None]:
    by_type = {k["KeyType"]: k["AttributeName"] for k in key_schema}
    sort = by_type.get("RANGE")
    return Key(by_type["HASH"], types[by_type["HASH"]]), Key(sort, types[sort]) if sort else None


def _index(raw: dict, types: dict[str, str]) -> IndexSpec:
    partition, sort = _keys(raw["key_schema"], types)
    projection = raw["projection"]
    return IndexSpec(
        name=raw["index_name"],
        partition=partition,
        sort=sort,
        projection=projection["ProjectionType"],
        non_key_attributes=tuple(projection.get("NonKeyAttributes", ())),
    )


def spec_of(model: type[Model], name: str) -> TableSpec:
    schema = model._get_schema()
    types = {d["AttributeName"]: d["AttributeType"] for d in schema["attribute_definitions"]}
    partition, sort = _keys(schema["key_schema"], types)
    ttl = [a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)]
    return TableSpec(
        model=model.__name__,
        name=name,
        partition=partition,
        sort=sort,
        ttl_attribute=ttl[0] if ttl else None,
        global_indexes=tuple(_index(i, types) for i in schema["global_secondary_indexes"]),
        local_indexes=tuple(_index(i, types) for i in schema["local_secondary_indexes"]),
    )


def table_specs(stage: str, region: str) -> list[TableSpec]:
    """One spec per model in ALL_MODELS, named as the functions of `stage` will name it."""
    settings = Settings.from_env({"STAGE": stage, "AWS_REGION": region})
    with _bound(settings):
        named = [(m, m.Meta.table_name) for m in models.ALL_MODELS]
    prefix = f"dvc-zalo-{stage}-"
    unbound = [m.__name__ for m, name in named if not name.startswith(prefix)]
    if unbound:
        raise ValueError(
            f"models {unbound} are not named by models.bind for stage {stage!r} "
            f"(expected {prefix}<name>): add them to config.Tables and bind()"
        )
    return [spec_of(model, name) for model, name in named]
