"""Ledger accounts (`.../portfolios/{portfolioId}/accounts`, seed 003): where a ledger's
money sits, in one instrument, at the instrument's scale.

Rules at creation, each a 422 `reference_invalid` naming its field when it does not hold:
`instrumentCode` is an instrument of the ledger; `parentAccountId` is a live account of
the same ledger and instrument; `productId` a live product of the ledger. An `alias` is
unique per ledger (a guard, 409 when taken), moved by PATCH, freed by deletion. Every
resource an account names (its portfolio, instrument, product and parent account) counts
it as a live child in the creating transaction, so none of them can be deleted under it.

`balance` is server-owned; an account whose balance is not zero, or that has live child
accounts, cannot be deleted (409). Creating an instrument creates its external account,
`@external/<code>`, which belongs to no portfolio (`external_item`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from core.ledger import balances, hierarchy, ledgers, portfolios, products
from core.ledger.hierarchy import AccountId, Level, StatusBody, Uuid
from core.platform import keys, listing
from core.platform.errors import AlreadyExists, RaceLost, ReferenceInvalid, StateConflict
from core.platform.http import Response
from core.platform.pagination import ListParams
from core.platform.pipeline import Call
from core.platform.representations import Representation
from core.platform.store import Condition, Tx
from core.platform.validation import Metadata, RequestModel

LEVEL = Level(
    kind="ledger_account",
    event="ledger_account",
    id_param="accountId",
    ancestors=("organizationId", "ledgerId", "portfolioId"),
    fields=(
        "name",
        "type",
        "instrumentCode",
        "alias",
        "entityId",
        "parentAccountId",
        "productId",
        "allowSending",
        "allowReceiving",
    ),
    noun="account",
    renamed=(("type", "accountType"),),
)
AccountType = Literal["deposit", "savings", "loans", "overdrafts", "marketplace", "creditCard"]
EXTERNAL = "external"
InstrumentCode = Annotated[str, Field(pattern=r"^[A-Z0-9]{2,10}$", examples=["USD"])]
Alias = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[a-zA-Z0-9@:_-]+$",
        description="Unique in the ledger (409 `resource_already_exists`); freed when the account "
        "is deleted.",
        examples=["gabriel"],
    ),
]
Name = Annotated[str, Field(min_length=1, max_length=256)]
EntityId = Annotated[str, Field(min_length=1, max_length=256)]
# The ledger-wide collection (GSI2): every account of a ledger, external ones included.
LEDGER_COLLECTION = "ledger.ledger_accounts"


class CreateLedgerAccount(RequestModel):
    server_owned = frozenset({"balance", "organizationId", "ledgerId", "portfolioId"})

    instrumentCode: InstrumentCode = Field(description="An instrument of the ledger.")
    name: Name | None = None
    alias: Alias | None = None
    type: AccountType
    entityId: EntityId | None = None
    parentAccountId: Uuid | None = Field(
        default=None, description="A live account of the same ledger and instrument."
    )
    productId: Uuid | None = Field(default=None, description="A live product of the ledger.")
    allowSending: bool = True
    allowReceiving: bool = True
    status: StatusBody | None = None
    metadata: Metadata | None = None


class UpdateLedgerAccount(hierarchy.PatchBody):
    """Midaz's editable fields; `metadata` replaces the whole map, null clears a field."""

    nullable = frozenset({"name", "alias", "entityId", "productId", "metadata"})

    server_owned = frozenset({"balance", "organizationId", "ledgerId", "portfolioId"})

    name: Name | None = None
    status: StatusBody | None = None
    alias: Alias | None = None
    entityId: EntityId | None = None
    allowSending: bool | None = None
    allowReceiving: bool | None = None
    productId: Uuid | None = None
    metadata: Metadata | None = None


class AccountPath(portfolios.PortfolioPath):
    accountId: AccountId


class LedgerAccountPath(ledgers.LedgerPath):
    accountId: AccountId


class ListPortfolioAccounts(ListParams):
    type: AccountType | None = None
    instrumentCode: InstrumentCode | None = None


class ListLedgerAccounts(ListParams):
    alias: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="An exact alias (`@external/USD` included): at most one result.",
    )
    type: AccountType | Literal["external"] | None = None
    instrumentCode: InstrumentCode | None = None


class Balance(Representation):
    available: int = Field(description="Minor units at `scale`.")
    onHold: int
    scale: int


class LedgerAccount(hierarchy.Resource):
    id: str
    object: Literal["ledger_account"]
    organizationId: str
    ledgerId: str
    portfolioId: str | None = Field(description="Null for an external account.")
    name: str | None
    type: AccountType | Literal["external"]
    instrumentCode: str
    alias: str | None
    entityId: str | None
    parentAccountId: str | None
    productId: str | None
    allowSending: bool
    allowReceiving: bool
    balance: Balance


def render(item: dict[str, Any]) -> dict[str, Any]:
    balance = {"available": item["available"], "onHold": item["onHold"], "scale": item["scale"]}
    return hierarchy.render(LEVEL, item, {"balance": balance})


def account_item(
    tenant_id: str,
    account_id: str,
    ancestors: dict[str, Any],
    fields: dict[str, Any],
    instrument: dict[str, Any],
    status: dict[str, Any],
    metadata: dict[str, str],
    now: int,
) -> dict[str, Any]:
    item = hierarchy.new_item(LEVEL, tenant_id, account_id, ancestors, fields, status, metadata, now)
    item.update(instrumentId=instrument["of"], scale=instrument["scale"], available=0, onHold=0)
    item.update(
        keys.filter_attrs(tenant_id, LEDGER_COLLECTION, f"ledger#{ancestors['ledgerId']}", account_id)
    )
    if ancestors["portfolioId"] is None:  # an external account is in no portfolio's list
        del item["GSI1PK"], item["GSI1SK"]
    return item


def external_alias(code: str) -> str:
    return f"@external/{code}"


def external_item(
    tenant_id: str, organization_id: str, ledger_id: str, instrument_id: str, code: str, scale: int, now: int
) -> dict[str, Any]:
    """The external account of a new instrument: where money enters and leaves the ledger."""
    ancestors = {"organizationId": organization_id, "ledgerId": ledger_id, "portfolioId": None}
    fields = {
        "name": f"External {code}",
        "type": EXTERNAL,
        "instrumentCode": code,
        "alias": external_alias(code),
        "allowSending": True,
        "allowReceiving": True,
    }
    instrument = {"of": instrument_id, "scale": scale}
    status = dict(hierarchy.DEFAULT_STATUS)
    item = account_item(tenant_id, hierarchy.new_uuid(), ancestors, fields, instrument, status, {}, now)
    item["shards"] = balances.SHARDS  # the hottest account of its instrument (core.ledger.balances)
    return item


def alias_guard(account_id: str, shards: int = 0) -> dict[str, Any]:
    """What an alias's guard holds: the account's id and, for a booking that names it,
    how many shards the account's balance is spread over."""
    return {"type": "guard", "of": account_id, **({"shards": shards} if shards else {})}


def stage_alias(tx: Tx, tenant_id: str, ledger_id: str, alias: str, account_id: str, shards: int = 0) -> None:
    tx.create(
        hierarchy.alias_guard_key(tenant_id, ledger_id, alias),
        alias_guard(account_id, shards),
        on_fail=AlreadyExists(f"The alias {alias!r} is taken in this ledger.", param="alias"),
    )


def free_alias(tx: Tx, tenant_id: str, ledger_id: str, alias: str, account_id: str) -> None:
    tx.delete(
        hierarchy.alias_guard_key(tenant_id, ledger_id, alias),
        condition=Condition("#of = :me", {"#of": "of"}, {":me": account_id}),
        on_fail=RaceLost("The alias moved meanwhile."),
    )


# -- the references an account names -----------------------------------------------------------


def _product(item: dict[str, Any] | None, ledger_id: str, product_id: str) -> None:
    if not hierarchy.matches(products.LEVEL, item, {"ledgerId": ledger_id}):
        raise ReferenceInvalid(f"No live product {product_id} in this ledger.", param="productId")


def _parent_account(item: dict[str, Any] | None, ledger_id: str, code: str, parent_id: str) -> None:
    if not hierarchy.matches(LEVEL, item, {"ledgerId": ledger_id}):
        raise ReferenceInvalid(f"No live account {parent_id} in this ledger.", param="parentAccountId")
    assert item is not None
    if item["instrumentCode"] != code:
        raise ReferenceInvalid(
            f"The parent account holds {item['instrumentCode']}, not {code}.", param="parentAccountId"
        )


def create(call: Call[CreateLedgerAccount, None, portfolios.PortfolioPath]) -> dict[str, Any]:
    body, store, tenant_id = call.body, call.store, call.tenant_id
    path = call.path.model_dump()
    ledger_id = path["ledgerId"]
    wanted = [
        keys.entity_key(tenant_id, path["portfolioId"]),
        hierarchy.code_guard_key(tenant_id, ledger_id, body.instrumentCode),
    ]
    for reference in (body.parentAccountId, body.productId):
        if reference is not None:
            wanted.append(keys.entity_key(tenant_id, reference))
    # The portfolio, the instrument's code guard and what the body names, in one read.
    read = store.batch_get(wanted, consistent=True)

    def found(key: dict[str, str]) -> dict[str, Any] | None:
        return read.get((key["PK"], key["SK"]))

    if not hierarchy.matches(portfolios.LEVEL, found(wanted[0]), path):
        raise hierarchy.missing(portfolios.LEVEL, path["portfolioId"])
    instrument = found(wanted[1])
    if instrument is None:
        raise ReferenceInvalid(f"No instrument {body.instrumentCode} in this ledger.", param="instrumentCode")
    if body.parentAccountId is not None:
        parent = found(keys.entity_key(tenant_id, body.parentAccountId))
        _parent_account(parent, ledger_id, body.instrumentCode, body.parentAccountId)
    if body.productId is not None:
        _product(found(keys.entity_key(tenant_id, body.productId)), ledger_id, body.productId)
    account_id = hierarchy.new_uuid()
    ancestors = {name: path[name] for name in LEVEL.ancestors}
    fields = body.model_dump(include=set(LEVEL.fields))
    item = account_item(
        tenant_id,
        account_id,
        ancestors,
        fields,
        instrument,
        hierarchy.status_of(body.status),
        hierarchy.metadata_of(body.metadata),
        int(call.now),
    )
    if body.alias is not None:
        stage_alias(call.tx, tenant_id, ledger_id, body.alias, account_id)
    named = (path["portfolioId"], instrument["of"], body.productId, body.parentAccountId)
    return hierarchy.create(call, LEVEL, item, render(item), parents=tuple(p for p in named if p))


# -- reads ---------------------------------------------------------------------------------------


def get(call: Call[None, None, Any]) -> dict[str, Any]:
    """By portfolio (`AccountPath`) or by ledger alone (`LedgerAccountPath`): the account
    and its shards in one Query (an account without shards is the Query's one item)."""
    path = call.path.model_dump()
    account, shards = balances.collection(call.store, call.tenant_id, path["accountId"])
    if not hierarchy.matches(LEVEL, account, path):
        raise hierarchy.missing(LEVEL, path["accountId"])
    assert account is not None
    return render(balances.summed(account, shards))


def _balanced(call: Call[Any, Any, Any]) -> Any:
    """`render` with the account's whole balance, shards included."""
    return lambda item: render(balances.with_shards(call.store, call.tenant_id, item))


def list_in_portfolio(call: Call[None, ListPortfolioAccounts, portfolios.PortfolioPath]) -> dict[str, Any]:
    query = call.query
    filters = {"accountType": query.type, "instrumentCode": query.instrumentCode}
    return hierarchy.list_(call, LEVEL, portfolios.LEVEL, _balanced(call), filters=filters)


def list_in_ledger(call: Call[None, ListLedgerAccounts, ledgers.LedgerPath]) -> dict[str, Any]:
    """Every account of the ledger, external ones included; `alias` finds one by its guard."""
    query, store, tenant_id = call.query, call.store, call.tenant_id
    path = call.path.model_dump()
    collection = f"{LEDGER_COLLECTION}#ledger#{path['ledgerId']}"
    filters = {"accountType": query.type, "instrumentCode": query.instrumentCode}
    if query.alias is None:
        return hierarchy.list_(
            call,
            LEVEL,
            ledgers.LEVEL,
            _balanced(call),
            filters=filters,
            collection=collection,
            index=keys.GSI2,
        )
    hierarchy.load(store, tenant_id, ledgers.LEVEL, path)
    alias = query.alias

    def by_alias() -> dict[str, Any] | None:
        guard = store.get(hierarchy.alias_guard_key(tenant_id, path["ledgerId"], alias))
        item = store.get(keys.entity_key(tenant_id, guard["of"])) if guard else None
        if not hierarchy.matches(LEVEL, item, {"ledgerId": path["ledgerId"]}):
            return None
        assert item is not None
        return item if all(v is None or item.get(k) == v for k, v in filters.items()) else None

    return listing.single(
        secret=call.settings.cursor_secret,
        tenant_id=tenant_id,
        collection=collection,
        filters={"alias": alias, **filters},
        params=query,
        find=by_alias,
        render=_balanced(call),
    )


# -- writes --------------------------------------------------------------------------------------


def update(call: Call[UpdateLedgerAccount, None, AccountPath]) -> dict[str, Any]:
    store, tx, tenant_id = call.store, call.tx, call.tenant_id
    path = call.path.model_dump()
    before = hierarchy.load(store, tenant_id, LEVEL, path, consistent=True)
    changes = hierarchy.changes_of(call.body)
    ledger_id = path["ledgerId"]
    if "alias" in changes and changes["alias"] != before.get("alias"):
        if before.get("alias") is not None:
            free_alias(tx, tenant_id, ledger_id, before["alias"], before["id"])
        if changes["alias"] is not None:
            stage_alias(tx, tenant_id, ledger_id, changes["alias"], before["id"])
    if "productId" in changes and changes["productId"] != before.get("productId"):
        new = changes["productId"]
        if new is not None:
            _product(store.get(keys.entity_key(tenant_id, new), consistent=True), ledger_id, new)
            hierarchy.count_child(tx, tenant_id, new, 1, on_fail=RaceLost("The product changed meanwhile."))
        if before.get("productId") is not None:
            hierarchy.count_child(tx, tenant_id, before["productId"], -1)
    return hierarchy.update(call, LEVEL, before, changes, render)


def delete(call: Call[None, None, AccountPath]) -> Response:
    """Soft delete: the balance must be zero and no live account may name it as parent."""
    store, tenant_id = call.store, call.tenant_id
    path = call.path.model_dump()
    before = hierarchy.load(store, tenant_id, LEVEL, path, consistent=True)
    if before["available"] != 0 or before["onHold"] != 0:
        raise StateConflict("The account's balance is not zero; move its funds first.", param="accountId")
    if before.get("alias") is not None:
        free_alias(call.tx, tenant_id, path["ledgerId"], before["alias"], before["id"])
    named = (
        before["portfolioId"],
        before["instrumentId"],
        before.get("productId"),
        before.get("parentAccountId"),
    )
    zero = Condition("available = :zero AND onHold = :zero", {}, {":zero": 0})
    return hierarchy.delete(call, LEVEL, before, render, parents=tuple(p for p in named if p), extra=zero)
