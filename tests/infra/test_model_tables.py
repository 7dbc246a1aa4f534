"""Tables come from the PynamoDB models: a model another engineer adds is a table with no infra edit."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from functions import models
from infra.stacks.model_tables import Key, spec_of, table_specs


class _ByPhone(GlobalSecondaryIndex["_PhoneDossierModel"]):
    class Meta:
        index_name = "by-phone"
        projection = KeysOnlyProjection()

    phone = UnicodeAttribute(hash_key=True)
    updated = NumberAttribute(range_key=True)


class _PhoneDossierModel(Model):
    """Shaped like the phone → dossiers projection another issue adds."""

    class Meta:
        table_name = "dossiers-by-phone"

    phone = UnicodeAttribute(hash_key=True)
    code = UnicodeAttribute(range_key=True)
    updated = NumberAttribute()
    expires_at = TTLAttribute(null=True)
    by_phone = _ByPhone()


def test_a_new_model_becomes_a_spec_with_keys_index_and_ttl():
    spec = spec_of(_PhoneDossierModel, "dvc-zalo-dev-dossiers-by-phone")
    assert spec.partition == Key("phone", "S") and spec.sort == Key("code", "S")
    assert spec.ttl_attribute == "expires_at"
    (index,) = spec.global_indexes
    assert (index.name, index.partition, index.sort, index.projection) == (
        "by-phone",
        Key("phone", "S"),
        Key("updated", "N"),
        "KEYS_ONLY",
    )
    assert spec.short_name == "dossiers-by-phone"


def test_names_are_the_ones_the_functions_bind_and_models_are_left_untouched():
    before = [m.Meta.table_name for m in models.ALL_MODELS]
    specs = table_specs("prod", "ap-southeast-1")
    assert [s.name for s in specs] == [f"dvc-zalo-prod-{name}" for name in before]
    assert [m.Meta.table_name for m in models.ALL_MODELS] == before


def test_no_table_name_ends_like_another_so_iam_patterns_grant_exactly_one():
    """The policy files name tables as `dvc-zalo-*-<name>`, and IAM's `*` also matches hyphens: a
    table called `phone-dossiers` would be granted by every `…-*-dossiers` statement."""
    names = [spec.short_name for spec in table_specs("dev", "ap-southeast-1")]
    clashes = [(a, b) for a in names for b in names if a != b and a.endswith(f"-{b}")]
    assert clashes == []
