"""GET /v1/organizations/{organizationId}/ledgers/{ledgerId}/products/{productId}:
one, checked against every id of its path.
"""

from core.ledger import products
from core.platform.pipeline import endpoint


@endpoint(scope="ledger:read", path=products.ProductPath, response=products.Product)
def lambda_handler(call):
    return products.RESOURCE.get(call)
