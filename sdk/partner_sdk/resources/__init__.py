"""The client's resource groups, one module per resource family (`client.customers`,
`client.bank_accounts`, ...), as stripe-python and the AWS SDKs read. Each group only
builds paths, bodies and query parameters; the transport (signing, idempotency keys,
retries) is `PartnerClient.request`, and pagination is `Resource._page` / `Resource._every`."""

from partner_sdk.resources.accounts import Accounts
from partner_sdk.resources.bank_information import BankInformation, SupportedBanks
from partner_sdk.resources.customers import Customers
from partner_sdk.resources.events import Events
from partner_sdk.resources.ingestion import BankAccounts, BlockchainWallets
from partner_sdk.resources.ledger import Ledger
from partner_sdk.resources.signing_keys import SigningKeys
from partner_sdk.resources.webhook_endpoints import WebhookEndpoints

__all__ = [
    "Accounts",
    "BankAccounts",
    "BankInformation",
    "BlockchainWallets",
    "Customers",
    "Events",
    "Ledger",
    "SigningKeys",
    "SupportedBanks",
    "WebhookEndpoints",
]
