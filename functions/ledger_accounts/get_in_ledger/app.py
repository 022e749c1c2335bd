"""GET /v1/organizations/{organizationId}/ledgers/{ledgerId}/accounts/{accountId}:
one account of the ledger by id, without its portfolio.
"""

from core.ledger import ledger_accounts
from core.platform.pipeline import endpoint


@endpoint(scope="ledger:read", path=ledger_accounts.LedgerAccountPath, response=ledger_accounts.LedgerAccount)
def lambda_handler(call):
    return ledger_accounts.get(call)
