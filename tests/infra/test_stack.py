"""What the synthesized stack must hold, pinned with aws_cdk.assertions on the real template."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from aws_cdk.assertions import Match, Template

from functions.admin_auth import UNAUTHORIZED
from functions.models import ALL_MODELS
from infra.stacks.log_signals import QUOTA_EXHAUSTED_CODES, TOKEN_REFRESH_FAILED, ZALO_CALL_FAILED
from infra.stacks.policies import UNSCOPED_ACTIONS
from tests.infra.conftest import PROD_CONTEXT, ROOT, ref_id

CHALICE_CONFIG = json.loads((ROOT / ".chalice" / "config.json").read_text())
_ROLE_FUNCTIONS = {
    "ZaloEventsRole": "zalo_events",
    "DossierStreamRole": "dossier_stream",
    "ApiHandlerRole": "api_handler",
}


@pytest.fixture(scope="module")
def template(prod) -> Template:
    return Template.from_json(prod.template)


def test_synth_takes_seconds_not_minutes(prod):
    assert prod.seconds < 300, prod.seconds


@pytest.mark.parametrize("stage", ["prod", "dev"])
def test_cfn_lint_finds_nothing(synths, stage):
    """cfn-lint also expands the SAM transform (samtranslator), so the event sources are checked too."""
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "cfn-lint"),
            "--format",
            "parseable",
            str(synths[stage].template_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- tables ---------------------------------------------------------------------------------------


def test_one_table_per_model_on_demand_with_pitr_and_kms(prod, template):
    template.resource_count_is("AWS::DynamoDB::Table", len(ALL_MODELS))
    template.all_resources_properties(
        "AWS::DynamoDB::Table",
        {
            "BillingMode": "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},
            "DeletionProtectionEnabled": True,
        },
    )
    names = {t["Properties"]["TableName"] for t in prod.resources("AWS::DynamoDB::Table").values()}
    assert names == {f"dvc-zalo-prod-{m.Meta.table_name}" for m in ALL_MODELS}


def test_prod_tables_are_retained_dev_tables_are_not(prod, dev):
    assert {t["DeletionPolicy"] for t in prod.resources("AWS::DynamoDB::Table").values()} == {"Retain"}
    assert {t["DeletionPolicy"] for t in dev.resources("AWS::DynamoDB::Table").values()} == {"Delete"}


def test_dossiers_table_is_the_mcdt_contract_with_its_stream(template):
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "TableName": "dvc-zalo-prod-dossiers",
            "KeySchema": [{"AttributeName": "MaHoSo", "KeyType": "HASH"}],
            "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
        },
    )


def test_ttl_and_indexes_come_from_the_models(template):
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "TableName": "dvc-zalo-prod-webhook-events",
            "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
        },
    )
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "TableName": "dvc-zalo-prod-announcements",
            "GlobalSecondaryIndexes": [
                Match.object_like(
                    {
                        "IndexName": "by-state",
                        "KeySchema": [
                            {"AttributeName": "state", "KeyType": "HASH"},
                            {"AttributeName": "send_at", "KeyType": "RANGE"},
                        ],
                    }
                )
            ],
        },
    )


# --- triggers -------------------------------------------------------------------------------------


def _function(synth, handler: str) -> dict:
    found = [
        f
        for f in synth.resources("AWS::Serverless::Function").values()
        if f["Properties"]["Handler"] == handler
    ]
    assert len(found) == 1, handler
    return found[0]["Properties"]


def test_stream_source_reports_failures_bounds_retries_bisects_and_keeps_failures(prod):
    (event,) = _function(prod, "app.dossier_stream")["Events"].values()
    props = event["Properties"]
    assert event["Type"] == "DynamoDB"
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert 0 < props["MaximumRetryAttempts"] <= 10
    assert props["BisectBatchOnFunctionError"] is True
    assert 60 <= props["MaximumRecordAgeInSeconds"] <= 86400
    assert ref_id(props["Stream"]) in prod.resources("AWS::DynamoDB::Table")
    assert props["Stream"]["Fn::GetAtt"][1] == "StreamArn"
    destination = props["DestinationConfig"]["OnFailure"]
    assert destination["Type"] == "SQS"
    assert ref_id(destination["Destination"]) in prod.resources("AWS::SQS::Queue")


def test_events_queue_has_a_dlq_and_the_worker_reports_partial_batches(prod):
    function = _function(prod, "app.zalo_events")
    (event,) = function["Events"].values()
    assert event["Type"] == "SQS"
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = prod.template["Resources"][ref_id(event["Properties"]["Queue"])]["Properties"]
    assert queue["QueueName"] == "dvc-zalo-prod-events"
    assert 1 < queue["RedrivePolicy"]["maxReceiveCount"] <= 10
    dlq = prod.template["Resources"][ref_id(queue["RedrivePolicy"]["deadLetterTargetArn"])]["Properties"]
    assert dlq["QueueName"] == "dvc-zalo-prod-events-dlq"
    assert queue["VisibilityTimeout"] >= function["Timeout"]


def test_every_queue_is_encrypted(template):
    template.all_resources_properties("AWS::SQS::Queue", {"SqsManagedSseEnabled": True})


def test_webhook_is_throttled_and_api_traced(template):
    template.has_resource_properties(
        "AWS::Serverless::Api",
        {
            "TracingEnabled": True,
            "MethodSettings": Match.array_with(
                [Match.object_like({"ResourcePath": "/~1zalo~1webhook", "HttpMethod": "POST"})]
            ),
        },
    )


# --- permissions ----------------------------------------------------------------------------------


def _statements(synth) -> list[tuple[str, dict]]:
    out = []
    for role_id, role in synth.resources("AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            out += [(role_id, s) for s in policy["PolicyDocument"]["Statement"]]
    for policy_id, policy in synth.resources("AWS::IAM::Policy").items():
        out += [(policy_id, s) for s in policy["Properties"]["PolicyDocument"]["Statement"]]
    return out


def _list(value) -> list:
    return value if isinstance(value, list) else [value]


def test_no_wildcard_actions_and_star_resources_only_where_aws_allows_nothing_else(prod):
    statements = _statements(prod)
    assert statements
    for owner, statement in statements:
        actions = _list(statement["Action"])
        assert not any(a == "*" or a.endswith(":*") for a in actions), (owner, statement)
        for resource in _list(statement["Resource"]):
            if resource == "*":
                assert set(actions) <= UNSCOPED_ACTIONS, (owner, statement)
            else:  # an exact ARN of this stack (an intrinsic), never a pattern
                assert not isinstance(resource, str) or "*" not in resource, (owner, statement)


@pytest.mark.parametrize("role_id", ["ZaloEventsRole", "DossierStreamRole", "ApiHandlerRole"])
def test_functions_get_the_exact_arns_of_the_tables_their_policy_file_names(prod, role_id):
    document = prod.template["Resources"][role_id]["Properties"]["Policies"][0]["PolicyDocument"]
    granted = {
        ref_id(r)
        for s in document["Statement"]
        if any(a.startswith("dynamodb:") and a != "dynamodb:ListStreams" for a in _list(s["Action"]))
        for r in _list(s["Resource"])
        if isinstance(r, dict) and "Fn::GetAtt" in r
    }
    tables = {
        k: v["Properties"]["TableName"].removeprefix("dvc-zalo-prod-")
        for k, v in prod.resources("AWS::DynamoDB::Table").items()
    }
    policy_file = (
        ROOT / ".chalice" / CHALICE_CONFIG["lambda_functions"][_ROLE_FUNCTIONS[role_id]]["iam_policy_file"]
    )
    named = set(
        re.findall(r"table/dvc-zalo-\*-([a-z-]+?)(?:/index/\*|/stream/\*)?\"", policy_file.read_text())
    )
    assert named and {tables[g] for g in granted} == named


def test_mcdt_role_writes_only_the_dossiers_table_with_an_external_id(prod, template):
    template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    Match.object_like(
                        {
                            "Principal": {"AWS": PROD_CONTEXT["mcdt_principal"]},
                            "Condition": {
                                "StringEquals": {"sts:ExternalId": PROD_CONTEXT["mcdt_external_id"]}
                            },
                        }
                    )
                ]
            }
        },
    )
    (role,) = [
        r
        for r in prod.resources("AWS::IAM::Role").values()
        if "sts:ExternalId" in json.dumps(r["Properties"]["AssumeRolePolicyDocument"])
    ]
    (statement,) = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert sorted(statement["Action"]) == sorted(
        [
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:ConditionCheckItem",
        ]
    )
    dossiers = [
        k
        for k, v in prod.resources("AWS::DynamoDB::Table").items()
        if "StreamSpecification" in v["Properties"]
    ]
    assert [ref_id(statement["Resource"])] == dossiers


def test_no_secret_value_in_the_template(prod):
    (secret,) = prod.resources("AWS::SecretsManager::Secret").values()
    assert "SecretString" not in secret["Properties"]
    assert secret["Properties"]["GenerateSecretString"]["GenerateStringKey"] == "status_link_key"
    for function in prod.resources("AWS::Serverless::Function").values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert ref_id(variables["ZALO_SECRET_ID"]) in prod.resources("AWS::SecretsManager::Secret")
        assert not {"ZALO_APP_SECRET", "ZALO_OA_SECRET_KEY", "ZALO_REFRESH_TOKEN", "STATUS_LINK_KEY"} & set(
            variables
        )


# --- observability --------------------------------------------------------------------------------


def test_functions_run_python312_traced_with_retained_logs(prod, template):
    template.all_resources_properties(
        "AWS::Serverless::Function", {"Runtime": "python3.12", "Tracing": "Active"}
    )
    template.all_resources_properties("AWS::Logs::LogGroup", {"RetentionInDays": 90})


def test_alarms_go_to_the_topic_with_an_email_subscription(prod, template):
    template.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": PROD_CONTEXT["alarm_email"]}
    )
    (topic,) = prod.resources("AWS::SNS::Topic")
    for alarm_id, alarm in prod.resources("AWS::CloudWatch::Alarm").items():
        assert [ref_id(a) for a in alarm["Properties"]["AlarmActions"]] == [topic], alarm_id


def test_dead_letter_and_failure_queues_and_iterator_age_are_alarmed(prod):
    alarms = prod.resources("AWS::CloudWatch::Alarm").values()
    watched = {
        ref_id(d["Value"])
        for a in alarms
        if a["Properties"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
        for d in a["Properties"]["Dimensions"]
    }
    queues = prod.resources("AWS::SQS::Queue")
    ends = {k for k, q in queues.items() if q["Properties"]["QueueName"].endswith(("-dlq", "-failures"))}
    assert ends and {w for w in watched} == ends
    assert any(a["Properties"]["MetricName"] == "IteratorAge" for a in alarms)


def test_token_refresh_and_quota_alarms_count_the_lines_the_code_logs(prod):
    patterns = [f["Properties"]["FilterPattern"] for f in prod.resources("AWS::Logs::MetricFilter").values()]
    token = [p for p in patterns if TOKEN_REFRESH_FAILED in p]
    quota = [p for p in patterns if ZALO_CALL_FAILED in p]
    functions = len(prod.resources("AWS::Serverless::Function"))
    assert len(token) == len(quota) == functions  # every function's log group: any of them may refresh
    assert all(f"$.zalo_error = {code}" in quota[0] for code in QUOTA_EXHAUSTED_CODES), quota[0]
    metrics = {a["Properties"].get("MetricName") for a in prod.resources("AWS::CloudWatch::Alarm").values()}
    assert {"TokenRefreshFailures", "ZaloQuotaExhausted"} <= metrics


def test_outputs_tell_the_operator_where_things_are(prod):
    outputs = prod.template["Outputs"]
    for name in (
        "WebhookUrl",
        "StatusPageUrl",
        "OfficialsApiUrl",
        "McdtRoleArn",
        "ZaloSecretName",
        "DossierTableName",
    ):
        assert name in outputs, name
    assert outputs["StatusPageUrl"]["Value"] == PROD_CONTEXT["public_base_url"] + "/tra-cuu/"
    assert outputs["ZaloSecretName"]["Value"] == "dvc-zalo-prod-zalo"


def test_the_app_file_is_what_cdk_runs():
    cdk_json = json.loads((Path(__file__).resolve().parents[2] / "infra" / "cdk.json").read_text())
    assert cdk_json["app"].endswith("python app.py")
    assert cdk_json["context"]["stage"] == "dev"


def test_dev_without_a_domain_links_to_the_api_itself(dev):
    functions = {
        f["Properties"]["Handler"]: f["Properties"]["Environment"]["Variables"]
        for f in dev.resources("AWS::Serverless::Function").values()
    }
    assert "RestAPI" in json.dumps(functions["app.zalo_events"]["PUBLIC_BASE_URL"])
    assert "PUBLIC_BASE_URL" not in functions["app.app"]  # its own URL would be a dependency cycle


def test_api_5xx_and_latency_are_alarmed_per_stage(prod, template):
    template.has_resource_properties("AWS::Serverless::Api", {"Name": "dvc-zalo-prod"})
    dimensions = [{"Name": "ApiName", "Value": "dvc-zalo-prod"}, {"Name": "Stage", "Value": "api"}]
    for metric in ("5XXError", "Latency"):
        template.has_resource_properties(
            "AWS::CloudWatch::Alarm",
            {"MetricName": metric, "Namespace": "AWS/ApiGateway", "Dimensions": dimensions},
        )


# --- officials' sign-in (Cognito) -----------------------------------------------------------------


def test_officials_pool_admin_created_only_strong_passwords_totp_required(template):
    template.resource_count_is("AWS::Cognito::UserPool", 1)
    template.has_resource_properties(
        "AWS::Cognito::UserPool",
        {
            "UserPoolName": "dvc-zalo-prod-officials",
            "AdminCreateUserConfig": Match.object_like({"AllowAdminCreateUserOnly": True}),
            "UsernameAttributes": ["email"],
            "UsernameConfiguration": {"CaseSensitive": False},
            "Policies": {
                "PasswordPolicy": {
                    "MinimumLength": 14,
                    "RequireLowercase": True,
                    "RequireUppercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": True,
                    "TemporaryPasswordValidityDays": 3,
                }
            },
            "MfaConfiguration": "ON",
            "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],
            "AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
            "UserPoolTier": "LITE",
            "UserPoolAddOns": Match.absent(),  # threat protection is a paid (PLUS) feature: off
            "SmsConfiguration": Match.absent(),
        },
    )


def test_prod_pool_is_retained_and_protected_dev_pool_is_not(prod, dev):
    (pool,) = prod.resources("AWS::Cognito::UserPool").values()
    assert pool["DeletionPolicy"] == "Retain" and pool["Properties"]["DeletionProtection"] == "ACTIVE"
    (pool,) = dev.resources("AWS::Cognito::UserPool").values()
    assert pool["DeletionPolicy"] == "Delete" and pool["Properties"]["DeletionProtection"] == "INACTIVE"


def test_cli_client_allows_the_flow_the_cli_sends_has_no_secret_and_no_oauth(prod):
    (client,) = prod.resources("AWS::Cognito::UserPoolClient").values()
    props = client["Properties"]
    cli_flows = set(re.findall(r'AuthFlow="(\w+)"', (ROOT / "cli" / "cognito_login.py").read_text()))
    assert cli_flows == {"USER_PASSWORD_AUTH"}
    assert set(props["ExplicitAuthFlows"]) == {f"ALLOW_{f}" for f in cli_flows} | {
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    assert props["GenerateSecret"] is False
    assert "AllowedOAuthFlows" not in props and props["AllowedOAuthFlowsUserPoolClient"] is False
    assert props["TokenValidityUnits"]["IdToken"] == "minutes" and props["IdTokenValidity"] == 60
    assert props["RefreshTokenValidity"] == 12 * 60
    assert props["PreventUserExistenceErrors"] == "ENABLED" and props["EnableTokenRevocation"] is True


def test_functions_are_packaged_with_the_pool_arn(prod):
    (pool_id,) = prod.resources("AWS::Cognito::UserPool")
    api = prod.template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert api["OFFICIALS_USER_POOL_ARN"] == {"Fn::GetAtt": [pool_id, "Arn"]}
    assert "ADMIN_TOKEN_SHA256" not in api


@pytest.mark.parametrize("kind,status", [("UNAUTHORIZED", "401"), ("ACCESS_DENIED", "403")])
def test_gateway_refusals_are_the_officials_json(prod, kind, status):
    """API Gateway answers these before our code runs; the body is admin_auth.UNAUTHORIZED."""
    api = prod.template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    response = api["x-amazon-apigateway-gateway-responses"][kind]
    assert response["statusCode"] == status
    assert response["responseParameters"] == {
        "gatewayresponse.header.Content-Type": "'application/json; charset=utf-8'"
    }
    (body,) = response["responseTemplates"].values()
    assert json.loads(body) == UNAUTHORIZED
    assert "Chưa đăng nhập" in body  # UTF-8 as is, not \\u escapes


def test_outputs_tell_officials_how_to_sign_in(prod):
    outputs = prod.template["Outputs"]
    (pool_id,) = prod.resources("AWS::Cognito::UserPool")
    (client_id,) = prod.resources("AWS::Cognito::UserPoolClient")
    assert outputs["OfficialsUserPoolId"]["Value"] == {"Ref": pool_id}
    assert outputs["OfficialsCliClientId"]["Value"] == {"Ref": client_id}
