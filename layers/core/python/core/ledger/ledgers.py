"""Ledgers (`/v1/organizations/{organizationId}/ledgers`): an organization's books. A
ledger counts its instruments, portfolios and products as its children."""

from __future__ import annotations

from typing import Literal

from core.ledger import hierarchy, organizations
from core.ledger.hierarchy import LedgerId, Level, OrganizationId
from core.platform.validation import RequestModel

LEVEL = Level(
    kind="ledger",
    event="ledger",
    id_param="ledgerId",
    ancestors=("organizationId",),
    fields=("name",),
    noun="ledger",
)
RESOURCE = hierarchy.Under(LEVEL, organizations.LEVEL)


class CreateLedger(hierarchy.NamedBody):
    pass


class UpdateLedger(hierarchy.NamedPatch):
    pass


class OrganizationPath(RequestModel):
    organizationId: OrganizationId


class LedgerPath(RequestModel):
    organizationId: OrganizationId
    ledgerId: LedgerId


class Ledger(hierarchy.Resource):
    id: str
    object: Literal["ledger"]
    organizationId: str
    name: str
