"""Ingested bank accounts and blockchain wallets (seed 000): conditional upserts, client
associations, and their part in the customer deactivation cascade.

Both resources share this machinery; `Kind` says what differs (the unique field, the
list filter, the id prefix). A record's unique value and its referenceId are held by
guard items written in the same transaction as the record; an upsert reads the guards,
decides (create, update, or conflict) and writes with conditions, and a lost race runs
the decision again (the pipeline's RaceLost retry), so racing upserts never make two.

Associations: the record keeps `clients` ({customerId: {status, associatedAt}}) for
rendering in one read, and a link item per client (under the customer in GSI3) so lists
can filter by client and the cascade can suspend them; the cascade mirrors a link's
status onto the record in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field

from core.platform import cascade, keys, listing, outbox
from core.platform.clock import rfc3339
from core.platform.errors import (
    AlreadyExists,
    LimitExceeded,
    RaceLost,
    ReferenceInvalid,
    ResourceMissing,
    StateConflict,
)
from core.platform.ids import id_pattern, is_id, new_id
from core.platform.pagination import ListParams, decode_cursor, encode_cursor
from core.platform.pipeline import Call
from core.platform.representations import Representation, Timestamp
from core.platform.store import Condition, Store, Tx
from core.platform.validation import RequestModel

MAX_CLIENTS = 50

# The fields both resources share, spelled once: the body's referenceId (the upsert key)
# and the lists' referenceId and clientId filters.
ReferenceId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")]
ReferenceIdFilter = Annotated[
    str | None,
    Field(
        min_length=1,
        max_length=128,
        description="An exact match on the unique referenceId, read from its uniqueness guard: at "
        "most one result, so the list has one page (other filters given must match it too).",
    ),
]
ClientIdFilter = Annotated[
    str | None,
    Field(
        pattern=id_pattern("cus"), max_length=64, description="Only records associated with this customer."
    ),
]


class UpsertQuery(RequestModel):
    upsert: bool = False


# Customer ids, each checked against the table (422 `reference_invalid` for anything but an
# existing customer of the tenant, a malformed id included); the document states their form.
ClientIds = Annotated[
    list[str],
    Field(
        max_length=MAX_CLIENTS,
        description=f"Ids of the tenant's customers (422 `reference_invalid` otherwise); at most "
        f"{MAX_CLIENTS} per record in all (422 `limit_exceeded`). Associating an associated one "
        "again is a no-op.",
        json_schema_extra={"items": {"type": "string", "pattern": id_pattern("cus"), "maxLength": 64}},
    ),
]


class ClientsBody(RequestModel):
    """`POST .../clients`: customer ids to associate (existing associations are a no-op)."""

    associatedClients: Annotated[ClientIds, Field(min_length=1)]


class ClientAssociation(Representation):
    """A customer associated with a record; the customer's deactivation makes it inactive."""

    id: str = Field(pattern=id_pattern("cus"))
    status: Literal["active", "inactive"]
    associatedAt: Timestamp


@dataclass(frozen=True)
class Kind:
    name: str  # bank_account
    prefix: str  # ba
    collection: str  # bank_accounts
    unique_field: str  # accountNumber
    unique_value: Callable[[dict[str, Any]], str]  # the guard's value for a record's fields
    filter_field: str  # the GSI2 list filter: status / chain
    fields: tuple[str, ...]  # the partner-owned fields, as stored and rendered
    defaults: tuple[tuple[str, Any], ...] = ()  # applied when a record is created
    # An update's merged fields, checked and normalised by the rules across fields that the
    # body alone could not decide (a wallet's address against the chain it keeps). The body
    # was valid; what it conflicts with is the stored record: a ValueError is 409
    # `state_conflict` naming `unique_field`, as when referenceId and the unique value name
    # two records.
    merged: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    @property
    def link_kind(self) -> str:
        return f"{self.name}_client"


def _link_key(tenant_id: str, record_id: str, customer_id: str) -> dict[str, str]:
    return {"PK": keys.tenant_pk(tenant_id), "SK": f"{record_id}#C#{customer_id}"}


def _mirror(tx: Tx, link: dict[str, Any], status: str, now: float) -> None:
    """The cascade changed a link's status: keep the record's copy in step."""
    tx.update(
        keys.entity_key(link["tenantId"], link["recordId"]),
        "SET #clients.#customer.#status = :status",
        names={"#clients": "clients", "#customer": link["customerId"], "#status": "status"},
        values={":status": status},
    )


def register_cascade(kind: Kind) -> None:
    if not any(d.kind == kind.link_kind for d in cascade.REGISTRY):
        cascade.register(
            cascade.Dependent(
                kind=kind.link_kind, active=frozenset({"active"}), suspended="inactive", mirror=_mirror
            )
        )


# -- rendering ---------------------------------------------------------------------------


def render(kind: Kind, item: dict[str, Any]) -> dict[str, Any]:
    clients = item.get("clients") or {}
    out: dict[str, Any] = {"id": item["id"], "object": kind.name}
    for name in kind.fields:
        out[name] = item.get(name)
    out["associatedClients"] = [
        {"id": customer_id, "status": link["status"], "associatedAt": rfc3339(link["associatedAt"])}
        for customer_id, link in sorted(clients.items(), key=lambda pair: (pair[1]["associatedAt"], pair[0]))
    ]
    out["createdAt"] = rfc3339(item["createdAt"])
    out["updatedAt"] = rfc3339(item["updatedAt"])
    return out


# -- clients ------------------------------------------------------------------------------


def _customers(
    store: Store, tenant_id: str, ids: list[str], read: dict[str, dict[str, Any] | None] | None = None
) -> dict[str, dict[str, Any]]:
    """The named customers of this tenant; any other id is 422 reference_invalid. `read`:
    customers already read (consistently) by id, None for one that was not found."""
    for index, customer_id in enumerate(ids):
        if not is_id(customer_id, "cus"):
            raise ReferenceInvalid(
                f"{customer_id!r} is not a customer id.", param=f"associatedClients[{index}]"
            )
    known = dict(read or {})
    unread = [c for c in ids if c not in known]
    if unread:
        found = store.batch_get([keys.entity_key(tenant_id, c) for c in unread], consistent=True)
        known.update({c: found.get((keys.tenant_pk(tenant_id), c)) for c in unread})
    out = {}
    for index, customer_id in enumerate(ids):
        item = known.get(customer_id)
        if item is None or item.get("type") != "customer":
            raise ReferenceInvalid(f"No such customer: {customer_id}.", param=f"associatedClients[{index}]")
        out[customer_id] = item
    return out


def _stage_links(
    tx: Tx, kind: Kind, tenant_id: str, record_id: str, customers: dict[str, dict[str, Any]], now: float
) -> dict[str, dict[str, Any]]:
    """New link items; a customer deactivated right now gets an inactive link that its
    activation restores (as if its cascade had suspended it)."""
    added = {}
    for customer_id, customer in customers.items():
        inactive = customer["status"] == "inactive" and customer.get("lastDeactivation")
        status = "inactive" if inactive else "active"
        link = {
            "type": "client_link",
            "tenantId": tenant_id,
            "recordId": record_id,
            "customerId": customer_id,
            "status": status,
            "createdAt": int(now),
            **keys.owner_attrs(tenant_id, customer_id, kind.link_kind, record_id),
        }
        if inactive:
            link.update(suspendedBy=customer["lastDeactivation"], suspendedFrom="active")
        tx.create(_link_key(tenant_id, record_id, customer_id), link, on_fail=RaceLost("Link raced."))
        added[customer_id] = {"status": status, "associatedAt": int(now)}
    return added


def _new_clients(requested: list[str] | None, existing: dict[str, Any]) -> list[str]:
    """Requested ids not yet associated, in order, without repeats (re-associating is a no-op)."""
    seen: list[str] = []
    for customer_id in requested or []:
        if customer_id not in existing and customer_id not in seen:
            seen.append(customer_id)
    if len(existing) + len(seen) > MAX_CLIENTS:
        raise LimitExceeded(
            f"A {'record'} holds at most {MAX_CLIENTS} associated clients "
            f"({len(existing)} already, {len(seen)} more asked).",
            param="associatedClients",
        )
    return seen


# -- create / upsert ------------------------------------------------------------------------


def _guard_key(kind: Kind, tenant_id: str, field: str, value: str) -> dict[str, str]:
    return keys.guard_key(tenant_id, f"{kind.name}.{field}", value)


def _filter_value(kind: Kind, fields: dict[str, Any]) -> str:
    return str(fields.get(kind.filter_field) or "none")


def upsert(
    call: Call[Any, Any, None],
    kind: Kind,
    fields: dict[str, Any],
    clients: list[str] | None,
    *,
    allow_update: bool,
) -> Any:
    """Create the record, or (with `allow_update`) update the one matched by referenceId,
    else by the unique value. Answers 201 or 200 through the returned Response."""
    from core.platform.http import Response

    store, tenant_id = call.store, call.tenant_id
    unique = kind.unique_value(fields)
    reference = fields.get("referenceId")
    wanted = [_guard_key(kind, tenant_id, kind.unique_field, unique)]
    if reference is not None:
        wanted.append(_guard_key(kind, tenant_id, "referenceId", reference))
    # The customers the row names are read with the guards: one round trip, not two.
    named = [c for c in dict.fromkeys(clients or []) if is_id(c, "cus")]
    guards = store.batch_get([*wanted, *(keys.entity_key(tenant_id, c) for c in named)], consistent=True)
    customers = {c: guards.get((keys.tenant_pk(tenant_id), c)) for c in named}
    by_unique = guards.get((wanted[0]["PK"], wanted[0]["SK"]))
    by_reference = guards.get((wanted[-1]["PK"], wanted[-1]["SK"])) if reference is not None else None
    if not allow_update:
        if by_unique is not None:
            raise AlreadyExists(
                f"A {kind.name} with this {kind.unique_field} exists.", param=kind.unique_field
            )
        if by_reference is not None:
            raise AlreadyExists(f"A {kind.name} with this referenceId exists.", param="referenceId")
        return Response(201, _create(call, kind, fields, clients, customers, strict=True))
    if by_reference is not None and by_unique is not None and by_reference["of"] != by_unique["of"]:
        raise StateConflict(
            f"referenceId names {by_reference['of']} but {kind.unique_field} names {by_unique['of']}: "
            "two different records, which an upsert never merges.",
            param="referenceId",
        )
    match = by_reference or by_unique
    if match is None:
        return Response(201, _create(call, kind, fields, clients, customers, strict=False))
    return Response(200, _update(call, kind, match["of"], fields, clients, customers))


def _create(
    call: Call[Any, Any, None],
    kind: Kind,
    fields: dict[str, Any],
    clients: list[str] | None,
    read: dict[str, dict[str, Any] | None],
    *,
    strict: bool,
) -> dict[str, Any]:
    tx, tenant_id, now = call.tx, call.tenant_id, call.now
    new = _new_clients(clients, {})
    customers = _customers(call.store, tenant_id, new, read) if new else {}
    record_id = new_id(kind.prefix)

    # Without upsert a clash is the partner's 409; with it, a concurrent create won the
    # race and this request runs again to update what it made.
    def clash(field: str) -> AlreadyExists | RaceLost:
        if strict:
            return AlreadyExists(f"A {kind.name} with this {field} exists.", param=field)
        return RaceLost(f"A concurrent request created this {kind.name}.")

    fields = {**dict(kind.defaults), **fields}
    item: dict[str, Any] = {
        "type": kind.name,
        "id": record_id,
        "tenantId": tenant_id,
        **fields,
        "clients": {},
        "version": 1,
        "createdAt": int(now),
        "updatedAt": int(now),
        **keys.list_attrs(tenant_id, kind.collection, record_id),
        **keys.filter_attrs(
            tenant_id, kind.collection, f"{kind.filter_field}#{_filter_value(kind, fields)}", record_id
        ),
    }
    item["clients"] = _stage_links(tx, kind, tenant_id, record_id, customers, now)
    tx.create(keys.entity_key(tenant_id, record_id), item, on_fail=AlreadyExists("Id clash."))
    tx.create(
        _guard_key(kind, tenant_id, kind.unique_field, kind.unique_value(fields)),
        {"type": "guard", "of": record_id},
        on_fail=clash(kind.unique_field),
    )
    if fields.get("referenceId") is not None:
        tx.create(
            _guard_key(kind, tenant_id, "referenceId", fields["referenceId"]),
            {"type": "guard", "of": record_id},
            on_fail=clash("referenceId"),
        )
    rendered = render(kind, item)
    outbox.stage(tx, tenant_id=tenant_id, event_type=f"{kind.name}.created", obj=rendered, now=now)
    return rendered


def _update(
    call: Call[Any, Any, None],
    kind: Kind,
    record_id: str,
    fields: dict[str, Any],
    clients: list[str] | None,
    read: dict[str, dict[str, Any] | None],
) -> dict[str, Any]:
    store, tx, tenant_id, now = call.store, call.tx, call.tenant_id, call.now
    before = store.get(keys.entity_key(tenant_id, record_id), consistent=True)
    if before is None:
        raise RaceLost("The matched record moved; deciding again.")
    after = {**before, **fields, "updatedAt": int(now), "version": before["version"] + 1}
    if kind.merged is not None:
        try:
            after = kind.merged(after)
        except ValueError as exc:
            raise StateConflict(
                f"This upsert matched {record_id}, which keeps the fields the body leaves out, and "
                f"with them: {exc}. Send those fields too to change them together.",
                param=kind.unique_field,
            ) from None
    new = _new_clients(clients, before.get("clients") or {})
    customers = _customers(store, tenant_id, new, read) if new else {}
    after["clients"] = {
        **(before.get("clients") or {}),
        **_stage_links(tx, kind, tenant_id, record_id, customers, now),
    }
    # A changed unique value or referenceId moves its guard in the same transaction.
    for field, value_of in (
        (kind.unique_field, kind.unique_value),
        ("referenceId", lambda f: f.get("referenceId")),
    ):
        old, new_value = value_of(before), value_of(after)
        if old == new_value:
            continue
        if old is not None:
            tx.delete(
                _guard_key(kind, tenant_id, field, old),
                condition=Condition("#of = :me", {"#of": "of"}, {":me": record_id}),
                on_fail=RaceLost("A guard moved; deciding again."),
            )
        if new_value is not None:
            tx.create(
                _guard_key(kind, tenant_id, field, new_value),
                {"type": "guard", "of": record_id},
                on_fail=RaceLost("Another record took this value; deciding again."),
            )
    filter_attrs = keys.filter_attrs(
        tenant_id, kind.collection, f"{kind.filter_field}#{_filter_value(kind, after)}", record_id
    )
    sets = {
        **{name: after.get(name) for name in kind.fields},
        "clients": after["clients"],
        "updatedAt": after["updatedAt"],
        "version": after["version"],
        **filter_attrs,
    }
    present = {name: value for name, value in sets.items() if value is not None}
    absent = [name for name, value in sets.items() if value is None]
    names = {f"#f{i}": name for i, name in enumerate(present)}
    values: dict[str, Any] = {f":v{i}": value for i, value in enumerate(present.values())}
    expression = "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(present)))
    if absent:
        names.update({f"#r{i}": name for i, name in enumerate(absent)})
        expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(absent)))
    names["#version"] = "version"
    values[":read"] = before["version"]
    tx.update(
        keys.entity_key(tenant_id, record_id),
        expression,
        names=names,
        values=values,
        condition=Condition("#version = :read"),
        on_fail=RaceLost("Updated concurrently; deciding again."),
    )
    rendered = render(kind, after)
    previous = outbox.changes(render(kind, before), rendered, (*kind.fields, "associatedClients"))
    outbox.stage(
        tx, tenant_id=tenant_id, event_type=f"{kind.name}.updated", obj=rendered, now=now, previous=previous
    )
    return rendered


def associate(call: Call[Any, Any, Any], kind: Kind, record_id: str, clients: list[str]) -> dict[str, Any]:
    """POST .../{id}/clients: add associations; existing ones are a no-op."""
    store, tx, tenant_id, now = call.store, call.tx, call.tenant_id, call.now
    before = _require(store, kind, tenant_id, record_id)
    existing = before.get("clients") or {}
    new = _new_clients(clients, existing)
    if not new:
        return render(kind, before)
    customers = _customers(store, tenant_id, new)
    added = _stage_links(tx, kind, tenant_id, record_id, customers, now)
    after = {
        **before,
        "clients": {**existing, **added},
        "updatedAt": int(now),
        "version": before["version"] + 1,
    }
    names = {"#clients": "clients", "#version": "version"}
    values: dict[str, Any] = {":now": int(now), ":next": after["version"], ":read": before["version"]}
    assignments = []
    for index, (customer_id, link) in enumerate(added.items()):
        names[f"#c{index}"] = customer_id
        values[f":c{index}"] = link
        assignments.append(f"#clients.#c{index} = :c{index}")
    tx.update(
        keys.entity_key(tenant_id, record_id),
        "SET " + ", ".join([*assignments, "updatedAt = :now", "#version = :next"]),
        names=names,
        values=values,
        condition=Condition("#version = :read"),
        on_fail=RaceLost("Updated concurrently; deciding again."),
    )
    rendered = render(kind, after)
    outbox.stage(
        tx,
        tenant_id=tenant_id,
        event_type=f"{kind.name}.clients_associated",
        obj=rendered,
        now=now,
        previous={"associatedClients": render(kind, before)["associatedClients"]},
    )
    return rendered


# -- reads ------------------------------------------------------------------------------------


def _require(store: Store, kind: Kind, tenant_id: str, record_id: str) -> dict[str, Any]:
    item = store.get(keys.entity_key(tenant_id, record_id), consistent=True)
    if item is None or item.get("type") != kind.name:
        raise ResourceMissing(f"No such {kind.name}: {record_id}.", param="id")
    return item


def get(call: Call[Any, Any, Any], kind: Kind, record_id: str) -> dict[str, Any]:
    item = call.store.get(keys.entity_key(call.tenant_id, record_id))
    if item is None or item.get("type") != kind.name:
        raise ResourceMissing(f"No such {kind.name}: {record_id}.", param="id")
    return render(kind, item)


def list_(
    call: Call[Any, Any, None],
    kind: Kind,
    query: ListParams,
    *,
    reference_id: str | None,
    client_id: str | None,
    filter_value: str | None,
) -> dict[str, Any]:
    store, tenant_id, secret = call.store, call.tenant_id, call.settings.cursor_secret
    if reference_id is not None:

        def by_reference() -> dict[str, Any] | None:
            guard = store.get(_guard_key(kind, tenant_id, "referenceId", reference_id))
            item = store.get(keys.entity_key(tenant_id, guard["of"])) if guard else None
            if item is None or (client_id is not None and client_id not in (item.get("clients") or {})):
                return None
            return item if filter_value is None or _filter_value(kind, item) == filter_value else None

        return listing.single(
            secret=secret,
            tenant_id=tenant_id,
            collection=kind.collection,
            filters={"referenceId": reference_id, "clientId": client_id, kind.filter_field: filter_value},
            params=query,
            find=by_reference,
            render=lambda item: render(kind, item),
        )
    if client_id is not None:
        return _by_client(store, kind, tenant_id, secret, client_id, query, filter_value)
    if filter_value is not None:
        return listing.page(
            store,
            secret=secret,
            tenant_id=tenant_id,
            params=query,
            index=keys.GSI2,
            collection=f"{kind.collection}#{kind.filter_field}#{filter_value}",
            render=lambda item: render(kind, item),
        )
    return listing.page(
        store,
        secret=secret,
        tenant_id=tenant_id,
        collection=kind.collection,
        params=query,
        render=lambda item: render(kind, item),
    )


def _by_client(
    store: Store,
    kind: Kind,
    tenant_id: str,
    secret: str,
    client_id: str,
    query: ListParams,
    filter_value: str | None,
) -> dict[str, Any]:
    """The records a customer is associated with: its link items (GSI3), then the records."""
    collection = f"{kind.link_kind}#{client_id}"
    start = decode_cursor(secret, tenant_id, collection, query.cursor) if query.cursor else None
    links, last = store.query_page(
        index=keys.GSI3,
        pk_name="GSI3PK",
        pk_value=keys.owner_pk(tenant_id, client_id),
        limit=query.limit,
        start_key=start,
        forward=False,
        sk_name="GSI3SK",
        sk_prefix=f"{kind.link_kind}#",
    )
    records = (
        store.batch_get([keys.entity_key(tenant_id, link["recordId"]) for link in links]) if links else {}
    )
    data = []
    for link in links:
        item = records.get((keys.tenant_pk(tenant_id), link["recordId"]))
        if item is not None and (filter_value is None or _filter_value(kind, item) == filter_value):
            data.append(render(kind, item))
    cursor = None
    if last is not None:
        cursor = encode_cursor(
            secret,
            tenant_id,
            collection,
            {name: last[name] for name in ("PK", "SK", "GSI3PK", "GSI3SK") if name in last},
        )
    return {"data": data, "nextCursor": cursor}
