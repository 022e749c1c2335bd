"""Ledger transactions (`.../ledgers/{ledgerId}/transactions`, Midaz's transaction JSON):
double entry in one DynamoDB transaction.

A booking reads only what names cannot say by themselves, in one round trip: the
ledger (its path), the instrument's code guard (its id and scale) and the guards of the
aliases the entries use. It never reads a balance. Every balance change is a
conditional update in the booking's transaction: a source must be a live account of the
ledger and the instrument, allowed to send, holding the amount (`available >= value`)
unless it is an external account, which alone may go negative; a destination must be a
live account of the ledger and the instrument, allowed to receive. When a condition
fails, the account as DynamoDB returns it with the cancellation names the rule (422
`reference_invalid`, `instrument_mismatch`, `account_not_allowed`, `insufficient_funds`),
and nothing is written. So two transactions racing for one balance can neither lose an
update nor overdraw it.

The transaction item embeds its operations (what a read of it shows); each operation is
also an item of its own, in its account's statement (GSI1, newest first). An account
named twice on one side moves once, by the sum; an account on both sides is refused.

Pending transactions hold the sources' amounts (`available` to `onHold`); commit moves
them to the destinations, cancel gives them back; each once, conditioned on the status.
Revert books the exact reverse of an approved transaction as a new one, once.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, model_validator

from core.ledger import amounts, balances, hierarchy, ledger_accounts, ledgers
from core.ledger.hierarchy import EXAMPLE_IDS, UUID_PATTERN, code_guard_key
from core.platform import keys, listing, outbox
from core.platform.clock import rfc3339
from core.platform.errors import (
    AccountNotAllowed,
    AmountMismatch,
    ApiError,
    InstrumentMismatch,
    InsufficientFunds,
    ParameterInvalid,
    RaceLost,
    ReferenceInvalid,
    ResourceMissing,
    StateConflict,
)
from core.platform.pagination import ListParams
from core.platform.pipeline import Call
from core.platform.representations import MetadataMap, Representation, Timestamp
from core.platform.store import Condition, Tx
from core.platform.validation import Metadata, RequestModel

MAX_ENTRIES = 40
MAX_SCALE = 18
KIND = "ledger_transaction"
OPERATION = "ledger_operation"
Status = Literal["PENDING", "APPROVED", "CANCELED"]
OperationType = Literal["DEBIT", "CREDIT"]
Code = Annotated[str, Field(pattern=r"^[A-Z0-9]{2,10}$", examples=["EUR"])]
TransactionId = Annotated[
    str,
    Field(
        pattern=UUID_PATTERN,
        description="The transaction's UUID.",
        examples=[EXAMPLE_IDS["transaction"]],
    ),
]


class AmountBody(RequestModel):
    asset: Code
    value: int = Field(ge=1, le=10**30, description="Minor units at `scale`: an integer, never a float.")
    scale: int = Field(ge=0, le=MAX_SCALE)


class ShareBody(RequestModel):
    percentage: int = Field(ge=1, le=100)
    percentageOfPercentage: int | None = Field(default=None, ge=1, le=100, description="Default 100.")


def _one_of(schema: dict[str, Any]) -> None:
    schema["oneOf"] = [{"required": [name]} for name in ("amount", "share", "remaining")]
    for name in ("amount", "share", "remaining"):
        schema["properties"][name].pop("default", None)  # absent, never null


class EntryBody(RequestModel):
    """Exactly one of `amount`, `share` and `remaining`."""

    model_config = ConfigDict(**RequestModel.model_config, json_schema_extra=_one_of)

    account: str = Field(
        min_length=1,
        max_length=256,
        description="An account of the ledger: its id or its alias (`@external/EUR`).",
    )
    # Not nullable (a null is 400): `_one_of` states that exactly one is present.
    amount: AmountBody = None  # type: ignore[assignment]
    share: ShareBody = None  # type: ignore[assignment]
    remaining: Literal["remaining"] = None  # type: ignore[assignment]
    description: str | None = Field(default=None, max_length=256)
    metadata: Metadata | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> EntryBody:
        given = [name for name in ("amount", "share", "remaining") if name in self.model_fields_set]
        if len(given) != 1:
            raise ValueError("give exactly one of amount, share and remaining")
        return self


class SourceBody(RequestModel):
    from_: list[EntryBody] = Field(alias="from", min_length=1, max_length=MAX_ENTRIES)


class DistributeBody(RequestModel):
    to: list[EntryBody] = Field(min_length=1, max_length=MAX_ENTRIES)


class SendBody(RequestModel):
    asset: Code = Field(description="The code of an instrument of the ledger.")
    value: int = Field(ge=1, le=10**30, description="Minor units at `scale`.")
    scale: int = Field(ge=0, le=MAX_SCALE)
    source: SourceBody
    distribute: DistributeBody


class CreateTransaction(RequestModel):
    description: str | None = Field(default=None, max_length=256)
    code: str | None = Field(default=None, min_length=1, max_length=100)
    pending: bool = False
    metadata: Metadata | None = None
    send: SendBody


class TransactionsPath(ledgers.LedgerPath):
    pass


class TransactionPath(ledgers.LedgerPath):
    transactionId: TransactionId


class ListTransactions(ListParams):
    pass


class ListOperations(ListParams):
    pass


class Money(Representation):
    asset: str
    value: int
    scale: int


class Operation(Representation):
    id: str
    object: Literal["operation"]
    transactionId: str
    type: OperationType
    accountId: str
    accountAlias: str | None
    amount: Money
    description: str | None
    createdAt: Timestamp


class Transaction(Representation):
    id: str
    object: Literal["transaction"]
    organizationId: str
    ledgerId: str
    status: Status
    description: str | None
    code: str | None
    pending: bool
    metadata: MetadataMap
    send: dict[str, Any] = Field(description="The `send` of the request, as it was given.")
    operations: list[Operation]
    revertedBy: str | None
    createdAt: Timestamp
    updatedAt: Timestamp


# -- resolving a request --------------------------------------------------------------------


def _entry(entry: EntryBody, code: str, scale: int, param: str) -> amounts.Entry:
    if "amount" in entry.model_fields_set:
        if entry.amount.asset != code:
            raise InstrumentMismatch(
                f"The amount is in {entry.amount.asset}; the transaction moves {code}.",
                param=f"{param}.amount.asset",
            )
        return amounts.Amount(_rescaled(entry.amount.value, entry.amount.scale, scale, f"{param}.amount"))
    if "share" in entry.model_fields_set:
        return amounts.Share(entry.share.percentage, entry.share.percentageOfPercentage or 100)
    return amounts.Remaining()


def _rescaled(value: int, scale: int, target: int, param: str) -> int:
    try:
        return amounts.rescale(value, scale, target)
    except amounts.Inexact:
        raise ParameterInvalid(
            f"{value} at scale {scale} has digits the instrument's scale ({target}) cannot hold.",
            param=f"{param}.value",
        ) from None


def _side(entries: list[EntryBody], total: int, code: str, scale: int, param: str) -> list[int]:
    resolved = [_entry(e, code, scale, f"{param}[{i}]") for i, e in enumerate(entries)]
    try:
        return amounts.allocate(resolved, total)
    except amounts.Mismatch as exc:
        raise AmountMismatch(
            f"The entries of {param} do not come to the total: {exc}.", param=param
        ) from None


_UUID = re.compile(UUID_PATTERN)


def _is_uuid(value: str) -> bool:
    return _UUID.fullmatch(value) is not None


# -- booking --------------------------------------------------------------------------------


def _account_gate(
    param: str, ledger_id: str, code: str, *, sending: bool, value: int, allowed: bool = True
) -> Any:
    """Which rule an account failed, from the item as it was at the cancellation."""

    def decide(account: dict[str, Any] | None) -> ApiError:
        if (
            account is None
            or account.get("type") not in (ledger_accounts.LEVEL.kind, balances.SHARD_KIND)
            or account.get("deletedAt") is not None
            or account.get("ledgerId") != ledger_id
        ):
            return ReferenceInvalid("No live account of this ledger by that id or alias.", param=param)
        if account["instrumentCode"] != code:
            return InstrumentMismatch(
                f"The account holds {account['instrumentCode']}, not {code}.", param=param
            )
        flag = "allowSending" if sending else "allowReceiving"
        if allowed and not account.get(flag, True):
            return AccountNotAllowed(f"The account does not allow {flag[5:].lower()}.", param=param)
        if sending and account["available"] < value:
            return InsufficientFunds(
                f"The account's available balance ({account['available']}) is below {value}.", param=param
            )
        return RaceLost("The account changed meanwhile.")

    return decide


def _account_condition(
    ledger_id: str,
    code: str,
    *,
    sending: bool,
    value: int = 0,
    allowed: bool = True,
    shard: int | None = None,
) -> Condition:
    """Live, of the ledger and the instrument; a source holding `value` unless it is an
    external account; with `allowed`, a source allowed to send, a destination to receive.
    Checked on the account's item, or on the `shard` it moves (which carries the facts)."""
    expression = (
        "attribute_exists(PK) AND attribute_not_exists(deletedAt) AND #type = :account"
        " AND ledgerId = :ledger AND instrumentCode = :code"
    )
    kind = ledger_accounts.LEVEL.kind if shard is None else balances.SHARD_KIND
    values: dict[str, Any] = {":account": kind, ":ledger": ledger_id, ":code": code}
    if sending:
        expression += " AND (available >= :value OR accountType = :external)"
        values |= {":value": value, ":external": ledger_accounts.EXTERNAL}
    if allowed:
        expression += f" AND {'allowSending' if sending else 'allowReceiving'} = :yes"
        values[":yes"] = True
    return Condition(expression, {"#type": "type"}, values)


def _move(
    tx: Tx,
    key: dict[str, str],
    expression: str,
    values: dict[str, Any],
    condition: Condition,
    on_fail: Any,
) -> None:
    tx.update(
        key,
        expression,
        names=condition.names,
        values={**values, **condition.values},
        condition=Condition(condition.expression),
        on_fail=on_fail,
    )


def transaction_item(
    tenant_id: str,
    transaction_id: str,
    path: dict[str, str],
    body: dict[str, Any],
    operations: list[dict[str, Any]],
    status: str,
    now: int,
) -> dict[str, Any]:
    return {
        "type": KIND,
        "id": transaction_id,
        "tenantId": tenant_id,
        "organizationId": path["organizationId"],
        "ledgerId": path["ledgerId"],
        "status": status,
        "description": body.get("description"),
        "code": body.get("code"),
        "pending": body.get("pending", False),
        "metadata": hierarchy.metadata_of(body.get("metadata")),
        "send": body["send"],
        "operations": operations,
        "createdAt": now,
        "updatedAt": now,
        **keys.list_attrs(tenant_id, f"ledger.transactions#{path['ledgerId']}", transaction_id),
    }


def operation_item(
    tenant_id: str, transaction_id: str, operation: dict[str, Any], now: int
) -> dict[str, Any]:
    return {
        "type": OPERATION,
        "tenantId": tenant_id,
        "transactionId": transaction_id,
        **operation,
        "createdAt": now,
        **keys.list_attrs(tenant_id, f"ledger.operations#{operation['accountId']}", operation["id"]),
    }


def render_operation(operation: dict[str, Any], transaction_id: str, created_at: int) -> dict[str, Any]:
    return {
        "id": operation["id"],
        "object": "operation",
        "transactionId": transaction_id,
        "type": operation["operationType"],
        "accountId": operation["accountId"],
        "accountAlias": operation.get("accountAlias"),
        "amount": operation["amount"],
        "description": operation.get("description"),
        "createdAt": rfc3339(created_at),
    }


def render(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item["id"],
        "object": "transaction",
        "organizationId": item["organizationId"],
        "ledgerId": item["ledgerId"],
        "status": item["status"],
        "description": item.get("description"),
        "code": item.get("code"),
        "pending": item.get("pending", False),
        "metadata": item.get("metadata") or {},
        "send": item["send"],
        "operations": [render_operation(o, item["id"], item["createdAt"]) for o in item["operations"]],
        "revertedBy": item.get("revertedBy"),
        "createdAt": rfc3339(item["createdAt"]),
        "updatedAt": rfc3339(item["updatedAt"]),
    }


Leg = tuple[str, str, str | None, int, str, str | None, int]


def _book(
    call: Call[Any, Any, Any],
    path: dict[str, str],
    body: dict[str, Any],
    legs: list[Leg],
    code: str,
    scale: int,
    *,
    pending: bool,
    checks: bool = True,
) -> dict[str, Any]:
    """Stage a transaction: `legs` are (DEBIT|CREDIT, account id, alias, value at the
    instrument's scale, param, description, the account's shards). `checks=False` (a
    revert) skips the accounts' allowSending / allowReceiving: undoing a booking is not a
    new movement of the partner's."""
    tx, tenant_id, now = call.tx, call.tenant_id, int(call.now)
    transaction_id = hierarchy.new_uuid()
    net: dict[tuple[str, str], tuple[int, str, int | None]] = {}
    operations: list[dict[str, Any]] = []
    for kind, account_id, alias, value, param, description, shards in legs:
        shard = balances.shard_for(transaction_id, shards) if shards else None
        operations.append(
            {
                "id": hierarchy.new_uuid(),
                "operationType": kind,
                "accountId": account_id,
                "accountAlias": alias,
                "amount": {"asset": code, "value": value, "scale": scale},
                "description": description,
                **({"shard": shard, "shards": shards} if shard is not None else {}),
            }
        )
        held, first_param, _ = net.get((kind, account_id), (0, param, shard))
        net[(kind, account_id)] = (held + value, first_param, shard)
    for (kind, account_id), (_, param, _) in net.items():
        if (("CREDIT" if kind == "DEBIT" else "DEBIT"), account_id) in net:
            raise AccountNotAllowed(
                "An account cannot be both a source and a destination of one transaction.", param=param
            )
    ledger_id = path["ledgerId"]
    for (kind, account_id), (value, param, shard) in net.items():
        sending = kind == "DEBIT"
        key = balances.balance_key(tenant_id, account_id, shard)
        condition = _account_condition(
            ledger_id, code, sending=sending, value=value, allowed=checks, shard=shard
        )
        gate = _account_gate(param, ledger_id, code, sending=sending, value=value, allowed=checks)
        if sending:
            expression = "SET available = available - :v" + (", onHold = onHold + :v" if pending else "")
            _move(tx, key, expression, {":v": value}, condition, gate)
        elif pending:
            tx.check(key, condition, on_fail=gate)
        else:
            _move(tx, key, "SET available = available + :v", {":v": value}, condition, gate)
    status = "PENDING" if pending else "APPROVED"
    item = transaction_item(tenant_id, transaction_id, path, body, operations, status, now)
    tx.create(keys.entity_key(tenant_id, transaction_id), item, on_fail=StateConflict("Id clash."))
    for operation in operations:
        tx.create(
            keys.entity_key(tenant_id, operation["id"]),
            operation_item(tenant_id, transaction_id, operation, now),
            on_fail=StateConflict("Id clash."),
        )
    rendered = render(item)
    outbox.stage(tx, tenant_id=tenant_id, event_type="transaction.created", obj=rendered, now=now)
    return rendered


def create(call: Call[CreateTransaction, None, TransactionsPath]) -> dict[str, Any]:
    body, store, tenant_id = call.body, call.store, call.tenant_id
    path = call.path.model_dump()
    send = body.send
    sides = (
        ("DEBIT", "send.source.from", send.source.from_),
        ("CREDIT", "send.distribute.to", send.distribute.to),
    )
    if len(send.source.from_) + len(send.distribute.to) > MAX_ENTRIES:
        raise ParameterInvalid(f"A transaction has at most {MAX_ENTRIES} entries in all.", param="send")
    aliases = {e.account for _, _, entries in sides for e in entries if not _is_uuid(e.account)}
    wanted = [
        keys.entity_key(tenant_id, path["ledgerId"]),
        code_guard_key(tenant_id, path["ledgerId"], send.asset),
        *(hierarchy.alias_guard_key(tenant_id, path["ledgerId"], alias) for alias in sorted(aliases)),
    ]
    # The ledger, the instrument and every alias, in one read; no balance is read.
    read = store.batch_get(wanted, consistent=True)

    def found(key: dict[str, str]) -> dict[str, Any] | None:
        return read.get((key["PK"], key["SK"]))

    if not hierarchy.matches(ledgers.LEVEL, found(wanted[0]), path):
        raise hierarchy.missing(ledgers.LEVEL, path["ledgerId"])
    instrument = found(wanted[1])
    if instrument is None:
        raise ReferenceInvalid(f"No instrument {send.asset} in this ledger.", param="send.asset")
    scale = int(instrument["scale"])
    total = _rescaled(send.value, send.scale, scale, "send")
    legs: list[Leg] = []
    for kind, param, entries in sides:
        values = _side(entries, total, send.asset, scale, param)
        for index, (entry, value) in enumerate(zip(entries, values, strict=True)):
            where = f"{param}[{index}].account"
            if _is_uuid(entry.account):
                account_id, alias = entry.account, None
                # The instrument's external account, named by its id, is spread all the same.
                shards = instrument.get("shards", 0) if account_id == instrument.get("external") else 0
            else:
                guard = found(hierarchy.alias_guard_key(tenant_id, path["ledgerId"], entry.account))
                if guard is None:
                    raise ReferenceInvalid(
                        f"No account with the alias {entry.account!r} in this ledger.", param=where
                    )
                account_id, alias, shards = guard["of"], entry.account, guard.get("shards", 0)
            legs.append((kind, account_id, alias, value, where, entry.description, shards))
    request = body.model_dump(mode="json", by_alias=True, exclude_none=True)
    return _book(call, path, request, legs, send.asset, scale, pending=body.pending)


# -- reads ------------------------------------------------------------------------------------


def _load(call: Call[Any, Any, Any], *, consistent: bool = False) -> dict[str, Any]:
    path = call.path.model_dump()
    item = call.store.get(keys.entity_key(call.tenant_id, path["transactionId"]), consistent=consistent)
    if (
        item is None
        or item.get("type") != KIND
        or item["organizationId"] != path["organizationId"]
        or item["ledgerId"] != path["ledgerId"]
    ):
        raise ResourceMissing(f"No such transaction: {path['transactionId']}.", param="transactionId")
    return item


def get(call: Call[None, None, TransactionPath]) -> dict[str, Any]:
    return render(_load(call))


def list_(call: Call[None, ListTransactions, TransactionsPath]) -> dict[str, Any]:
    path = call.path.model_dump()
    hierarchy.load(call.store, call.tenant_id, ledgers.LEVEL, path)
    return listing.page(
        call.store,
        secret=call.settings.cursor_secret,
        tenant_id=call.tenant_id,
        collection=f"ledger.transactions#{path['ledgerId']}",
        params=call.query,
        render=render,
    )


def statement(call: Call[None, ListOperations, ledger_accounts.LedgerAccountPath]) -> dict[str, Any]:
    """An account's operations, newest first, each naming its transaction."""
    path = call.path.model_dump()
    hierarchy.load(call.store, call.tenant_id, ledger_accounts.LEVEL, path)
    return listing.page(
        call.store,
        secret=call.settings.cursor_secret,
        tenant_id=call.tenant_id,
        collection=f"ledger.operations#{path['accountId']}",
        params=call.query,
        render=lambda item: render_operation(item, item["transactionId"], item["createdAt"]),
    )


# -- holds and reverts -----------------------------------------------------------------------


def _settle(call: Call[Any, Any, TransactionPath], *, commit: bool) -> dict[str, Any]:
    """Commit (destinations credited) or cancel (sources given back) a pending transaction."""
    tx, tenant_id, now = call.tx, call.tenant_id, int(call.now)
    before = _load(call, consistent=True)
    action = "commit" if commit else "cancel"
    if before["status"] != "PENDING":
        raise StateConflict(
            f"The transaction is {before['status']}: only a pending one can {action}.", param="transactionId"
        )
    code = before["send"]["asset"]
    # Per account and the item its movement was booked on (the account's, or a shard).
    held: dict[tuple[str, int | None], int] = {}
    credited: dict[tuple[str, int | None], int] = {}
    for operation in before["operations"]:
        side = held if operation["operationType"] == "DEBIT" else credited
        where = (operation["accountId"], operation.get("shard"))
        side[where] = side.get(where, 0) + operation["amount"]["value"]
    for (account_id, shard), value in held.items():
        expression = "SET onHold = onHold - :v" + ("" if commit else ", available = available + :v")
        tx.update(balances.balance_key(tenant_id, account_id, shard), expression, values={":v": value})
    if commit:
        for index, ((account_id, shard), value) in enumerate(credited.items()):
            condition = _account_condition(before["ledgerId"], code, sending=False, shard=shard)
            gate = _account_gate(
                f"operations[{index}].accountId", before["ledgerId"], code, sending=False, value=value
            )
            key = balances.balance_key(tenant_id, account_id, shard)
            _move(tx, key, "SET available = available + :v", {":v": value}, condition, gate)
    after = {**before, "status": "APPROVED" if commit else "CANCELED", "updatedAt": now}
    tx.update(
        keys.entity_key(tenant_id, before["id"]),
        "SET #status = :to, updatedAt = :now",
        names={"#status": "status"},
        values={":to": after["status"], ":now": now, ":pending": "PENDING"},
        condition=Condition("#status = :pending"),
        on_fail=StateConflict(
            f"The transaction is no longer pending: it cannot {action}.", param="transactionId"
        ),
    )
    rendered = render(after)
    outbox.stage(
        tx,
        tenant_id=tenant_id,
        event_type="transaction.updated",
        obj=rendered,
        now=now,
        previous={"status": "PENDING"},
    )
    return rendered


def commit(call: Call[None, None, TransactionPath]) -> dict[str, Any]:
    return _settle(call, commit=True)


def cancel(call: Call[None, None, TransactionPath]) -> dict[str, Any]:
    return _settle(call, commit=False)


def revert(call: Call[None, None, TransactionPath]) -> dict[str, Any]:
    """The exact reverse of an approved transaction, booked as a new one (answered), once.
    Its sources (the original's destinations) must still hold the amounts (422
    `insufficient_funds` once the money has moved on)."""
    before = _load(call, consistent=True)
    if before["status"] != "APPROVED" or before.get("revertedBy"):
        state = "already reverted" if before.get("revertedBy") else before["status"]
        raise StateConflict(
            f"The transaction is {state}: only an approved one reverts, once.", param="transactionId"
        )
    code, scale = before["send"]["asset"], before["operations"][0]["amount"]["scale"]  # the instrument's
    legs: list[Leg] = []
    for index, operation in enumerate(before["operations"]):
        kind = "CREDIT" if operation["operationType"] == "DEBIT" else "DEBIT"
        where = f"operations[{index}].accountId"
        legs.append(
            (
                kind,
                operation["accountId"],
                operation.get("accountAlias"),
                operation["amount"]["value"],
                where,
                None,
                operation.get("shards", 0),
            )
        )
    path = call.path.model_dump()

    def entries(operation_type: str) -> list[dict[str, Any]]:
        return [
            {"account": op["accountId"], "amount": op["amount"]}
            for op in before["operations"]
            if op["operationType"] == operation_type
        ]

    send = {**before["send"], "source": {"from": entries("CREDIT")}, "distribute": {"to": entries("DEBIT")}}
    body = {"description": f"Revert of {before['id']}", "send": send, "metadata": {"revertOf": before["id"]}}
    reversal = _book(call, path, body, legs, code, scale, pending=False, checks=False)
    now = int(call.now)
    call.tx.update(
        keys.entity_key(call.tenant_id, before["id"]),
        "SET revertedBy = :by, updatedAt = :now",
        values={":by": reversal["id"], ":now": now, ":approved": "APPROVED"},
        names={"#status": "status"},
        condition=Condition("#status = :approved AND attribute_not_exists(revertedBy)"),
        on_fail=StateConflict("The transaction was reverted meanwhile.", param="transactionId"),
    )
    after = render({**before, "revertedBy": reversal["id"], "updatedAt": now})
    outbox.stage(
        call.tx,
        tenant_id=call.tenant_id,
        event_type="transaction.updated",
        obj=after,
        now=now,
        previous={"revertedBy": None},
    )
    return reversal
