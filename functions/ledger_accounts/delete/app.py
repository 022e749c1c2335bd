"""DELETE /v1/organizations/{organizationId}/ledgers/{ledgerId}/portfolios/{portfolioId}/accounts/{accountId}:
a soft delete (409 while anything live is under it).
"""

from core.ledger import ledger_accounts
from core.platform.pipeline import endpoint


@endpoint(scope="ledger:write", path=ledger_accounts.AccountPath, status=204)
def lambda_handler(call):
    return ledger_accounts.delete(call)
