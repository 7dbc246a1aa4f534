"""Narrowing the .chalice policy files to this stack's exact ARNs (pure: no synth needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.stacks.model_tables import table_specs
from infra.stacks.policies import Grantable, PolicyError, narrow

ROOT = Path(__file__).resolve().parents[2]
BASE = "arn:aws:dynamodb:ap-southeast-1:000000000000:table/dvc-zalo-prod"
CATALOGUE = [
    Grantable(f"{BASE}-citizens", "CITIZENS"),
    Grantable(f"{BASE}-citizens/index/*", "CITIZENS/index/*"),
    Grantable(f"{BASE}-citizens/index/by-phone", "CITIZENS/index/by-phone"),
    Grantable(f"{BASE}-dossiers", "DOSSIERS"),
    Grantable(f"{BASE}-dossiers/index/*", "DOSSIERS/index/*"),
    Grantable(f"{BASE}-dossiers/stream/*", "DOSSIERS-STREAM"),
    Grantable("arn:aws:sqs:ap-southeast-1:000000000000:dvc-zalo-prod-events", "EVENTS-QUEUE"),
    Grantable("arn:aws:sqs:ap-southeast-1:000000000000:dvc-zalo-prod-events-dlq", "EVENTS-DLQ"),
    Grantable(
        "arn:aws:secretsmanager:ap-southeast-1:000000000000:secret:dvc-zalo-prod-zalo-xxxxxx", "SECRET"
    ),
]


def allow(actions, resource) -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


def test_patterns_become_the_exact_arns_they_match():
    document = {
        "Statement": [
            allow(["dynamodb:GetItem"], ["arn:aws:dynamodb:*:*:table/dvc-zalo-*-citizens"]),
            allow(["dynamodb:GetItem"], ["arn:aws:dynamodb:*:*:table/dvc-zalo-*-citizens/index/*"]),
            allow(["sqs:SendMessage"], "arn:aws:sqs:*:*:dvc-zalo-*events"),
            allow(["secretsmanager:GetSecretValue"], "arn:aws:secretsmanager:*:*:secret:dvc-zalo-*"),
        ]
    }
    resources = [s["Resource"] for s in narrow(document, CATALOGUE, "LOGS")["Statement"]]
    assert resources == [["CITIZENS"], ["CITIZENS/index/*"], ["EVENTS-QUEUE"], ["SECRET"]]


def test_a_named_index_gets_its_own_arn_and_the_wildcard_covers_them_all():
    one = allow(["dynamodb:Query"], "arn:aws:dynamodb:*:*:table/dvc-zalo-*-citizens/index/by-phone")
    every = allow(["dynamodb:Query"], "arn:aws:dynamodb:*:*:table/dvc-zalo-*-citizens/index/*")
    narrowed = narrow({"Statement": [one, every]}, CATALOGUE, "L")["Statement"]
    assert [s["Resource"] for s in narrowed] == [["CITIZENS/index/by-phone"], ["CITIZENS/index/*"]]


def test_logs_go_to_the_function_s_own_group_without_create_log_group():
    statement = allow(
        ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "arn:aws:logs:*:*:*"
    )
    (narrowed,) = narrow({"Statement": [statement]}, CATALOGUE, "OWN-GROUP")["Statement"]
    assert narrowed == allow(["logs:CreateLogStream", "logs:PutLogEvents"], "OWN-GROUP")


def test_unscoped_actions_keep_star_and_are_split_from_scoped_ones():
    statement = allow(
        ["dynamodb:DescribeStream", "dynamodb:ListStreams"],
        "arn:aws:dynamodb:*:*:table/dvc-zalo-*-dossiers/stream/*",
    )
    assert narrow({"Statement": [statement]}, CATALOGUE, "L")["Statement"] == [
        allow(["dynamodb:ListStreams"], "*"),
        allow(["dynamodb:DescribeStream"], ["DOSSIERS-STREAM"]),
    ]


def test_a_pattern_matching_nothing_stops_the_synth():
    statement = allow(["dynamodb:GetItem"], "arn:aws:dynamodb:*:*:table/dvc-zalo-*-replies")
    with pytest.raises(PolicyError, match="matches no resource"):
        narrow({"Statement": [statement]}, CATALOGUE, "L", where="policy-x.json")


def test_star_for_a_scopable_action_stops_the_synth():
    with pytest.raises(PolicyError, match="Resource '\\*'"):
        narrow({"Statement": [allow(["dynamodb:Scan"], "*")]}, CATALOGUE, "L")


@pytest.mark.parametrize("path", sorted((ROOT / ".chalice").glob("policy-*.json")), ids=lambda p: p.name)
def test_every_policy_file_narrows_against_a_stack_like_catalogue(path):
    """Each file's patterns match something a stage's stack creates (every model's table, its
    indexes and stream, the queues, the secret)."""
    catalogue = list(CATALOGUE)
    for spec in table_specs("prod", "ap-southeast-1"):
        table = f"arn:aws:dynamodb:ap-southeast-1:000000000000:table/{spec.name}"
        catalogue += [
            Grantable(table, table),
            Grantable(f"{table}/index/*", "i"),
            Grantable(f"{table}/stream/*", "s"),
        ]
        catalogue += [
            Grantable(f"{table}/index/{i.name}", i.name) for i in spec.global_indexes + spec.local_indexes
        ]
    narrowed = narrow(json.loads(path.read_text()), catalogue, "L", where=path.name)
    for statement in narrowed["Statement"]:
        resources = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        assert all("dvc-zalo-*" not in r for r in resources)
