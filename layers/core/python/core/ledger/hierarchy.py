"""What every resource of the ledger hierarchy shares (seed 003, Midaz): UUIDs, `status
{code, description}`, metadata replaced whole on PATCH, soft deletes, and the rule that
a parent with live children cannot be deleted.

Storage: each resource is one item in the tenant's partition under its UUID, holding the
ids of its ancestors (`organizationId`, `ledgerId`, `portfolioId`), so one read of the
item checks every id of a path: a resource named under another parent, ledger,
organization or tenant is 404 whichever id is wrong. A list reads the parent the same
way (404 for a wrong path), then its collection in GSI1, newest first (UUIDv7 ids sort
by time).

Live children are counted on the parent (`children`), moved in the transaction that
creates or deletes a child; a delete is conditioned on `children = 0`, and a create on
its parent not being deleted, so no child can be made under a parent being deleted
(neither can win the race with a stale read). A soft delete sets `deletedAt` and removes
the item's list attributes: lists never see it again, and reads answer 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field

from core.platform import keys, listing, outbox, snapstart
from core.platform.clock import rfc3339
from core.platform.errors import ApiError, RaceLost, ResourceMissing, StateConflict
from core.platform.http import Response
from core.platform.pagination import ListParams
from core.platform.pipeline import Call
from core.platform.representations import MetadataMap, Representation, Timestamp
from core.platform.store import Condition, Store, Tx
from core.platform.validation import Metadata, RequestModel

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
Uuid = Annotated[
    str,
    Field(
        pattern=UUID_PATTERN,
        description="A UUID, lower case.",
        examples=["01932c07-a1b2-7c3d-8e4f-5a6b7c8d9e0f"],
    ),
]
# The ids the document's examples and the sample events name (`localapi.samples` writes
# them into a tenant, so that an example can succeed), by resource kind.
EXAMPLE_IDS = {
    "organization": "01932c07-0000-7000-8000-000000000001",
    "ledger": "01932c07-0000-7000-8000-000000000002",
    "instrument": "01932c07-0000-7000-8000-000000000003",
    "portfolio": "01932c07-0000-7000-8000-000000000004",
    "product": "01932c07-0000-7000-8000-000000000005",
    "ledger_account": "01932c07-0000-7000-8000-000000000006",
    "transaction": "01932c07-0000-7000-8000-000000000007",
}


def _id_of(kind: str) -> Any:
    return Annotated[
        str,
        Field(
            pattern=UUID_PATTERN,
            description=f"The {kind.replace('_', ' ')}'s UUID.",
            examples=[EXAMPLE_IDS[kind]],
        ),
    ]


OrganizationId = _id_of("organization")
LedgerId = _id_of("ledger")
InstrumentId = _id_of("instrument")
PortfolioId = _id_of("portfolio")
ProductId = _id_of("product")
AccountId = _id_of("ledger_account")
# Attributes that put an item in a list; a soft delete removes them.
LIST_ATTRIBUTES = ("GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK")
LIVE = Condition("attribute_exists(PK) AND attribute_not_exists(deletedAt)")


def code_guard_key(tenant_id: str, ledger_id: str, code: str) -> dict[str, str]:
    """An instrument's code, unique per ledger; the guard holds the instrument's id and scale."""
    return keys.guard_key(tenant_id, f"ledger.instrument#{ledger_id}", code)


def alias_guard_key(tenant_id: str, ledger_id: str, alias: str) -> dict[str, str]:
    """An account's alias, unique per ledger; the guard holds the account's id."""
    return keys.guard_key(tenant_id, f"ledger.alias#{ledger_id}", alias)


def new_uuid() -> str:
    """A UUIDv7: time-ordered, so a collection sorted by id is sorted by creation."""
    from uuid6 import uuid7

    return str(uuid7())


Text = Annotated[str, Field(min_length=1, max_length=256)]


class StatusBody(RequestModel):
    code: str = Field(min_length=1, max_length=100, examples=["ACTIVE"])
    description: str | None = Field(default=None, max_length=256)


class Status(Representation):
    code: str
    description: str | None


DEFAULT_STATUS = {"code": "ACTIVE", "description": None}


class ListByStatus(ListParams):
    status: str | None = Field(
        default=None, min_length=1, max_length=100, description="Only resources whose `status.code` is this."
    )


def status_of(body: StatusBody | None) -> dict[str, Any]:
    return dict(DEFAULT_STATUS) if body is None else {"code": body.code, "description": body.description}


def metadata_of(value: dict[str, str | None] | None) -> dict[str, str]:
    """A metadata map as stored: a key whose value is null is left out."""
    return {k: v for k, v in (value or {}).items() if v is not None}


@dataclass(frozen=True)
class Level:
    """One kind of resource of the hierarchy."""

    kind: str  # the item's type and the rendered `object`: "ledger"
    event: str  # the event types' prefix: "ledger" (ledger accounts: "ledger_account")
    id_param: str  # the path parameter naming one: "ledgerId"
    ancestors: tuple[str, ...]  # the ids it holds of its ancestors, outermost first
    fields: tuple[str, ...]  # the partner's fields, as stored and rendered
    noun: str  # for messages: "ledger"
    # A field stored under another name: every item's `type` is its kind in this table, so
    # an instrument's or an account's own `type` is kept as `<kind>Type`.
    renamed: tuple[tuple[str, str], ...] = ()

    def stored(self, name: str) -> str:
        return dict(self.renamed).get(name, name)

    @property
    def parent_param(self) -> str | None:
        return self.ancestors[-1] if self.ancestors else None

    def collection(self, parent_id: str | None) -> str:
        return f"ledger.{self.kind}s" + (f"#{parent_id}" if parent_id else "")


def render(level: Level, item: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": item["id"], "object": level.kind}
    for name in level.ancestors:
        out[name] = item.get(name)
    for name in level.fields:
        out[name] = item.get(level.stored(name))
    out.update(extra or {})
    out["status"] = item["status"]
    out["metadata"] = item.get("metadata") or {}
    out["createdAt"] = rfc3339(item["createdAt"])
    out["updatedAt"] = rfc3339(item["updatedAt"])
    out["deletedAt"] = rfc3339(item["deletedAt"]) if item.get("deletedAt") is not None else None
    return out


# -- reads --------------------------------------------------------------------------------


def missing(level: Level, resource_id: str) -> ResourceMissing:
    return ResourceMissing(f"No such {level.noun}: {resource_id}.", param=level.id_param)


def matches(level: Level, item: dict[str, Any] | None, path: dict[str, str]) -> bool:
    """The item is a live resource of this kind under every ancestor the path names."""
    return (
        item is not None
        and item.get("type") == level.kind
        and item.get("deletedAt") is None
        and all(item.get(name) == path[name] for name in level.ancestors if name in path)
    )


def load(
    store: Store, tenant_id: str, level: Level, path: dict[str, str], *, consistent: bool = False
) -> dict[str, Any]:
    """The resource the path names (its own id and every ancestor's), or 404."""
    resource_id = path[level.id_param]
    item = store.get(keys.entity_key(tenant_id, resource_id), consistent=consistent)
    if not matches(level, item, path):
        raise missing(level, resource_id)
    assert item is not None
    return item


def get(
    call: Call[Any, Any, Any], level: Level, render_item: Callable[[dict[str, Any]], dict[str, Any]]
) -> Any:
    return render_item(load(call.store, call.tenant_id, level, call.path.model_dump()))


def list_(
    call: Call[Any, Any, Any],
    level: Level,
    parent: Level | None,
    render_item: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    filters: dict[str, Any] | None = None,
    collection: str | None = None,
    index: str = keys.GSI1,
) -> dict[str, Any]:
    """A page of the resources under the parent the path names (checked first, 404), newest
    first. `filters`: attribute path (`status.code`) -> value; None values are ignored."""
    path = call.path.model_dump() if call.path is not None else {}
    parent_id = None
    if parent is not None:
        load(call.store, call.tenant_id, parent, path)
        parent_id = path[parent.id_param]
    given = {name: value for name, value in (filters or {}).items() if value is not None}
    filter_ = None
    if given:
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        clauses = []
        for i, (attribute, value) in enumerate(given.items()):
            parts = attribute.split(".")
            names.update({f"#a{i}_{j}": part for j, part in enumerate(parts)})
            clauses.append(".".join(f"#a{i}_{j}" for j in range(len(parts))) + f" = :v{i}")
            values[f":v{i}"] = value
        filter_ = Condition(" AND ".join(clauses), names, values)
    return listing.page(
        call.store,
        secret=call.settings.cursor_secret,
        tenant_id=call.tenant_id,
        collection=collection or level.collection(parent_id),
        params=call.query,
        render=render_item,
        index=index,
        filter_=filter_,
    )


# -- writes -------------------------------------------------------------------------------


def new_item(
    level: Level,
    tenant_id: str,
    resource_id: str,
    ancestors: dict[str, str],
    fields: dict[str, Any],
    status: dict[str, Any],
    metadata: dict[str, str],
    now: int,
) -> dict[str, Any]:
    parent_id = ancestors[level.parent_param] if level.parent_param else None
    return {
        "type": level.kind,
        "id": resource_id,
        "tenantId": tenant_id,
        **{name: ancestors[name] for name in level.ancestors},
        **{level.stored(name): fields.get(name) for name in level.fields},
        "status": status,
        "metadata": metadata,
        "children": 0,
        "version": 1,
        "createdAt": now,
        "updatedAt": now,
        **keys.list_attrs(tenant_id, level.collection(parent_id), resource_id),
    }


def count_child(
    tx: Tx,
    tenant_id: str,
    parent_id: str,
    by: int,
    on_fail: ApiError | Callable[[Any], ApiError] | None = None,
) -> None:
    """Move a parent's count of live children; adding one requires the parent to be live."""
    tx.update(
        keys.entity_key(tenant_id, parent_id),
        "ADD children :by",
        values={":by": by},
        condition=LIVE if by > 0 else None,
        on_fail=on_fail if by > 0 else None,
    )


def create(
    call: Call[Any, Any, Any],
    level: Level,
    item: dict[str, Any],
    rendered: dict[str, Any],
    *,
    parents: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Stage the item, the count on each live parent it names (`parents`: ids) and its
    event. A parent deleted since it was read fails its condition: the request is decided
    again, and the read then says 404."""
    for parent_id in parents:
        count_child(call.tx, call.tenant_id, parent_id, 1, on_fail=RaceLost("A parent changed meanwhile."))
    call.tx.create(keys.entity_key(call.tenant_id, item["id"]), item, on_fail=StateConflict("Id clash."))
    outbox.stage(
        call.tx, tenant_id=call.tenant_id, event_type=f"{level.event}.created", obj=rendered, now=call.now
    )
    return rendered


def unchanged_since(item: dict[str, Any]) -> Condition:
    return Condition(
        "#version = :read AND attribute_not_exists(deletedAt)",
        {"#version": "version"},
        {":read": item["version"]},
    )


def _null_only_where_allowed(schema: dict[str, Any], cls: type[PatchBody]) -> None:
    """The document says what `changes_of` enforces: null is a value only of `nullable`."""
    for name, prop in schema.get("properties", {}).items():
        branches = prop.get("anyOf")
        if name in cls.nullable or not isinstance(branches, list):
            continue
        kept = [b for b in branches if b != {"type": "null"}]
        if len(kept) == 1:
            del prop["anyOf"]
            prop.update(kept[0])
        else:
            prop["anyOf"] = kept
        if prop.get("default", ...) is None:
            del prop["default"]


class PatchBody(RequestModel):
    """A PATCH body: every field optional; a null clears only the fields in `nullable` (for
    any other it is 400 `parameter_invalid`). `metadata` is always nullable: it replaces
    the whole map, and null empties it."""

    model_config = ConfigDict(**RequestModel.model_config, json_schema_extra=_null_only_where_allowed)
    nullable: ClassVar[frozenset[str]] = frozenset({"metadata"})


def changes_of(body: PatchBody) -> dict[str, Any]:
    """What a PATCH body sets, as stored: the fields it names (`status` and nested models as
    dicts, `metadata` replaced whole without its null values)."""
    from core.platform.errors import ParameterInvalid

    sent = body.model_dump(exclude_unset=True)
    for name, value in sent.items():
        if value is None and name not in body.nullable:
            raise ParameterInvalid(f"{name} cannot be null.", param=name)
    if "status" in sent:
        sent["status"] = {"code": sent["status"]["code"], "description": sent["status"].get("description")}
    if "metadata" in sent:
        sent["metadata"] = metadata_of(sent["metadata"])
    return sent


def update(
    call: Call[Any, Any, Any],
    level: Level,
    before: dict[str, Any],
    changes: dict[str, Any],
    render_item: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, Any]:
    """Apply `changes` (attribute -> new value; None removes it) to an item as read."""
    if all(before.get(name) == value for name, value in changes.items()):
        return render_item(before)
    now = int(call.now)
    after = {**before, **changes, "updatedAt": now, "version": before["version"] + 1}
    sets = {name: value for name, value in changes.items() if value is not None}
    removes = [name for name, value in changes.items() if value is None]
    names = {f"#s{i}": name for i, name in enumerate(sets)} | {"#version": "version"}
    values: dict[str, Any] = {f":s{i}": value for i, value in enumerate(sets.values())}
    values |= {":now": now, ":next": after["version"]}
    expression = "SET " + ", ".join(
        [*(f"#s{i} = :s{i}" for i in range(len(sets))), "updatedAt = :now", "#version = :next"]
    )
    if removes:
        names |= {f"#r{i}": name for i, name in enumerate(removes)}
        expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(removes)))
    condition = unchanged_since(before)
    call.tx.update(
        keys.entity_key(call.tenant_id, before["id"]),
        expression,
        names=names | condition.names,
        values=values | condition.values,
        condition=Condition(condition.expression),
        on_fail=RaceLost(f"The {level.noun} changed meanwhile."),
    )
    old, new = render_item(before), render_item(after)
    previous = {name: old[name] for name in new if name not in ("updatedAt",) and old.get(name) != new[name]}
    outbox.stage(
        call.tx,
        tenant_id=call.tenant_id,
        event_type=f"{level.event}.updated",
        obj=new,
        now=call.now,
        previous=previous,
    )
    return new


def delete(
    call: Call[Any, Any, Any],
    level: Level,
    before: dict[str, Any],
    render_item: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    parents: tuple[str, ...] = (),
    extra: Condition | None = None,
) -> Response:
    """Soft-delete an item as read, if it has no live children (409 otherwise) and `extra`
    holds; each parent it names (`parents`: ids) counts one child fewer."""
    if before.get("children", 0) > 0:
        raise StateConflict(
            f"The {level.noun} has {before['children']} live resources under it or naming it: "
            "delete them first.",
            param=level.id_param,
        )
    now = int(call.now)
    condition = unchanged_since(before)
    expression = "(" + condition.expression + ") AND (attribute_not_exists(children) OR children = :none)"
    names, values = dict(condition.names), {**condition.values, ":none": 0}
    if extra is not None:
        expression += f" AND ({extra.expression})"
        names |= extra.names
        values |= extra.values
    names |= {f"#l{i}": name for i, name in enumerate(LIST_ATTRIBUTES)}
    call.tx.update(
        keys.entity_key(call.tenant_id, before["id"]),
        "SET deletedAt = :now, updatedAt = :now REMOVE "
        + ", ".join(f"#l{i}" for i in range(len(LIST_ATTRIBUTES))),
        names=names,
        values={**values, ":now": now},
        condition=Condition(expression),
        on_fail=RaceLost(f"The {level.noun} changed meanwhile."),
    )
    for parent_id in parents:
        count_child(call.tx, call.tenant_id, parent_id, -1)
    rendered = render_item({**before, "deletedAt": now, "updatedAt": now})
    outbox.stage(
        call.tx, tenant_id=call.tenant_id, event_type=f"{level.event}.deleted", obj=rendered, now=call.now
    )
    return Response(204)


# -- the whole of a resource with one parent and nothing else to check ----------------------


def create_under(
    call: Call[Any, Any, Any],
    level: Level,
    parent: Level,
    fields: dict[str, Any],
    status: StatusBody | None,
    metadata: dict[str, str | None] | None,
) -> dict[str, Any]:
    """Create a resource under the live parent the path names (404 otherwise)."""
    path = call.path.model_dump()
    load(call.store, call.tenant_id, parent, path)
    ancestors = {name: path[name] for name in level.ancestors}
    item = new_item(
        level,
        call.tenant_id,
        new_uuid(),
        ancestors,
        fields,
        status_of(status),
        metadata_of(metadata),
        int(call.now),
    )
    return create(call, level, item, render(level, item), parents=(path[parent.id_param],))


def patch(call: Call[Any, Any, Any], level: Level) -> dict[str, Any]:
    before = load(call.store, call.tenant_id, level, call.path.model_dump(), consistent=True)
    return update(call, level, before, changes_of(call.body), lambda item: render(level, item))


def remove(call: Call[Any, Any, Any], level: Level, before: dict[str, Any] | None = None) -> Response:
    """Soft-delete the resource the path names (or `before`, already read)."""
    if before is None:
        before = load(call.store, call.tenant_id, level, call.path.model_dump(), consistent=True)
    assert level.parent_param is not None
    return delete(
        call, level, before, lambda item: render(level, item), parents=(before[level.parent_param],)
    )


# -- the shapes the simple resources share (ledgers, portfolios, products) --------------------


class NamedBody(RequestModel):
    name: Text
    status: StatusBody | None = None
    metadata: Metadata | None = None


class NamedPatch(PatchBody):
    name: Text | None = None
    status: StatusBody | None = None
    metadata: Metadata | None = None


class Resource(Representation):
    """What every object of the hierarchy ends with."""

    status: Status
    metadata: MetadataMap
    createdAt: Timestamp
    updatedAt: Timestamp
    deletedAt: Timestamp | None


@dataclass(frozen=True)
class Under:
    """The five operations of a resource with one parent and no rule of its own."""

    level: Level
    parent: Level

    def render(self, item: dict[str, Any]) -> dict[str, Any]:
        return render(self.level, item)

    def create(self, call: Call[Any, Any, Any]) -> dict[str, Any]:
        body = call.body
        fields = body.model_dump(include=set(self.level.fields))
        return create_under(call, self.level, self.parent, fields, body.status, body.metadata)

    def get(self, call: Call[Any, Any, Any]) -> dict[str, Any]:
        return self.render(load(call.store, call.tenant_id, self.level, call.path.model_dump()))

    def list_(self, call: Call[Any, Any, Any]) -> dict[str, Any]:
        return list_(call, self.level, self.parent, self.render, filters={"status.code": call.query.status})

    def update(self, call: Call[Any, Any, Any]) -> dict[str, Any]:
        return patch(call, self.level)

    def delete(self, call: Call[Any, Any, Any]) -> Response:
        return remove(call, self.level)


snapstart.preload("uuid6")
