"""What every `partner` command shares, written once: the client from the context, the
consoles, JSON and table output, API errors as exit codes, the common options, and the
one-page-or---all list.

Tests (or another tool) inject the client through the context object:
`app(obj={"client_factory": lambda scheme: PartnerClient(...)})`.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Annotated, Any, Literal

import httpx
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from partner_sdk.client import PartnerClient
from partner_sdk.credentials import CredentialsError
from partner_sdk.errors import PartnerApiError

ClientFactory = Callable[[str | None], PartnerClient]
"""Makes the client for a command; its argument is the `--scheme` override (or None)."""

SHOWN_HEADERS = ("Request-Id", "Idempotency-Replayed")
JsonOption = Annotated[bool, typer.Option("--json", help="Print plain JSON only (for scripts).")]
LimitOption = Annotated[
    int | None, typer.Option("--limit", min=1, max=100, help="Page size (1-100; the API's default is 20).")
]
CursorOption = Annotated[str | None, typer.Option("--cursor", help="Start at this page (a nextCursor).")]
AllOption = Annotated[bool, typer.Option("--all", help="Follow nextCursor through every page.")]
DataOption = Annotated[
    str | None, typer.Option("--data", "-d", help="JSON body, or @file.json to read it from a file.")
]
Scheme = Literal["rfc9421", "simple"]
# Ids as the API makes them (`cus_` + a 26-character ULID; the ledger's lower-case UUIDs):
# a table never breaks them.
_ID = re.compile(
    r"^(?:[a-z]{2,8}_[0-9A-HJKMNP-TV-Z]{26}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)


def default_client_factory(scheme: str | None) -> PartnerClient:
    return PartnerClient(scheme=scheme)


def stdout() -> Console:
    return Console(highlight=False, soft_wrap=True)


def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    stderr().print(f"[red]error:[/red] {message}", markup=True)
    return typer.Exit(code)


def client(ctx: typer.Context, scheme: str | None = None) -> PartnerClient:
    obj = ctx.obj if isinstance(ctx.obj, dict) else {}
    factory: ClientFactory = obj.get("client_factory", default_client_factory)
    try:
        return factory(scheme)
    except (CredentialsError, ValueError) as exc:
        raise fail(str(exc)) from exc


def parse_body(content: bytes) -> Any:
    try:
        return json.loads(content) if content else None
    except ValueError:
        return content.decode("utf-8", errors="replace")


def print_json(value: Any, as_json: bool) -> None:
    if value is None:
        return
    if as_json:
        typer.echo(json.dumps(value, indent=2, ensure_ascii=False))
    elif isinstance(value, str):
        stdout().print(value, markup=False)
    else:
        stdout().print_json(data=value)


def print_answer(status: int, headers: httpx.Headers, content: bytes, as_json: bool) -> None:
    if not as_json:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        console = stdout()
        console.print(f"HTTP {status} {phrase}".rstrip(), style="bold green" if status < 400 else "bold red")
        for name in SHOWN_HEADERS:
            if name in headers:
                console.print(f"{name}: {headers[name]}", markup=False)
    print_json(parse_body(content), as_json)


@contextlib.contextmanager
def api_errors(as_json: bool) -> Iterator[None]:
    """An API error prints its answer and exits 1; a broken connection exits 1 too."""
    try:
        yield
    except PartnerApiError as exc:
        print_answer(exc.status, exc.headers, exc.body, as_json)
        raise typer.Exit(1) from exc
    except httpx.TransportError as exc:
        raise fail(f"cannot reach the API: {exc}", 1) from exc
    except ValueError as exc:
        raise fail(str(exc)) from exc


def read_data(data: str | None, raw: bool = False) -> tuple[Any, bytes | None]:
    """`--data` as (json, content): JSON text or `@file`; `raw` sends the bytes verbatim."""
    if data is None:
        return None, None
    if data.startswith("@"):
        try:
            text = Path(data[1:]).read_bytes()
        except OSError as exc:
            raise fail(f"cannot read {data[1:]}: {exc.strerror}") from exc
    else:
        text = data.encode("utf-8")
    if raw:
        return None, text
    try:
        return json.loads(text), None
    except ValueError as exc:
        raise fail(f"--data is not JSON ({exc}); pass --raw to send it verbatim") from exc


def key_values(pairs: list[str] | None, option: str = "--metadata") -> dict[str, str] | None:
    """KEY=VALUE options as a map (None when there are none)."""
    if not pairs:
        return None
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise fail(f"{option} takes KEY=VALUE, not {pair!r}")
        out[name] = value
    return out


def cell(value: Any) -> Text:
    """A table cell: plain text (never rich markup, whatever the API's data holds)."""
    if value is None:
        return Text("")
    if isinstance(value, list):
        return Text(", ".join(str(v.get("id", v)) if isinstance(v, dict) else str(v) for v in value))
    if isinstance(value, dict):
        return Text(json.dumps(value, ensure_ascii=False) if value else "")
    return Text(str(value))


def details(title: str, item: dict[str, Any], fields: tuple[str, ...]) -> Table:
    """One object as a two-column table of the named fields it has."""
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("field", no_wrap=True)
    table.add_column("value", overflow="fold")
    for name in fields:
        if name in item:
            table.add_row(name, cell(item[name]))
    return table


def show(item: Any, as_json: bool, title: str, fields: tuple[str, ...]) -> None:
    """One object: plain JSON with --json, else its fields as a table."""
    if as_json or not isinstance(item, dict):
        print_json(item, as_json)
        return
    stdout().print(details(title, item, fields))


def rows_table(title: str, columns: tuple[str, ...], rows: list[list[Text]]) -> Table:
    """A table whose id cells never wrap or shorten, whatever the terminal's width: a column
    holding ids is as wide as its longest one, and the other columns fold instead."""
    table = Table(title=title)
    for index, column in enumerate(columns):
        values = [row[index].plain for row in rows]
        if values and all(_ID.fullmatch(v) or not v for v in values) and any(values):
            width = max(len(v) for v in values)
            table.add_column(column, no_wrap=True, min_width=width, overflow="ignore")
        else:
            table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def show_page(
    page: Any,
    as_json: bool,
    noun: str,
    columns: tuple[str, ...],
    row: Callable[[Any], list[Text]] | None = None,
) -> None:
    """A list page: `{"data", "nextCursor"}` with --json, else a table and the next cursor."""
    if as_json:
        print_json(page, as_json=True)
        return
    items = page.get("data", []) if isinstance(page, dict) else []
    make_row = row or (lambda item: [cell(item.get(c)) for c in columns])
    console = stdout()
    console.print(rows_table(f"{len(items)} {noun}(s)", columns, [make_row(item) for item in items]))
    if isinstance(page, dict) and page.get("nextCursor"):
        console.print(f"More: --cursor {page['nextCursor']} (or --all)", markup=False)


def list_command(
    ctx: typer.Context,
    *,
    one_page: Callable[[PartnerClient], Any],
    every_page: Callable[[PartnerClient], Iterator[Any]],
    all_pages: bool,
    cursor: str | None,
    as_json: bool,
) -> Any:
    """One page, or every page with --all (as one page with no nextCursor)."""
    if all_pages and cursor is not None:
        raise fail("pass either --all or --cursor, not both")
    with client(ctx) as api, api_errors(as_json):
        if all_pages:
            return {"data": list(every_page(api)), "nextCursor": None}
        return one_page(api)
