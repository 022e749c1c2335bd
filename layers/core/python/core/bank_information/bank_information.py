"""Partner bank information (`/v1/bank-information`, seed 002): where fiat goes when a
partner's user off-ramps, or comes from when it on-ramps, in Mexico or the Dominican
Republic.

One record per user, country and account number. A POST creates it (201) or, when that
record exists, updates it (200): the body states the record in full, so a field it leaves
out is cleared (or takes its default again) on update. `id`, `createdAt` and `status` are
kept. A guard item holds the (user, country, account number) triple, written in the same
transaction as the record: of racing first posts one creates, the others lose the guard's
condition and run again as updates (the pipeline's RaceLost retry), so they never make two.

The user must be an active customer of the tenant, also at the moment of the write (a
condition of the transaction). The customer's deactivation cascade sets the record
`inactive`; activation restores it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from core.bank_information import national_ids, supported_banks
from core.bank_information.supported_banks import Country
from core.platform import cascade, keys, listing, outbox, snapstart
from core.platform.clock import rfc3339
from core.platform.errors import (
    AlreadyExists,
    ApiError,
    CustomerNotActive,
    ParameterInvalid,
    ParameterMissing,
    RaceLost,
    ReferenceInvalid,
    ResourceMissing,
)
from core.platform.http import Response
from core.platform.ids import id_pattern, new_id
from core.platform.pagination import ListParams
from core.platform.pipeline import Call
from core.platform.representations import Representation, Timestamp
from core.platform.store import Condition, Tx
from core.platform.validation import RequestModel

KIND = "bank_information"
COLLECTION = "bank_information"
AccountType = Literal["CHECKING", "SAVINGS"]
RampType = Literal["ON_RAMP", "OFF_RAMP"]
Status = Literal["active", "inactive"]
# The partner's fields, as stored and rendered (documentNumber in compact form).
FIELDS = (
    "userId",
    "bankName",
    "supportedBankId",
    "accountNumber",
    "accountType",
    "clabe",
    "country",
    "rampType",
    "documentNumber",
)


EXAMPLE = {
    "userId": "cus_01JQ0000000000000000000000",
    "supportedBankId": "bank_mx_012",
    "accountNumber": "1234567890",
    "accountType": "CHECKING",
    "clabe": "012180012345678912",
    "country": "MX",
    "documentNumber": "BOXW310820HNERXN09",
    "rampType": "OFF_RAMP",
}


def _stated_rules(schema: dict[str, Any]) -> None:
    """The document states the rules across fields that a schema can (`_bank_fields` keeps
    them): a supported bank of the record's country, a CLABE for Mexico only, and a
    bankName when no supported bank is named. Called only when the document is built."""
    ids = {
        country: [b.id for b in supported_banks.catalogue() if b.country == country]
        for country in ("MX", "DO")
    }

    def bank_of(country: str) -> dict[str, Any]:
        return {"anyOf": [{"enum": ids[country]}, {"type": "null"}]}

    schema["examples"] = [EXAMPLE]
    schema["allOf"] = [
        {
            "anyOf": [
                {"required": ["supportedBankId"], "properties": {"supportedBankId": {"type": "string"}}},
                {"required": ["bankName"], "properties": {"bankName": {"type": "string"}}},
            ]
        },
        {
            "if": {"required": ["country"], "properties": {"country": {"const": "MX"}}},
            "then": {"properties": {"supportedBankId": bank_of("MX")}},
            "else": {"properties": {"supportedBankId": bank_of("DO"), "clabe": {"type": "null"}}},
        },
    ]


class BankInformationBody(RequestModel):
    server_owned = frozenset({"status"})
    model_config = ConfigDict(json_schema_extra=_stated_rules)

    userId: str = Field(
        pattern=id_pattern("cus"),
        max_length=64,
        description="An active customer of the partner (422 `reference_invalid` for an id that "
        "is not one, 422 `customer_not_active` for a customer that is not active).",
    )
    bankName: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Required when supportedBankId is absent; stored as null when it is given.",
    )
    supportedBankId: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="A bank of `GET /v1/supported-banks` in the record's country.",
    )
    accountNumber: str = Field(pattern=r"^[A-Za-z0-9]{4,34}$", description="4 to 34 letters and digits.")
    accountType: AccountType
    clabe: str | None = Field(
        default=None,
        pattern=r"^[0-9]{18}$",
        description="Mexico only: 18 digits with a correct control digit, opening with the "
        "three-digit code of supportedBankId when one is given.",
    )
    country: Country
    documentNumber: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="A CURP or RFC (MX), a cédula or RNC (DO). Defaults to the customer's KYC "
        "documentNumber; stored in compact form (no spaces or dashes).",
    )
    rampType: RampType = "OFF_RAMP"


class BankInformationPath(RequestModel):
    bankInformationId: str = Field(pattern=id_pattern("bi"), max_length=64)


class ListBankInformationQuery(ListParams):
    userId: str | None = Field(default=None, pattern=id_pattern("cus"), max_length=64)
    country: Country | None = None
    rampType: RampType | None = None


class BankInformation(Representation):
    """A user's bank details for a ramp in Mexico or the Dominican Republic."""

    id: str = Field(pattern=id_pattern("bi"))
    object: Literal["bank_information"]
    userId: str = Field(pattern=id_pattern("cus"))
    partnerId: str = Field(description="The partner (tenant) that registered it.")
    bankName: str | None
    supportedBankId: str | None = Field(pattern=supported_banks.ID_PATTERN)
    accountNumber: str
    accountType: AccountType
    clabe: str | None
    country: Country
    rampType: RampType
    documentNumber: str
    status: Status
    createdAt: Timestamp
    updatedAt: Timestamp


def render(item: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": item["id"], "object": "bank_information"}
    for name in FIELDS:
        out[name] = item.get(name)
        if name == "userId":
            out["partnerId"] = item["tenantId"]
    out["status"] = item["status"]
    out["createdAt"] = rfc3339(item["createdAt"])
    out["updatedAt"] = rfc3339(item["updatedAt"])
    return out


# -- the rules of the body ---------------------------------------------------------------------


def _bank_fields(body: BankInformationBody) -> dict[str, Any]:
    """bankName, supportedBankId and clabe, checked against each other and the country."""
    bank = None
    if body.supportedBankId is not None:
        bank = supported_banks.find(body.supportedBankId)
        if bank is None:
            raise ParameterInvalid(
                f"No supported bank {body.supportedBankId!r} (GET /v1/supported-banks lists them).",
                param="supportedBankId",
            )
        if bank.country != body.country:
            raise ParameterInvalid(
                f"{bank.id} is a bank of {bank.country}, not of {body.country}.", param="supportedBankId"
            )
    elif body.bankName is None:
        raise ParameterMissing("bankName is required when supportedBankId is absent.", param="bankName")
    if body.clabe is not None:
        _check_clabe(body.clabe, body.country, bank)
    return {"bankName": None if bank else body.bankName, "supportedBankId": body.supportedBankId}


def _check_clabe(clabe: str, country: str, bank: supported_banks.Bank | None) -> None:
    from clabe import BANKS, compute_control_digit

    if country != "MX":
        raise ParameterInvalid(
            "A CLABE identifies Mexican accounts only; leave it out for DO.", param="clabe"
        )
    if clabe[-1] != compute_control_digit(clabe):
        raise ParameterInvalid(
            f"The CLABE's control digit is wrong (it should be {compute_control_digit(clabe)}).",
            param="clabe",
        )
    if clabe[:3] not in BANKS:
        raise ParameterInvalid(
            f"No Mexican bank has the code {clabe[:3]} that opens this CLABE.", param="clabe"
        )
    if bank is not None and clabe[:3] != bank.code:
        raise ParameterInvalid(
            f"The CLABE opens with bank code {clabe[:3]}, but {bank.id} is {bank.code}.", param="clabe"
        )


def _document_number(body: BankInformationBody, customer: dict[str, Any]) -> str:
    number = body.documentNumber
    source = "documentNumber"
    if number is None:
        number = customer.get("documentNumber")
        source = "the customer's KYC documentNumber"
    if number is None:
        raise ParameterMissing(
            "documentNumber is required: the customer's KYC record holds none.", param="documentNumber"
        )
    try:
        return national_ids.normalise(body.country, number)
    except ValueError as exc:
        raise ParameterInvalid(f"{source} is {exc}.", param="documentNumber") from None


def _check_customer(customer: dict[str, Any] | None, user_id: str) -> ApiError | None:
    if customer is None or customer.get("type") != "customer":
        return ReferenceInvalid(f"No such customer: {user_id}.", param="userId")
    if customer.get("status") != "active":
        return CustomerNotActive(
            f"The customer is {customer.get('status')}; bank information is for active customers.",
            param="userId",
        )
    return None


def _still_active(tx: Tx, tenant_id: str, user_id: str) -> None:
    """The customer is active when the write lands, not only when it was read."""

    def decide(customer: dict[str, Any] | None) -> ApiError:
        return _check_customer(customer, user_id) or RaceLost("The customer changed meanwhile.")

    tx.check(
        keys.entity_key(tenant_id, user_id),
        Condition(
            "#type = :customer AND #status = :active",
            {"#type": "type", "#status": "status"},
            {":customer": "customer", ":active": "active"},
        ),
        on_fail=decide,
    )


# -- create or update ----------------------------------------------------------------------------


def guard_key(tenant_id: str, fields: dict[str, Any]) -> dict[str, str]:
    triple = f"{fields['userId']}#{fields['country']}#{fields['accountNumber']}"
    return keys.guard_key(tenant_id, "bank_information.account", triple)


def create_or_update(call: Call[BankInformationBody, None, None]) -> Response:
    body, store, tenant_id = call.body, call.store, call.tenant_id
    fields = {
        **body.model_dump(include={"userId", "accountNumber", "accountType", "clabe", "country", "rampType"}),
        **_bank_fields(body),
    }
    guard, customer_key = guard_key(tenant_id, fields), keys.entity_key(tenant_id, body.userId)
    # The guard and the customer in one round trip.
    read = store.batch_get([guard, customer_key], consistent=True)
    customer = read.get((customer_key["PK"], customer_key["SK"]))
    refusal = _check_customer(customer, body.userId)
    if refusal is not None:
        raise refusal
    assert customer is not None
    fields["documentNumber"] = _document_number(body, customer)
    held = read.get((guard["PK"], guard["SK"]))
    if held is None:
        return Response(201, _create(call, fields, guard))
    return Response(200, _update(call, held["of"], fields))


def new_item(tenant_id: str, record_id: str, fields: dict[str, Any], now: int) -> dict[str, Any]:
    """A record as stored (`fields`: FIELDS, checked), active."""
    return {
        "type": KIND,
        "id": record_id,
        "tenantId": tenant_id,
        **{name: fields.get(name) for name in FIELDS},
        "status": "active",
        "version": 1,
        "createdAt": now,
        "updatedAt": now,
        # Listed from the table itself (its sort key is its id): no GSI1 entry.
        **keys.filter_attrs(tenant_id, COLLECTION, f"user#{fields['userId']}", record_id),
        **keys.owner_attrs(tenant_id, fields["userId"], KIND, record_id),
    }


def _create(call: Call[Any, Any, Any], fields: dict[str, Any], guard_key: dict[str, str]) -> dict[str, Any]:
    tx, tenant_id = call.tx, call.tenant_id
    record_id = new_id("bi")
    item = new_item(tenant_id, record_id, fields, int(call.now))
    _still_active(tx, tenant_id, fields["userId"])
    tx.create(
        guard_key,
        {"type": "guard", "of": record_id},
        on_fail=RaceLost("A concurrent request created this record; updating it instead."),
    )
    tx.create(keys.entity_key(tenant_id, record_id), item, on_fail=AlreadyExists("Id clash."))
    rendered = render(item)
    outbox.stage(tx, tenant_id=tenant_id, event_type=f"{KIND}.created", obj=rendered, now=call.now)
    return rendered


def _update(call: Call[Any, Any, Any], record_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    store, tx, tenant_id = call.store, call.tx, call.tenant_id
    before = store.get(keys.entity_key(tenant_id, record_id), consistent=True)
    if before is None:
        raise RaceLost("The matched record moved; deciding again.")
    if all(before.get(name) == fields.get(name) for name in FIELDS):
        return render(before)  # nothing to change: no write, no event
    after = {**before, **fields, "updatedAt": int(call.now), "version": before["version"] + 1}
    present = {name: fields[name] for name in FIELDS if fields.get(name) is not None}
    absent = [name for name in FIELDS if fields.get(name) is None]
    names = {f"#f{i}": name for i, name in enumerate(present)} | {"#version": "version"}
    values: dict[str, Any] = {f":v{i}": value for i, value in enumerate(present.values())}
    values |= {":now": after["updatedAt"], ":next": after["version"], ":read": before["version"]}
    expression = "SET " + ", ".join([*(f"#f{i} = :v{i}" for i in range(len(present))), "updatedAt = :now"])
    expression += ", #version = :next"
    if absent:
        names |= {f"#r{i}": name for i, name in enumerate(absent)}
        expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(absent)))
    _still_active(tx, tenant_id, fields["userId"])
    tx.update(
        keys.entity_key(tenant_id, record_id),
        expression,
        names=names,
        values=values,
        condition=Condition("#version = :read"),
        on_fail=RaceLost("Updated concurrently; deciding again."),
    )
    rendered = render(after)
    previous = outbox.changes(render(before), rendered, FIELDS)
    outbox.stage(
        tx, tenant_id=tenant_id, event_type=f"{KIND}.updated", obj=rendered, now=call.now, previous=previous
    )
    return rendered


# -- reads ----------------------------------------------------------------------------------------


def get(call: Call[None, None, BankInformationPath]) -> dict[str, Any]:
    record_id = call.path.bankInformationId
    item = call.store.get(keys.entity_key(call.tenant_id, record_id))
    if item is None or item.get("type") != KIND:
        raise ResourceMissing(f"No such bank information: {record_id}.", param="id")
    return render(item)


def list_(call: Call[None, ListBankInformationQuery, None]) -> dict[str, Any]:
    """Newest first; userId reads the user's own partition, country and rampType filter it."""
    query = call.query
    wanted = {name: getattr(query, name) for name in ("country", "rampType")}
    given = {name: value for name, value in wanted.items() if value is not None}
    filter_ = None
    if given:
        filter_ = Condition(
            " AND ".join(f"#{name} = :{name}" for name in given),
            {f"#{name}": name for name in given},
            {f":{name}": value for name, value in given.items()},
        )
    common: dict[str, Any] = {
        "secret": call.settings.cursor_secret,
        "tenant_id": call.tenant_id,
        "params": query,
        "render": render,
        "filter_": filter_,
    }
    if query.userId is not None:
        return listing.page(
            call.store, index=keys.GSI2, collection=f"{COLLECTION}#user#{query.userId}", **common
        )
    return listing.page(call.store, collection=COLLECTION, index=None, id_prefix="bi_", **common)


# -- the cascade ---------------------------------------------------------------------------------


def _cascaded(tx: Tx, item: dict[str, Any], status: str, now: float) -> None:
    """A deactivation made the record inactive, or an activation restored it: its event."""
    after = render({**item, "status": status, "updatedAt": int(now)})
    outbox.stage(
        tx,
        tenant_id=item["tenantId"],
        event_type=f"{KIND}.updated",
        obj=after,
        now=now,
        previous={"status": item["status"]},
    )


if not any(d.kind == KIND for d in cascade.REGISTRY):
    cascade.register(
        cascade.Dependent(kind=KIND, active=frozenset({"active"}), suspended="inactive", mirror=_cascaded)
    )


snapstart.preload("clabe")
