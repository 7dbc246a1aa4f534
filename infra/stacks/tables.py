"""DynamoDB tables from the model specs: on demand, PITR, KMS encryption, TTL, streams where consumed."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from .model_tables import IndexSpec, Key, TableSpec

_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
_PROJECTIONS = {
    "ALL": dynamodb.ProjectionType.ALL,
    "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
    "INCLUDE": dynamodb.ProjectionType.INCLUDE,
}


def _attribute(key: Key | None) -> dynamodb.Attribute | None:
    return dynamodb.Attribute(name=key.name, type=_TYPES[key.type]) if key else None


def _index_projection(index: IndexSpec) -> dict:
    projection = {"projection_type": _PROJECTIONS[index.projection]}
    if index.non_key_attributes:
        projection["non_key_attributes"] = list(index.non_key_attributes)
    return projection


def make_table(
    scope: Construct, spec: TableSpec, *, stream: bool, removal_policy: RemovalPolicy
) -> dynamodb.Table:
    """One table as its model declares it.

    Encryption: the AWS managed key (aws/dynamodb) rather than a customer managed key. Every read and
    write is still KMS-encrypted and key use shows in CloudTrail, and the province's operators have no
    key policy to keep right, no key whose scheduled deletion would make the dossiers unreadable, and
    no $1/month per key; the MCĐT role (same account) needs no extra kms grants. A province whose
    rules demand its own key can switch `encryption` to CUSTOMER_MANAGED in one place (here).
    """
    table = dynamodb.Table(
        scope,
        spec.model.removesuffix("Model") + "Table",
        table_name=spec.name,
        partition_key=_attribute(spec.partition),
        sort_key=_attribute(spec.sort),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        time_to_live_attribute=spec.ttl_attribute,
        stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES if stream else None,
        removal_policy=removal_policy,
        deletion_protection=removal_policy == RemovalPolicy.RETAIN,
    )
    for index in spec.global_indexes:
        table.add_global_secondary_index(
            index_name=index.name,
            partition_key=_attribute(index.partition),
            sort_key=_attribute(index.sort),
            **_index_projection(index),
        )
    for index in spec.local_indexes:
        table.add_local_secondary_index(
            index_name=index.name, sort_key=_attribute(index.sort), **_index_projection(index)
        )
    return table
