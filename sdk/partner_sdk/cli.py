"""`partner`: call the partner API from a terminal, signed like the SDK signs.

Thin on purpose: requests, signing and retries live in `partner_sdk.client`. Tests (or
another tool) inject the client through the context object:
`app(obj={"client_factory": lambda scheme: PartnerClient(...)})`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Annotated, Any, Literal

import httpx
import typer
from rich.console import Console
from rich.table import Table

from partner_sdk.client import PartnerClient
from partner_sdk.credentials import CredentialsError, write_key_pair
from partner_sdk.errors import PartnerApiError
from partner_sdk.signing import RFC9421_ALGORITHMS

ClientFactory = Callable[[str | None], PartnerClient]
"""Makes the client for a command; its argument is the `--scheme` override (or None)."""

app = typer.Typer(help="Call the partner API with signed requests.", no_args_is_help=True)
signing_keys_app = typer.Typer(
    help="Manage the public keys that verify your signatures.", no_args_is_help=True
)
app.add_typer(signing_keys_app, name="signing-keys")

SHOWN_HEADERS = ("Request-Id", "Idempotency-Replayed")
JsonOption = Annotated[bool, typer.Option("--json", help="Print plain JSON only (for scripts).")]
Scheme = Literal["rfc9421", "simple"]


def default_client_factory(scheme: str | None) -> PartnerClient:
    return PartnerClient(scheme=scheme)


def _stdout() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    _stderr().print(f"[red]error:[/red] {message}", markup=True)
    return typer.Exit(code)


def _client(ctx: typer.Context, scheme: str | None = None) -> PartnerClient:
    obj = ctx.obj if isinstance(ctx.obj, dict) else {}
    factory: ClientFactory = obj.get("client_factory", default_client_factory)
    try:
        return factory(scheme)
    except (CredentialsError, ValueError) as exc:
        raise _fail(str(exc)) from exc


def _parse_body(content: bytes) -> Any:
    try:
        return json.loads(content) if content else None
    except ValueError:
        return content.decode("utf-8", errors="replace")


def _print_json(value: Any, as_json: bool) -> None:
    if value is None:
        return
    if as_json:
        typer.echo(json.dumps(value, indent=2, ensure_ascii=False))
    elif isinstance(value, str):
        _stdout().print(value, markup=False)
    else:
        _stdout().print_json(data=value)


def _print_answer(status: int, headers: httpx.Headers, content: bytes, as_json: bool) -> None:
    if not as_json:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        console = _stdout()
        console.print(f"HTTP {status} {phrase}".rstrip(), style="bold green" if status < 400 else "bold red")
        for name in SHOWN_HEADERS:
            if name in headers:
                console.print(f"{name}: {headers[name]}", markup=False)
    _print_json(_parse_body(content), as_json)


@contextlib.contextmanager
def _api_errors(as_json: bool) -> Iterator[None]:
    """An API error prints its answer and exits 1; a broken connection exits 1 too."""
    try:
        yield
    except PartnerApiError as exc:
        _print_answer(exc.status, exc.headers, exc.body, as_json)
        raise typer.Exit(1) from exc
    except httpx.TransportError as exc:
        raise _fail(f"cannot reach the API: {exc}", 1) from exc
    except ValueError as exc:
        raise _fail(str(exc)) from exc


def _read_data(data: str | None, raw: bool) -> tuple[Any, bytes | None]:
    """`--data` as (json, content): JSON text or `@file`; `--raw` sends the bytes verbatim."""
    if data is None:
        return None, None
    if data.startswith("@"):
        try:
            text = Path(data[1:]).read_bytes()
        except OSError as exc:
            raise _fail(f"cannot read {data[1:]}: {exc.strerror}") from exc
    else:
        text = data.encode("utf-8")
    if raw:
        return None, text
    try:
        return json.loads(text), None
    except ValueError as exc:
        raise _fail(f"--data is not JSON ({exc}); pass --raw to send it verbatim") from exc


@app.command("request")
def request_command(
    ctx: typer.Context,
    method: Annotated[str, typer.Argument(help="HTTP method: GET, POST, PATCH, DELETE, ...")],
    path: Annotated[str, typer.Argument(help="API path with optional query, e.g. '/v1/customers?limit=5'")],
    data: Annotated[
        str | None, typer.Option("--data", "-d", help="JSON body, or @file.json to read it from a file.")
    ] = None,
    idempotency_key: Annotated[
        str | None, typer.Option("--idempotency-key", help="Reuse a key (default: a new uuid4 on writes).")
    ] = None,
    scheme: Annotated[Scheme | None, typer.Option("--scheme", help="Signature scheme to use.")] = None,
    raw: Annotated[
        bool, typer.Option("--raw", help="Send --data verbatim, without parsing or re-serializing it.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Send one signed request and print the answer (exit 0 for 2xx, 1 otherwise)."""
    body, content = _read_data(data, raw)
    with _client(ctx, scheme) as client, _api_errors(as_json):
        response = client.request(method, path, json=body, content=content, idempotency_key=idempotency_key)
    _print_answer(response.status, response.headers, response.content, as_json)
    if not 200 <= response.status < 300:
        raise typer.Exit(1)


@signing_keys_app.command("create")
def signing_keys_create(
    ctx: typer.Context,
    public_key_file: Annotated[
        Path, typer.Option("--public-key-file", help="Public key: a PEM file or a JWK JSON file.")
    ],
    algorithm: Annotated[
        str | None, typer.Option("--algorithm", help="Signature algorithm of the key.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Register a public key; its `id` is the keyid your signatures name."""
    try:
        text = public_key_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot read {public_key_file}: {exc.strerror}") from exc
    public_key: Any = text
    if text.lstrip().startswith("{"):
        try:
            public_key = json.loads(text)
        except ValueError as exc:
            raise _fail(f"{public_key_file} looks like a JWK but is not JSON: {exc}") from exc
    with _client(ctx) as client, _api_errors(as_json):
        created = client.create_signing_key(public_key, algorithm)
    _print_json(created, as_json)


@signing_keys_app.command("list")
def signing_keys_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List every registered signing key."""
    with _client(ctx) as client, _api_errors(as_json):
        keys = list(client.iterate("/v1/signing-keys", {"limit": 100}))
    if as_json:
        _print_json(keys, as_json=True)
        return
    columns = [c for c in ("id", "algorithm", "status", "createdAt") if any(c in k for k in keys)]
    table = Table(*columns, title=f"{len(keys)} signing key(s)")
    for key in keys:
        table.add_row(*(str(key.get(c, "")) for c in columns))
    _stdout().print(table)


@signing_keys_app.command("delete")
def signing_keys_delete(
    ctx: typer.Context,
    key_id: Annotated[str, typer.Argument(help="The key's id (sig_...).")],
    as_json: JsonOption = False,
) -> None:
    """Delete a signing key: signatures naming it stop verifying."""
    with _client(ctx) as client, _api_errors(as_json):
        client.delete_signing_key(key_id)
    if as_json:
        _print_json({"id": key_id, "deleted": True}, as_json=True)
    else:
        _stdout().print(f"Deleted {key_id}", markup=False)


@signing_keys_app.command("generate")
def signing_keys_generate(
    algorithm: Annotated[str, typer.Option("--algorithm", help="Key algorithm.")] = "ed25519",
    out: Annotated[
        Path, typer.Option("--out", help="Directory for private_key.pem and public_key.pem.")
    ] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Replace existing key files.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Write a new key pair locally (for rotation); register the public half with `create`."""
    if algorithm not in RFC9421_ALGORITHMS:
        raise _fail(f"unknown algorithm {algorithm!r}; expected one of {', '.join(RFC9421_ALGORITHMS)}")
    try:
        private_path, public_path = write_key_pair(out, algorithm, force=force)
    except FileExistsError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        result = {
            "algorithm": algorithm,
            "privateKeyFile": str(private_path),
            "publicKeyFile": str(public_path),
        }
        _print_json(result, as_json=True)
        return
    console = _stdout()
    console.print(f"Private key: {private_path} (keep it secret)", markup=False)
    console.print(f"Public key:  {public_path}", markup=False)
    console.print(
        f"Next: partner signing-keys create --public-key-file {public_path} --algorithm {algorithm}",
        markup=False,
    )


if __name__ == "__main__":  # pragma: no cover
    app()
