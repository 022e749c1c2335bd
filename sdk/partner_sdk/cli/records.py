"""`partner bank-accounts` and `partner blockchain-wallets`: ingested records, one at a
time (`partner ingest` loads files of them). Both groups have the same commands, built
here once from what differs: the resource group, its id, its list filter and columns.

No `from __future__ import annotations` here: typer reads the commands' annotations, and
those made inside `records_app` (the id argument, the list's own filter) are local."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from partner_sdk.cli._common import (
    AllOption,
    CursorOption,
    DataOption,
    JsonOption,
    LimitOption,
    api_errors,
    client,
    fail,
    list_command,
    read_data,
    show,
    show_page,
)
from partner_sdk.client import PartnerClient
from partner_sdk.resources.ingestion import IngestedRecords


@dataclass(frozen=True)
class Kind:
    name: str  # the command group: bank-accounts
    noun: str  # bank account
    id_prefix: str  # ba
    group: Callable[[PartnerClient], IngestedRecords]
    own_filter: str  # the list's own filter: status, chain
    own_help: str
    fields: tuple[str, ...]  # shown by get and create
    columns: tuple[str, ...]  # shown by list
    hint: str  # the fields a create usually needs


BANK_ACCOUNTS = Kind(
    name="bank-accounts",
    noun="bank account",
    id_prefix="ba",
    group=lambda api: api.bank_accounts,
    own_filter="status",
    own_help="ACTIVE, INACTIVE or CLOSED",
    fields=(
        "id",
        "accountNumber",
        "referenceId",
        "status",
        "currency",
        "countries",
        "associatedClients",
        "customFields",
        "createdAt",
        "updatedAt",
    ),
    columns=("id", "accountNumber", "status", "currency", "referenceId", "createdAt"),
    hint="accountNumber, referenceId, currency",
)
BLOCKCHAIN_WALLETS = Kind(
    name="blockchain-wallets",
    noun="blockchain wallet",
    id_prefix="bw",
    group=lambda api: api.blockchain_wallets,
    own_filter="chain",
    own_help="e.g. ethereum, bitcoin",
    fields=(
        "id",
        "address",
        "chain",
        "referenceId",
        "screeningDate",
        "associatedClients",
        "integrations",
        "customFields",
        "createdAt",
        "updatedAt",
    ),
    columns=("id", "chain", "address", "referenceId", "createdAt"),
    hint="address, chain, referenceId",
)


def records_app(kind: Kind) -> typer.Typer:
    app = typer.Typer(help=f"Create, read, list {kind.noun}s and associate customers.", no_args_is_help=True)
    RecordId = Annotated[str, typer.Argument(help=f"The {kind.noun}'s id ({kind.id_prefix}_...).")]
    title = kind.noun.capitalize()

    @app.command(
        "create", help=f"Create a {kind.noun} from --data (the API's fields) and/or --set FIELD=VALUE."
    )
    def create(
        ctx: typer.Context,
        data: DataOption = None,
        field: Annotated[
            list[str] | None,
            typer.Option("--set", help="FIELD=VALUE, a text field of the body (repeat for more)."),
        ] = None,
        client_ids: Annotated[
            list[str] | None, typer.Option("--client", help="A customer id to associate (repeat for more).")
        ] = None,
        upsert: Annotated[
            bool, typer.Option("--upsert", help="Update the record of the same referenceId or unique value.")
        ] = False,
        as_json: JsonOption = False,
    ) -> None:
        body, _ = read_data(data)
        if body is not None and not isinstance(body, dict):
            raise fail("--data must be a JSON object")
        body = dict(body or {})
        for pair in field or []:
            name, sep, value = pair.partition("=")
            if not sep or not name:
                raise fail(f"--set takes FIELD=VALUE, not {pair!r}")
            body[name] = value
        if client_ids:
            body["associatedClients"] = list(client_ids)
        if not body:
            raise fail(f"nothing to send: pass --data or --set FIELD=VALUE ({kind.hint}, ...)")
        with client(ctx) as api, api_errors(as_json):
            record = kind.group(api).create(body, upsert=upsert)
        show(record, as_json, f"{title} saved", kind.fields)

    @app.command("get", help=f"Show one {kind.noun}.")
    def get(ctx: typer.Context, record_id: RecordId, as_json: JsonOption = False) -> None:
        with client(ctx) as api, api_errors(as_json):
            record = kind.group(api).get(record_id)
        show(record, as_json, title, kind.fields)

    @app.command("list")
    def list_(
        ctx: typer.Context,
        own: Annotated[str | None, typer.Option(f"--{kind.own_filter}", help=kind.own_help)] = None,
        reference_id: Annotated[str | None, typer.Option("--reference-id")] = None,
        client_id: Annotated[
            str | None, typer.Option("--client-id", help="Associated with this customer.")
        ] = None,
        limit: LimitOption = None,
        cursor: CursorOption = None,
        all_pages: AllOption = False,
        as_json: JsonOption = False,
    ) -> None:
        """List them, newest first (one page unless --all). --json prints {"data", "nextCursor"}."""
        filters: dict[str, Any] = {"reference_id": reference_id, "client_id": client_id, kind.own_filter: own}
        page = list_command(
            ctx,
            one_page=lambda api: kind.group(api).list(limit=limit, cursor=cursor, **filters),
            every_page=lambda api: kind.group(api).iterate(limit=limit, **filters),
            all_pages=all_pages,
            cursor=cursor,
            as_json=as_json,
        )
        show_page(page, as_json, kind.noun, kind.columns)

    @app.command("clients")
    def clients(
        ctx: typer.Context,
        record_id: RecordId,
        customer_ids: Annotated[list[str], typer.Argument(help="Customer ids (cus_...) to associate.")],
        as_json: JsonOption = False,
    ) -> None:
        """Associate customers (at most 50 in all; associating again changes nothing)."""
        with client(ctx) as api, api_errors(as_json):
            record = kind.group(api).add_clients(record_id, customer_ids)
        show(record, as_json, f"{title} clients", kind.fields)

    return app


bank_accounts_app = records_app(BANK_ACCOUNTS)
blockchain_wallets_app = records_app(BLOCKCHAIN_WALLETS)
