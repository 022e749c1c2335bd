"""`partner signing-keys`: the public keys that verify your signatures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from partner_sdk.cli._common import JsonOption, api_errors, client, fail, print_json, show_page, stdout
from partner_sdk.credentials import write_key_pair
from partner_sdk.signing import RFC9421_ALGORITHMS

app = typer.Typer(help="Manage the public keys that verify your signatures.", no_args_is_help=True)
COLUMNS = ("id", "algorithm", "status", "createdAt")


@app.command("create")
def create(
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
        raise fail(f"cannot read {public_key_file}: {exc.strerror}") from exc
    public_key: Any = text
    if text.lstrip().startswith("{"):
        try:
            public_key = json.loads(text)
        except ValueError as exc:
            raise fail(f"{public_key_file} looks like a JWK but is not JSON: {exc}") from exc
    with client(ctx) as api, api_errors(as_json):
        created = api.signing_keys.create(public_key, algorithm)
    print_json(created, as_json)


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List every registered signing key."""
    with client(ctx) as api, api_errors(as_json):
        keys = list(api.signing_keys.iterate(limit=100))
    if as_json:
        print_json(keys, as_json=True)
        return
    columns = tuple(c for c in COLUMNS if any(c in k for k in keys))
    show_page({"data": keys}, False, "signing key", columns)


@app.command("delete")
def delete(
    ctx: typer.Context,
    key_id: Annotated[str, typer.Argument(help="The key's id (sig_...).")],
    as_json: JsonOption = False,
) -> None:
    """Delete a signing key: signatures naming it stop verifying."""
    with client(ctx) as api, api_errors(as_json):
        api.signing_keys.delete(key_id)
    if as_json:
        print_json({"id": key_id, "deleted": True}, as_json=True)
    else:
        stdout().print(f"Deleted {key_id}", markup=False)


@app.command("generate")
def generate(
    algorithm: Annotated[str, typer.Option("--algorithm", help="Key algorithm.")] = "ed25519",
    out: Annotated[
        Path, typer.Option("--out", help="Directory for private_key.pem and public_key.pem.")
    ] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Replace existing key files.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Write a new key pair locally (for rotation); register the public half with `create`."""
    if algorithm not in RFC9421_ALGORITHMS:
        raise fail(f"unknown algorithm {algorithm!r}; expected one of {', '.join(RFC9421_ALGORITHMS)}")
    try:
        private_path, public_path = write_key_pair(out, algorithm, force=force)
    except FileExistsError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        result = {
            "algorithm": algorithm,
            "privateKeyFile": str(private_path),
            "publicKeyFile": str(public_path),
        }
        print_json(result, as_json=True)
        return
    console = stdout()
    console.print(f"Private key: {private_path} (keep it secret)", markup=False)
    console.print(f"Public key:  {public_path}", markup=False)
    console.print(
        f"Next: partner signing-keys create --public-key-file {public_path} --algorithm {algorithm}",
        markup=False,
    )
