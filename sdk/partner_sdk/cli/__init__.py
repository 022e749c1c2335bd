"""`partner`: call the partner API from a terminal, signed like the SDK signs.

One module per family (typer sub-apps), the shared pieces in `_common`. Thin on purpose:
requests, signing and retries live in `partner_sdk.client`, paths and bodies in
`partner_sdk.resources`. Tests inject the client through the context object:
`app(obj={"client_factory": lambda scheme: PartnerClient(...)})`.
"""

import typer

from partner_sdk.cli import (
    accounts,
    bank_information,
    customers,
    events,
    ingest,
    ledger,
    records,
    request,
    signing_keys,
    webhooks,
)

app = typer.Typer(help="Call the partner API with signed requests.", no_args_is_help=True)
app.command("request")(request.request_command)
app.add_typer(signing_keys.app, name="signing-keys")
app.add_typer(customers.app, name="customers")
app.add_typer(accounts.app, name="accounts")
app.add_typer(bank_information.app, name="bank-information")
app.add_typer(bank_information.supported_banks_app, name="supported-banks")
app.add_typer(ledger.app, name="ledger")
app.add_typer(events.app, name="events")
app.add_typer(records.bank_accounts_app, name="bank-accounts")
app.add_typer(records.blockchain_wallets_app, name="blockchain-wallets")
app.add_typer(ingest.app, name="ingest")
app.add_typer(webhooks.endpoints_app, name="webhook-endpoints")
app.add_typer(webhooks.app, name="webhooks")

__all__ = ["app"]
