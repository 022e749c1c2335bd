"""`partner ledger`: the ledger hierarchy (seed 003, Midaz's model), one command group per
kind, each with create, get, list, update and delete. Parents are options:

    partner ledger organizations ...
    partner ledger ledgers ...       --organization ORG
    partner ledger instruments ...   --organization ORG --ledger LEDGER  (portfolios, products too)
    partner ledger accounts ...      --organization ORG --ledger LEDGER --portfolio PORTFOLIO

`create` and `update` take the body's fields as options, and/or the API's JSON as is with
`--data '{...}'` or `--data @file.json` (an option given overrides the field of --data).
`update --clear FIELD` sets a field to null. `accounts list --ledger-wide` lists every
account of the ledger, external ones included (`--alias @external/BRL` finds one), and
`accounts get` without `--portfolio` reads the account through its ledger.

    partner ledger transactions create|list       --organization ORG --ledger LEDGER
    partner ledger transactions get|commit|cancel|revert TRANSACTION --organization ORG --ledger LEDGER
    partner ledger statement ACCOUNT              --organization ORG --ledger LEDGER

`transactions create --data` takes Midaz's transaction JSON (or @file.json); amounts show
as decimals at their scale (1500 at scale 2 is 15.00), a statement's signed by direction."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any

import typer
from rich.text import Text

from partner_sdk.cli._common import (
    AllOption,
    CursorOption,
    DataOption,
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
    read_data,
    rows_table,
    show_page,
    stdout,
)
from partner_sdk.client import PartnerClient
from partner_sdk.resources import ledger as sdk
from partner_sdk.resources.ledger import AccountType, InstrumentType, LedgerAccountType

app = typer.Typer(
    help="The ledger hierarchy (organizations, ledgers, instruments, portfolios, products, "
    "accounts), its transactions and accounts' statements.",
    no_args_is_help=True,
)


@dataclass(frozen=True)
class Kind:
    noun: str  # "organization"
    group: Callable[[PartnerClient], sdk.Kind]
    fields: tuple[str, ...]  # shown by create, get and update
    columns: tuple[str, ...]  # shown by list: one id a row, to fit 80 columns
    required: tuple[tuple[str, str], ...] = ()  # (field, its options) a create needs
    nullable: tuple[str, ...] = ("metadata",)  # what `update --clear` may set to null
    parents: tuple[str, ...] = ()  # its parents' options, as the commands' parameters name them

    @property
    def title(self) -> str:
        return self.noun.capitalize()


TIMES = ("createdAt", "updatedAt")
UNDER_LEDGER = ("id", "organizationId", "ledgerId")
IN_LEDGER = ("organization", "ledger")  # the parents' options of a kind under a ledger
ORGANIZATIONS = Kind(
    noun="organization",
    group=lambda api: api.ledger.organizations,
    fields=(
        "id",
        "legalName",
        "doingBusinessAs",
        "legalDocument",
        "parentOrganizationId",
        "address",
        "status",
        "metadata",
        *TIMES,
    ),
    columns=("id", "legalName", "status"),
    required=(
        ("legalName", "--legal-name"),
        ("legalDocument", "--legal-document"),
        ("address", "--line1, --zip-code, --city, --state and --country"),
    ),
    nullable=("doingBusinessAs", "parentOrganizationId", "metadata"),
)
LEDGERS = Kind(
    noun="ledger",
    group=lambda api: api.ledger.ledgers,
    fields=("id", "organizationId", "name", "status", "metadata", *TIMES),
    columns=("id", "name", "status"),
    required=(("name", "--name"),),
    parents=("organization",),
)
INSTRUMENTS = Kind(
    noun="instrument",
    group=lambda api: api.ledger.instruments,
    fields=(*UNDER_LEDGER, "name", "type", "code", "scale", "status", "metadata", *TIMES),
    columns=("id", "code", "type", "scale", "status"),
    required=(("name", "--name"), ("type", "--type"), ("code", "--code")),
    parents=IN_LEDGER,
)
PORTFOLIOS = Kind(
    noun="portfolio",
    group=lambda api: api.ledger.portfolios,
    fields=(*UNDER_LEDGER, "name", "entityId", "status", "metadata", *TIMES),
    columns=("id", "name", "entityId", "status"),
    required=(("name", "--name"),),
    nullable=("entityId", "metadata"),
    parents=IN_LEDGER,
)
PRODUCTS = Kind(
    noun="product",
    group=lambda api: api.ledger.products,
    fields=(*UNDER_LEDGER, "name", "status", "metadata", *TIMES),
    columns=("id", "name", "status"),
    required=(("name", "--name"),),
    parents=IN_LEDGER,
)
ACCOUNTS = Kind(
    noun="account",
    group=lambda api: api.ledger.accounts,
    fields=(
        *UNDER_LEDGER,
        "portfolioId",
        "name",
        "alias",
        "type",
        "instrumentCode",
        "balance",
        "entityId",
        "parentAccountId",
        "productId",
        "allowSending",
        "allowReceiving",
        "status",
        "metadata",
        *TIMES,
    ),
    # `balance`: the available amount and its instrument, `10.50 BRL` (the type is in get).
    columns=("id", "alias", "balance", "status"),
    required=(("instrumentCode", "--instrument-code"), ("type", "--type")),
    nullable=("name", "alias", "entityId", "productId", "metadata"),
    parents=(*IN_LEDGER, "portfolio"),
)

OrganizationOption = Annotated[str, typer.Option("--organization", help="The organization's id (a UUID).")]
LedgerOption = Annotated[str, typer.Option("--ledger", help="The ledger's id.")]
PortfolioOption = Annotated[str, typer.Option("--portfolio", help="The portfolio's id.")]
NameOption = Annotated[str | None, typer.Option("--name", help="1-256 characters.")]
StatusOption = Annotated[
    str | None, typer.Option("--status", help="Its status code (ACTIVE by default), e.g. BLOCKED.")
]
StatusDescriptionOption = Annotated[
    str | None, typer.Option("--status-description", help="With --status: why (at most 256 characters).")
]
MetadataOption = Annotated[
    list[str] | None,
    typer.Option("--metadata", help="KEY=VALUE (repeat for more); an update replaces the whole map."),
]
ClearOption = Annotated[
    list[str] | None,
    typer.Option(
        "--clear", help="Set this field to null, as the API names it, e.g. alias (repeat for more)."
    ),
]
ListStatusOption = Annotated[str | None, typer.Option("--status", help="Only those of this status code.")]
EntityIdOption = Annotated[
    str | None, typer.Option("--entity-id", help="Your own id of who owns it (free text).")
]
AllowSendingOption = Annotated[
    bool | None, typer.Option("--allow-sending/--deny-sending", help="May it be a source (default: yes).")
]
AllowReceivingOption = Annotated[
    bool | None,
    typer.Option("--allow-receiving/--deny-receiving", help="May it be a destination (default: yes)."),
]
ProductOption = Annotated[str | None, typer.Option("--product", help="A product of the ledger (its id).")]


def _id_argument(kind: Kind) -> Any:
    return typer.Argument(help=f"The {kind.noun}'s id (a UUID).")


OrganizationId = Annotated[str, _id_argument(ORGANIZATIONS)]
AccountId = Annotated[str, _id_argument(ACCOUNTS)]


# -- output -------------------------------------------------------------------------------


def amount(value: Any, scale: Any) -> str:
    """Minor units at a scale as a decimal: 1050 at scale 2 is 10.50."""
    if not isinstance(value, int) or not isinstance(scale, int):
        return str(value)
    return f"{Decimal(value).scaleb(-scale):f}"


def _status_text(status: Any, brief: bool) -> Any:
    if not isinstance(status, dict):
        return status
    code, description = status.get("code"), status.get("description")
    return f"{code} ({description})" if description and not brief else code


def _address_text(address: Any) -> Any:
    if not isinstance(address, dict):
        return address
    place = " ".join(str(address[name]) for name in ("zipCode", "city") if address.get(name))
    parts = [address.get("line1"), address.get("line2"), place, address.get("state"), address.get("country")]
    return ", ".join(str(part) for part in parts if part)


def _balance_text(item: dict[str, Any], brief: bool) -> Any:
    balance = item.get("balance")
    if not isinstance(balance, dict):
        return balance
    scale, code = balance.get("scale"), item.get("instrumentCode") or ""
    text = f"{amount(balance.get('available'), scale)} {code}".strip()
    if balance.get("onHold") and not brief:
        text += f" ({amount(balance['onHold'], scale)} on hold)"
    return text


def display(item: dict[str, Any], brief: bool = False) -> dict[str, Any]:
    """The resource as tables show it: a status as its code (and description), an address
    on one line, a balance as a decimal amount of the instrument, the
    available one (and what is on hold). `brief`: a list's row, without the parentheses."""
    shown = dict(item)
    if "status" in item:
        shown["status"] = _status_text(item["status"], brief)
    if "address" in item:
        shown["address"] = _address_text(item["address"])
    if "balance" in item:
        shown["balance"] = _balance_text(item, brief)
    return shown


def show_item(kind: Kind, item: Any, as_json: bool, title: str | None = None) -> None:
    if as_json or not isinstance(item, dict):
        print_json(item, as_json)
        return
    stdout().print(details(title or kind.title, display(item), kind.fields))


def show_list(kind: Kind, page: Any, as_json: bool) -> None:
    def row(item: Any) -> list[Text]:
        shown = display(item, brief=True) if isinstance(item, dict) else {}
        return [cell(shown.get(column)) for column in kind.columns]

    show_page(page, as_json, kind.noun, kind.columns, row)


# -- what the commands share ----------------------------------------------------------------


def status_body(code: str | None, description: str | None) -> dict[str, Any] | None:
    if code is None:
        if description is not None:
            raise fail("--status-description goes with --status")
        return None
    return {"code": code} if description is None else {"code": code, "description": description}


def named(
    name: str | None, status: str | None, description: str | None, metadata: list[str] | None, **more: Any
) -> dict[str, Any]:
    """The fields of a kind with a name, a status and metadata, and its `more`."""
    return {
        "name": name,
        **more,
        "status": status_body(status, description),
        "metadata": key_values(metadata),
    }


def body_of(data: str | None, fields: dict[str, Any]) -> dict[str, Any]:
    """--data's object (the API's JSON as is), then the fields given as options over it (an
    address's lines over --data's address)."""
    given, _ = read_data(data)
    if given is not None and not isinstance(given, dict):
        raise fail("--data must be a JSON object")
    body = dict(given or {})
    for name, value in fields.items():
        if value is None:
            continue
        if name == "address" and isinstance(body.get(name), dict):
            value = {**body[name], **value}
        body[name] = value
    return body


def create(
    ctx: typer.Context,
    kind: Kind,
    parent_ids: tuple[str, ...],
    data: str | None,
    fields: dict[str, Any],
    as_json: bool,
) -> None:
    body = body_of(data, fields)
    missing = [options for name, options in kind.required if name not in body]
    if missing:
        raise fail(f"missing {'; '.join(missing)} (or give them in --data)")
    with client(ctx) as api, api_errors(as_json):
        item = kind.group(api).create_from(*parent_ids, body=body)
    show_item(kind, item, as_json, f"{kind.title} created")


def update(
    ctx: typer.Context,
    kind: Kind,
    ids: tuple[str, ...],
    data: str | None,
    fields: dict[str, Any],
    clear: list[str] | None,
    as_json: bool,
) -> None:
    body = body_of(data, fields)
    for name in clear or []:
        if name not in kind.nullable:
            raise fail(f"--clear takes {', '.join(kind.nullable)} for {kind.noun}s, not {name!r}")
        if name in fields and fields[name] is not None:
            raise fail(f"{name} is both given and cleared")
        body[name] = None
    if not body:
        raise fail("nothing to update: pass a field's option, --clear or --data")
    with client(ctx) as api, api_errors(as_json):
        item = kind.group(api).update_from(*ids, body=body)
    show_item(kind, item, as_json, f"{kind.title} updated")


def get(ctx: typer.Context, kind: Kind, ids: tuple[str, ...], as_json: bool) -> None:
    with client(ctx) as api, api_errors(as_json):
        item = kind.group(api).get(*ids)
    show_item(kind, item, as_json)


def delete(ctx: typer.Context, kind: Kind, ids: tuple[str, ...], as_json: bool) -> None:
    with client(ctx) as api, api_errors(as_json):
        kind.group(api).delete(*ids)
    if as_json:
        print_json({"id": ids[-1], "deleted": True}, as_json=True)
    else:
        stdout().print(f"Deleted {kind.noun} {ids[-1]}", markup=False)


def list_by_status(
    ctx: typer.Context,
    kind: Kind,
    parent_ids: tuple[str, ...],
    status: str | None,
    limit: int | None,
    cursor: str | None,
    all_pages: bool,
    as_json: bool,
) -> None:
    def group(api: PartnerClient) -> Any:
        return kind.group(api)

    page = list_command(
        ctx,
        one_page=lambda api: group(api).list(*parent_ids, status=status, limit=limit, cursor=cursor),
        every_page=lambda api: group(api).iterate(*parent_ids, status=status, limit=limit),
        all_pages=all_pages,
        cursor=cursor,
        as_json=as_json,
    )
    show_list(kind, page, as_json)


def kind_app(kind: Kind, help: str) -> typer.Typer:
    sub = typer.Typer(help=help, no_args_is_help=True)
    app.add_typer(sub, name=f"{kind.noun}s")
    return sub


LIST_HELP = 'List them, newest first (one page unless --all). --json prints {"data", "nextCursor"}.'

# -- what the organizations' and the accounts' commands write out --------------------------------


def _address(*lines: str | None) -> dict[str, Any] | None:
    """The address options given (line1, line2, zipCode, city, state, country), or None."""
    given = dict(zip(("line1", "line2", "zipCode", "city", "state", "country"), lines, strict=True))
    return {name: value for name, value in given.items() if value is not None} or None


Line1Option = Annotated[str | None, typer.Option("--line1", help="Address: street and number.")]
Line2Option = Annotated[str | None, typer.Option("--line2", help="Address: a second line.")]
ZipCodeOption = Annotated[str | None, typer.Option("--zip-code", help="Address: postal code.")]
CityOption = Annotated[str | None, typer.Option("--city", help="Address: city.")]
StateOption = Annotated[str | None, typer.Option("--state", help="Address: state or region.")]
CountryOption = Annotated[str | None, typer.Option("--country", help="Address: ISO 3166-1 alpha-2, e.g. BR.")]
DoingBusinessAsOption = Annotated[str | None, typer.Option("--doing-business-as", help="Its trade name.")]
ParentOption = Annotated[
    str | None, typer.Option("--parent", help="A parent organization of yours (its id).")
]


def organizations_create(
    ctx: typer.Context,
    legal_name: Annotated[str | None, typer.Option("--legal-name", help="1-256 characters.")] = None,
    legal_document: Annotated[
        str | None, typer.Option("--legal-document", help="A tax id or registration number; never changes.")
    ] = None,
    doing_business_as: DoingBusinessAsOption = None,
    parent: ParentOption = None,
    line1: Line1Option = None,
    line2: Line2Option = None,
    zip_code: ZipCodeOption = None,
    city: CityOption = None,
    state: StateOption = None,
    country: CountryOption = None,
    status: StatusOption = None,
    status_description: StatusDescriptionOption = None,
    metadata: MetadataOption = None,
    data: DataOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an organization: --legal-name, --legal-document and the address, or all of it
    in --data @organization.json (Midaz's JSON)."""
    fields = {
        "legalName": legal_name,
        "doingBusinessAs": doing_business_as,
        "legalDocument": legal_document,
        "parentOrganizationId": parent,
        "address": _address(line1, line2, zip_code, city, state, country),
        "status": status_body(status, status_description),
        "metadata": key_values(metadata),
    }
    create(ctx, ORGANIZATIONS, (), data, fields, as_json)


def organizations_update(
    ctx: typer.Context,
    organization_id: OrganizationId,
    legal_name: Annotated[str | None, typer.Option("--legal-name")] = None,
    doing_business_as: DoingBusinessAsOption = None,
    parent: ParentOption = None,
    line1: Line1Option = None,
    line2: Line2Option = None,
    zip_code: ZipCodeOption = None,
    city: CityOption = None,
    state: StateOption = None,
    country: CountryOption = None,
    status: StatusOption = None,
    status_description: StatusDescriptionOption = None,
    metadata: MetadataOption = None,
    clear: ClearOption = None,
    data: DataOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change the fields given; the rest stays. An address is replaced whole (give every
    line of it) and so is metadata. --clear doingBusinessAs, parentOrganizationId or
    metadata sets it to null."""
    fields = {
        "legalName": legal_name,
        "doingBusinessAs": doing_business_as,
        "parentOrganizationId": parent,
        "address": _address(line1, line2, zip_code, city, state, country),
        "status": status_body(status, status_description),
        "metadata": key_values(metadata),
    }
    update(ctx, ORGANIZATIONS, (organization_id,), data, fields, clear, as_json)


AliasOption = Annotated[
    str | None, typer.Option("--alias", help="Unique in the ledger: letters, digits and @:_- (<= 100).")
]


def accounts_create(
    ctx: typer.Context,
    organization: OrganizationOption,
    ledger: LedgerOption,
    portfolio: PortfolioOption,
    instrument_code: Annotated[
        str | None, typer.Option("--instrument-code", help="An instrument of the ledger, e.g. BRL.")
    ] = None,
    account_type: Annotated[AccountType | None, typer.Option("--type")] = None,
    name: NameOption = None,
    alias: AliasOption = None,
    entity_id: EntityIdOption = None,
    parent_account: Annotated[
        str | None, typer.Option("--parent-account", help="An account of the ledger in the same instrument.")
    ] = None,
    product: ProductOption = None,
    allow_sending: AllowSendingOption = None,
    allow_receiving: AllowReceivingOption = None,
    status: StatusOption = None,
    status_description: StatusDescriptionOption = None,
    metadata: MetadataOption = None,
    data: DataOption = None,
    as_json: JsonOption = False,
) -> None:
    """Open an account in the portfolio: --instrument-code and --type at least."""
    fields = {
        "instrumentCode": instrument_code,
        "name": name,
        "alias": alias,
        "type": account_type,
        "entityId": entity_id,
        "parentAccountId": parent_account,
        "productId": product,
        "allowSending": allow_sending,
        "allowReceiving": allow_receiving,
        "status": status_body(status, status_description),
        "metadata": key_values(metadata),
    }
    create(ctx, ACCOUNTS, (organization, ledger, portfolio), data, fields, as_json)


def accounts_get(
    ctx: typer.Context,
    account_id: AccountId,
    organization: OrganizationOption,
    ledger: LedgerOption,
    portfolio: Annotated[
        str | None, typer.Option("--portfolio", help="Its portfolio; without it, read through the ledger.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show one account with its balance (without --portfolio: by the ledger alone, which reads
    external accounts too)."""
    if portfolio is None:
        with client(ctx) as api, api_errors(as_json):
            item = api.ledger.accounts.get_in_ledger(organization, ledger, account_id)
        show_item(ACCOUNTS, item, as_json)
        return
    get(ctx, ACCOUNTS, (organization, ledger, portfolio, account_id), as_json)


def accounts_list(
    ctx: typer.Context,
    organization: OrganizationOption,
    ledger: LedgerOption,
    portfolio: Annotated[str | None, typer.Option("--portfolio", help="The portfolio's accounts.")] = None,
    ledger_wide: Annotated[
        bool,
        typer.Option("--ledger-wide", help="Every account of the ledger instead, external ones included."),
    ] = False,
    alias: Annotated[
        str | None, typer.Option("--alias", help="With --ledger-wide: the one account of this alias.")
    ] = None,
    account_type: Annotated[
        LedgerAccountType | None, typer.Option("--type", help="external: with --ledger-wide only.")
    ] = None,
    instrument_code: Annotated[str | None, typer.Option("--instrument-code")] = None,
    limit: LimitOption = None,
    cursor: CursorOption = None,
    all_pages: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    """List a portfolio's accounts (--portfolio), or every account of the ledger (--ledger-wide,
    external ones included; --alias @external/BRL finds one). Newest first, one page unless
    --all; --json prints {"data", "nextCursor"}."""
    if (portfolio is None) == (not ledger_wide):
        raise fail("pass --portfolio or --ledger-wide (one of them)")
    if not ledger_wide and (alias is not None or account_type == "external"):
        raise fail("--alias and --type external go with --ledger-wide")
    filters: dict[str, Any] = {"type": account_type, "instrument_code": instrument_code, "limit": limit}

    def one_page(api: PartnerClient) -> Any:
        accounts = api.ledger.accounts
        if portfolio is None:
            return accounts.list_in_ledger(organization, ledger, alias=alias, cursor=cursor, **filters)
        return accounts.list(organization, ledger, portfolio, cursor=cursor, **filters)

    def every_page(api: PartnerClient) -> Iterator[Any]:
        accounts = api.ledger.accounts
        if portfolio is None:
            return accounts.iterate_in_ledger(organization, ledger, alias=alias, **filters)
        return accounts.iterate(organization, ledger, portfolio, **filters)

    page = list_command(
        ctx, one_page=one_page, every_page=every_page, all_pages=all_pages, cursor=cursor, as_json=as_json
    )
    show_list(ACCOUNTS, page, as_json)


def accounts_update(
    ctx: typer.Context,
    account_id: AccountId,
    organization: OrganizationOption,
    ledger: LedgerOption,
    portfolio: PortfolioOption,
    name: NameOption = None,
    alias: AliasOption = None,
    entity_id: EntityIdOption = None,
    product: ProductOption = None,
    allow_sending: AllowSendingOption = None,
    allow_receiving: AllowReceivingOption = None,
    status: StatusOption = None,
    status_description: StatusDescriptionOption = None,
    metadata: MetadataOption = None,
    clear: ClearOption = None,
    data: DataOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change Midaz's editable fields given (metadata replaced whole; a new alias frees the old
    one). --clear name, alias, entityId, productId or metadata sets it to null."""
    fields = {
        "name": name,
        "status": status_body(status, status_description),
        "alias": alias,
        "entityId": entity_id,
        "allowSending": allow_sending,
        "allowReceiving": allow_receiving,
        "productId": product,
        "metadata": key_values(metadata),
    }
    update(ctx, ACCOUNTS, (organization, ledger, portfolio, account_id), data, fields, clear, as_json)


# -- every kind's commands, from one table ------------------------------------------------------


@dataclass(frozen=True)
class Extra:
    """A field of the body beyond name, status and metadata: its option's parameter."""

    field: str  # as the API names it
    param: str
    option: Any  # its Annotated type


@dataclass(frozen=True)
class Group:
    """`partner ledger <kind>s`: create, get, list, update and delete, in that order. A command
    in `written` is the function above; the others come from `helps` and the kind's parents
    (a create or update from name, status, metadata and the `extras`)."""

    kind: Kind
    help: str
    helps: dict[str, str]  # the help of create, update and delete (get: "Show one <noun>.")
    extras: tuple[Extra, ...] = ()  # options of create and update
    create_extras: tuple[Extra, ...] = ()  # of create alone
    written: dict[str, Callable[..., None]] = field(default_factory=dict)


PARENT_OPTIONS = {"organization": OrganizationOption, "ledger": LedgerOption, "portfolio": PortfolioOption}
_EMPTY = inspect.Parameter.empty


def _param(name: str, option: Any, default: Any = _EMPTY) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=option, default=default)


NAMED = (_param("name", NameOption, None),)
STATUS = (
    _param("status", StatusOption, None),
    _param("status_description", StatusDescriptionOption, None),
    _param("metadata", MetadataOption, None),
)
WRITE_TAIL = (_param("data", DataOption, None), _param("as_json", JsonOption, False))
LIST_TAIL = (
    _param("status", ListStatusOption, None),
    _param("limit", LimitOption, None),
    _param("cursor", CursorOption, None),
    _param("all_pages", AllOption, False),
    _param("as_json", JsonOption, False),
)


def _command(
    sub: typer.Typer,
    name: str,
    help: str,
    params: tuple[inspect.Parameter, ...],
    run: Callable[[typer.Context, dict[str, Any]], None],
) -> None:
    """`sub name`: a typer command of these parameters (after the context), running `run`.
    typer reads a command's options from `inspect.signature`, so one function with the
    signature set serves every kind, whatever its parent options."""

    def command(ctx: typer.Context, **values: Any) -> None:
        run(ctx, values)

    command.__signature__ = inspect.Signature([_param("ctx", typer.Context), *params])  # type: ignore[attr-defined]
    sub.command(name, help=help)(command)


def _register(group: Group) -> None:
    kind = group.kind
    sub = kind_app(kind, group.help)
    parents = tuple(_param(name, PARENT_OPTIONS[name]) for name in kind.parents)
    head = (_param(f"{kind.noun}_id", Annotated[str, _id_argument(kind)]), *parents)
    create_extras = (*group.create_extras, *group.extras)

    def parent_ids(values: dict[str, Any]) -> tuple[str, ...]:
        return tuple(values[name] for name in kind.parents)

    def ids(values: dict[str, Any]) -> tuple[str, ...]:
        return (*parent_ids(values), values[f"{kind.noun}_id"])

    def fields(values: dict[str, Any], extras: tuple[Extra, ...]) -> dict[str, Any]:
        more = {extra.field: values[extra.param] for extra in extras}
        return named(
            values["name"], values["status"], values["status_description"], values["metadata"], **more
        )

    def options(extras: tuple[Extra, ...]) -> tuple[inspect.Parameter, ...]:
        return (*NAMED, *(_param(extra.param, extra.option, None) for extra in extras), *STATUS)

    commands: dict[
        str, tuple[tuple[inspect.Parameter, ...], Callable[[typer.Context, dict[str, Any]], None]]
    ] = {
        "create": (
            (*parents, *options(create_extras), *WRITE_TAIL),
            lambda ctx, v: create(
                ctx, kind, parent_ids(v), v["data"], fields(v, create_extras), v["as_json"]
            ),
        ),
        "get": ((*head, WRITE_TAIL[1]), lambda ctx, v: get(ctx, kind, ids(v), v["as_json"])),
        "list": (
            (*parents, *LIST_TAIL),
            lambda ctx, v: list_by_status(
                ctx, kind, parent_ids(v), v["status"], v["limit"], v["cursor"], v["all_pages"], v["as_json"]
            ),
        ),
        "update": (
            (*head, *options(group.extras), _param("clear", ClearOption, None), *WRITE_TAIL),
            lambda ctx, v: update(
                ctx, kind, ids(v), v["data"], fields(v, group.extras), v["clear"], v["as_json"]
            ),
        ),
        "delete": ((*head, WRITE_TAIL[1]), lambda ctx, v: delete(ctx, kind, ids(v), v["as_json"])),
    }
    helps = {"get": f"Show one {kind.noun}.", "list": LIST_HELP, **group.helps}
    for name, (params, run) in commands.items():
        if name in group.written:
            sub.command(name)(group.written[name])
        else:
            _command(sub, name, helps[name], params, run)


ENTITY_ID = Extra("entityId", "entity_id", EntityIdOption)
INSTRUMENT_OPTIONS = (
    Extra("type", "instrument_type", Annotated[InstrumentType | None, typer.Option("--type")]),
    Extra(
        "code",
        "code",
        Annotated[
            str | None,
            typer.Option("--code", help="Unique in the ledger; a currency's ISO 4217 code, e.g. BRL."),
        ],
    ),
    Extra(
        "scale",
        "scale",
        Annotated[
            int | None,
            typer.Option(
                "--scale", min=0, max=18, help="Decimal places; a currency's default is its minor units."
            ),
        ],
    ),
)
NAME_STATUS_METADATA = "Change the name, status or metadata (replaced whole; --clear metadata empties it)."
GROUPS = (
    Group(
        ORGANIZATIONS,
        "Organizations: the top of the hierarchy.",
        {
            "delete": "Delete an organization (soft): refused (409) while ledgers or child organizations "
            "live under it."
        },
        written={"create": organizations_create, "update": organizations_update},
    ),
    Group(
        LEDGERS,
        "An organization's ledgers (--organization).",
        {
            "create": "Create a ledger of the organization.",
            "update": NAME_STATUS_METADATA,
            "delete": "Delete a ledger (soft): refused (409) while instruments, portfolios or products "
            "live in it.",
        },
    ),
    Group(
        INSTRUMENTS,
        "A ledger's instruments (Midaz's assets: BRL, BTC, ...): --organization, --ledger.",
        {
            "create": "Create an instrument, and with it its external account @external/<code>.",
            "update": "Change the name, status or metadata (replaced whole); type, code and scale stay.",
            "delete": "Delete an instrument and its external account: refused (409) while other "
            "accounts hold it.",
        },
        create_extras=INSTRUMENT_OPTIONS,
    ),
    Group(
        PORTFOLIOS,
        "A ledger's portfolios, groups of accounts: --organization, --ledger.",
        {
            "create": "Create a portfolio in the ledger.",
            "update": "Change the fields given (metadata replaced whole); --clear entityId or metadata "
            "nulls it.",
            "delete": "Delete a portfolio (soft): refused (409) while accounts live in it.",
        },
        extras=(ENTITY_ID,),
    ),
    Group(
        PRODUCTS,
        "A ledger's products, what accounts are sold as: --organization, --ledger.",
        {
            "create": "Create a product in the ledger.",
            "update": NAME_STATUS_METADATA,
            "delete": "Delete a product (soft): refused (409) while accounts name it.",
        },
    ),
    Group(
        ACCOUNTS,
        "A portfolio's accounts (--organization, --ledger, --portfolio); list --ledger-wide for every "
        "account of the ledger, external ones included.",
        {
            "delete": "Delete an account (soft; its alias is freed): refused (409) while its balance is "
            "not zero\n    or accounts name it as their parent."
        },
        written={
            "create": accounts_create,
            "get": accounts_get,
            "list": accounts_list,
            "update": accounts_update,
        },
    ),
)
for _group in GROUPS:
    _register(_group)


# -- transactions and statements ----------------------------------------------------------------

TRANSACTION_FIELDS = (
    "id",
    "organizationId",
    "ledgerId",
    "status",
    "amount",
    "description",
    "code",
    "pending",
    "revertedBy",
    "metadata",
    *TIMES,
)
TRANSACTION_COLUMNS = ("id", "status", "amount", "description")
OPERATION_COLUMNS = ("type", "account", "amount")
# A statement's row: the amount signed by the operation (+ CREDIT, - DEBIT), to fit 80 columns.
STATEMENT_COLUMNS = ("createdAt", "transactionId", "amount")

transactions_app = typer.Typer(
    help="A ledger's transactions (Midaz's JSON): create, get, list; commit or cancel a pending "
    "one, revert an approved one. --organization, --ledger.",
    no_args_is_help=True,
)
app.add_typer(transactions_app, name="transactions")
TransactionId = Annotated[str, typer.Argument(help="The transaction's id (a UUID).")]
IdempotencyKeyOption = Annotated[
    str | None,
    typer.Option("--idempotency-key", help="Reuse a key to retry safely (default: a new uuid4)."),
]


def money(value: Any, sign: str = "") -> str | None:
    """`{asset, value, scale}` as a decimal amount of the asset: `15.00 BRL`."""
    if not isinstance(value, dict):
        return None if value is None else str(value)
    return f"{sign}{amount(value.get('value'), value.get('scale'))} {value.get('asset') or ''}".strip()


def transaction_display(item: dict[str, Any]) -> dict[str, Any]:
    """A transaction as tables show it: its `send` as one amount."""
    shown = dict(item)
    send = item.get("send")
    if isinstance(send, dict):
        shown["amount"] = money(send)
    return shown


def show_transaction(item: Any, as_json: bool, title: str = "Transaction") -> None:
    """The transaction's fields, then one row per operation (the account's alias, or its id)."""
    if as_json or not isinstance(item, dict):
        print_json(item, as_json)
        return
    console = stdout()
    console.print(details(title, transaction_display(item), TRANSACTION_FIELDS))
    operations = [op for op in item.get("operations") or [] if isinstance(op, dict)]
    rows = [
        [
            cell(op.get("type")),
            cell(op.get("accountAlias") or op.get("accountId")),
            cell(money(op.get("amount"))),
        ]
        for op in operations
    ]
    console.print(rows_table(f"{len(rows)} operation(s)", OPERATION_COLUMNS, rows))


def transaction_row(item: Any) -> list[Text]:
    shown = transaction_display(item) if isinstance(item, dict) else {}
    return [cell(shown.get(column)) for column in TRANSACTION_COLUMNS]


def statement_row(item: Any) -> list[Text]:
    if not isinstance(item, dict):
        return [cell(None) for _ in STATEMENT_COLUMNS]
    sign = {"CREDIT": "+", "DEBIT": "-"}.get(item.get("type") or "", "")
    return [
        cell(item.get("createdAt")),
        cell(item.get("transactionId")),
        cell(money(item.get("amount"), sign)),
    ]


def show_statement(page: Any, as_json: bool) -> None:
    """A statement's page as `show_page` shows a list, its times never broken (the amounts
    fold instead)."""
    if as_json:
        print_json(page, as_json=True)
        return
    items = page.get("data", []) if isinstance(page, dict) else []
    rows = [statement_row(item) for item in items]
    table = rows_table(f"{len(items)} operation(s)", STATEMENT_COLUMNS, rows)
    times = [row[0].plain for row in rows]
    if any(times):
        created = table.columns[0]
        created.no_wrap, created.overflow, created.min_width = True, "ignore", max(map(len, times))
    console = stdout()
    console.print(table)
    if isinstance(page, dict) and page.get("nextCursor"):
        console.print(f"More: --cursor {page['nextCursor']} (or --all)", markup=False)


@transactions_app.command("create")
def transactions_create(
    ctx: typer.Context,
    organization: OrganizationOption,
    ledger: LedgerOption,
    data: Annotated[
        str,
        typer.Option(
            "--data",
            "-d",
            help='Midaz\'s JSON: {"send": {"asset", "value", "scale", "source": {"from": [...]}, '
            '"distribute": {"to": [...]}}, ...}, or @file.json.',
        ),
    ],
    idempotency_key: IdempotencyKeyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Book a transaction from Midaz's JSON (values are integers of minor units at a scale);
    "pending": true holds the amounts until commit or cancel."""
    body = body_of(data, {})
    if "send" not in body:
        raise fail("--data needs a send: {asset, value, scale, source, distribute}")
    with client(ctx) as api, api_errors(as_json):
        item = api.ledger.transactions.create(organization, ledger, body, idempotency_key=idempotency_key)
    show_transaction(item, as_json, "Transaction created")


@transactions_app.command("get")
def transactions_get(
    ctx: typer.Context,
    transaction_id: TransactionId,
    organization: OrganizationOption,
    ledger: LedgerOption,
    as_json: JsonOption = False,
) -> None:
    """Show one transaction and its operations."""
    with client(ctx) as api, api_errors(as_json):
        item = api.ledger.transactions.get(organization, ledger, transaction_id)
    show_transaction(item, as_json)


@transactions_app.command("list", help=LIST_HELP)
def transactions_list(
    ctx: typer.Context,
    organization: OrganizationOption,
    ledger: LedgerOption,
    limit: LimitOption = None,
    cursor: CursorOption = None,
    all_pages: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    page = list_command(
        ctx,
        one_page=lambda api: api.ledger.transactions.list(organization, ledger, limit=limit, cursor=cursor),
        every_page=lambda api: api.ledger.transactions.iterate(organization, ledger, limit=limit),
        all_pages=all_pages,
        cursor=cursor,
        as_json=as_json,
    )
    show_page(page, as_json, "transaction", TRANSACTION_COLUMNS, transaction_row)


ACTIONS = {
    "commit": (
        "Complete a pending transaction: its destinations are credited (once; 409 otherwise).",
        "Transaction committed",
    ),
    "cancel": (
        "Release a pending transaction: the held amounts go back to its sources (once).",
        "Transaction canceled",
    ),
    "revert": (
        "Book the exact reverse of an approved transaction (once); shows the new, reversing one.",
        "Reversing transaction created",
    ),
}


def _action(action: str) -> None:
    """`transactions commit|cancel|revert TRANSACTION`: the same options for each."""
    help, title = ACTIONS[action]

    def command(
        ctx: typer.Context,
        transaction_id: TransactionId,
        organization: OrganizationOption,
        ledger: LedgerOption,
        idempotency_key: IdempotencyKeyOption = None,
        as_json: JsonOption = False,
    ) -> None:
        with client(ctx) as api, api_errors(as_json):
            act = getattr(api.ledger.transactions, action)
            item = act(organization, ledger, transaction_id, idempotency_key=idempotency_key)
        show_transaction(item, as_json, title)

    transactions_app.command(action, help=help)(command)


for _action_name in ACTIONS:
    _action(_action_name)


@app.command("statement")
def statement(
    ctx: typer.Context,
    account_id: AccountId,
    organization: OrganizationOption,
    ledger: LedgerOption,
    limit: LimitOption = None,
    cursor: CursorOption = None,
    all_pages: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    """An account's operations, newest first (any account of the ledger, external ones too):
    each amount signed, + credited, - debited. One page unless --all; --json prints
    {"data", "nextCursor"}."""
    page = list_command(
        ctx,
        one_page=lambda api: api.ledger.accounts.statement(
            organization, ledger, account_id, limit=limit, cursor=cursor
        ),
        every_page=lambda api: api.ledger.accounts.iterate_statement(
            organization, ledger, account_id, limit=limit
        ),
        all_pages=all_pages,
        cursor=cursor,
        as_json=as_json,
    )
    show_statement(page, as_json)
