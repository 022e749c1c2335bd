"""`partner bank-information`: users' bank details for ramps in Mexico and the Dominican
Republic (create or update, read, list), and `partner supported-banks list`: the banks
they may name. `partner ingest bank-information` loads files of them."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.text import Text

from partner_sdk.cli._common import (
    AllOption,
    CursorOption,
    JsonOption,
    LimitOption,
    api_errors,
    cell,
    client,
    list_command,
    show,
    show_page,
)
from partner_sdk.resources.bank_information import AccountType, Country, RampType

app = typer.Typer(
    help="Users' bank details for MX and DO ramps: create or update, read and list them.",
    no_args_is_help=True,
)
supported_banks_app = typer.Typer(
    help="The banks bank information may name (--supported-bank-id).", no_args_is_help=True
)

FIELDS = (
    "id",
    "userId",
    "partnerId",
    "bankName",
    "supportedBankId",
    "accountNumber",
    "accountType",
    "clabe",
    "country",
    "rampType",
    "documentNumber",
    "status",
    "createdAt",
    "updatedAt",
)
# One id a row, to fit 80 columns (the user, the bank and the rest are in `get` and
# --json). `ramp`: the country and the ramp type, `MX OFF_RAMP`.
COLUMNS = ("id", "ramp", "accountNumber", "status")
BANK_COLUMNS = ("id", "code", "name", "swift")

BankInformationId = Annotated[str, typer.Argument(help="The record's id (bi_...).")]
CountryOption = Annotated[Country, typer.Option("--country", help="MX or DO.")]
RampTypeOption = Annotated[RampType | None, typer.Option("--ramp-type")]


def _row(record: Any) -> list[Text]:
    ramp = " ".join(str(record[name]) for name in ("country", "rampType") if record.get(name))
    return [cell(ramp or None) if c == "ramp" else cell(record.get(c)) for c in COLUMNS]


@app.command("create")
def bank_information_create(
    ctx: typer.Context,
    user_id: Annotated[str, typer.Option("--user-id", help="An active customer's id (cus_...).")],
    country: CountryOption,
    account_number: Annotated[str, typer.Option("--account-number", help="4 to 34 letters and digits.")],
    account_type: Annotated[AccountType, typer.Option("--account-type")],
    supported_bank_id: Annotated[
        str | None,
        typer.Option("--supported-bank-id", help="e.g. bank_mx_012 (partner supported-banks list)."),
    ] = None,
    bank_name: Annotated[
        str | None,
        typer.Option("--bank-name", help="A bank that is not listed (without --supported-bank-id)."),
    ] = None,
    clabe: Annotated[
        str | None, typer.Option("--clabe", help="MX only: 18 digits, opening with the bank's code.")
    ] = None,
    document_number: Annotated[
        str | None,
        typer.Option(
            "--document-number", help="CURP or RFC (MX), cédula or RNC (DO); by default the KYC one."
        ),
    ] = None,
    ramp_type: Annotated[
        RampType | None, typer.Option("--ramp-type", help="ON_RAMP or OFF_RAMP (the default).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Register a user's bank details: creates the record (201), or updates the user's record
    of the same country and account number (200). The options state the record in full: one
    left out is cleared on update."""
    with client(ctx) as api, api_errors(as_json):
        answer = api.bank_information.save(
            user_id,
            country,
            account_number,
            account_type,
            supported_bank_id=supported_bank_id,
            bank_name=bank_name,
            clabe=clabe,
            document_number=document_number,
            ramp_type=ramp_type,
        )
    done = "created" if answer.status == 201 else "updated"
    show(answer.json(), as_json, f"Bank information {done} (HTTP {answer.status})", FIELDS)


@app.command("get")
def bank_information_get(
    ctx: typer.Context, bank_information_id: BankInformationId, as_json: JsonOption = False
) -> None:
    """Show one record."""
    with client(ctx) as api, api_errors(as_json):
        record = api.bank_information.get(bank_information_id)
    show(record, as_json, "Bank information", FIELDS)


@app.command("list")
def bank_information_list(
    ctx: typer.Context,
    user_id: Annotated[str | None, typer.Option("--user-id", help="One customer's (cus_...).")] = None,
    country: Annotated[Country | None, typer.Option("--country")] = None,
    ramp_type: RampTypeOption = None,
    limit: LimitOption = None,
    cursor: CursorOption = None,
    all_pages: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    """List bank information, newest first (one page unless --all). --json prints {"data", "nextCursor"}."""
    page = list_command(
        ctx,
        one_page=lambda api: api.bank_information.list(user_id, country, ramp_type, limit, cursor),
        every_page=lambda api: api.bank_information.iterate(user_id, country, ramp_type, limit),
        all_pages=all_pages,
        cursor=cursor,
        as_json=as_json,
    )
    show_page(page, as_json, "bank information record", COLUMNS, _row)


@supported_banks_app.command("list")
def supported_banks_list(
    ctx: typer.Context,
    country: Annotated[Country | None, typer.Option("--country", help="MX or DO (both by default).")] = None,
    limit: LimitOption = None,
    cursor: CursorOption = None,
    all_pages: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    """List the supported banks in id order (one page unless --all). For MX, `code` is the
    Banxico code a CLABE opens with. --json prints {"data", "nextCursor"}."""
    page = list_command(
        ctx,
        one_page=lambda api: api.supported_banks.list(country, limit, cursor),
        every_page=lambda api: api.supported_banks.iterate(country, limit),
        all_pages=all_pages,
        cursor=cursor,
        as_json=as_json,
    )
    show_page(page, as_json, "supported bank", BANK_COLUMNS)
