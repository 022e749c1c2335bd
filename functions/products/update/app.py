"""PATCH /v1/organizations/{organizationId}/ledgers/{ledgerId}/products/{productId}:
the editable fields; metadata replaces the whole map.
"""

from core.ledger import products
from core.platform.pipeline import endpoint


@endpoint(
    scope="ledger:write", body=products.UpdateProduct, path=products.ProductPath, response=products.Product
)
def lambda_handler(call):
    return products.RESOURCE.update(call)
