"""`partner request METHOD PATH`: any API request, signed like the SDK signs."""

from __future__ import annotations

from typing import Annotated

import typer

from partner_sdk.cli._common import (
    DataOption,
    JsonOption,
    Scheme,
    api_errors,
    client,
    print_answer,
    read_data,
)


def request_command(
    ctx: typer.Context,
    method: Annotated[str, typer.Argument(help="HTTP method: GET, POST, PATCH, DELETE, ...")],
    path: Annotated[str, typer.Argument(help="API path with optional query, e.g. '/v1/customers?limit=5'")],
    data: DataOption = None,
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
    body, content = read_data(data, raw)
    with client(ctx, scheme) as api, api_errors(as_json):
        response = api.request(method, path, json=body, content=content, idempotency_key=idempotency_key)
    print_answer(response.status, response.headers, response.content, as_json)
    if not 200 <= response.status < 300:
        raise typer.Exit(1)
