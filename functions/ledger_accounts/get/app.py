"""GET /v1/organizations/{organizationId}/ledgers/{ledgerId}/portfolios/{portfolioId}/accounts/{accountId}:
one, checked against every id of its path.
"""

from core.ledger import ledger_accounts
from core.platform.pipeline import endpoint


@endpoint(scope="ledger:read", path=ledger_accounts.AccountPath, response=ledger_accounts.LedgerAccount)
def lambda_handler(call):
    return ledger_accounts.get(call)
