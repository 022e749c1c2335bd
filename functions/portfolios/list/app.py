"""GET /v1/organizations/{organizationId}/ledgers/{ledgerId}/portfolios: a page of them, newest first."""

from core.ledger import hierarchy, ledgers, portfolios
from core.platform.pipeline import ListOf, endpoint


@endpoint(
    scope="ledger:read",
    query=hierarchy.ListByStatus,
    path=ledgers.LedgerPath,
    response=ListOf(portfolios.Portfolio),
)
def lambda_handler(call):
    return portfolios.RESOURCE.list_(call)
