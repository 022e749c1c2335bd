"""`partner customers`: onboard customers: KYC, the on-chain ownership proof,
deactivate and activate, and the sandbox's KYC decision."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import typer

from partner_sdk import ethereum
from partner_sdk.cli._common import (
    AllOption,
    CursorOption,
    JsonOption,
    LimitOption,
    api_errors,
    client,
    details,
    fail,
    key_values,
    list_command,
    print_json,
    show_page,
    stdout,
)
from partner_sdk.resources.customers import SandboxDecisionError

app = typer.Typer(
    help="Onboard customers: KYC, on-chain ownership proof, deactivate and activate.", no_args_is_help=True
)

CustomerType = Literal["individual", "business"]
CustomerStatus = Literal["pending", "active", "rejected", "inactive"]
CustomerId = Annotated[str, typer.Argument(help="The customer's id (cus_...).")]
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


def _show_customer(customer: Any, as_json: bool, title: str = "Customer") -> None:
    if as_json or not isinstance(customer, dict):
        print_json(customer, as_json)
        return
    console = stdout()
    console.print(details(title, customer, CUSTOMER_FIELDS))
    challenge = customer.get("challenge")
    if isinstance(challenge, dict):
        console.print(
            f"Challenge (expires {challenge.get('expiresAt')}), to sign with the wallet:", markup=False
        )
        console.print(str(challenge.get("message", "")), markup=False)


def _wallet_address(wallet_key: str, option: str) -> str:
    try:
        return ethereum.address_of(wallet_key)
    except ValueError as exc:
        raise fail(f"{option}: {exc}") from exc


def _owner_check(customer: Any, address: str) -> None:
    """Refuse a key that is not the customer's before a challenge is asked for (a new one
    replaces the current one, so a useless ask is not harmless)."""
    onchain_id = customer.get("onchainId") if isinstance(customer, dict) else None
    if not isinstance(onchain_id, str):
        raise fail("this customer has no onchainId to prove")
    if onchain_id.rsplit(":", 1)[-1].lower() != address.lower():
        raise fail(f"the wallet key is for {address}, but the customer's onchainId is {onchain_id}")


@app.command("create")
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
        raise fail("pass either --wallet-key or --new-wallet, not both")
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
            raise fail("--onchain-id names another account than the wallet's; pass one or the other")
        onchain_id = wallet["onchainId"]
    if external_id is None and onchain_id is None:
        raise fail("a customer needs --external-id, --onchain-id (or a wallet), or both")
    fields: dict[str, Any] = {
        "type": customer_type,
        "name": name,
        "email": email,
        "country": country,
        "documentNumber": document_number,
        "externalId": external_id,
        "onchainId": onchain_id,
        "metadata": key_values(metadata),
    }
    with client(ctx) as api, api_errors(as_json):
        customer = api.customers.create(**fields)
    generated = wallet if wallet is not None and "privateKey" in wallet else None
    if as_json:
        print_json({**customer, "wallet": generated} if generated else customer, as_json=True)
        return
    _show_customer(customer, as_json=False, title="Customer created")
    if generated is not None:
        console = stdout()
        console.print(f"Wallet address: {generated['address']}", markup=False)
        console.print(f"Wallet private key: {generated['privateKey']}  (keep it secret)", markup=False)
        console.print(
            f"Next: partner customers verify {customer.get('id')} --wallet-key {generated['privateKey']}",
            markup=False,
        )


@app.command("get")
def customers_get(ctx: typer.Context, customer_id: CustomerId, as_json: JsonOption = False) -> None:
    """Show one customer."""
    with client(ctx) as api, api_errors(as_json):
        customer = api.customers.get(customer_id)
    _show_customer(customer, as_json)


@app.command("list")
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
    page = list_command(
        ctx,
        one_page=lambda api: api.customers.list(status, external_id, onchain_id, limit, cursor),
        every_page=lambda api: api.customers.iterate(status, external_id, onchain_id, limit),
        all_pages=all_pages,
        cursor=cursor,
        as_json=as_json,
    )
    show_page(page, as_json, "customer", CUSTOMER_COLUMNS)


@app.command("challenge")
def customers_challenge(ctx: typer.Context, customer_id: CustomerId, as_json: JsonOption = False) -> None:
    """Ask for a new on-chain ownership challenge (it replaces any earlier one) and print it."""
    with client(ctx) as api, api_errors(as_json):
        customer = api.customers.new_challenge(customer_id)
    _show_customer(customer, as_json)


@app.command("verify")
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
        raise fail("pass --wallet-key (or PARTNER_WALLET_KEY) or --signature")
    address = _wallet_address(wallet_key, "--wallet-key") if wallet_key is not None else None
    with client(ctx) as api, api_errors(as_json):
        if wallet_key is not None and address is not None:
            _owner_check(api.customers.get(customer_id), address)
            challenged = api.customers.new_challenge(customer_id)
            challenge = challenged.get("challenge") if isinstance(challenged, dict) else None
            if not isinstance(challenge, dict) or not isinstance(challenge.get("message"), str):
                raise fail("the API answered without a challenge to sign", 1)
            signature = ethereum.sign_challenge(challenge["message"], wallet_key)
        if signature is None:  # pragma: no cover - one of the two is given (checked above)
            raise fail("nothing to send")
        customer = api.customers.verify_challenge(customer_id, signature)
    _show_customer(customer, as_json, title="Customer verified")


@app.command("deactivate")
def customers_deactivate(ctx: typer.Context, customer_id: CustomerId, as_json: JsonOption = False) -> None:
    """active -> inactive; what the customer owns is suspended with it."""
    with client(ctx) as api, api_errors(as_json):
        customer = api.customers.deactivate(customer_id)
    _show_customer(customer, as_json, title="Customer deactivated")


@app.command("activate")
def customers_activate(ctx: typer.Context, customer_id: CustomerId, as_json: JsonOption = False) -> None:
    """inactive -> active; restores what the deactivation changed."""
    with client(ctx) as api, api_errors(as_json):
        customer = api.customers.activate(customer_id)
    _show_customer(customer, as_json, title="Customer activated")


@app.command("approve")
def customers_approve(
    ctx: typer.Context,
    customer_id: CustomerId,
    reject: Annotated[bool, typer.Option("--reject", help="Reject instead of approving.")] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why, with --reject.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Sandbox: decide a pending customer's KYC as the person would on its verification page
    (approval makes it active with the `accounts` capability)."""
    if reason is not None and not reject:
        raise fail("--reason goes with --reject")
    with client(ctx) as api, api_errors(as_json):
        try:
            customer = api.customers.decide_in_sandbox(customer_id, approve=not reject, reason=reason)
        except SandboxDecisionError as exc:
            raise fail(str(exc), 1) from exc
    _show_customer(customer, as_json, title="Customer rejected" if reject else "Customer approved")
