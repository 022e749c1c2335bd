"""PATCH /v1/organizations/{organizationId}/ledgers/{ledgerId}/portfolios/{portfolioId}:
the editable fields; metadata replaces the whole map.
"""

from core.ledger import portfolios
from core.platform.pipeline import endpoint


@endpoint(
    scope="ledger:write",
    body=portfolios.UpdatePortfolio,
    path=portfolios.PortfolioPath,
    response=portfolios.Portfolio,
)
def lambda_handler(call):
    return portfolios.RESOURCE.update(call)
