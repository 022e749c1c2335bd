"""Instruments (`.../ledgers/{ledgerId}/instruments`; Midaz's assets): what a ledger's
amounts are counted in. `code` is unique per ledger (a guard holding the instrument's id
and scale, which an account's creation reads); for a currency it is an ISO 4217 code and
`scale` defaults to its minor units (the `iso4217` package's table); any other type must
give its scale. Creating an instrument creates its external account `@external/<code>` in
the same transaction; deleting it deletes that account too, once no other account uses
the instrument and the external account's balance is zero.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field
from pydantic.json_schema import JsonDict, JsonValue

from core.ledger import balances, hierarchy, ledger_accounts, ledgers
from core.ledger.hierarchy import InstrumentId, Level, StatusBody
from core.platform import keys, outbox, snapstart
from core.platform.errors import AlreadyExists, ParameterInvalid, ParameterMissing, RaceLost, StateConflict
from core.platform.http import Response
from core.platform.pipeline import Call
from core.platform.store import Condition
from core.platform.validation import Metadata, RequestModel

LEVEL = Level(
    kind="instrument",
    event="instrument",
    id_param="instrumentId",
    ancestors=("organizationId", "ledgerId"),
    fields=("name", "type", "code", "scale"),
    noun="instrument",
    renamed=(("type", "instrumentType"),),
)
InstrumentType = Literal["currency", "crypto", "commodity", "others"]
MAX_SCALE = 18


def _type_rule(schema: JsonDict) -> None:
    """The document states what `_scale` checks: a currency's code is an ISO 4217 code, one
    without minor units names its scale, and so does every other type. Called only when
    the document is built."""
    import iso4217

    codes: list[JsonValue] = [*sorted(c.code for c in iso4217.Currency)]
    with_minor_units: list[JsonValue] = [*sorted(c.code for c in iso4217.Currency if c.exponent is not None)]
    given: JsonDict = {"type": "integer"}  # a scale named, and not null
    schema["if"] = {"required": ["type"], "properties": {"type": {"const": "currency"}}}
    schema["then"] = {
        "anyOf": [
            {"properties": {"code": {"enum": with_minor_units}}},
            {"properties": {"code": {"enum": codes}, "scale": given}, "required": ["scale"]},
        ]
    }
    schema["else"] = {"properties": {"scale": given}, "required": ["scale"]}


class CreateInstrument(RequestModel):
    model_config = ConfigDict(**RequestModel.model_config, json_schema_extra=_type_rule)

    name: hierarchy.Text
    type: InstrumentType
    code: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,10}$")] = Field(
        description="Unique in the ledger; for a currency, its ISO 4217 code.", examples=["USD"]
    )
    scale: int | None = Field(
        default=None,
        ge=0,
        le=MAX_SCALE,
        description="Decimal places of its amounts; a currency's default is its ISO 4217 minor units.",
    )
    status: StatusBody | None = None
    metadata: Metadata | None = None


class UpdateInstrument(hierarchy.NamedPatch):
    pass


class InstrumentPath(ledgers.LedgerPath):
    instrumentId: InstrumentId


class Instrument(hierarchy.Resource):
    id: str
    object: Literal["instrument"]
    organizationId: str
    ledgerId: str
    name: str
    type: InstrumentType
    code: str
    scale: int


RESOURCE = hierarchy.Under(LEVEL, ledgers.LEVEL)  # get, list and update; create and delete are below
render = RESOURCE.render


def _scale(body: CreateInstrument) -> int:
    if body.type != "currency":
        if body.scale is None:
            raise ParameterMissing(
                f"A {body.type} instrument needs its scale (0 to {MAX_SCALE}).", param="scale"
            )
        return body.scale
    import iso4217  # lazy: only this function reads the ISO 4217 table

    try:
        currency = iso4217.Currency(body.code)
    except ValueError:
        raise ParameterInvalid(f"{body.code} is not an ISO 4217 currency code.", param="code") from None
    if body.scale is not None:
        return body.scale
    if currency.exponent is None:
        raise ParameterMissing(f"{body.code} has no minor units in ISO 4217: give its scale.", param="scale")
    return int(currency.exponent)


def code_guard(instrument_id: str, scale: int, external: dict[str, Any]) -> dict[str, Any]:
    """What the code's guard holds: what an account's creation and a booking read of the
    instrument (its id and scale), and its external account (id and shards), so that a
    booking naming that account by id also spreads it over its shards."""
    return {
        "type": "guard",
        "of": instrument_id,
        "scale": scale,
        "external": external["id"],
        "shards": external["shards"],
    }


def create(call: Call[CreateInstrument, None, ledgers.LedgerPath]) -> dict[str, Any]:
    body, tx, tenant_id = call.body, call.tx, call.tenant_id
    path = call.path.model_dump()
    scale = _scale(body)
    hierarchy.load(call.store, tenant_id, ledgers.LEVEL, path)
    now = int(call.now)
    instrument_id = hierarchy.new_uuid()
    fields = {"name": body.name, "type": body.type, "code": body.code, "scale": scale}
    ancestors = {name: path[name] for name in LEVEL.ancestors}
    item = hierarchy.new_item(
        LEVEL,
        tenant_id,
        instrument_id,
        ancestors,
        fields,
        hierarchy.status_of(body.status),
        hierarchy.metadata_of(body.metadata),
        now,
    )
    external = ledger_accounts.external_item(
        tenant_id, path["organizationId"], path["ledgerId"], instrument_id, body.code, scale, now
    )
    item["externalAccountId"] = external["id"]
    tx.create(
        hierarchy.code_guard_key(tenant_id, path["ledgerId"], body.code),
        code_guard(instrument_id, scale, external),
        on_fail=AlreadyExists(f"The ledger has an instrument {body.code}.", param="code"),
    )
    tx.create(keys.entity_key(tenant_id, external["id"]), external, on_fail=StateConflict("Id clash."))
    for shard in balances.shard_items(external):
        key = balances.shard_key(tenant_id, external["id"], shard["shard"])
        tx.create(key, shard, on_fail=StateConflict("Id clash."))
    ledger_accounts.stage_alias(
        tx, tenant_id, path["ledgerId"], external["alias"], external["id"], external["shards"]
    )
    outbox.stage(
        tx,
        tenant_id=tenant_id,
        event_type="ledger_account.created",
        obj=ledger_accounts.render(external),
        now=now,
    )
    return hierarchy.create(call, LEVEL, item, render(item), parents=(path["ledgerId"],))


def delete(call: Call[None, None, InstrumentPath]) -> Response:
    """Once no account but its external one uses it: the instrument, its code (free for a
    new instrument) and its external account, whose balance must be zero."""
    store, tx, tenant_id = call.store, call.tx, call.tenant_id
    path = call.path.model_dump()
    before = hierarchy.load(store, tenant_id, LEVEL, path, consistent=True)
    external, shards = balances.collection(store, tenant_id, before["externalAccountId"], consistent=True)
    if external is not None and external.get("deletedAt") is None:
        whole = balances.summed(external, shards)
        if whole["available"] != 0 or whole["onHold"] != 0:
            raise StateConflict(
                f"{external['alias']} holds a balance: the instrument is in use.", param="instrumentId"
            )
        # Each part as read: a booking meanwhile fails the delete, which then reads again.
        as_read = "available = :available AND onHold = :onHold"
        hierarchy.delete(
            call,
            ledger_accounts.LEVEL,
            external,
            ledger_accounts.render,
            extra=Condition(
                as_read, {}, {":available": external["available"], ":onHold": external["onHold"]}
            ),
        )
        for shard in shards:
            tx.delete(
                balances.shard_key(tenant_id, external["id"], shard["shard"]),
                condition=Condition(
                    as_read, {}, {":available": shard["available"], ":onHold": shard["onHold"]}
                ),
                on_fail=RaceLost("The external account moved meanwhile."),
            )
        ledger_accounts.free_alias(tx, tenant_id, path["ledgerId"], external["alias"], external["id"])
    tx.delete(
        hierarchy.code_guard_key(tenant_id, path["ledgerId"], before["code"]),
        condition=Condition("#of = :me", {"#of": "of"}, {":me": before["id"]}),
        on_fail=RaceLost("The instrument's code moved meanwhile."),
    )
    return hierarchy.remove(call, LEVEL, before)


snapstart.preload("iso4217")
