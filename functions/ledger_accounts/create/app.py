"""POST /v1/organizations/{organizationId}/ledgers/{ledgerId}/portfolios/{portfolioId}/accounts:
create a ledger account.
"""

from core.ledger import ledger_accounts, portfolios
from core.platform.pipeline import endpoint


@endpoint(
    scope="ledger:write",
    body=ledger_accounts.CreateLedgerAccount,
    path=portfolios.PortfolioPath,
    status=201,
    response=ledger_accounts.LedgerAccount,
)
def lambda_handler(call):
    return ledger_accounts.create(call)
