"""POST /v1/organizations/{organizationId}/ledgers/{ledgerId}/products: create a product."""

from core.ledger import ledgers, products
from core.platform.pipeline import endpoint


@endpoint(
    scope="ledger:write",
    body=products.CreateProduct,
    path=ledgers.LedgerPath,
    status=201,
    response=products.Product,
)
def lambda_handler(call):
    return products.RESOURCE.create(call)
