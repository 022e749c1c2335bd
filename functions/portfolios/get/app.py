"""GET /v1/organizations/{organizationId}/ledgers/{ledgerId}/portfolios/{portfolioId}:
one, checked against every id of its path.
"""

from core.ledger import portfolios
from core.platform.pipeline import endpoint


@endpoint(scope="ledger:read", path=portfolios.PortfolioPath, response=portfolios.Portfolio)
def lambda_handler(call):
    return portfolios.RESOURCE.get(call)
