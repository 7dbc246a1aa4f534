"""Nothing declared on the Chalice app is forgotten by the stack: every handler has its trigger, its
own narrowed role, a log group with retention, and error/throttle alarms.

Iterates functions.main.app itself (routes, queue/stream/schedule event sources, authorizers, plain
Lambda functions, websocket handlers), so a handler another engineer adds is checked with no edit here.
The handlers and route authorizers come from the app as the stack packages it (with the officials'
user pool: conftest.packaged_app), which has no dev-token authorizer.
"""

from __future__ import annotations

import pytest

from functions.main import app
from tests.infra.conftest import packaged_app, ref_id


def _functions(synth) -> dict[str, tuple[str, dict]]:
    """handler string (`app.zalo_events`) → (logical id, properties)."""
    return {
        f["Properties"]["Handler"]: (k, f["Properties"])
        for k, f in synth.template["Resources"].items()
        if f["Type"] == "AWS::Serverless::Function"
    }


def _declared_handlers() -> list[str]:
    return packaged_app()["handlers"]


def test_the_app_declares_what_we_expect_at_least():
    assert {"app.app", "app.zalo_events", "app.dossier_stream", "app.broadcaster", "app.token_keeper"} <= set(
        _declared_handlers()
    )
    assert not app.websocket_handlers, "websocket handlers need infra (API Gateway v2) that the stack lacks"


@pytest.mark.parametrize("handler", _declared_handlers())
def test_handler_has_a_function_role_logs_and_alarms(prod, handler):
    functions = _functions(prod)
    assert handler in functions, f"{handler} is declared on the app but not deployed"
    _, props = functions[handler]
    resources = prod.template["Resources"]

    role = resources[ref_id(props["Role"])]
    assert role["Type"] == "AWS::IAM::Role"
    users = [p for _, p in functions.values() if ref_id(p["Role"]) == ref_id(props["Role"])]
    assert len(users) == 1, "one role per function"
    statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert any(s["Resource"] != "*" for s in statements)

    name = props["FunctionName"]
    groups = [r for r in resources.values() if r["Type"] == "AWS::Logs::LogGroup"]
    assert any(
        g["Properties"]["LogGroupName"] == f"/aws/lambda/{name}" and g["Properties"]["RetentionInDays"]
        for g in groups
    )

    alarmed = {
        a["Properties"]["MetricName"]
        for a in resources.values()
        if a["Type"] == "AWS::CloudWatch::Alarm"
        and {"Name": "FunctionName", "Value": name} in a["Properties"].get("Dimensions", [])
    }
    assert {"Errors", "Throttles"} <= alarmed, (handler, alarmed)


def _events(prod, handler: str) -> list[dict]:
    return list(_functions(prod)[handler][1].get("Events", {}).values())


@pytest.mark.parametrize("source", app.event_sources, ids=lambda e: e.name)
def test_event_source_is_wired_to_a_resource_of_the_stack(prod, source):
    resources = prod.template["Resources"]
    (event,) = _events(prod, source.handler_string)
    props = event["Properties"]
    kind = type(source).__name__
    if kind == "SQSEventConfig":
        assert event["Type"] == "SQS"
        queue = resources[ref_id(props["Queue"])]
        assert queue["Type"] == "AWS::SQS::Queue" and "RedrivePolicy" in queue["Properties"]
        assert props["BatchSize"] == source.batch_size
    elif kind == "DynamoDBEventConfig":
        assert event["Type"] == "DynamoDB"
        assert resources[ref_id(props["Stream"])]["Type"] == "AWS::DynamoDB::Table"
        assert "OnFailure" in props["DestinationConfig"]
    elif kind == "ScheduledEventConfig":
        assert event["Type"] == "Schedule"
        expression = source.schedule_expression
        expected = expression if isinstance(expression, str) else expression.to_string()
        assert props["Schedule"] == expected  # EventBridge: rate() or cron() in UTC
    else:
        pytest.fail(f"{kind} ({source.name}) has no check here and no infrastructure in infra/stacks")


def test_every_route_is_in_the_api_with_its_authorizer(prod):
    api = prod.template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    routes = packaged_app()["routes"]
    assert routes.keys() == app.routes.keys()
    for path, methods in routes.items():
        for method, authorizer in methods.items():
            operation = api["paths"][path][method.lower()]
            assert "APIHandler.Arn" in operation["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
            assert operation.get("security") == ([{authorizer: []}] if authorizer else None), (method, path)


def test_officials_routes_use_the_user_pool_and_public_ones_nothing(prod):
    """Every /admin operation in the deployed API checks a Cognito ID token of the stack's pool;
    the webhook, /health, the status page and Zalo's domain-verification file stay open."""
    api = prod.template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    (pool_id,) = prod.resources("AWS::Cognito::UserPool")
    for path, operations in api["paths"].items():
        for method, operation in operations.items():
            schemes = [next(iter(s)) for s in operation.get("security", [])]
            if path.startswith("/admin/"):
                assert schemes == ["officials"], (method, path)
            else:
                assert schemes == [], (method, path)
    public = {p for p in api["paths"] if not p.startswith("/admin/")}
    assert public == {"/health", "/tra-cuu/{code}", "/zalo/webhook", "/{file_name}"}
    assert api["securityDefinitions"] == {
        "officials": {
            "in": "header",
            "type": "apiKey",
            "name": "Authorization",
            "x-amazon-apigateway-authtype": "cognito_user_pools",
            "x-amazon-apigateway-authorizer": {
                "type": "cognito_user_pools",
                "providerARNs": [{"Fn::GetAtt": [pool_id, "Arn"]}],
            },
        }
    }


def test_no_function_or_invoke_permission_for_an_authorizer_no_route_uses(prod):
    """Locally the dev-token authorizer guards /admin; beside Cognito it would be a deployed function
    (with a role and API Gateway's right to invoke it) that nothing calls."""
    assert [a.name for a in app.builtin_auth_handlers] == ["official_auth"]  # the local app has it
    assert "app.official_auth" not in _functions(prod)
    assert not [k for k in prod.template["Resources"] if k.startswith("OfficialAuth")]


def test_every_name_in_the_handler_map_is_a_route_view_or_a_deployed_function(prod):
    """The catch-all: whatever decorator registered a handler, it is served by the stack."""
    packaged = packaged_app()
    views, deployed = set(packaged["views"]), set(_functions(prod))
    for name in packaged["handler_map"]:
        assert name in views or f"app.{name}" in deployed, f"{name} is registered on the app but not deployed"
