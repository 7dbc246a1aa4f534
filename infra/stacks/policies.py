"""One source for each function's permissions: its `.chalice/policy-<name>.json`, narrowed to this stack.

The policy files are what `chalice deploy` uses and what an engineer adding a function writes (house
rule); they name resources by pattern (`arn:aws:dynamodb:*:*:table/dvc-zalo-*-citizens`) because a
file cannot know a stage's account or a secret's random suffix. The CDK stack does not keep a second,
hand-written copy: it takes each file as Chalice embedded it in the template and replaces every
pattern by the exact ARNs of this stack's resources that it matches:

- a table pattern → that table's ARN; `…/index/*` → that table's index ARNs, `…/index/by-x` → that
  index's ARN; `…/stream/*` → the
  stream's ARN; a queue pattern → the queue's ARN; a secret pattern → the secret's full ARN;
- logs → the function's own log group (which the stack creates with a retention, so
  `logs:CreateLogGroup` is dropped);
- a pattern that matches nothing in the stack is an error at synth time (a grant for a resource the
  stack does not create is either a typo or a missing resource), and so is `*` for an action that
  supports resource-level permissions.

Only actions that AWS does not allow to be scoped keep `Resource: "*"` (UNSCOPED_ACTIONS): X-Ray's
trace upload (X-Ray has no resource-level permissions) and `dynamodb:ListStreams` (likewise; it
reveals stream ARNs, not data). Pure Python: no CDK import, unit-tested on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

UNSCOPED_ACTIONS = frozenset(
    {
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "xray:GetSamplingStatisticSummaries",
        "dynamodb:ListStreams",
    }
)
DROPPED_ACTIONS = frozenset({"logs:CreateLogGroup"})  # the stack creates each log group itself


class PolicyError(ValueError):
    """A policy file that cannot be narrowed to exact ARNs."""


@dataclass(frozen=True)
class Grantable:
    """A resource of the stack: how a policy pattern sees it, and the ARN to grant instead."""

    pattern_form: str  # e.g. arn:aws:dynamodb:ap-southeast-1:000000000000:table/dvc-zalo-prod-citizens
    arn: Any  # the exact ARN (a CDK token in the stack, a plain string in tests)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _unique(values: Iterable[Any]) -> list[Any]:
    seen: list[Any] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def _resolve(pattern: str, catalogue: Sequence[Grantable], where: str) -> list[Any]:
    if pattern == "*":
        raise PolicyError(f"{where}: Resource '*' for actions that can be scoped to an ARN")
    found = [g for g in catalogue if fnmatchcase(g.pattern_form, pattern)]
    if not found:
        raise PolicyError(f"{where}: {pattern!r} matches no resource of this stack")
    # `…/index/*` matches the table's index wildcard and each named index: grant the wildcard alone.
    return [
        g.arn
        for g in found
        if not any(o is not g and fnmatchcase(g.pattern_form, o.pattern_form) for o in found)
    ]


def _narrow_statement(
    statement: dict[str, Any], catalogue: Sequence[Grantable], log_group_arn: Any, where: str
) -> list[dict[str, Any]]:
    if statement.get("Effect") != "Allow" or "NotAction" in statement or "NotResource" in statement:
        return [statement]
    actions = [a for a in _as_list(statement["Action"]) if a not in DROPPED_ACTIONS]
    unscoped = [a for a in actions if a in UNSCOPED_ACTIONS]
    scoped = [a for a in actions if a not in UNSCOPED_ACTIONS]
    extra = {k: v for k, v in statement.items() if k not in ("Effect", "Action", "Resource", "Sid")}
    out: list[dict[str, Any]] = []
    if unscoped:
        out.append({"Effect": "Allow", "Action": unscoped, "Resource": "*", **extra})
    logs = [a for a in scoped if a.startswith("logs:")]
    if logs:
        out.append({"Effect": "Allow", "Action": logs, "Resource": log_group_arn, **extra})
    others = [a for a in scoped if not a.startswith("logs:")]
    if others:
        resources = _unique(
            arn for pattern in _as_list(statement["Resource"]) for arn in _resolve(pattern, catalogue, where)
        )
        out.append({"Effect": "Allow", "Action": others, "Resource": resources, **extra})
    return out


def narrow(
    document: dict[str, Any], catalogue: Sequence[Grantable], log_group_arn: Any, where: str = "policy"
) -> dict[str, Any]:
    """The same grants as `document`, with every resource pattern replaced by this stack's exact ARNs."""
    statements = [
        narrowed
        for statement in _as_list(document.get("Statement", []))
        for narrowed in _narrow_statement(statement, catalogue, log_group_arn, where)
    ]
    return {"Version": document.get("Version", "2012-10-17"), "Statement": statements}
