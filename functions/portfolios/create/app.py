"""POST /v1/organizations/{organizationId}/ledgers/{ledgerId}/portfolios: create a portfolio."""

from core.ledger import ledgers, portfolios
from core.platform.pipeline import endpoint


@endpoint(
    scope="ledger:write",
    body=portfolios.CreatePortfolio,
    path=ledgers.LedgerPath,
    status=201,
    response=portfolios.Portfolio,
)
def lambda_handler(call):
    return portfolios.RESOURCE.create(call)
