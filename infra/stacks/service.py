"""The whole deployment of one stage: the Chalice app (chalice.cdk) plus what Chalice cannot declare.

Everything per function is derived from the template that `chalice package` produced for the app
(functions/main.py): each function gets its log group, narrowed role, alarms and trigger settings;
each table comes from functions/models.py. A handler or a table added by another engineer therefore
appears here with no edit to infra/, and one this stack cannot serve (an unknown event type, a policy
pattern that matches nothing) stops the synth with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_cdk import Aws, CfnOutput, Duration, Environment, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from chalice.cdk import Chalice
from constructs import Construct

from .deploy_config import REPO_ROOT, DeployConfig
from .model_tables import table_specs
from .monitoring import Monitoring
from .officials import OfficialsPool, gateway_responses
from .policies import Grantable, narrow
from .tables import make_table

LAMBDA_RUNTIME = "python3.12"
# Streams the app subscribes to: the environment variable functions/main.py reads at import → model.
STREAMS = {"DOSSIERS_STREAM_ARN": "DossierModel"}
# The Dossiers stream's event source (design.md §9). Retries are bounded and bisected so one bad
# record cannot block a shard for the stream's 24 h; what still fails is described on the failure queue.
STREAM_SOURCE = {
    "FunctionResponseTypes": ["ReportBatchItemFailures"],
    "MaximumRetryAttempts": 10,
    "BisectBatchOnFunctionError": True,
    "MaximumRecordAgeInSeconds": 6 * 3600,
}
QUEUE_MAX_RECEIVES = 5  # then the message moves to the DLQ (alarmed)
# MCĐT writes dossiers and changes statuses; it never deletes (a REMOVE would erase a citizen's case
# history and notify no one). BatchWriteItem is left out because IAM cannot allow its puts without
# its deletes; BatchGetItem is in because the MCĐT kit's bulk import reads stored versions in batches.
MCDT_ACTIONS = [
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
]
ACCOUNT_PLACEHOLDER = "000000000000"


def _queue_name(queue: Any) -> str:
    """Chalice names an SQS trigger's queue as `{"Fn::Sub": "arn:...:${AWS::AccountId}:<name>"}`."""
    arn = queue["Fn::Sub"] if isinstance(queue, dict) else str(queue)
    return arn.rsplit(":", 1)[-1]


class DvcZaloStack(Stack):
    def __init__(self, scope: Construct, config: DeployConfig) -> None:
        super().__init__(
            scope,
            config.stage,  # the construct path is Chalice's stage name (chalice.cdk uses scope.to_string())
            stack_name=config.prefix,
            env=Environment(account=config.account, region=config.region),
            description=f"dvc-zalo {config.stage}: Zalo OA lookups, status notices and announcements",
        )
        self.config = config
        self.removal = RemovalPolicy.RETAIN if config.is_prod else RemovalPolicy.DESTROY
        self.grantables: list[Grantable] = []
        self.tables = self._tables()
        self.secret = self._secret()
        self.officials = OfficialsPool(self, "Officials", prefix=config.prefix, removal=self.removal)
        self.app = Chalice(self, "App", source_dir=str(REPO_ROOT), stage_config=self._stage_config())
        self.sam = json.loads(Path(self._sam_template_path()).read_text())
        self.monitoring = Monitoring(self, "Monitoring", config)
        self.queues: dict[str, sqs.Queue] = {}
        self.functions: dict[str, Any] = {}
        for logical_id, resource in self._sam_functions():
            self._prepare_triggers(logical_id, resource)
        for logical_id, resource in self._sam_functions():
            self._finish_function(logical_id, resource)
        self._throttle_api()
        self._public_url_from_api()
        self.mcdt_role = self._mcdt_role()
        self._outputs()

    # --- resources the functions use -------------------------------------------------------------

    def _tables(self) -> dict[str, dynamodb.Table]:
        streamed = set(STREAMS.values())
        tables = {}
        for spec in table_specs(self.config.stage, self.config.region):
            table = make_table(self, spec, stream=spec.model in streamed, removal_policy=self.removal)
            tables[spec.model] = table
            base = f"arn:aws:dynamodb:{self.config.region}:{self._account()}:table/{spec.name}"
            self.grantables += [
                Grantable(base, table.table_arn),
                Grantable(f"{base}/index/*", f"{table.table_arn}/index/*"),
            ]
            self.grantables += [
                Grantable(f"{base}/index/{index.name}", f"{table.table_arn}/index/{index.name}")
                for index in (*spec.global_indexes, *spec.local_indexes)
            ]
            if table.table_stream_arn:
                self.grantables.append(Grantable(f"{base}/stream/*", table.table_stream_arn))
        return tables

    def _secret(self) -> secretsmanager.Secret:
        """Created with empty Zalo values (the operator fills them: docs/deploy.md) and a random
        status-link key generated by Secrets Manager, so no secret value is ever in the template."""
        name = f"{self.config.prefix}-zalo"
        secret = secretsmanager.Secret(
            self,
            "ZaloSecret",
            secret_name=name,
            description="Zalo app secret, OA secret key, status-link key, first refresh token (JSON)",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps(
                    {"app_secret": "", "oa_secret_key": "", "refresh_token": ""}
                ),
                generate_string_key="status_link_key",
                exclude_punctuation=True,
                password_length=48,
            ),
            removal_policy=self.removal,
        )
        pattern = f"arn:aws:secretsmanager:{self.config.region}:{self._account()}:secret:{name}-xxxxxx"
        self.grantables.append(Grantable(pattern, secret.secret_arn))
        return secret

    def _queue(self, name: str, visibility: Duration, dlq: sqs.Queue | None = None) -> sqs.Queue:
        queue = sqs.Queue(
            self,
            "Queue-" + name.removeprefix(self.config.prefix + "-"),
            queue_name=name,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=visibility,
            retention_period=Duration.days(4 if dlq else 14),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=QUEUE_MAX_RECEIVES, queue=dlq)
            if dlq
            else None,
            removal_policy=self.removal,
        )
        self.queues[name] = queue
        self.grantables.append(
            Grantable(f"arn:aws:sqs:{self.config.region}:{self._account()}:{name}", queue.queue_arn)
        )
        return queue

    # --- the Chalice app -------------------------------------------------------------------------

    def _stage_config(self) -> dict[str, Any]:
        """Environment for every function. Chalice also sets it while importing the app to package
        it, which is how `@app.on_dynamodb_record(stream_arn=DOSSIERS_STREAM_ARN)` gets the real
        stream (a CDK token that the template resolves to the table's StreamArn)."""
        c = self.config
        env = {
            "STAGE": c.stage,
            "ZALO_SECRET_ID": self.secret.secret_arn,
            "ZALO_EVENTS_QUEUE_NAME": f"{c.prefix}-events",
            "ZALO_EVENTS_QUEUE_URL": f"https://sqs.{Aws.REGION}.{Aws.URL_SUFFIX}/{Aws.ACCOUNT_ID}/{c.prefix}-events",
            "ZALO_APP_ID": c.zalo_app_id,
            "ZALO_OA_ID": c.zalo_oa_id,
            "ZALO_TEMPLATE_STATUS": c.zalo_template_status,
            "ZALO_ZBS_MODE": c.zalo_zbs_mode,
            "PROVINCE_NAME": c.province_name,
            "PUBLIC_BASE_URL": c.public_base_url,
            "XRAY_TRACING": "1",
            # functions/main.py then guards /admin/* with this pool (a Cognito authorizer) and
            # registers no dev-token authorizer, so no function is deployed for one.
            "OFFICIALS_USER_POOL_ARN": self.officials.pool.user_pool_arn,
            **c.function_settings,
        }
        for variable, model in STREAMS.items():
            env[variable] = self.tables[model].table_stream_arn
        return {"environment_variables": {k: v for k, v in env.items() if v != ""}}

    def _sam_template_path(self) -> str:
        # chalice.cdk keeps the packaged template beside the zip; 1.34's attribute (pinned).
        return str(Path(self.app._sam_package_dir) / "sam.json")

    def _sam_functions(self) -> list[tuple[str, dict[str, Any]]]:
        return [(k, v) for k, v in self.sam["Resources"].items() if v["Type"] == "AWS::Serverless::Function"]

    def _prepare_triggers(self, logical_id: str, resource: dict[str, Any]) -> None:
        """Queues and failure destinations first: the roles' policies are narrowed against them."""
        fn = self.app.get_resource(logical_id)
        timeout = int(resource["Properties"].get("Timeout", 60))
        for name, event in resource["Properties"].get("Events", {}).items():
            kind, props = event["Type"], event["Properties"]
            path = f"Events.{name}.Properties"
            if kind == "SQS":
                queue_name = _queue_name(props["Queue"])
                dlq = self._queue(f"{queue_name}-dlq", Duration.seconds(30))
                # AWS requires visibility ≥ function timeout; 6× leaves room for Lambda's own retries.
                queue = self._queue(queue_name, Duration.seconds(6 * timeout), dlq=dlq)
                self.monitoring.queue_depth(queue_name + "-dlq", dlq)
                fn.add_property_override(f"{path}.Queue", queue.queue_arn)
                fn.add_property_override(f"{path}.FunctionResponseTypes", ["ReportBatchItemFailures"])
            elif kind == "DynamoDB":
                failures = self._queue(
                    f"{self.config.prefix}-{logical_id.lower()}-failures", Duration.seconds(30)
                )
                self.monitoring.queue_depth(f"{logical_id} stream failures", failures)
                for key, value in STREAM_SOURCE.items():
                    fn.add_property_override(f"{path}.{key}", value)
                fn.add_property_override(
                    f"{path}.DestinationConfig",
                    {"OnFailure": {"Type": "SQS", "Destination": failures.queue_arn}},
                )
                self.functions.setdefault(logical_id, {})["failure_queue"] = failures
            elif kind == "Schedule":
                pass  # EventBridge evaluates cron() in UTC: write its hours in UTC, not Vietnam time (+7)
            else:
                raise ValueError(f"{logical_id}: event type {kind!r} has no infrastructure in infra/stacks")

    def _finish_function(self, logical_id: str, resource: dict[str, Any]) -> None:
        fn = self.app.get_resource(logical_id)
        runtime = resource["Properties"]["Runtime"]
        if runtime != LAMBDA_RUNTIME:  # chalice packages wheels for the Python that runs it
            raise ValueError(
                f"chalice packaged for {runtime}: synthesize with Python 3.12 (Lambda's runtime)"
            )
        fn.add_property_override("Tracing", "Active")
        # A fixed name (Chalice's own `<app>-<stage>-<function>`), so that the log group, the role's
        # log permission and the alarms can name the function without depending on it (no cycle).
        function_name = f"{self.config.prefix}-{_function_key(resource)}"
        fn.add_property_override("FunctionName", function_name)
        for model, table in self.tables.items():
            if model not in STREAMS.values():  # a streamed table is already referenced by the environment
                fn.add_resource_dependency(table.node.default_child)
        log_group = logs.LogGroup(
            self,
            f"{logical_id}Logs",
            log_group_name=f"/aws/lambda/{function_name}",
            retention=_retention(self.config.log_retention_days),
            removal_policy=self.removal,
        )
        role_id = resource["Properties"]["Role"]["Fn::GetAtt"][0]
        document = self.sam["Resources"][role_id]["Properties"]["Policies"][0]["PolicyDocument"]
        narrowed = narrow(document, self.grantables, log_group.log_group_arn, where=f"{role_id} policy")
        extra = self.functions.get(logical_id, {})
        if "failure_queue" in extra:  # Lambda sends the failed batch's description with the function's role
            narrowed["Statement"].append(
                {
                    "Effect": "Allow",
                    "Action": ["sqs:SendMessage"],
                    "Resource": [extra["failure_queue"].queue_arn],
                }
            )
        self.app.get_resource(role_id).add_property_override("Policies.0.PolicyDocument", narrowed)
        events = resource["Properties"].get("Events", {}).values()
        self.monitoring.function(
            logical_id, function_name, log_group, streamed=any(e["Type"] == "DynamoDB" for e in events)
        )
        self.functions.setdefault(logical_id, {}).update(
            name=function_name, log_group=log_group, role=role_id
        )

    def _public_url_from_api(self) -> None:
        """Without a `public_base_url` (dev), links in chat point at the API's own address. Only the
        functions other than the API handler get it: the API's URL depends on that function."""
        if self.config.public_base_url or "RestAPI" not in self.sam["Resources"]:
            return
        for logical_id, _ in self._sam_functions():
            if logical_id != "APIHandler":
                self.app.get_resource(logical_id).add_property_override(
                    "Environment.Variables.PUBLIC_BASE_URL", self._endpoint()
                )

    def _endpoint(self) -> str:
        rest_api = self.app.get_resource("RestAPI").ref
        api_stage = self.sam["Resources"]["RestAPI"]["Properties"].get("StageName", "api")
        return f"https://{rest_api}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}/{api_stage}"

    def _throttle_api(self) -> None:
        """Stage-wide throttling, tighter than the account's 10,000 rps, and its own limit for the
        webhook (Zalo's deliveries); X-Ray on the stage; API Gateway's own 401/403 in our JSON."""
        if "RestAPI" not in self.sam["Resources"]:
            return
        c = self.config
        api = self.app.get_resource("RestAPI")
        api.add_property_override("Name", c.prefix)  # Chalice names it after the app: same in every stage
        self.monitoring.api(c.prefix, self.sam["Resources"]["RestAPI"]["Properties"].get("StageName", "api"))
        api.add_property_override(
            "MethodSettings",
            [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "ThrottlingRateLimit": c.api_rate_limit,
                    "ThrottlingBurstLimit": c.api_burst_limit,
                },
                {
                    "ResourcePath": "/~1zalo~1webhook",
                    "HttpMethod": "POST",
                    "ThrottlingRateLimit": c.webhook_rate_limit,
                    "ThrottlingBurstLimit": c.webhook_burst_limit,
                },
            ],
        )
        api.add_property_override("TracingEnabled", True)
        api.add_property_override("DefinitionBody.x-amazon-apigateway-gateway-responses", gateway_responses())

    # --- MCĐT, outputs ---------------------------------------------------------------------------

    def _mcdt_role(self) -> iam.Role:
        principal_text = self.config.mcdt_principal
        if not principal_text:
            principal: iam.IPrincipal = iam.AccountRootPrincipal()
        elif principal_text.isdigit():
            principal = iam.AccountPrincipal(principal_text)
        else:
            principal = iam.ArnPrincipal(principal_text)
        dossiers = self.tables[STREAMS["DOSSIERS_STREAM_ARN"]]
        return iam.Role(
            self,
            "McdtWriterRole",
            description="The province one-stop software (MCDT) writes dossiers here (docs/mcdt-contract.md)",
            assumed_by=principal,
            external_ids=[self.config.mcdt_external_id],
            max_session_duration=Duration.hours(1),
            inline_policies={
                "write-dossiers": iam.PolicyDocument(
                    statements=[iam.PolicyStatement(actions=MCDT_ACTIONS, resources=[dossiers.table_arn])]
                )
            },
        )

    def _outputs(self) -> None:
        if "RestAPI" in self.sam["Resources"]:
            endpoint = self._endpoint()
            public = self.config.public_base_url or endpoint
            CfnOutput(self, "WebhookUrl", value=f"{endpoint}/zalo/webhook", description="Zalo app → webhook")
            CfnOutput(self, "StatusPageUrl", value=f"{public}/tra-cuu/", description="public status page")
            CfnOutput(self, "OfficialsApiUrl", value=f"{endpoint}/admin/announcements")
        for model, table in self.tables.items():
            CfnOutput(self, f"{model.removesuffix('Model')}TableName", value=table.table_name)
        CfnOutput(self, "McdtRoleArn", value=self.mcdt_role.role_arn, description="MCĐT assumes this")
        CfnOutput(self, "McdtExternalId", value=self.config.mcdt_external_id)
        CfnOutput(
            self, "ZaloSecretName", value=f"{self.config.prefix}-zalo", description="fill in: docs/deploy.md"
        )
        CfnOutput(self, "AlarmTopicArn", value=self.monitoring.topic.topic_arn)
        pool = self.officials
        CfnOutput(self, "OfficialsUserPoolId", value=pool.pool.user_pool_id, description="admin-create-user")
        CfnOutput(
            self,
            "OfficialsCliClientId",
            value=pool.client.user_pool_client_id,
            description="python -m cli.officials login --client-id",
        )

    def _account(self) -> str:
        return self.config.account or ACCOUNT_PLACEHOLDER


def _function_key(resource: dict[str, Any]) -> str:
    """`app.zalo_events` → `zalo_events`; the routes' handler `app.app` is Chalice's `api_handler`."""
    handler = resource["Properties"]["Handler"].rsplit(".", 1)[-1]
    return "api_handler" if handler == "app" else handler


_RETENTIONS = {
    1: "ONE_DAY", 3: "THREE_DAYS", 5: "FIVE_DAYS", 7: "ONE_WEEK", 14: "TWO_WEEKS", 30: "ONE_MONTH",
    60: "TWO_MONTHS", 90: "THREE_MONTHS", 120: "FOUR_MONTHS", 150: "FIVE_MONTHS", 180: "SIX_MONTHS",
    365: "ONE_YEAR", 400: "THIRTEEN_MONTHS", 545: "EIGHTEEN_MONTHS", 731: "TWO_YEARS",
}  # fmt: skip


def _retention(days: int) -> logs.RetentionDays:
    """The shortest retention CloudWatch offers that keeps logs at least `days`."""
    name = next((_RETENTIONS[d] for d in sorted(_RETENTIONS) if d >= days), "INFINITE")
    return getattr(logs.RetentionDays, name)
