"""Customer accounts (`/v1/accounts`, seed 001): open, read, list, PATCH, close, and their
part in the customer's deactivation cascade.

Storage: the account is one item; its account numbers and deposit addresses live in its
item collection (`keys.child_key`), so a read of the account and everything it holds is
one consistent Query. A number's or an address's status is not stored: it follows the
account's (`CHILD_STATUS`), so suspending, restoring or closing an account changes one
item, and its numbers and addresses can never disagree with it.

Gates at creation: the customer must be `active` and hold the `accounts` capability. Both
are a condition of the creating transaction (no read before it); a failed condition
names the rule from the customer item DynamoDB returns with the cancellation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field
from pydantic.json_schema import JsonDict

from core.onchain.chains import Chain
from core.platform import cascade, keys, listing, outbox
from core.platform.clock import rfc3339
from core.platform.errors import (
    AlreadyExists,
    ApiError,
    CapabilityMissing,
    CustomerNotActive,
    LimitExceeded,
    ParameterInvalid,
    ParameterMissing,
    RaceLost,
    ReferenceInvalid,
    ResourceMissing,
    StateConflict,
)
from core.platform.ids import id_pattern, new_id
from core.platform.iso_codes import Currency
from core.platform.pagination import ListParams
from core.platform.pipeline import Call
from core.platform.representations import MetadataMap, Representation, Timestamp
from core.platform.store import Condition, Store, Tx
from core.platform.validation import EmptyBody, Metadata, RequestModel

COLLECTION = "accounts"
FIAT_TYPES = ("demand_deposit", "virtual")
AccountType = Literal["demand_deposit", "virtual", "wallet"]
AccountStatus = Literal["pending", "active", "suspended", "closed"]
Purpose = Literal[
    "operating", "payroll", "vendor_payments", "treasury", "collections", "disbursement", "escrow", "other"
]
ChildStatus = Literal["active", "suspended", "inactive"]
# What an account's numbers and addresses read as, by the account's status.
CHILD_STATUS: dict[str, ChildStatus] = {
    "pending": "inactive",
    "active": "active",
    "suspended": "suspended",
    "closed": "inactive",
}
NUMBER_KIND = "AN"
ADDRESS_KIND = "ADDR"
CAPABILITY = "accounts"
VISIBLE = ("status", "label", "purpose", "metadata")

Label = Annotated[str, Field(min_length=1, max_length=100, examples=["Operating Account - USD"])]
Asset = Annotated[
    str, Field(pattern=r"^[A-Z0-9]{2,10}$", description="e.g. `USDC`, `ETH`, `BTC`.", examples=["USDC"])
]
AccountId = Annotated[str, Field(pattern=id_pattern("acc"), max_length=64)]
CustomerId = Annotated[str, Field(pattern=id_pattern("cus"), max_length=64)]


# The document states the type's rule too (`_shape` enforces it): a fiat account names a
# currency and no asset or chain; a wallet names an asset and a chain and no currency.
_TYPE_RULE: JsonDict = {
    "oneOf": [
        {
            "properties": {
                "type": {"enum": list(FIAT_TYPES)},
                "currency": {"type": "string"},
                "asset": {"type": "null"},
                "chain": {"type": "null"},
            },
            "required": ["currency"],
        },
        {
            "properties": {
                "type": {"const": "wallet"},
                "asset": {"type": "string"},
                "chain": {"type": "string"},
                "currency": {"type": "null"},
            },
            "required": ["asset", "chain"],
        },
    ]
}


class CreateAccount(RequestModel):
    model_config = ConfigDict(**RequestModel.model_config, json_schema_extra=_TYPE_RULE)

    customerId: CustomerId
    type: AccountType = Field(
        description="`demand_deposit` (fiat) or `virtual` (a segregated fiat sub-account), with "
        "`currency`; `wallet` (crypto), with `asset` and `chain`."
    )
    currency: Currency | None = None
    asset: Asset | None = None
    chain: Chain | None = None
    label: Label | None = None
    purpose: Purpose | None = None
    metadata: Metadata | None = None


class UpdateAccount(RequestModel):
    label: Label | None = None
    purpose: Purpose | None = None
    metadata: Metadata | None = Field(
        default=None, description="Merged into the stored map; a key set to null is removed."
    )
    server_owned = frozenset({"status", "type", "customerId", "currency", "asset", "chain"})


class AccountPath(RequestModel):
    accountId: AccountId


class ListAccountsQuery(ListParams):
    customerId: CustomerId | None = None
    type: AccountType | None = None
    status: AccountStatus | None = None


CloseAccountBody = EmptyBody


class AccountNumber(Representation):
    """A number that receives money into the account: an IBAN, an ABA account number with
    its routing number, or a CLABE. Unique across the deployment, never issued twice."""

    id: str = Field(pattern=id_pattern("an"))
    object: Literal["account_number"]
    accountId: str = Field(pattern=id_pattern("acc"))
    scheme: Literal["iban", "aba", "clabe"]
    number: str
    routingNumber: str | None = Field(default=None, description="ABA: the 9-digit routing number.")
    sortCode: str | None = Field(default=None, description="GBP IBANs: the 6-digit sort code.")
    bic: str | None = None
    bankName: str
    status: ChildStatus = Field(
        description="Follows the account: `suspended` with it, `inactive` once it is closed."
    )
    createdAt: Timestamp


class BlockchainAddress(Representation):
    """A deposit address derived from the deployment's extended public key for the chain's
    family, at an index never used before."""

    id: str = Field(pattern=id_pattern("addr"))
    object: Literal["blockchain_address"]
    accountId: str = Field(pattern=id_pattern("acc"))
    chain: str
    asset: str
    address: str
    derivationPath: str = Field(examples=["m/44'/60'/0'/0/7"])
    status: ChildStatus = Field(
        description="Follows the account: `suspended` with it, `inactive` once it is closed."
    )
    createdAt: Timestamp


class Account(Representation):
    """A customer's account. Lists and events carry it without its numbers and addresses."""

    id: str = Field(pattern=id_pattern("acc"))
    object: Literal["account"]
    customerId: str = Field(pattern=id_pattern("cus"))
    type: AccountType
    status: AccountStatus
    currency: str | None = Field(description="Fiat accounts: ISO 4217.")
    asset: str | None = Field(description="Wallet accounts.")
    chain: str | None = Field(description="Wallet accounts.")
    label: str | None
    purpose: Purpose | None
    metadata: MetadataMap
    createdAt: Timestamp
    updatedAt: Timestamp


class AccountWithChildren(Account):
    accountNumbers: list[AccountNumber]
    blockchainAddresses: list[BlockchainAddress]


# -- rendering -----------------------------------------------------------------------------


def render(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item["id"],
        "object": "account",
        "customerId": item["customerId"],
        "type": item["accountType"],
        "status": item["status"],
        "currency": item.get("currency"),
        "asset": item.get("asset"),
        "chain": item.get("chain"),
        "label": item.get("label"),
        "purpose": item.get("purpose"),
        "metadata": item.get("metadata") or {},
        "createdAt": rfc3339(item["createdAt"]),
        "updatedAt": rfc3339(item["updatedAt"]),
    }


NUMBER_FIELDS = ("scheme", "number", "routingNumber", "sortCode", "bic", "bankName")
ADDRESS_FIELDS = ("chain", "asset", "address", "derivationPath")


def render_number(item: dict[str, Any], account_status: str) -> dict[str, Any]:
    out: dict[str, Any] = {"id": item["id"], "object": "account_number", "accountId": item["accountId"]}
    out.update({name: item.get(name) for name in NUMBER_FIELDS})
    out.update(status=CHILD_STATUS[account_status], createdAt=rfc3339(item["createdAt"]))
    return out


def render_address(item: dict[str, Any], account_status: str) -> dict[str, Any]:
    out: dict[str, Any] = {"id": item["id"], "object": "blockchain_address", "accountId": item["accountId"]}
    out.update({name: item[name] for name in ADDRESS_FIELDS})
    out.update(status=CHILD_STATUS[account_status], createdAt=rfc3339(item["createdAt"]))
    return out


def render_with_children(account: dict[str, Any], children: list[dict[str, Any]]) -> dict[str, Any]:
    status = account["status"]
    ordered = sorted(children, key=lambda child: child["id"])
    return {
        **render(account),
        "accountNumbers": [render_number(c, status) for c in ordered if c["type"] == "account_number"],
        "blockchainAddresses": [
            render_address(c, status) for c in ordered if c["type"] == "blockchain_address"
        ],
    }


# -- reads ---------------------------------------------------------------------------------


def missing(account_id: str) -> ResourceMissing:
    return ResourceMissing(f"No such account: {account_id}.", param="accountId")


def read(store: Store, tenant_id: str, account_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The account and its numbers and addresses: one consistent Query of its collection."""
    items = store.collection(tenant_id, account_id, limit=1 + MAX_CHILDREN, consistent=True)
    account = next((i for i in items if i["SK"] == account_id and i.get("type") == "account"), None)
    if account is None:
        raise missing(account_id)
    return account, [i for i in items if i["SK"].startswith(f"{account_id}#")]


# What an account holds at most (422 `limit_exceeded` beyond), so one Query page reads it whole.
MAX_NUMBERS = 5
MAX_ADDRESSES = 100
MAX_CHILDREN = MAX_NUMBERS + MAX_ADDRESSES


@dataclass(frozen=True)
class Facts:
    """What never changes about an account: what it may be issued."""

    account_type: str
    currency: str | None
    asset: str | None
    chain: str | None


# (tenant, account) -> Facts, kept by a warm container; at most KNOWN_LIMIT entries.
KNOWN_LIMIT = 4096
_known: dict[tuple[str, str], Facts] = {}


def facts(call: Call[Any, Any, AccountPath]) -> Facts:
    """The account's immutable facts: read once per container and account. Writes that
    rely on them condition on them too, so a stale entry can only fail (`forget` it)."""
    key = (call.tenant_id, call.path.accountId)
    known = _known.get(key)
    if known is None:
        item = call.store.get(keys.entity_key(*key), consistent=True)
        if item is None or item.get("type") != "account":
            raise missing(call.path.accountId)
        known = Facts(item["accountType"], item.get("currency"), item.get("asset"), item.get("chain"))
        if len(_known) >= KNOWN_LIMIT:
            _known.clear()  # a bound, not an eviction policy: refilling costs one read each
        _known[key] = known
    return known


def forget(tenant_id: str, account_id: str) -> None:
    _known.pop((tenant_id, account_id), None)


def get(call: Call[None, None, AccountPath]) -> dict[str, Any]:
    account, children = read(call.store, call.tenant_id, call.path.accountId)
    return render_with_children(account, children)


def list_(call: Call[None, ListAccountsQuery, None]) -> dict[str, Any]:
    query = call.query
    filters: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    if query.type is not None:
        filters.append("accountType = :type")
        values[":type"] = query.type
    if query.status is not None:
        filters.append("#status = :status")
        names["#status"] = "status"
        values[":status"] = query.status
    filter_ = Condition(" AND ".join(filters), names, values) if filters else None
    common: dict[str, Any] = {
        "secret": call.settings.cursor_secret,
        "tenant_id": call.tenant_id,
        "params": query,
        "render": render,
        "filter_": filter_,
    }
    if query.customerId is not None:
        # GSI2 holds each customer's accounts: the customer never changes.
        return listing.page(
            call.store, index=keys.GSI2, collection=_customer_collection(query.customerId), **common
        )
    return listing.page(call.store, collection=COLLECTION, **common)


def _customer_collection(customer_id: str) -> str:
    """GSI2's partition of one customer's accounts (`keys.filter_attrs` at creation)."""
    return f"{COLLECTION}#customer#{customer_id}"


# -- writes ----------------------------------------------------------------------------------


def _shape(body: CreateAccount) -> dict[str, Any]:
    """The fields of the account's type; the other type's fields are refused."""
    if body.type in FIAT_TYPES:
        if body.currency is None:
            raise ParameterMissing(f"A {body.type} account needs a currency.", param="currency")
        for name in ("asset", "chain"):
            if getattr(body, name) is not None:
                raise ParameterInvalid(f"{name} is for wallet accounts; send currency.", param=name)
        return {"currency": body.currency}
    for name in ("asset", "chain"):
        if getattr(body, name) is None:
            raise ParameterMissing(f"A wallet account needs {name}.", param=name)
    if body.currency is not None:
        raise ParameterInvalid("currency is for demand_deposit and virtual accounts.", param="currency")
    return {"asset": body.asset, "chain": body.chain}


def _customer_gate(customer_id: str) -> Any:
    """Which rule the customer failed, from the item as it was at the cancellation."""

    def decide(customer: dict[str, Any] | None) -> ApiError:
        if customer is None or customer.get("type") != "customer":
            return ReferenceInvalid(f"No such customer: {customer_id}.", param="customerId")
        if customer.get("status") != "active":
            return CustomerNotActive(
                f"The customer is {customer.get('status')}; accounts open for active customers only.",
                param="customerId",
            )
        return CapabilityMissing(
            f"The customer lacks the `{CAPABILITY}` capability (granted with KYC approval).",
            param="customerId",
        )

    return decide


def new_item(
    tenant_id: str,
    account_id: str,
    customer_id: str,
    account_type: str,
    shape: dict[str, Any],
    now: int,
    *,
    label: str | None = None,
    purpose: str | None = None,
    metadata: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """An account item as stored (`shape`: its currency, or its asset and chain)."""
    return {
        "type": "account",
        "id": account_id,
        "tenantId": tenant_id,
        "customerId": customer_id,
        # `type` is the item's kind in this table (every item has one); the account's is this.
        "accountType": account_type,
        **shape,
        "label": label,
        "purpose": purpose,
        "metadata": {k: v for k, v in (metadata or {}).items() if v is not None},
        # Provisioning is synchronous here; `pending` is kept for a provider that is not.
        "status": "active",
        "numberCount": 0,
        "addressCount": 0,
        "revision": 0,
        "createdAt": now,
        "updatedAt": now,
        **keys.list_attrs(tenant_id, COLLECTION, account_id),
        **keys.filter_attrs(tenant_id, COLLECTION, f"customer#{customer_id}", account_id),
        **keys.owner_attrs(tenant_id, customer_id, "account", account_id),
    }


def create(call: Call[CreateAccount, None, None]) -> dict[str, Any]:
    body, tenant_id = call.body, call.tenant_id
    account_id = new_id("acc")
    item = new_item(
        tenant_id,
        account_id,
        body.customerId,
        body.type,
        _shape(body),
        int(call.now),
        label=body.label,
        purpose=body.purpose,
        metadata=body.metadata,
    )
    call.tx.check(
        keys.entity_key(tenant_id, body.customerId),
        Condition(
            "#type = :customer AND #status = :active AND contains(capabilities, :capability)",
            {"#type": "type", "#status": "status"},
            {":customer": "customer", ":active": "active", ":capability": CAPABILITY},
        ),
        on_fail=_customer_gate(body.customerId),
    )
    call.tx.create(keys.entity_key(tenant_id, account_id), item, on_fail=AlreadyExists("Account id clash."))
    rendered = render(item)
    outbox.stage(call.tx, tenant_id=tenant_id, event_type="account.created", obj=rendered, now=call.now)
    return {**rendered, "accountNumbers": [], "blockchainAddresses": []}


def _changed_meanwhile(account_id: str) -> Any:
    def decide(old: dict[str, Any] | None) -> ApiError:
        return missing(account_id) if old is None else RaceLost("The account changed meanwhile.")

    return decide


def _unchanged_since(item: dict[str, Any]) -> Condition:
    """The write applies to the account as it was read (revision and status: the cascade
    changes the status alone)."""
    return Condition(
        "revision = :read AND #status = :readStatus",
        {"#status": "status"},
        {":read": item["revision"], ":readStatus": item["status"]},
    )


def _write(
    call: Call[Any, Any, AccountPath],
    account: dict[str, Any],
    changes: dict[str, Any],
    *,
    removing: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Apply `changes` to the account as read, with its `account.updated` event."""
    after = {**account, **changes, "updatedAt": int(call.now)}
    previous = outbox.changes(render(account), render(after), VISIBLE)
    setting = {name: value for name, value in changes.items() if value is not None}
    cleared = [name for name, value in changes.items() if value is None]
    expression = "SET " + ", ".join([*(f"#{n} = :{n}" for n in setting), "updatedAt = :now"])
    expression += ", revision = revision + :one"
    if cleared or removing:
        expression += " REMOVE " + ", ".join([*(f"#{n}" for n in cleared), *removing])
    call.tx.update(
        keys.entity_key(call.tenant_id, account["id"]),
        expression,
        names={f"#{name}": name for name in changes},
        values={**{f":{n}": v for n, v in setting.items()}, ":now": int(call.now), ":one": 1},
        condition=_unchanged_since(account),
        on_fail=_changed_meanwhile(account["id"]),
    )
    outbox.stage(
        call.tx,
        tenant_id=call.tenant_id,
        event_type="account.updated",
        obj=render(after),
        now=call.now,
        previous=previous,
    )
    return after


def update(call: Call[UpdateAccount, None, AccountPath]) -> dict[str, Any]:
    account, children = read(call.store, call.tenant_id, call.path.accountId)
    if account["status"] == "closed":
        raise StateConflict("A closed account cannot be changed.", param="accountId")
    sent, body = call.body.model_fields_set, call.body
    changes: dict[str, Any] = {}
    if "label" in sent:
        changes["label"] = body.label
    if "purpose" in sent:
        changes["purpose"] = body.purpose
    if "metadata" in sent:
        merged = {**(account.get("metadata") or {}), **(body.metadata or {})}
        changes["metadata"] = {k: v for k, v in merged.items() if v is not None}
    if not outbox.changes(render(account), render({**account, **changes}), VISIBLE):
        return render_with_children(account, children)  # nothing changed: no write, no event
    return render_with_children(_write(call, account, changes), children)


def close(call: Call[CloseAccountBody, None, AccountPath]) -> dict[str, Any]:
    """active | suspended -> closed, for good; its numbers and addresses read `inactive`.
    A suspended account leaves its customer's cascade: activation does not reopen it."""
    account, children = read(call.store, call.tenant_id, call.path.accountId)
    if account["status"] not in ("active", "suspended"):
        raise StateConflict(f"The account is {account['status']}; it cannot be closed.", param="accountId")
    after = _write(call, account, {"status": "closed"}, removing=("suspendedBy", "suspendedFrom"))
    return render_with_children(after, children)


# -- issuing numbers and addresses -------------------------------------------------------------


def stage_issue(
    tx: Tx, tenant_id: str, account_id: str, facts: Facts, *, count: str, limit: int, what: str
) -> None:
    """The account's part of an issuing transaction: it exists, is `active`, still has the
    facts the request relied on, and holds fewer than `limit` of `what`; its `count`
    attribute moves by one. A failed condition names the rule from the item as it was."""
    expected = {"accountType": facts.account_type, "currency": facts.currency, "chain": facts.chain}
    checked = {name: value for name, value in expected.items() if value is not None}
    tx.update(
        keys.entity_key(tenant_id, account_id),
        f"ADD {count} :one",
        values={":one": 1},
        condition=Condition(
            " AND ".join(
                [
                    "#type = :account",
                    "#status = :active",
                    *(f"{n} = :{n}" for n in checked),
                    f"{count} < :max",
                ]
            ),
            {"#type": "type", "#status": "status"},
            {
                ":account": "account",
                ":active": "active",
                ":max": limit,
                **{f":{n}": v for n, v in checked.items()},
            },
        ),
        on_fail=_issue_gate(account_id, count=count, limit=limit, what=what),
    )


def _issue_gate(account_id: str, *, count: str, limit: int, what: str) -> Any:
    def decide(account: dict[str, Any] | None) -> ApiError:
        if account is None or account.get("type") != "account":
            return missing(account_id)
        if account.get("status") != "active":
            return StateConflict(
                f"The account is {account.get('status')}; {what} are issued to active accounts only.",
                param="accountId",
            )
        if int(account.get(count, 0)) >= limit:
            return LimitExceeded(f"An account holds at most {limit} {what}.", param="accountId")
        forget(account["tenantId"], account_id)
        return RaceLost("The account's facts were stale; reading them again.")

    return decide


# -- the cascade -------------------------------------------------------------------------------


def _cascaded(tx: Tx, item: dict[str, Any], status: str, now: float) -> None:
    """A deactivation suspended the account, or an activation restored it: its event."""
    before = render(item)
    after = render({**item, "status": status, "updatedAt": int(now)})
    outbox.stage(
        tx,
        tenant_id=item["tenantId"],
        event_type="account.updated",
        obj=after,
        now=now,
        previous={"status": before["status"]},
    )


if not any(d.kind == "account" for d in cascade.REGISTRY):
    cascade.register(
        cascade.Dependent(
            kind="account", active=frozenset({"active"}), suspended="suspended", mirror=_cascaded
        )
    )
