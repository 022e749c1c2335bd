"""DELETE /v1/organizations/{organizationId}/ledgers/{ledgerId}/portfolios/{portfolioId}:
a soft delete (409 while anything live is under it).
"""

from core.ledger import portfolios
from core.platform.pipeline import endpoint


@endpoint(scope="ledger:write", path=portfolios.PortfolioPath, status=204)
def lambda_handler(call):
    return portfolios.RESOURCE.delete(call)
