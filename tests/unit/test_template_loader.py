"""template.yaml as the local tools read it: routes, environments, the table, the events."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from localapi.template import (
    Template,
    TemplateError,
    compile_path,
    event_sources,
    function_environment,
    function_route,
    layer_paths,
    load_template,
    routes,
    table_definition,
    time_to_live,
)
from tests.support.events import event_names, load_event

REPO = Path(__file__).resolve().parents[2]
OVERRIDES = {"Table": "local-table", "CursorSecret": "c" * 40, "KycSandboxSecret": "k" * 40}


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template()


def test_default_template_is_the_repository_one(template: Template) -> None:
    assert template.path == REPO / "template.yaml"
    assert template.root == REPO


def test_short_tags_load_as_long_forms(template: Template) -> None:
    variables = template.function_globals["Environment"]["Variables"]
    assert variables["TABLE_NAME"] == {"Ref": "Table"}
    assert template.function_globals["Layers"] == [{"Ref": "CoreLayer"}]
    outputs = template.data["Outputs"]
    assert outputs["TableStreamArn"]["Value"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    assert outputs["ApiUrl"]["Value"]["Fn::Sub"].startswith("https://${HttpApi}")


def test_every_function_has_a_route_with_an_existing_handler(template: Template) -> None:
    found = routes(template)
    functions = template.functions()
    assert functions, "template.yaml declares no functions"
    sources = {s.function for s in event_sources(template)}
    assert {r.function for r in found} | sources == set(functions)
    assert not {r.function for r in found} & sources, "a function is either routed or polled"
    for route in found:
        assert route.method in {"GET", "POST", "PUT", "PATCH", "DELETE", "ANY"}
        # The API under /v1; the sandbox KYC provider's pages under /sandbox; the catch-all.
        assert route.path.startswith(("/v1/", "/sandbox/")) or route.route_key == "$default"
        assert route.handler == "app.lambda_handler"
        assert route.code_uri == (REPO / functions[route.function]["CodeUri"]).resolve()
        assert route.handler_file.is_file(), route.handler_file
    assert len({r.route_key for r in found}) == len(found), "two functions claim one route"


def test_signing_key_routes(template: Template) -> None:
    by_key = {r.route_key: r for r in routes(template)}
    assert by_key["POST /v1/signing-keys"].function == "CreateSigningKeyFunction"
    assert by_key["GET /v1/signing-keys"].function == "ListSigningKeysFunction"
    delete = by_key["DELETE /v1/signing-keys/{keyId}"]
    assert delete.event_name == "signing_keys_delete"
    assert delete.match("/v1/signing-keys/sig_01ABC") == {"keyId": "sig_01ABC"}
    assert delete.match("/v1/signing-keys/sig_a%2Fb") == {"keyId": "sig_a/b"}
    assert delete.match("/v1/signing-keys/a/b") is None
    assert delete.match("/v1/signing-keys/") is None
    assert function_route(template, "signing_keys_create").function == "CreateSigningKeyFunction"
    assert function_route(template, "ListSigningKeysFunction").route_key == "GET /v1/signing-keys"
    with pytest.raises(TemplateError, match="no function"):
        function_route(template, "NoSuchFunction")


def test_literal_routes_win_over_parameters() -> None:
    assert compile_path("/v1/things/{id}").fullmatch("/v1/things/x")
    assert compile_path("/v1/{proxy+}").fullmatch("/v1/a/b/c")
    assert not compile_path("/v1/things").fullmatch("/v1/things/")


def test_function_environment_resolves_refs(template: Template) -> None:
    env = function_environment(template, "CreateSigningKeyFunction", OVERRIDES)
    assert env["TABLE_NAME"] == "local-table"
    assert env["CURSOR_SECRET"] == "c" * 40
    assert env["API_KEY_CACHE_SECONDS"] == str(template.parameters["ApiKeyCacheSeconds"]["Default"])
    assert env["IDEMPOTENCY_LEASE_SECONDS"] == "30"
    assert all(isinstance(v, str) for v in env.values())


def test_function_environment_needs_values_for_resources_and_secret_parameters(template: Template) -> None:
    with pytest.raises(TemplateError, match="Table"):
        function_environment(template, "CreateSigningKeyFunction", {"CursorSecret": "c" * 40})
    with pytest.raises(TemplateError, match="CursorSecret"):
        function_environment(template, "CreateSigningKeyFunction", {"Table": "t"})


def test_environment_intrinsics(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        textwrap.dedent(
            """
            Parameters:
              Stage: {Type: String, Default: dev}
            Globals:
              Function:
                Handler: app.handler
                Environment:
                  Variables:
                    SHARED: shared
                    OVERRIDDEN: global
            Resources:
              Table: {Type: AWS::DynamoDB::Table, Properties: {}}
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: functions/x/
                  Environment:
                    Variables:
                      OVERRIDDEN: mine
                      ARN: !GetAtt Table.Arn
                      SUB: !Sub "${Table.Arn}/index/${Stage}-${AWS::Region}"
                      JOINED: !Join ["-", [!Ref Stage, !Ref Table]]
                      NUMBER: 5
                      FLAG: true
            """
        )
    )
    env = function_environment(load_template(path), "Fn", {"Table": "tbl"})
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/tbl"
    assert env == {
        "SHARED": "shared",
        "OVERRIDDEN": "mine",
        "ARN": arn,
        "SUB": f"{arn}/index/dev-us-east-1",
        "JOINED": "dev-tbl",
        "NUMBER": "5",
        "FLAG": "true",
    }
    assert function_environment(load_template(path), "Fn", {"Table": "t", "Table.Arn": "x"})["ARN"] == "x"


def test_table_definition(template: Template) -> None:
    definition = table_definition(template, "my-table")
    assert definition["TableName"] == "my-table"
    assert definition["BillingMode"] == "PAY_PER_REQUEST"
    assert definition["KeySchema"] == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]
    attributes = {a["AttributeName"]: a["AttributeType"] for a in definition["AttributeDefinitions"]}
    assert attributes == {
        name: "S" for name in ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK")
    }
    indexes = {gsi["IndexName"]: gsi for gsi in definition["GlobalSecondaryIndexes"]}
    assert sorted(indexes) == ["GSI1", "GSI2", "GSI3"]
    for name, gsi in indexes.items():
        assert gsi["KeySchema"] == [
            {"AttributeName": f"{name}PK", "KeyType": "HASH"},
            {"AttributeName": f"{name}SK", "KeyType": "RANGE"},
        ]
        assert gsi["Projection"] == {"ProjectionType": "ALL"}
    assert definition["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    assert "ProvisionedThroughput" not in definition
    assert time_to_live(template) == {"AttributeName": "expiresAt", "Enabled": True}


def test_table_definition_is_accepted_by_dynamodb() -> None:
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    from tests.support.template_table import create_table

    with moto.mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, "t1")
        table = client.describe_table(TableName="t1")["Table"]
        assert table["GlobalSecondaryIndexes"][0]["IndexName"] == "GSI1"
        assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
        ttl = client.describe_time_to_live(TableName="t1")["TimeToLiveDescription"]
        assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiresAt"}


def test_layers_are_found(template: Template) -> None:
    assert layer_paths(template) == [REPO / "layers" / "core" / "python"]


def test_every_function_has_a_sample_event(template: Template) -> None:
    """events/<resource>_<action>.json exists for every function and matches its route."""
    found = routes(template)
    assert {r.event_name for r in found} <= set(event_names())
    for route in found:
        event = load_event(route.event_name)
        assert event["version"] == "2.0"
        assert event["routeKey"] == route.route_key
        assert event["requestContext"]["routeKey"] == route.route_key
        assert route.allows(event["requestContext"]["http"]["method"])
        params = route.match(event["rawPath"])
        assert params is not None, f"{route.event_name}: rawPath does not fit {route.path}"
        assert (event.get("pathParameters") or {}) == params
        assert event["isBase64Encoded"] is False
        assert event["headers"]["authorization"].startswith("Bearer ")


def test_every_event_source_function_has_a_sample_event_of_its_kind(template: Template) -> None:
    sources = event_sources(template)
    assert {s.kind for s in sources} == {"DynamoDB", "SQS"}
    for source in sources:
        assert source.handler_file.is_file(), source.handler_file
        records = load_event(source.event_name)["Records"]
        expected = "aws:dynamodb" if source.kind == "DynamoDB" else "aws:sqs"
        assert records and all(r["eventSource"] == expected for r in records)


def test_the_dispatcher_reads_only_new_events_and_deliveries(template: Template) -> None:
    (stream,) = [s for s in event_sources(template) if s.kind == "DynamoDB"]
    assert stream.filter_patterns == [
        {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"type": {"S": ["event", "webhook_delivery"]}}}}
    ]
    assert stream.properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_no_deployment_allows_loopback_webhooks(template: Template) -> None:
    """The local sandbox's setting (http to loopback) never appears in template.yaml."""
    assert "WEBHOOK_ALLOW_LOOPBACK_HTTP" not in (REPO / "template.yaml").read_text()
    for name in template.functions():
        env = ((template.functions()[name].get("Environment") or {}).get("Variables")) or {}
        assert "WEBHOOK_ALLOW_LOOPBACK_HTTP" not in env
