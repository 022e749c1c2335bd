"""GET /v1/organizations/{organizationId}/ledgers/{ledgerId}/portfolios/{portfolioId}/accounts:
a page of them, newest first.
"""

from core.ledger import ledger_accounts, portfolios
from core.platform.pipeline import ListOf, endpoint


@endpoint(
    scope="ledger:read",
    query=ledger_accounts.ListPortfolioAccounts,
    path=portfolios.PortfolioPath,
    response=ListOf(ledger_accounts.LedgerAccount),
)
def lambda_handler(call):
    return ledger_accounts.list_in_portfolio(call)
