"""Organizations (`/v1/organizations`): the top of a partner's ledger hierarchy. An
organization may name a parent organization of the same partner; a parent counts its
child organizations with its ledgers, so neither can be deleted under it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from core.ledger import hierarchy
from core.ledger.hierarchy import Level, ListByStatus, OrganizationId, StatusBody, Uuid
from core.platform import keys
from core.platform.errors import RaceLost, ReferenceInvalid
from core.platform.http import Response
from core.platform.iso_codes import Country2
from core.platform.pipeline import Call
from core.platform.representations import Representation
from core.platform.validation import Metadata, RequestModel

LEVEL = Level(
    kind="organization",
    event="organization",
    id_param="organizationId",
    ancestors=(),
    fields=("legalName", "doingBusinessAs", "legalDocument", "parentOrganizationId", "address"),
    noun="organization",
)
# How far up a chain of parents a PATCH looks for the organization itself (a cycle).
MAX_DEPTH = 16


Text = hierarchy.Text


class AddressBody(RequestModel):
    line1: Text
    line2: str | None = Field(default=None, max_length=256)
    zipCode: str = Field(min_length=1, max_length=20)
    city: Text
    state: Text
    country: Country2


class Address(Representation):
    line1: str
    line2: str | None
    zipCode: str
    city: str
    state: str
    country: str


class CreateOrganization(RequestModel):
    legalName: Text
    doingBusinessAs: str | None = Field(default=None, min_length=1, max_length=256)
    legalDocument: Text = Field(description="A tax id or registration number; never changes.")
    parentOrganizationId: Uuid | None = Field(
        default=None, description="Another organization of the partner (422 `reference_invalid` otherwise)."
    )
    address: AddressBody
    status: StatusBody | None = None
    metadata: Metadata | None = None


class UpdateOrganization(hierarchy.PatchBody):
    """Midaz's editable fields; `metadata` replaces the whole map."""

    nullable = frozenset({"doingBusinessAs", "parentOrganizationId", "metadata"})

    legalName: Text | None = None
    doingBusinessAs: str | None = Field(default=None, min_length=1, max_length=256)
    parentOrganizationId: Uuid | None = None
    address: AddressBody | None = None
    status: StatusBody | None = None
    metadata: Metadata | None = None


class OrganizationPath(RequestModel):
    organizationId: OrganizationId


class Organization(hierarchy.Resource):
    id: str
    object: Literal["organization"]
    legalName: str
    doingBusinessAs: str | None
    legalDocument: str
    parentOrganizationId: str | None
    address: Address


def render(item: dict[str, Any]) -> dict[str, Any]:
    out = hierarchy.render(LEVEL, item)
    out["address"] = {"line2": None, **out["address"]}  # the table keeps no null attribute
    return out


def _live_parent(call: Call[Any, Any, Any], parent_id: str) -> dict[str, Any]:
    item = call.store.get(keys.entity_key(call.tenant_id, parent_id), consistent=True)
    if not hierarchy.matches(LEVEL, item, {}):
        raise ReferenceInvalid(f"No such organization: {parent_id}.", param="parentOrganizationId")
    assert item is not None
    return item


def create(call: Call[CreateOrganization, None, None]) -> dict[str, Any]:
    body = call.body
    fields = body.model_dump(include=set(LEVEL.fields))
    if body.parentOrganizationId is not None:
        _live_parent(call, body.parentOrganizationId)
    item = hierarchy.new_item(
        LEVEL,
        call.tenant_id,
        hierarchy.new_uuid(),
        {},
        fields,
        hierarchy.status_of(body.status),
        hierarchy.metadata_of(body.metadata),
        int(call.now),
    )
    parents = (body.parentOrganizationId,) if body.parentOrganizationId else ()
    return hierarchy.create(call, LEVEL, item, render(item), parents=parents)


def get(call: Call[None, None, OrganizationPath]) -> dict[str, Any]:
    return hierarchy.get(call, LEVEL, render)


def list_(call: Call[None, ListByStatus, None]) -> dict[str, Any]:
    return hierarchy.list_(call, LEVEL, None, render, filters={"status.code": call.query.status})


def _no_cycle(call: Call[Any, Any, Any], organization_id: str, parent: dict[str, Any]) -> None:
    """The new parent (as already read) is not the organization itself nor one of its
    descendants: its chain of parents, read upwards, never reaches the organization."""
    current: str | None = parent["id"]
    for depth in range(MAX_DEPTH):
        if current is None:
            return
        if current == organization_id:
            raise ReferenceInvalid(
                "An organization cannot be its own parent or the parent of an ancestor.",
                param="parentOrganizationId",
            )
        item = parent if depth == 0 else call.store.get(keys.entity_key(call.tenant_id, current))
        current = item.get("parentOrganizationId") if item else None
    raise ReferenceInvalid(
        f"Parent chains are at most {MAX_DEPTH} organizations deep.", param="parentOrganizationId"
    )


def update(call: Call[UpdateOrganization, None, OrganizationPath]) -> dict[str, Any]:
    path = call.path.model_dump()
    before = hierarchy.load(call.store, call.tenant_id, LEVEL, path, consistent=True)
    changes = hierarchy.changes_of(call.body)
    old, new = (
        before.get("parentOrganizationId"),
        changes.get("parentOrganizationId", before.get("parentOrganizationId")),
    )
    if new != old:
        if new is not None:
            _no_cycle(call, before["id"], _live_parent(call, new))
            hierarchy.count_child(
                call.tx, call.tenant_id, new, 1, on_fail=RaceLost("The parent changed meanwhile.")
            )
        if old is not None:
            hierarchy.count_child(call.tx, call.tenant_id, old, -1)
    return hierarchy.update(call, LEVEL, before, changes, render)


def delete(call: Call[None, None, OrganizationPath]) -> Response:
    before = hierarchy.load(call.store, call.tenant_id, LEVEL, call.path.model_dump(), consistent=True)
    parent = before.get("parentOrganizationId")
    return hierarchy.delete(call, LEVEL, before, render, parents=(parent,) if parent else ())
