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
from rich.text import Text

from partner_sdk import ethereum
from partner_sdk import ingest as bulk
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
customers_app = typer.Typer(
    help="Onboard customers: KYC, on-chain ownership proof, deactivate and activate.",
    no_args_is_help=True,
)
app.add_typer(customers_app, name="customers")
events_app = typer.Typer(help="Read the event log (what webhooks deliver).", no_args_is_help=True)
app.add_typer(events_app, name="events")
ingest_app = typer.Typer(
    help="Bulk-load bank accounts and blockchain wallets from a CSV or JSON Lines file.",
    no_args_is_help=True,
)
app.add_typer(ingest_app, name="ingest")

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


# -- partner customers ------------------------------------------------------------------

CustomerType = Literal["individual", "business"]
CustomerStatus = Literal["pending", "active", "rejected", "inactive"]
CustomerId = Annotated[str, typer.Argument(help="The customer's id (cus_...).")]
LimitOption = Annotated[
    int | None, typer.Option("--limit", min=1, max=100, help="Page size (1-100; the API's default is 20).")
]
CursorOption = Annotated[str | None, typer.Option("--cursor", help="Start at this page (a nextCursor).")]
AllOption = Annotated[bool, typer.Option("--all", help="Follow nextCursor through every page.")]
CUSTOMER_FIELDS = (
    "id",
    "type",
    "status",
    "name",
    "email",
    "country",
    "documentNumber",
    "externalId",
    "onchainId",
    "onchainVerifiedAt",
    "capabilities",
    "verificationUrl",
    "metadata",
    "createdAt",
    "updatedAt",
)
CUSTOMER_COLUMNS = ("id", "status", "type", "externalId", "onchainId", "name", "createdAt")
EVENT_COLUMNS = ("id", "type", "object", "createdAt")


def _cell(value: Any) -> Text:
    """A table cell: plain text (never rich markup, whatever the API's data holds)."""
    if value is None:
        return Text("")
    if isinstance(value, list):
        return Text(", ".join(str(v) for v in value))
    if isinstance(value, dict):
        return Text(json.dumps(value, ensure_ascii=False) if value else "")
    return Text(str(value))


def _details(title: str, item: dict[str, Any], fields: tuple[str, ...]) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("field", no_wrap=True)
    table.add_column("value", overflow="fold")
    for name in fields:
        if name in item:
            table.add_row(name, _cell(item[name]))
    return table


def _show_customer(customer: Any, as_json: bool, title: str = "Customer") -> None:
    if as_json or not isinstance(customer, dict):
        _print_json(customer, as_json)
        return
    console = _stdout()
    console.print(_details(title, customer, CUSTOMER_FIELDS))
    challenge = customer.get("challenge")
    if isinstance(challenge, dict):
        console.print(
            f"Challenge (expires {challenge.get('expiresAt')}), to sign with the wallet:", markup=False
        )
        console.print(str(challenge.get("message", "")), markup=False)


def _show_page(
    page: Any, as_json: bool, noun: str, columns: tuple[str, ...], row: Callable[[Any], list[Text]]
) -> None:
    if as_json:
        _print_json(page, as_json=True)
        return
    items = page.get("data", []) if isinstance(page, dict) else []
    table = Table(title=f"{len(items)} {noun}(s)")
    for column in columns:
        table.add_column(column, no_wrap=column == "id", overflow="fold")
    for item in items:
        table.add_row(*row(item))
    console = _stdout()
    console.print(table)
    if isinstance(page, dict) and page.get("nextCursor"):
        console.print(f"More: --cursor {page['nextCursor']} (or --all)", markup=False)


def _customer_row(customer: Any) -> list[Text]:
    return [_cell(customer.get(c)) for c in CUSTOMER_COLUMNS]


def _event_row(event: Any) -> list[Text]:
    obj = (event.get("data") or {}).get("object") or {}
    return [
        _cell(event.get("id")),
        _cell(event.get("type")),
        _cell(obj.get("id")),
        _cell(event.get("createdAt")),
    ]


def _metadata(pairs: list[str] | None) -> dict[str, str] | None:
    if not pairs:
        return None
    metadata: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise _fail(f"--metadata takes KEY=VALUE, not {pair!r}")
        metadata[name] = value
    return metadata


def _wallet_address(wallet_key: str, option: str) -> str:
    try:
        return ethereum.address_of(wallet_key)
    except ValueError as exc:
        raise _fail(f"{option}: {exc}") from exc


def _owner_check(customer: Any, address: str) -> None:
    """Refuse a key that is not the customer's before a challenge is asked for (a new one
    replaces the current one, so a useless ask is not harmless)."""
    onchain_id = customer.get("onchainId") if isinstance(customer, dict) else None
    if not isinstance(onchain_id, str):
        raise _fail("this customer has no onchainId to prove")
    if onchain_id.rsplit(":", 1)[-1].lower() != address.lower():
        raise _fail(f"the wallet key is for {address}, but the customer's onchainId is {onchain_id}")


@customers_app.command("create")
def customers_create(
    ctx: typer.Context,
    customer_type: Annotated[
        CustomerType | None, typer.Option("--type", help="individual (the API's default) or business.")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Full or legal name.")] = None,
    email: Annotated[str | None, typer.Option("--email")] = None,
    country: Annotated[str | None, typer.Option("--country", help="ISO 3166-1 alpha-2, e.g. GB.")] = None,
    document_number: Annotated[str | None, typer.Option("--document-number")] = None,
    external_id: Annotated[
        str | None, typer.Option("--external-id", help="Your own id for the customer.")
    ] = None,
    onchain_id: Annotated[
        str | None, typer.Option("--onchain-id", help="CAIP-10 account id, e.g. eip155:1:0xab16...")
    ] = None,
    metadata: Annotated[
        list[str] | None, typer.Option("--metadata", help="KEY=VALUE (repeat the option for more).")
    ] = None,
    wallet_key: Annotated[
        str | None,
        typer.Option("--wallet-key", help="A local Ethereum private key: its address becomes the onchainId."),
    ] = None,
    new_wallet: Annotated[
        bool,
        typer.Option("--new-wallet", help="Make a local Ethereum key, use its address, and print the key."),
    ] = False,
    chain_id: Annotated[
        int, typer.Option("--chain-id", min=1, help="EIP-155 chain id of a wallet's onchainId.")
    ] = 1,
    as_json: JsonOption = False,
) -> None:
    """Create a customer and start its KYC (its verificationUrl is where the person decides).

    With --wallet-key or --new-wallet the wallet's CAIP-10 id is the onchainId; prove
    ownership afterwards with `partner customers verify ID --wallet-key KEY`. With --json
    and --new-wallet the output carries a `wallet` object (`address`, `onchainId`,
    `privateKey`) next to the customer's fields.
    """
    if wallet_key is not None and new_wallet:
        raise _fail("pass either --wallet-key or --new-wallet, not both")
    wallet: dict[str, str] | None = None
    if new_wallet:
        private_key, address = ethereum.new_wallet()
        wallet = {
            "address": address,
            "onchainId": ethereum.caip10(address, chain_id),
            "privateKey": private_key,
        }
    elif wallet_key is not None:
        address = _wallet_address(wallet_key, "--wallet-key")
        wallet = {"address": address, "onchainId": ethereum.caip10(address, chain_id)}
    if wallet is not None:
        if onchain_id is not None and onchain_id != wallet["onchainId"]:
            raise _fail("--onchain-id names another account than the wallet's; pass one or the other")
        onchain_id = wallet["onchainId"]
    if external_id is None and onchain_id is None:
        raise _fail("a customer needs --external-id, --onchain-id (or a wallet), or both")
    fields: dict[str, Any] = {
        "type": customer_type,
        "name": name,
        "email": email,
        "country": country,
        "documentNumber": document_number,
        "externalId": external_id,
        "onchainId": onchain_id,
        "metadata": _metadata(metadata),
    }
    with _client(ctx) as client, _api_errors(as_json):
        customer = client.create_customer(**fields)
    generated = wallet if wallet is not None and "privateKey" in wallet else None
    if as_json:
        _print_json({**customer, "wallet": generated} if generated else customer, as_json=True)
        return
    _show_customer(customer, as_json=False, title="Customer created")
    if generated is not None:
        console = _stdout()
        console.print(f"Wallet address: {generated['address']}", markup=False)
        console.print(f"Wallet private key: {generated['privateKey']}  (keep it secret)", markup=False)
        console.print(
            f"Next: partner customers verify {customer.get('id')} --wallet-key {generated['privateKey']}",
            markup=False,
        )


@customers_app.command("get")
def customers_get(ctx: typer.Context, customer_id: CustomerId, as_json: JsonOption = False) -> None:
    """Show one customer."""
    with _client(ctx) as client, _api_errors(as_json):
        customer = client.get_customer(customer_id)
    _show_customer(customer, as_json)


@customers_app.command("list")
def customers_list(
    ctx: typer.Context,
    status: Annotated[CustomerStatus | None, typer.Option("--status")] = None,
    external_id: Annotated[str | None, typer.Option("--external-id")] = None,
    onchain_id: Annotated[str | None, typer.Option("--onchain-id")] = None,
    limit: LimitOption = None,
    cursor: CursorOption = None,
    all_pages: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    """List customers, newest first (one page unless --all). --json prints {"data", "nextCursor"}."""
    if all_pages and cursor is not None:
        raise _fail("pass either --all or --cursor, not both")
    with _client(ctx) as client, _api_errors(as_json):
        if all_pages:
            items = list(client.iterate_customers(status, external_id, onchain_id, limit))
            page: Any = {"data": items, "nextCursor": None}
        else:
            page = client.list_customers(status, external_id, onchain_id, limit, cursor)
    _show_page(page, as_json, "customer", CUSTOMER_COLUMNS, _customer_row)


@customers_app.command("challenge")
def customers_challenge(ctx: typer.Context, customer_id: CustomerId, as_json: JsonOption = False) -> None:
    """Ask for a new on-chain ownership challenge (it replaces any earlier one) and print it."""
    with _client(ctx) as client, _api_errors(as_json):
        customer = client.new_challenge(customer_id)
    _show_customer(customer, as_json)


@customers_app.command("verify")
def customers_verify(
    ctx: typer.Context,
    customer_id: CustomerId,
    wallet_key: Annotated[
        str | None,
        typer.Option(
            "--wallet-key",
            envvar="PARTNER_WALLET_KEY",
            help="The wallet's private key: asks for a fresh challenge, signs it and verifies.",
        ),
    ] = None,
    signature: Annotated[
        str | None,
        typer.Option(
            "--signature", help="A signature of the current challenge made elsewhere (0x + 130 hex)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Prove the customer owns its onchainId (sets onchainVerifiedAt).

    With --wallet-key: reads the customer, checks the key is its onchainId's, asks for a
    fresh challenge (POST .../challenge), signs it (EIP-191) and sends the signature. With
    --signature: sends a signature of the current challenge (see `partner customers challenge`).
    """
    if (wallet_key is None) == (signature is None):
        raise _fail("pass --wallet-key (or PARTNER_WALLET_KEY) or --signature")
    address = _wallet_address(wallet_key, "--wallet-key") if wallet_key is not None else None
    with _client(ctx) as client, _api_errors(as_json):
        if wallet_key is not None and address is not None:
            _owner_check(client.get_customer(customer_id), address)
            challenged = client.new_challenge(customer_id)
            challenge = challenged.get("challenge") if isinstance(challenged, dict) else None
            if not isinstance(challenge, dict) or not isinstance(challenge.get("message"), str):
                raise _fail("the API answered without a challenge to sign", 1)
            signature = ethereum.sign_challenge(challenge["message"], wallet_key)
        if signature is None:  # pragma: no cover - one of the two is given (checked above)
            raise _fail("nothing to send")
        customer = client.verify_challenge(customer_id, signature)
    _show_customer(customer, as_json, title="Customer verified")


@customers_app.command("deactivate")
def customers_deactivate(ctx: typer.Context, customer_id: CustomerId, as_json: JsonOption = False) -> None:
    """active -> inactive; what the customer owns is suspended with it."""
    with _client(ctx) as client, _api_errors(as_json):
        customer = client.deactivate_customer(customer_id)
    _show_customer(customer, as_json, title="Customer deactivated")


@customers_app.command("activate")
def customers_activate(ctx: typer.Context, customer_id: CustomerId, as_json: JsonOption = False) -> None:
    """inactive -> active; restores what the deactivation changed."""
    with _client(ctx) as client, _api_errors(as_json):
        customer = client.activate_customer(customer_id)
    _show_customer(customer, as_json, title="Customer activated")


# -- partner events ---------------------------------------------------------------------


@events_app.command("list")
def events_list(
    ctx: typer.Context,
    event_type: Annotated[str | None, typer.Option("--type", help="e.g. customer.created")] = None,
    created_after: Annotated[
        str | None, typer.Option("--created-after", help="RFC 3339, e.g. 2026-02-23T12:00:00Z.")
    ] = None,
    limit: LimitOption = None,
    cursor: CursorOption = None,
    all_pages: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    """List events, newest first (one page unless --all). --json prints {"data", "nextCursor"}."""
    if all_pages and cursor is not None:
        raise _fail("pass either --all or --cursor, not both")
    with _client(ctx) as client, _api_errors(as_json):
        if all_pages:
            items = list(client.iterate_events(event_type, created_after, limit))
            page: Any = {"data": items, "nextCursor": None}
        else:
            page = client.list_events(event_type, created_after, limit, cursor)
    _show_page(page, as_json, "event", EVENT_COLUMNS, _event_row)


@events_app.command("get")
def events_get(
    ctx: typer.Context,
    event_id: Annotated[str, typer.Argument(help="The event's id (evt_...).")],
    as_json: JsonOption = False,
) -> None:
    """Show one event with its data."""
    with _client(ctx) as client, _api_errors(as_json):
        event = client.get_event(event_id)
    if as_json or not isinstance(event, dict):
        _print_json(event, as_json)
        return
    obj = (event.get("data") or {}).get("object") or {}
    summary = {
        **event,
        "object": obj.get("id"),
        "changedFields": (event.get("data") or {}).get("changedFields"),
    }
    console = _stdout()
    console.print(_details("Event", summary, ("id", "type", "object", "changedFields", "createdAt")))
    console.print_json(data=event.get("data"))


# -- partner ingest ---------------------------------------------------------------------

IngestFile = Annotated[
    Path,
    typer.Argument(
        help="A .csv or .jsonl/.ndjson file, one record per row.", exists=True, dir_okay=False, readable=True
    ),
]
ConcurrencyOption = Annotated[
    int,
    typer.Option("--concurrency", min=1, max=bulk.MAX_CONCURRENCY, help="Requests in flight at once."),
]
ReportOption = Annotated[
    Path | None,
    typer.Option("--report", help="Where rejected rows go, one JSON line each (default: FILE.report.jsonl)."),
]
ProgressEveryOption = Annotated[
    float,
    typer.Option(
        "--progress-every", min=0.0, help="Seconds between progress lines when stderr is not a terminal."
    ),
]
SUMMARY_LABELS = {
    "rows": "rows",
    "created": "created (201)",
    "updated": "updated (200)",
    "replayed": "replayed (same file and row again)",
    "rejected": "rejected (4xx or a bad row)",
    "failed": "failed (5xx, 429, connection)",
    "rowsPerSecond": "rows/s",
    "seconds": "seconds",
    "report": "report",
}


def _ingest(
    ctx: typer.Context,
    resource: str,
    file: Path,
    concurrency: int,
    report: Path | None,
    progress_every: float,
    as_json: bool,
) -> None:
    try:
        bulk.file_kind(file)
    except bulk.IngestFileError as exc:
        raise _fail(str(exc)) from exc
    target = bulk.RESOURCES[resource]
    with _client(ctx) as client:
        client.max_retries = max(client.max_retries, bulk.MAX_RETRIES)
        try:
            with bulk.ProgressDisplay(_stderr(), f"{target.noun}s", interval=progress_every) as progress:
                summary = bulk.ingest(
                    client, target, file, concurrency=concurrency, report_path=report, progress=progress
                )
        except bulk.IngestFileError as exc:
            raise _fail(str(exc)) from exc
        except bulk.IngestAborted as exc:
            raise _fail(f"the API refused the run after {exc.summary.rows} row(s): {exc.error}", 1) from exc
    result = summary.as_dict()
    if as_json:
        _print_json(result, as_json=True)
    else:
        table = Table(
            title=f"Ingested {file.name} into {target.path}", show_header=False, title_justify="left"
        )
        table.add_column("figure", no_wrap=True)
        table.add_column("value", overflow="fold")
        for name, label in SUMMARY_LABELS.items():
            table.add_row(label, _cell(result[name]))
        _stdout().print(table)
    if not summary.ok:
        raise typer.Exit(1)


@ingest_app.command("bank-accounts")
def ingest_bank_accounts(
    ctx: typer.Context,
    file: IngestFile,
    concurrency: ConcurrencyOption = bulk.DEFAULT_CONCURRENCY,
    report: ReportOption = None,
    progress_every: ProgressEveryOption = 1.0,
    as_json: JsonOption = False,
) -> None:
    """POST /v1/bank-accounts for every row (upsert when it has a referenceId).

    CSV columns are the body's fields (countries and clients `;`-separated,
    customFields.<key> columns, JSON text in riskHistory); JSON Lines rows are the
    bodies. Safe to rerun: each row's Idempotency-Key comes from the file and the row.
    Exit 0 when no row was rejected, 1 otherwise (see the report).
    """
    _ingest(ctx, "bank-accounts", file, concurrency, report, progress_every, as_json)


@ingest_app.command("blockchain-wallets")
def ingest_blockchain_wallets(
    ctx: typer.Context,
    file: IngestFile,
    concurrency: ConcurrencyOption = bulk.DEFAULT_CONCURRENCY,
    report: ReportOption = None,
    progress_every: ProgressEveryOption = 1.0,
    as_json: JsonOption = False,
) -> None:
    """POST /v1/blockchain-wallets for every row (upsert when it has a referenceId).

    As `ingest bank-accounts`; riskHistory and integrations cells hold JSON text.
    """
    _ingest(ctx, "blockchain-wallets", file, concurrency, report, progress_every, as_json)


if __name__ == "__main__":  # pragma: no cover
    app()
