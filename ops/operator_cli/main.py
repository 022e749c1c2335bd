"""The operator's onboarding CLI: partners (tenants), API keys, scopes, signature policy,
signing keys. It talks to DynamoDB directly (the local endpoint or AWS), never through
the public API.

    operator partner create --name "Acme Ramp" --public-key-file acme.pub.pem
    operator key revoke --tenant ptn_... key_...
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import boto3
import typer
from rich.console import Console
from rich.table import Table

from core.partners import onboarding
from core.platform import scopes
from core.platform.errors import ApiError
from core.platform.store import Store

app = typer.Typer(help="Onboard partners and manage their API keys (operator side).", no_args_is_help=True)
partner_app = typer.Typer(help="Partners (tenants).", no_args_is_help=True)
key_app = typer.Typer(help="API keys.", no_args_is_help=True)
signing_app = typer.Typer(help="Signing keys registered for an API key.", no_args_is_help=True)
app.add_typer(partner_app, name="partner")
app.add_typer(key_app, name="key")
app.add_typer(signing_app, name="signing-key")
console = Console()

_state: dict[str, Any] = {}

TableOpt = Annotated[
    str | None, typer.Option("--table", envvar="TABLE_NAME", help="Table name (stack output).")
]
EndpointOpt = Annotated[
    str | None,
    typer.Option("--endpoint-url", envvar="AWS_ENDPOINT_URL_DYNAMODB", help="DynamoDB endpoint (local API)."),
]
TenantOpt = Annotated[str, typer.Option("--tenant", help="The partner's id (ptn_...).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
ScopeOpt = Annotated[list[str] | None, typer.Option("--scope", help="Repeat for each scope; default: all.")]
PolicyOpt = Annotated[str, typer.Option("--signature-policy", help="required | optional (sandbox only).")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do it without asking (for scripts).")]


def _local_defaults() -> dict[str, Any]:
    """The local API's credentials file, if any: its table and endpoint are the defaults."""
    for folder in [Path.cwd(), *Path.cwd().parents]:
        candidate = folder / ".local" / "sandbox.json"
        if candidate.is_file():
            return json.loads(candidate.read_text())
    return {}


@app.callback()
def main(
    table: TableOpt = None,
    endpoint_url: EndpointOpt = None,
    region: Annotated[str | None, typer.Option(envvar="AWS_REGION")] = None,
) -> None:
    _state.update(table=table, endpoint_url=endpoint_url, region=region)


def store() -> Store:
    local = _local_defaults() if not _state.get("table") else {}
    table = _state.get("table") or local.get("tableName")
    endpoint = _state.get("endpoint_url") or local.get("dynamodbEndpoint")
    if not table:
        console.print("[red]No table: pass --table (the stack's TableName output) or start the local API.[/]")
        raise typer.Exit(2)
    kwargs: dict[str, Any] = {
        "region_name": _state.get("region") or os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    }
    if endpoint:
        kwargs["endpoint_url"] = endpoint
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    return Store(table, client=boto3.client("dynamodb", **kwargs))


# Printed on a line of its own, never in a table: a secret shown once must be copied whole.
SECRET_FIELDS = ("apiKey",)


def _emit(data: dict[str, Any], as_json: bool, title: str) -> None:
    if as_json:
        typer.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    table = Table(title=title, show_header=False)
    table.add_column("field", no_wrap=True)
    table.add_column("value", overflow="fold")  # ids and lists fold; nothing is cut with "…"
    for name, value in data.items():
        if name not in SECRET_FIELDS:
            table.add_row(name, json.dumps(value) if isinstance(value, (dict, list)) else str(value))
    console.print(table)
    for name in SECRET_FIELDS:
        if data.get(name):
            console.print(f"{name} (shown once, keep it secret): {data[name]}", soft_wrap=True, markup=False)


def _fail(exc: Exception) -> None:
    message = exc.message if isinstance(exc, ApiError) else str(exc)
    console.print(f"[red]error:[/] {message}")
    raise typer.Exit(1)


def _read_key(path: Path | None) -> str | dict[str, Any] | None:
    if path is None:
        return None
    text = path.read_text()
    return json.loads(text) if text.lstrip().startswith("{") else text


@partner_app.command("create")
def partner_create(
    name: Annotated[str, typer.Option(help="The partner's display name.")],
    mode: Annotated[str, typer.Option(help="test (sandbox) or live.")] = "test",
    scope: ScopeOpt = None,
    signature_policy: PolicyOpt = "required",
    public_key_file: Annotated[Path | None, typer.Option(help="First signing key: PEM or JWK file.")] = None,
    algorithm: Annotated[str | None, typer.Option(help="Signing algorithm; default from the key.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a partner, issue its first API key (shown once) and register its first signing key."""
    db = store()
    try:
        if scope:
            scopes.check_known(scope)  # checked before anything is written: no half-onboarded partner
        onboarding.check_policy(mode, signature_policy)
        public_key = _read_key(public_key_file)
        partner = onboarding.create_partner(db, name, mode=mode)
        key, secret = onboarding.issue_api_key(
            db, partner["id"], scope_list=scope, signature_policy=signature_policy
        )
        signing = (
            onboarding.add_signing_key(db, partner["id"], key["keyId"], public_key, algorithm)
            if public_key
            else None
        )
    except (ApiError, ValueError) as exc:
        _fail(exc)
        return
    out = {
        "tenantId": partner["id"],
        "name": name,
        "mode": mode,
        "apiKeyId": key["keyId"],
        "apiKey": secret,
        "scopes": key["scopes"],
        "signaturePolicy": signature_policy,
        "signingKeyId": signing["id"] if signing else None,
    }
    _emit(out, as_json, "Partner created: the API key is shown once")


@key_app.command("issue")
def key_issue(
    tenant: TenantOpt,
    scope: ScopeOpt = None,
    signature_policy: PolicyOpt = "required",
    as_json: JsonOpt = False,
) -> None:
    """Issue another API key for a partner (shown once)."""
    try:
        key, secret = onboarding.issue_api_key(
            store(), tenant, scope_list=scope, signature_policy=signature_policy
        )
    except (ApiError, ValueError) as exc:
        _fail(exc)
        return
    _emit({**onboarding.describe_key(key), "apiKey": secret}, as_json, "API key issued: shown once")


@key_app.command("list")
def key_list(tenant: TenantOpt, as_json: JsonOpt = False) -> None:
    """A partner's API keys (never the secrets)."""
    keys_ = [onboarding.describe_key(k) for k in onboarding.list_api_keys(store(), tenant)]
    if as_json:
        typer.echo(json.dumps(keys_, indent=2))
        return
    table = Table(title=f"{len(keys_)} API key(s)")
    width = max((len(k["id"]) for k in keys_), default=2)
    table.add_column("id", no_wrap=True, min_width=width)  # an id is never wrapped or cut
    for column in ("status", "policy", "scopes", "signing keys", "created"):
        table.add_column(column, overflow="fold")
    for k in keys_:
        table.add_row(
            k["id"],
            k["status"],
            k["signaturePolicy"],
            ", ".join(k["scopes"]),
            ", ".join(k["signingKeys"]),
            k["createdAt"],
        )
    console.print(table)


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _confirm(question: str, yes: bool) -> None:
    """A destructive command asks first; without a terminal to ask on, it needs --yes."""
    if yes:
        return
    if not stdin_is_terminal():
        console.print(f"[red]error:[/red] {question} Pass --yes to confirm (no terminal to ask on).")
        raise typer.Exit(2)
    if not typer.confirm(question, default=False):
        console.print("Nothing changed.")
        raise typer.Exit(1)


def _sandbox_note(tenant: str, key_id: str) -> str:
    """A warning when the key is the local sandbox's own (`make run` would make a new partner)."""
    sandbox = _local_defaults()
    if sandbox.get("tenantId") == tenant and sandbox.get("apiKeyId") == key_id:
        return " It is the local sandbox's own key: `make run` would then start a new sandbox partner."
    return ""


@key_app.command("revoke")
def key_revoke(tenant: TenantOpt, key_id: str, as_json: JsonOpt = False, yes: YesOpt = False) -> None:
    """Revoke an API key: it is refused from then on (cached copies expire within API_KEY_CACHE_SECONDS,
    and a write re-checks the key in its own transaction). Irreversible: asks first, or --yes."""
    _confirm(f"Revoke {key_id} of {tenant}? It cannot be undone.{_sandbox_note(tenant, key_id)}", yes)
    try:
        item = onboarding.revoke_api_key(store(), tenant, key_id)
    except ApiError as exc:
        _fail(exc)
        return
    _emit(onboarding.describe_key(item), as_json, "API key revoked")


@key_app.command("scopes")
def key_scopes(
    tenant: TenantOpt,
    key_id: str,
    scope: Annotated[list[str], typer.Option("--scope")],
    as_json: JsonOpt = False,
) -> None:
    """Replace an API key's scopes."""
    try:
        item = onboarding.set_scopes(store(), tenant, key_id, scope)
    except (ApiError, ValueError) as exc:
        _fail(exc)
        return
    _emit(onboarding.describe_key(item), as_json, "Scopes set")


@key_app.command("policy")
def key_policy(tenant: TenantOpt, key_id: str, policy: str, as_json: JsonOpt = False) -> None:
    """Set an API key's signature policy: required, or optional (sandbox partners only)."""
    try:
        item = onboarding.set_signature_policy(store(), tenant, key_id, policy)
    except ApiError as exc:
        _fail(exc)
        return
    _emit(onboarding.describe_key(item), as_json, "Signature policy set")


@signing_app.command("add")
def signing_add(
    tenant: TenantOpt,
    key_id: Annotated[str, typer.Option("--key", help="The API key id.")],
    public_key_file: Path,
    algorithm: str | None = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a signing key for an API key (a partner can also do this itself via the API)."""
    try:
        created = onboarding.add_signing_key(
            store(), tenant, key_id, _read_key(public_key_file) or "", algorithm
        )
    except ApiError as exc:
        _fail(exc)
        return
    _emit(created, as_json, "Signing key registered")
