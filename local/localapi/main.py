"""`localapi`: the local API (the embedded default), `invoke` without Docker, the route table.

localapi serve [--host 127.0.0.1] [--port 3000] [--dynamodb-port 8001] [--credentials PATH]
               [--dynamodb-endpoint URL] [--env-vars FILE]
localapi dynamodb [--port 8001]
localapi invoke FUNCTION_OR_EVENT_NAME EVENT_FILE [--credentials PATH]
localapi routes [--write]
localapi openapi [--write | --check]
"""

from __future__ import annotations

import json
import shlex
import signal
import socket
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
from rich.console import Console
from rich.table import Table

from localapi import events as event_files
from localapi import faults, webhooks
from localapi.dynamodb import DUMMY_CREDENTIALS, LOOPBACK, REGION, LocalDynamoDB, create_table
from localapi.sandbox import (
    CredentialsMissing,
    credentials_document,
    default_credentials_path,
    new_cursor_secret,
    new_kyc_sandbox_secret,
    previous_sandbox,
    read_credentials,
    reuse_sandbox,
    seed_sandbox,
    write_credentials,
)
from localapi.server import (
    HttpServer,
    LocalApi,
    functions_environment,
    invoke,
    load_handler,
    local_overrides,
    prepare_environment,
    quiet_dynamodb_log,
    with_env_vars,
)
from localapi.snapshot import SnapshotError, TableSnapshot
from localapi.template import (
    Template,
    TemplateError,
    event_sources,
    function_environment,
    function_route,
    load_template,
    routes,
)

DEFAULT_TABLE_NAME = "partner-api-local"
START_HINT = "start the local API first: make run"

app = typer.Typer(
    help="The partner API on this machine: moto's DynamoDB, template.yaml's routes, a sandbox partner.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

CredentialsOption = Annotated[
    Path | None,
    typer.Option(
        "--credentials",
        envvar="PARTNER_API_CREDENTIALS",
        help="The sandbox credentials file (default: .local/sandbox.json at the repository root).",
    ),
]
TemplateOption = Annotated[
    Path | None, typer.Option("--template", help="template.yaml to use (default: the repository's).")
]


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def _port_free(host: str, port: int) -> bool:
    if port == 0:
        return True
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address the API listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="API port (0: any free port).")] = 3000,
    dynamodb_port: Annotated[
        int, typer.Option(help="Port of the local DynamoDB endpoint on 127.0.0.1 (0: any free port).")
    ] = 8001,
    credentials: CredentialsOption = None,
    table_name: Annotated[str, typer.Option(help="Name of the local table.")] = DEFAULT_TABLE_NAME,
    template: TemplateOption = None,
    dynamodb_endpoint: Annotated[
        str | None,
        typer.Option(
            help="Use this DynamoDB (e.g. a `localapi dynamodb`) instead of starting one: its table "
            "outlives the API. The table is created if missing; the sandbox partner of --credentials "
            "is reused when the table still holds it."
        ),
    ] = None,
    env_vars: Annotated[
        Path | None,
        typer.Option(
            help="Override functions' environment variables, as `sam local start-api --env-vars`: "
            '{"Parameters": {"IDEMPOTENCY_LEASE_SECONDS": "3"}}.'
        ),
    ] = None,
    data_file: Annotated[
        Path | None,
        typer.Option(
            help="Keep the table in this file across restarts (restored at start, saved after "
            "writes and at stop); the sandbox partner and its secrets are reused. `make run` "
            "uses .local/table.json."
        ),
    ] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Delete --data-file first: a new table and a new sandbox partner.")
    ] = False,
) -> None:
    """Start DynamoDB (moto) and the API, seed a sandbox partner, write its credentials."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    credentials_path = (credentials or default_credentials_path()).resolve()
    if data_file is not None and dynamodb_endpoint is not None:
        raise _fail("--data-file keeps the embedded DynamoDB's table; a --dynamodb-endpoint keeps its own")
    if fresh and data_file is not None:
        data_file.unlink(missing_ok=True)
    # Restarted on a DynamoDB that outlived the last run, or on the table its data file
    # kept: the same partner and secrets.
    previous = None
    if dynamodb_endpoint is not None:
        previous = previous_sandbox(credentials_path, table_name, dynamodb_endpoint)
    elif data_file is not None and data_file.exists():
        previous = previous_sandbox(credentials_path, table_name)
    try:
        tpl = load_template(template)
        cursor_secret = str(previous["cursorSecret"]) if previous else new_cursor_secret()
        kyc_sandbox_secret = str(previous["kycSandboxSecret"]) if previous else new_kyc_sandbox_secret()
        function_env = functions_environment(
            tpl, local_overrides(table_name, cursor_secret, kyc_sandbox_secret)
        )
        if env_vars is not None:
            function_env = with_env_vars(tpl, function_env, json.loads(env_vars.read_text(encoding="utf-8")))
        crash_at = faults.boundary_from_environment()
    except (TemplateError, ValueError, OSError) as exc:
        raise _fail(str(exc)) from None
    ports = [("API", host, port)] + ([] if dynamodb_endpoint else [("DynamoDB", LOOPBACK, dynamodb_port)])
    for what, where, number in ports:
        if not _port_free(where, number):
            raise _fail(f"the {what} port {where}:{number} is in use (pass another, or 0 for any free port)")

    quiet_dynamodb_log()
    dynamodb = LocalDynamoDB(LOOPBACK, dynamodb_port) if dynamodb_endpoint is None else None
    http: HttpServer | None = None
    snapshot: TableSnapshot | None = None
    webhook_pollers: webhooks.Pollers | None = None
    try:
        if dynamodb is not None:
            endpoint, client = dynamodb.start(), dynamodb.client()
        else:
            endpoint, client = str(dynamodb_endpoint), _dynamodb_client(str(dynamodb_endpoint))
        prepare_environment(tpl, dynamodb_endpoint=endpoint, function_env=function_env)
        if table_name not in client.list_tables()["TableNames"]:
            create_table(client, table_name, tpl)
        restored = 0
        if data_file is not None:
            snapshot = TableSnapshot(data_file.resolve(), client, table_name)
            try:
                restored = snapshot.restore()
            except SnapshotError as exc:
                snapshot = None
                raise _fail(str(exc)) from None

        from core.platform.store import Store

        store = Store(table_name, client=client)
        partner = (reuse_sandbox(store, previous) if previous else None) or seed_sandbox(store)
        if snapshot is not None:
            snapshot.start()
        if crash_at is not None:
            faults.install(crash_at)
            err.print(
                f"[yellow]warning:[/] {faults.ENV}={crash_at}: the first request there kills this process"
            )
        api = LocalApi(tpl)
        for route, problem in api.preload():
            err.print(f"[yellow]warning:[/] {route.route_key} ({route.function}) will answer 500: {problem}")
        http = HttpServer(api, host=host, port=port)
        base_url = http.bind()
        write_credentials(
            credentials_path,
            credentials_document(
                partner,
                base_url=base_url,
                dynamodb_endpoint=endpoint,
                table_name=table_name,
                cursor_secret=cursor_secret,
                kyc_sandbox_secret=kyc_sandbox_secret,
            ),
        )
        http.start()
        # The embedded moto's key is made anew at each start: from the persisted cursor
        # secret, the same key every time (a DynamoDB of its own keeps its own key).
        key_seed = cursor_secret.encode() if dynamodb is not None else None
        webhook_pollers = _start_webhooks(tpl, endpoint, client, table_name, key_seed)

        rows = [
            ("API", base_url),
            ("DynamoDB", f"{endpoint}  (boto3 endpoint_url= or aws --endpoint-url; region us-east-1)"),
            ("Table", table_name),
            ("API key", partner.api_key),
            ("Signing key", f"{partner.signing_key_id} ({partner.algorithm}; signatures required)"),
            ("Credentials", str(credentials_path)),
            ("Webhooks", "dispatcher and delivery worker polling the stream and the queue"),
        ]
        if snapshot is not None:
            kept = f"{restored} items restored" if restored else "a new table"
            rows.append(("Data", f"{snapshot.path} ({kept}; kept across restarts, --fresh starts anew)"))
        out.print(f"[bold green]Partner API running locally[/] ({len(routes(tpl))} routes from {tpl.path})")
        for label, value in rows:
            out.print(f"  [bold]{label:<12}[/] {value}", highlight=False)
        out.print("Ctrl-C stops it.")
        print(f"READY {base_url}", flush=True)

        while not stop.wait(0.2):
            pass
    finally:
        if webhook_pollers is not None:
            webhook_pollers.close()
        if http is not None:
            http.stop()
        if snapshot is not None:
            snapshot.stop()
        if dynamodb is not None:
            dynamodb.stop()
    err.print("stopped")


def _start_webhooks(
    tpl: Template, endpoint: str, client: Any, table_name: str, key_seed: bytes | None
) -> webhooks.Pollers:
    """template.yaml's webhook key and queues on the emulator, and its two pollers."""
    webhooks.create_resources(tpl, endpoint, key_seed)
    stream_arn = client.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
    return webhooks.start_pollers(tpl, endpoint, stream_arn, load_handler)


def _dynamodb_client(endpoint: str) -> Any:
    import boto3

    if not _reachable(endpoint):
        raise _fail(f"nothing answers at {endpoint}: start it first (localapi dynamodb)")
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


@app.command("dynamodb")
def dynamodb_command(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 8001,
) -> None:
    """Only the local DynamoDB (moto's server), for `serve --dynamodb-endpoint`: its tables
    outlive API processes that stop or are killed. Prints `READY <endpoint>`; Ctrl-C stops it."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    if not _port_free(LOOPBACK, port):
        raise _fail(f"the DynamoDB port {LOOPBACK}:{port} is in use (pass another, or 0 for any free port)")
    quiet_dynamodb_log()
    dynamodb = LocalDynamoDB(LOOPBACK, port)
    try:
        endpoint = dynamodb.start()
        out.print(
            f"[bold green]DynamoDB running locally[/] at {endpoint} (region {REGION}); Ctrl-C stops it."
        )
        print(f"READY {endpoint}", flush=True)
        while not stop.wait(0.2):
            pass
    finally:
        dynamodb.stop()
    err.print("stopped")


def _running_sandbox(credentials: Path | None) -> dict[str, Any]:
    try:
        return read_credentials(credentials)
    except (CredentialsMissing, ValueError) as exc:
        raise _fail(f"{exc}: start the API first (make run)") from None


@app.command("env")
def env_command(
    credentials: CredentialsOption = None,
    key_file: Annotated[
        Path, typer.Option(help="Where the sandbox's private signing key is written (mode 0600).")
    ] = Path(".local/sandbox-private.pem"),
) -> None:
    """Shell exports of the running sandbox's credentials, for requests signed by hand:
    `eval "$(.venv/bin/localapi env)"` sets BASE_URL, API_KEY, KEY_ID and PRIVATE_KEY (the
    path of the sandbox's private key, written as a PEM file)."""
    document = _running_sandbox(credentials)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.touch(mode=0o600, exist_ok=True)
    key_file.chmod(0o600)
    key_file.write_text(str(document["privateKeyPem"]), encoding="utf-8")
    exports = {
        "BASE_URL": document["baseUrl"],
        "API_KEY": document["apiKey"],
        "KEY_ID": document["signingKeyId"],
        "PRIVATE_KEY": str(key_file.resolve()),
        "TABLE_NAME": document["tableName"],
        "DYNAMODB_ENDPOINT": document["dynamodbEndpoint"],
    }
    for name, value in exports.items():
        print(f"export {name}={shlex.quote(str(value))}")


@app.command("scan")
def scan_command(
    credentials: CredentialsOption = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many items.")] = 100,
) -> None:
    """The raw items of the local table, one JSON object a line (what `aws dynamodb scan
    --endpoint-url ...` shows, without needing the AWS CLI)."""
    from core.platform.store import deserialize

    document = _running_sandbox(credentials)
    client = _dynamodb_client(str(document["dynamodbEndpoint"]))
    shown = 0
    pages = client.get_paginator("scan").paginate(TableName=document["tableName"])
    for page in pages:
        for item in page.get("Items", []):
            if shown == limit:
                return
            print(json.dumps(deserialize(item), sort_keys=True, default=str))
            shown += 1


@app.command("invoke", short_help="Run one function in-process on an event (sam local invoke -e, no Docker).")
def invoke_command(
    function: Annotated[
        str,
        typer.Argument(
            help="A function's logical id (CreateSigningKeyFunction) or event name (signing_keys_create)."
        ),
    ],
    event_file: Annotated[
        str, typer.Argument(help="An event file, or a name in events/ (signing_keys_create).")
    ],
    credentials: CredentialsOption = None,
    template: TemplateOption = None,
) -> None:
    """Run one function's handler in this process on an event, like `sam local invoke -e`
    without Docker. The event is re-signed now with the sandbox credentials and the
    handler uses the running local API's DynamoDB."""
    try:
        tpl = load_template(template)
        # A stream or queue function (the webhook dispatcher, the delivery worker) or a route.
        source = next((s for s in event_sources(tpl) if function in (s.function, s.event_name)), None)
        route = function_route(tpl, function) if source is None else None
    except TemplateError as exc:
        raise _fail(str(exc), 2) from None
    credentials_path = credentials or default_credentials_path()
    try:
        creds = read_credentials(credentials_path)
    except CredentialsMissing:
        raise _fail(f"no sandbox credentials at {credentials_path}: {START_HINT}", 2) from None
    except ValueError as exc:
        raise _fail(f"unreadable credentials file {credentials_path}: {exc}", 2) from None
    missing = [
        k
        for k in (
            "apiKey",
            "signingKeyId",
            "privateKeyPem",
            "dynamodbEndpoint",
            "tableName",
            "cursorSecret",
            "kycSandboxSecret",
        )
        if not creds.get(k)
    ]
    if missing:
        raise _fail(f"{credentials_path} lacks {', '.join(missing)}: {START_HINT}", 2)
    endpoint = str(creds["dynamodbEndpoint"])
    if not _reachable(endpoint):
        raise _fail(f"nothing answers at {endpoint} (the file {credentials_path} is stale): {START_HINT}", 2)
    try:
        event = event_files.load_event(event_file)
    except (OSError, ValueError) as exc:
        raise _fail(str(exc), 2) from None
    overrides = local_overrides(creds["tableName"], creds["cursorSecret"], creds["kycSandboxSecret"])
    if source is not None:  # its event is a stream batch or queue messages: sent as it is
        env = function_environment(tpl, source.function, overrides)
        prepare_environment(tpl, dynamodb_endpoint=endpoint, function_env=env)
        _print_result(source.function, load_handler(source)(event, None))
        return
    assert route is not None
    if event.get("routeKey") not in (None, route.route_key):
        err.print(
            f"[yellow]note:[/] the event's routeKey is {event['routeKey']!r}; "
            f"{route.function} serves {route.route_key!r}"
        )

    signed = event_files.sign_event(
        event,
        api_key=str(creds["apiKey"]),
        signing_key_id=str(creds["signingKeyId"]),
        private_key_pem=str(creds["privateKeyPem"]),
        algorithm=str(creds.get("algorithm") or "ed25519"),
    )
    env = function_environment(tpl, route.function, overrides)
    prepare_environment(tpl, dynamodb_endpoint=endpoint, function_env=env)
    result = invoke(tpl, route, signed)
    _print_result(route.function, result)


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or LOOPBACK, parts.port or 80), timeout=1):
            return True
    except OSError:
        return False


def _print_result(function: str, result: Any) -> None:
    out.rule(f"{function} response")
    if not (isinstance(result, dict) and "statusCode" in result):
        out.print_json(json.dumps(result))
        return
    status = int(result["statusCode"])
    colour = "green" if status < 400 else "yellow" if status < 500 else "red"
    out.print(f"[bold {colour}]HTTP {status}[/]", highlight=False)
    for name, value in (result.get("headers") or {}).items():
        out.print(f"[bold]{name}[/]: {value}", highlight=False)
    body = result.get("body") or ""
    if result.get("isBase64Encoded"):
        out.print(f"(base64 body) {body}", highlight=False)
        return
    if body:
        try:
            out.print_json(body)
        except json.JSONDecodeError:
            out.print(body, highlight=False, markup=False)


def route_table_json(tpl: Template) -> str:
    """The route table the deployed catch-all function reads (core/platform/routes.json)."""
    entries = [{"method": r.method, "path": r.path} for r in routes(tpl) if r.path != "$default"]
    return json.dumps(sorted(entries, key=lambda e: (e["path"], e["method"])), indent=2) + "\n"


@app.command("routes")
def routes_command(
    template: TemplateOption = None,
    write: Annotated[
        bool, typer.Option("--write", help="Regenerate layers/core/python/core/platform/routes.json.")
    ] = False,
) -> None:
    """The routes of template.yaml, the functions that serve them, and their sample events."""
    if write:
        tpl = load_template(template)
        target = tpl.root / "layers/core/python/core/platform/routes.json"
        target.write_text(route_table_json(tpl))
        out.print(f"wrote {target.relative_to(tpl.root)}")
        return
    try:
        tpl = load_template(template)
    except TemplateError as exc:
        raise _fail(str(exc)) from None
    table = Table(title=f"Routes of {tpl.path}")
    for column in ("Method", "Path", "Function", "Code", "Event"):
        table.add_column(column, no_wrap=column in ("Method", "Path"))
    for route in sorted(routes(tpl), key=lambda r: (r.path, r.method)):
        code = (
            route.code_uri.relative_to(tpl.root)
            if route.code_uri.is_relative_to(tpl.root)
            else route.code_uri
        )
        event = tpl.root / event_files.EVENTS_DIR_NAME / f"{route.event_name}.json"
        table.add_row(
            route.method,
            route.path,
            route.function,
            f"{code}/{route.handler}",
            f"events/{event.name}" if event.is_file() else "[red]missing[/]",
        )
    # Piped output has no terminal width: do not squeeze the table into 80 columns.
    (out if out.is_terminal else Console(width=200)).print(table)


@app.command("deploy-digest")
def deploy_digest_command(
    template: TemplateOption = None,
    write: Annotated[bool, typer.Option("--write", help="Update DEPLOY_DIGEST in template.yaml.")] = False,
) -> None:
    """The digest of what a deploy ships (layer, handlers, template), which template.yaml
    gives every function as DEPLOY_DIGEST so each deploy of a change publishes new
    versions (localapi/deploy_digest.py says why). Exits 1 when the written one is stale."""
    from localapi import deploy_digest

    root = load_template(template).root
    if write:
        deploy_digest.write(root)
    current, held = deploy_digest.compute(root), deploy_digest.written(root)
    typer.echo(current)
    if held != current:
        raise _fail(f"template.yaml holds DEPLOY_DIGEST {held!r}: run `localapi deploy-digest --write`")


@app.command("openapi")
def openapi_command(
    template: TemplateOption = None,
    write: Annotated[
        bool,
        typer.Option(
            "--write", help="Regenerate layers/core/python/core/platform/openapi.json and docs/API.md."
        ),
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Exit 1 when the committed document or reference differs from a fresh one."
        ),
    ] = False,
) -> None:
    """The OpenAPI 3.1 document, generated from template.yaml's routes and the handlers'
    models, checked with openapi-spec-validator (printed unless --write or --check), and
    the API reference generated from it (docs/API.md, written and checked with it)."""
    from localapi import openapi, reference

    try:
        tpl = load_template(template)
        text = openapi.document_json(tpl)
        openapi.validate(json.loads(text))
    except (TemplateError, openapi.OpenApiError) as exc:
        raise _fail(str(exc)) from None
    outputs = [
        (openapi.document_file(tpl), text),
        (reference.reference_file(tpl.root), reference.render(json.loads(text))),
    ]
    if write:
        for target, content in outputs:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
            out.print(f"wrote {target.relative_to(tpl.root)}")
    elif check:
        for target, content in outputs:
            if not target.is_file() or target.read_text(encoding="utf-8") != content:
                raise _fail(f"{target.relative_to(tpl.root)} is stale: run `localapi openapi --write`")
            out.print(f"{target.relative_to(tpl.root)} is up to date")
    else:
        print(text, end="")


if __name__ == "__main__":
    app()
