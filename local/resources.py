"""Creates the AWS resources the product expects, in the embedded AWS (in AWS, infra/ does this)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import boto3

from functions.config import Settings
from functions.models import ALL_MODELS, DossierModel


def create_tables(settings: Settings) -> str:
    """Every table, on demand; the Dossiers stream as NEW_AND_OLD_IMAGES. Returns the stream ARN."""
    for model in ALL_MODELS:
        if not model.exists():
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
    client = boto3.client("dynamodb", region_name=settings.region)
    table = client.describe_table(TableName=settings.tables.dossiers)["Table"]
    if not table.get("LatestStreamArn"):
        table = client.update_table(
            TableName=DossierModel.Meta.table_name,
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )["TableDescription"]
    return str(table["LatestStreamArn"])


@dataclass(frozen=True)
class EventsQueue:
    url: str
    arn: str
    dlq_url: str


def create_queue(name: str, max_receives: int = 5, visibility_seconds: int = 5) -> EventsQueue:
    """The Zalo events queue with its DLQ: after `max_receives` receives a message is dead (SQS's
    redrive policy, which moto applies on receive like SQS does)."""
    sqs = boto3.client("sqs")
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receives)}
    url = sqs.create_queue(
        QueueName=name,
        Attributes={"VisibilityTimeout": str(visibility_seconds), "RedrivePolicy": json.dumps(redrive)},
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return EventsQueue(url, arn, dlq_url)
