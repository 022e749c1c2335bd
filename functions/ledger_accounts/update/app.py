"""PATCH /v1/organizations/{organizationId}/ledgers/{ledgerId}/portfolios/{portfolioId}/accounts/{accountId}:
the editable fields; metadata replaces the whole map.
"""

from core.ledger import ledger_accounts
from core.platform.pipeline import endpoint


@endpoint(
    scope="ledger:write",
    body=ledger_accounts.UpdateLedgerAccount,
    path=ledger_accounts.AccountPath,
    response=ledger_accounts.LedgerAccount,
)
def lambda_handler(call):
    return ledger_accounts.update(call)
