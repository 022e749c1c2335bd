"""GET /v1/organizations/{organizationId}/ledgers/{ledgerId}/products: a page of them, newest first."""

from core.ledger import hierarchy, ledgers, products
from core.platform.pipeline import ListOf, endpoint


@endpoint(
    scope="ledger:read",
    query=hierarchy.ListByStatus,
    path=ledgers.LedgerPath,
    response=ListOf(products.Product),
)
def lambda_handler(call):
    return products.RESOURCE.list_(call)
