"""`partner accounts`: customers' accounts (open, read, list, label, close) and what
receives money into them: `partner accounts numbers issue` (IBAN, ABA, CLABE) for fiat
accounts, `partner accounts addresses issue` (deposit addresses) for wallet accounts."""

from __future__ import annotations

from collections.abc import Callable
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
    details,
    fail,
    key_values,
    list_command,
    print_json,
    show,
    show_page,
    stdout,
)
from partner_sdk.resources.accounts import AccountStatus, AccountType, NumberScheme, Purpose

app = typer.Typer(
    help="Customers' accounts: open, read, list, label and close them; issue numbers and addresses.",
    no_args_is_help=True,
)
numbers_app = typer.Typer(help="Account numbers (IBAN, ABA, CLABE) of fiat accounts.", no_args_is_help=True)
addresses_app = typer.Typer(help="Deposit addresses of wallet accounts.", no_args_is_help=True)
app.add_typer(numbers_app, name="numbers")
app.add_typer(addresses_app, name="addresses")

FIAT_TYPES = ("demand_deposit", "virtual")
ACCOUNT_FIELDS = (
    "id",
    "customerId",
    "type",
    "status",
    "currency",
    "asset",
    "chain",
    "label",
    "purpose",
    "metadata",
    "createdAt",
    "updatedAt",
)
# One id a row: two ids fill 80 columns (the customer's is in `get` and --json). `holds`:
# the currency of a fiat account, the asset and chain of a wallet account.
ACCOUNT_COLUMNS = ("id", "type", "status", "holds", "label", "createdAt")
NUMBER_FIELDS = (
    "id",
    "accountId",
    "scheme",
    "number",
    "routingNumber",
    "sortCode",
    "bic",
    "bankName",
    "status",
    "createdAt",
)
ADDRESS_FIELDS = ("id", "accountId", "chain", "asset", "address", "derivationPath", "status", "createdAt")
# The tables under an account: what a payer needs, to fit 80 columns (no route takes a
# number's or an address's id, and an address's chain and asset are its account's; all in
# --json). `routing`: an ABA number's routingNumber, a GBP IBAN's sortCode.
NUMBER_COLUMNS = ("scheme", "number", "routing", "bic", "status")
ADDRESS_COLUMNS = ("address", "derivationPath", "status")

AccountId = Annotated[str, typer.Argument(help="The account's id (acc_...).")]
LabelOption = Annotated[str | None, typer.Option("--label", help="1-100 characters.")]
PurposeOption = Annotated[Purpose | None, typer.Option("--purpose")]
MetadataOption = Annotated[
    list[str] | None, typer.Option("--metadata", help="KEY=VALUE (repeat the option for more).")
]


def _holds(account: dict[str, Any]) -> str | None:
    if account.get("currency"):
        return str(account["currency"])
    if account.get("asset"):
        return f"{account['asset']} on {account.get('chain')}"
    return None


def _account_row(account: Any) -> list[Text]:
    return [cell(_holds(account)) if c == "holds" else cell(account.get(c)) for c in ACCOUNT_COLUMNS]


def _number_row(number: Any) -> list[Text]:
    routing = number.get("routingNumber") or number.get("sortCode")
    return [cell(routing) if c == "routing" else cell(number.get(c)) for c in NUMBER_COLUMNS]


def _show_account(account: Any, as_json: bool, title: str = "Account") -> None:
    """The account's fields, then a table of its numbers and one of its addresses (each
    shown when it has some; when it has none yet, is active and its type takes them, how to
    issue one)."""
    if as_json or not isinstance(account, dict):
        print_json(account, as_json)
        return
    stdout().print(details(title, account, ACCOUNT_FIELDS))
    account_id, account_type = account.get("id"), account.get("type")
    issuable = account.get("status") == "active"
    _children(
        account.get("accountNumbers"),
        "account number",
        NUMBER_COLUMNS,
        _number_row,
        f"No account numbers yet: partner accounts numbers issue {account_id}"
        if issuable and account_type in FIAT_TYPES
        else None,
    )
    _children(
        account.get("blockchainAddresses"),
        "blockchain address",
        ADDRESS_COLUMNS,
        None,
        f"No blockchain addresses yet: partner accounts addresses issue {account_id}"
        if issuable and account_type == "wallet"
        else None,
    )


def _children(
    items: Any,
    noun: str,
    columns: tuple[str, ...],
    row: Callable[[Any], list[Text]] | None,
    empty_hint: str | None,
) -> None:
    if not isinstance(items, list):
        return
    if items:
        show_page({"data": items}, False, noun, columns, row)
    elif empty_hint is not None:
        stdout().print(empty_hint, markup=False)


@app.command("create")
def accounts_create(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Option("--customer", help="The customer's id (cus_...).")],
    account_type: Annotated[
        AccountType, typer.Option("--type", help="demand_deposit or virtual (with --currency), or wallet.")
    ],
    currency: Annotated[
        str | None, typer.Option("--currency", help="Fiat accounts: ISO 4217, e.g. EUR.")
    ] = None,
    asset: Annotated[str | None, typer.Option("--asset", help="Wallet accounts: e.g. USDC.")] = None,
    chain: Annotated[str | None, typer.Option("--chain", help="Wallet accounts: e.g. ethereum.")] = None,
    label: LabelOption = None,
    purpose: PurposeOption = None,
    metadata: MetadataOption = None,
    as_json: JsonOption = False,
) -> None:
    """Open an account for an active customer (KYC approved: the `accounts` capability)."""
    fields: dict[str, Any] = {
        "currency": currency,
        "asset": asset,
        "chain": chain,
        "label": label,
        "purpose": purpose,
        "metadata": key_values(metadata),
    }
    with client(ctx) as api, api_errors(as_json):
        account = api.accounts.create(customer_id, account_type, **fields)
    _show_account(account, as_json, "Account created")


@app.command("get")
def accounts_get(ctx: typer.Context, account_id: AccountId, as_json: JsonOption = False) -> None:
    """Show one account with its account numbers and deposit addresses."""
    with client(ctx) as api, api_errors(as_json):
        account = api.accounts.get(account_id)
    _show_account(account, as_json)


@app.command("list")
def accounts_list(
    ctx: typer.Context,
    customer_id: Annotated[str | None, typer.Option("--customer", help="One customer's (cus_...).")] = None,
    account_type: Annotated[AccountType | None, typer.Option("--type")] = None,
    status: Annotated[AccountStatus | None, typer.Option("--status")] = None,
    limit: LimitOption = None,
    cursor: CursorOption = None,
    all_pages: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    """List accounts, newest first (one page unless --all). --json prints {"data", "nextCursor"}."""
    page = list_command(
        ctx,
        one_page=lambda api: api.accounts.list(customer_id, account_type, status, limit, cursor),
        every_page=lambda api: api.accounts.iterate(customer_id, account_type, status, limit),
        all_pages=all_pages,
        cursor=cursor,
        as_json=as_json,
    )
    show_page(page, as_json, "account", ACCOUNT_COLUMNS, _account_row)


@app.command("update")
def accounts_update(
    ctx: typer.Context,
    account_id: AccountId,
    label: LabelOption = None,
    purpose: PurposeOption = None,
    metadata: MetadataOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change the label, purpose or metadata; the rest stays. Metadata is merged into the
    account's (the keys not given are kept)."""
    fields: dict[str, Any] = {"label": label, "purpose": purpose, "metadata": key_values(metadata)}
    if all(value is None for value in fields.values()):
        raise fail("nothing to update: pass --label, --purpose or --metadata")
    with client(ctx) as api, api_errors(as_json):
        account = api.accounts.update(account_id, **fields)
    _show_account(account, as_json, "Account updated")


@app.command("close")
def accounts_close(ctx: typer.Context, account_id: AccountId, as_json: JsonOption = False) -> None:
    """Close an account for good; its numbers and addresses go inactive."""
    with client(ctx) as api, api_errors(as_json):
        account = api.accounts.close(account_id)
    _show_account(account, as_json, "Account closed")


@numbers_app.command("issue")
def numbers_issue(
    ctx: typer.Context,
    account_id: AccountId,
    scheme: Annotated[
        NumberScheme | None,
        typer.Option("--scheme", help="By default the currency's: USD aba, MXN clabe, IBAN currencies iban."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Issue an account number to a fiat account (at most 5 per account)."""
    with client(ctx) as api, api_errors(as_json):
        number = api.accounts.issue_number(account_id, scheme)
    show(number, as_json, "Account number issued", NUMBER_FIELDS)


@addresses_app.command("issue")
def addresses_issue(ctx: typer.Context, account_id: AccountId, as_json: JsonOption = False) -> None:
    """Derive the next deposit address of a wallet account's chain (at most 100 per account)."""
    with client(ctx) as api, api_errors(as_json):
        address = api.accounts.issue_address(account_id)
    show(address, as_json, "Blockchain address issued", ADDRESS_FIELDS)
