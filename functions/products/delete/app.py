"""DELETE /v1/organizations/{organizationId}/ledgers/{ledgerId}/products/{productId}:
a soft delete (409 while anything live is under it).
"""

from core.ledger import products
from core.platform.pipeline import endpoint


@endpoint(scope="ledger:write", path=products.ProductPath, status=204)
def lambda_handler(call):
    return products.RESOURCE.delete(call)
