"""Portfolios (`.../ledgers/{ledgerId}/portfolios`): groups of a ledger's accounts, often
one per customer (`entityId`). A portfolio counts its accounts as its children."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from core.ledger import hierarchy, ledgers
from core.ledger.hierarchy import Level, PortfolioId

LEVEL = Level(
    kind="portfolio",
    event="portfolio",
    id_param="portfolioId",
    ancestors=("organizationId", "ledgerId"),
    fields=("name", "entityId"),
    noun="portfolio",
)
RESOURCE = hierarchy.Under(LEVEL, ledgers.LEVEL)
EntityId = Field(
    default=None, min_length=1, max_length=256, description="The partner's own id of who owns it (free text)."
)


class CreatePortfolio(hierarchy.NamedBody):
    entityId: str | None = EntityId


class UpdatePortfolio(hierarchy.NamedPatch):
    nullable = frozenset({"entityId", "metadata"})

    entityId: str | None = EntityId


class PortfolioPath(ledgers.LedgerPath):
    portfolioId: PortfolioId


class Portfolio(hierarchy.Resource):
    id: str
    object: Literal["portfolio"]
    organizationId: str
    ledgerId: str
    name: str
    entityId: str | None
