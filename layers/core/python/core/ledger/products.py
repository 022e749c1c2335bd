"""Products (`.../ledgers/{ledgerId}/products`): what a ledger's accounts are sold as. A
product counts the accounts that name it as its children."""

from __future__ import annotations

from typing import Literal

from core.ledger import hierarchy, ledgers
from core.ledger.hierarchy import Level, ProductId

LEVEL = Level(
    kind="product",
    event="product",
    id_param="productId",
    ancestors=("organizationId", "ledgerId"),
    fields=("name",),
    noun="product",
)
RESOURCE = hierarchy.Under(LEVEL, ledgers.LEVEL)


class CreateProduct(hierarchy.NamedBody):
    pass


class UpdateProduct(hierarchy.NamedPatch):
    pass


class ProductPath(ledgers.LedgerPath):
    productId: ProductId


class Product(hierarchy.Resource):
    id: str
    object: Literal["product"]
    organizationId: str
    ledgerId: str
    name: str
