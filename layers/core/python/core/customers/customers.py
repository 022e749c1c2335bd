"""Customers: KYC onboarding, on-chain ownership proof, and the active ⇄ inactive lifecycle.

Statuses: pending -> active | rejected (the KYC provider decides); active <-> inactive
(the partner decides; deactivation cascades to what the customer owns). Every change
writes a `customer.created` / `customer.updated` event in the same transaction.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from core.customers import kyc, siwe
from core.onchain.addresses import (
    EXAMPLE,
    ONCHAIN_ID_DESCRIPTION,
    ONCHAIN_ID_PATTERN,
    OnchainId,
    parse_caip10,
)
from core.platform import cascade, keys, listing, outbox
from core.platform.clock import rfc3339
from core.platform.errors import (
    AlreadyExists,
    ApiError,
    ChallengeExpired,
    ChallengeMissing,
    ChallengeUsed,
    ParameterMissing,
    ResourceMissing,
    SignatureMismatch,
    StateConflict,
)
from core.platform.ids import id_pattern, new_id, ulid
from core.platform.iso_codes import Country2
from core.platform.pagination import ListParams
from core.platform.pipeline import Call
from core.platform.representations import MetadataMap, Representation, Timestamp
from core.platform.store import Condition, Store, Tx
from core.platform.validation import UNICODE_WHITESPACE, Metadata, RequestModel

COLLECTION = "customers"
Status = Literal["pending", "active", "rejected", "inactive"]
GRANTED_ON_APPROVAL = ("accounts",)
# The fields a `customer.updated` event compares (its `previousAttributes`).
VISIBLE = ("status", "capabilities", "onchainVerifiedAt", "name", "email", "metadata")


# `parse_caip10` checks an onchainId (with the messages it gives); the document states its
# rules from the same module.
OnchainIdText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=256,
        description=ONCHAIN_ID_DESCRIPTION,
        examples=[EXAMPLE],
        json_schema_extra={"pattern": ONCHAIN_ID_PATTERN},
    ),
]


class CreateCustomer(RequestModel):
    server_owned = frozenset({"status", "capabilities", "verificationUrl", "onchainVerifiedAt", "challenge"})
    # The identity rule of `_identified`, in the JSON schema, and an example.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["externalId"], "properties": {"externalId": {"type": "string"}}},
                {"required": ["onchainId"], "properties": {"onchainId": {"type": "string"}}},
            ],
            "examples": [
                {
                    "externalId": "crm-42",
                    "type": "individual",
                    "name": "Ada Lovelace",
                    "email": "ada@example.com",
                    "country": "GB",
                    "metadata": {"segment": "retail"},
                }
            ],
        }
    )

    type: Literal["individual", "business"] = "individual"
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(
        default=None,
        max_length=254,
        # `\s` is spelled out: JSON Schema's (ECMA-262) `\s` and the validator's (Unicode
        # White_Space) differ on U+0085 and U+FEFF; this class means the same in both.
        pattern=f"^[^@{UNICODE_WHITESPACE}]+@[^@{UNICODE_WHITESPACE}]+\\.[^@{UNICODE_WHITESPACE}]+$",
        description="An address with one `@` and a dot in its domain, no whitespace.",
    )
    country: Country2 | None = None
    documentNumber: str | None = Field(default=None, min_length=1, max_length=64)
    externalId: str | None = Field(default=None, min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")
    onchainId: OnchainIdText | None = None
    metadata: Metadata | None = None

    @model_validator(mode="after")
    def _identified(self) -> CreateCustomer:
        if self.externalId is None and self.onchainId is None:
            raise ParameterMissing(
                "A customer needs an externalId, an onchainId, or both.", param="externalId"
            )
        return self


class CustomerPath(RequestModel):
    customerId: str = Field(pattern=id_pattern("cus"), max_length=64)


class ListCustomersQuery(ListParams):
    status: Status | None = Field(default=None, description="Only customers in this status.")
    externalId: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="An exact match on the unique externalId, read from its uniqueness guard: at "
        "most one result, so the list has one page (with `onchainId` too, the customer must have "
        "both; with `status`, be in it).",
    )
    onchainId: OnchainIdText | None = None


class VerifyChallenge(RequestModel):
    signature: str = Field(
        pattern=siwe.SIGNATURE_PATTERN,
        description="An EIP-191 `personal_sign` signature of the challenge message: `0x` + r, s (32 bytes "
        "each) and v (27, 28, 0 or 1), in hex. r and s must recover a public key (400 otherwise); "
        "a signature by another key than the customer's address is 422 `signature_mismatch`.",
    )


class Challenge(Representation):
    message: str = Field(description="The Sign-In with Ethereum (EIP-4361) message to sign (EIP-191).")
    expiresAt: Timestamp


class Customer(Representation):
    """A customer of the partner: identity, KYC status and capabilities."""

    id: str = Field(pattern=id_pattern("cus"))
    object: Literal["customer"]
    type: Literal["individual", "business"]
    name: str | None
    email: str | None
    country: str | None = Field(description="ISO 3166-1 alpha-2.")
    documentNumber: str | None
    externalId: str | None
    onchainId: str | None = Field(description="CAIP-10; an EVM address in its EIP-55 checksum form.")
    status: Status
    capabilities: list[str] = Field(description="Granted with KYC approval, e.g. `accounts`.")
    verificationUrl: str | None = Field(description="The KYC provider's page for this customer.")
    onchainVerifiedAt: Timestamp | None
    metadata: MetadataMap
    createdAt: Timestamp
    updatedAt: Timestamp
    challenge: Challenge | SkipJsonSchema[None] = Field(
        default=None,
        description="Only in the answers of a create (on-chain customers) and of `POST .../challenge`: "
        "the challenge to sign, which replaces any earlier one.",
    )


def render(item: dict[str, Any]) -> dict[str, Any]:
    verified = item.get("onchainVerifiedAt")
    return {
        "id": item["id"],
        "object": "customer",
        "type": item["customerType"],
        "name": item.get("name"),
        "email": item.get("email"),
        "country": item.get("country"),
        "documentNumber": item.get("documentNumber"),
        "externalId": item.get("externalId"),
        "onchainId": item.get("onchainId"),
        "status": item["status"],
        "capabilities": item.get("capabilities", []),
        "verificationUrl": item.get("verificationUrl"),
        "onchainVerifiedAt": rfc3339(verified) if verified else None,
        "metadata": item.get("metadata") or {},
        "createdAt": rfc3339(item["createdAt"]),
        "updatedAt": rfc3339(item["updatedAt"]),
    }


def load(store: Store, tenant_id: str, customer_id: str) -> dict[str, Any] | None:
    """The rendered customer, or None (also for another kind of item with that id)."""
    item = _get(store, tenant_id, customer_id)
    return render(item) if item else None


def _get(store: Store, tenant_id: str, customer_id: str) -> dict[str, Any] | None:
    item = store.get(keys.entity_key(tenant_id, customer_id), consistent=True)
    return item if item is not None and item.get("type") == "customer" else None


def _require(store: Store, tenant_id: str, customer_id: str) -> dict[str, Any]:
    item = _get(store, tenant_id, customer_id)
    if item is None:
        raise ResourceMissing(f"No such customer: {customer_id}.", param="customerId")
    return item


def _base_url(call: Call[Any, Any, Any]) -> str:
    return call.settings.public_base_url.rstrip("/") or f"{call.request.scheme}://{call.request.host}"


def _status_attrs(tenant_id: str, status: str, customer_id: str) -> dict[str, str]:
    return keys.filter_attrs(tenant_id, COLLECTION, f"status#{status}", customer_id)


def _challenge(call: Call[Any, Any, Any], customer_id: str, onchain: OnchainId) -> siwe.Challenge:
    base = _base_url(call)
    return siwe.build_challenge(
        domain=urlsplit(base).netloc,
        uri=f"{base}/v1/customers/{customer_id}",
        onchain=onchain,
        customer_id=customer_id,
        now=call.now,
    )


def _challenge_attr(challenge: siwe.Challenge) -> dict[str, Any]:
    return {
        "message": challenge.message,
        "nonce": challenge.nonce,
        "issuedAt": challenge.issued_at,
        "expiresAt": challenge.expires_at,
    }


def _with_challenge(customer: dict[str, Any], challenge: siwe.Challenge | None) -> dict[str, Any]:
    """The response only: a copy, so the event staged with `customer` never holds the challenge."""
    if challenge is None:
        return customer
    return {
        **customer,
        "challenge": {"message": challenge.message, "expiresAt": rfc3339(challenge.expires_at)},
    }


# -- create, read ----------------------------------------------------------------------


def create(call: Call[CreateCustomer, None, None]) -> dict[str, Any]:
    body, tenant_id, now = call.body, call.tenant_id, call.now
    onchain = parse_caip10(body.onchainId) if body.onchainId is not None else None
    customer_id = new_id("cus")
    session = kyc.get_provider("sandbox").start(
        tenant_id=tenant_id, customer_id=customer_id, base_url=_base_url(call), now=now
    )
    challenge = _challenge(call, customer_id, onchain) if onchain else None
    item: dict[str, Any] = {
        "type": "customer",
        "id": customer_id,
        "tenantId": tenant_id,
        "customerType": body.type,
        "name": body.name,
        "email": body.email,
        "country": body.country,
        "documentNumber": body.documentNumber,
        "externalId": body.externalId,
        "onchainId": onchain.caip10 if onchain else None,
        "status": "pending",
        "capabilities": [],
        "kyc": {"provider": "sandbox", "reference": session.reference},
        "verificationUrl": session.verification_url,
        "metadata": body.metadata or {},
        "challenge": _challenge_attr(challenge) if challenge else None,
        "createdAt": int(now),
        "updatedAt": int(now),
        # Listed from the table itself (a customer's sort key is its id): no GSI1 entry.
        **_status_attrs(tenant_id, "pending", customer_id),
    }
    tx = call.tx
    tx.create(keys.entity_key(tenant_id, customer_id), item, on_fail=AlreadyExists("Customer id clash."))
    if body.externalId is not None:
        tx.create(
            keys.guard_key(tenant_id, "customer.externalId", body.externalId),
            {"type": "guard", "of": customer_id},
            on_fail=AlreadyExists("A customer with this externalId exists.", param="externalId"),
        )
    if onchain is not None:
        tx.create(
            keys.guard_key(tenant_id, "customer.onchainId", onchain.unique_value),
            {"type": "guard", "of": customer_id},
            on_fail=AlreadyExists("A customer with this onchainId exists.", param="onchainId"),
        )
    customer = render(item)
    outbox.stage(tx, tenant_id=tenant_id, event_type="customer.created", obj=customer, now=now)
    return _with_challenge(customer, challenge)


def get(call: Call[None, None, CustomerPath]) -> dict[str, Any]:
    item = call.store.get(keys.entity_key(call.tenant_id, call.path.customerId))
    if item is None or item.get("type") != "customer":
        raise ResourceMissing(f"No such customer: {call.path.customerId}.", param="customerId")
    return render(item)


def list_(call: Call[None, ListCustomersQuery, None]) -> dict[str, Any]:
    query, tenant_id = call.query, call.tenant_id
    if query.externalId is not None or query.onchainId is not None:
        onchain = parse_caip10(query.onchainId).unique_value if query.onchainId is not None else None
        return listing.single(
            secret=call.settings.cursor_secret,
            tenant_id=tenant_id,
            collection=COLLECTION,
            filters={"externalId": query.externalId, "onchainId": onchain, "status": query.status},
            params=query,
            find=lambda: _by_identity(call.store, tenant_id, query.externalId, onchain, query.status),
            render=render,
        )
    if query.status is not None:
        return listing.page(
            call.store,
            secret=call.settings.cursor_secret,
            tenant_id=tenant_id,
            collection=f"{COLLECTION}#status#{query.status}",
            params=query,
            render=render,
            index=keys.GSI2,
        )
    return listing.page(
        call.store,
        secret=call.settings.cursor_secret,
        tenant_id=tenant_id,
        collection=COLLECTION,
        params=query,
        render=render,
        index=None,
        id_prefix="cus_",
    )


def _by_identity(
    store: Store, tenant_id: str, external_id: str | None, onchain: str | None, status: str | None
) -> dict[str, Any] | None:
    """An exact identity filter reads the uniqueness guard: at most one customer.
    `onchain` is the address's unique value (`parse_caip10(...).unique_value`)."""
    found: set[str] = set()
    if external_id is not None:
        guard = store.get(keys.guard_key(tenant_id, "customer.externalId", external_id))
        found.add(guard["of"] if guard else "")
    if onchain is not None:
        guard = store.get(keys.guard_key(tenant_id, "customer.onchainId", onchain))
        found.add(guard["of"] if guard else "")
    if len(found) != 1 or "" in found:
        return None  # no match, or both filters given and naming different customers
    item = store.get(keys.entity_key(tenant_id, found.pop()))
    if item is None or (status is not None and item["status"] != status):
        return None
    return item


# -- on-chain ownership proof ------------------------------------------------------------


def new_challenge(call: Call[None, None, CustomerPath]) -> dict[str, Any]:
    item = _require(call.store, call.tenant_id, call.path.customerId)
    if not item.get("onchainId"):
        raise StateConflict("This customer has no onchainId to prove.")
    if item.get("onchainVerifiedAt"):
        raise StateConflict("This customer's onchainId is already verified.")
    if item["status"] not in ("pending", "active"):
        raise StateConflict(f"A {item['status']} customer cannot be challenged.")
    challenge = _challenge(call, item["id"], parse_caip10(item["onchainId"]))
    # The new challenge replaces any earlier one: only the latest can be verified.
    call.tx.update(
        keys.entity_key(call.tenant_id, item["id"]),
        "SET challenge = :challenge",
        values={":challenge": _challenge_attr(challenge), ":status": item["status"]},
        condition=Condition("#status = :status", {"#status": "status"}),
        on_fail=StateConflict("The customer changed meanwhile; retry."),
    )
    return _with_challenge(render(item), challenge)


def verify_challenge(call: Call[VerifyChallenge, None, CustomerPath]) -> dict[str, Any]:
    item = _require(call.store, call.tenant_id, call.path.customerId)
    current = item.get("challenge")
    if current is None:
        if item.get("lastChallengeNonce"):
            raise ChallengeUsed("This challenge was already used; ask for a new one.")
        raise ChallengeMissing("There is no challenge to verify; ask for one with POST .../challenge.")
    if call.now > current["expiresAt"]:
        raise ChallengeExpired("The challenge expired; ask for a new one with POST .../challenge.")
    signer = siwe.recover_signer(current["message"], call.body.signature)
    address = parse_caip10(item["onchainId"]).address
    if signer != address:
        raise SignatureMismatch(f"The signature was made by {signer}, not by {address}.", param="signature")
    after = {**item, "onchainVerifiedAt": int(call.now), "updatedAt": int(call.now)}
    call.tx.update(
        keys.entity_key(call.tenant_id, item["id"]),
        "SET onchainVerifiedAt = :now, lastChallengeNonce = :nonce, updatedAt = :now REMOVE challenge",
        values={":now": int(call.now), ":nonce": current["nonce"]},
        # Single use: only the challenge that was read, once.
        condition=Condition("#challenge.#nonce = :nonce", {"#challenge": "challenge", "#nonce": "nonce"}),
        on_fail=ChallengeUsed("This challenge was already used; ask for a new one."),
    )
    return _updated(call, item, after)


# -- KYC decision -----------------------------------------------------------------------


def apply_kyc_decision(call: Call[Any, Any, Any], decision: kyc.KycDecision) -> dict[str, Any]:
    """pending -> active (capabilities granted) or rejected, once."""
    item = _require(call.store, call.tenant_id, decision.customer_id)
    if item["status"] != "pending":
        raise StateConflict(f"The customer is {item['status']}, no longer pending verification.")
    status = "active" if decision.approved else "rejected"
    capabilities = list(GRANTED_ON_APPROVAL) if decision.approved else []
    after = {**item, "status": status, "capabilities": capabilities, "updatedAt": int(call.now)}
    _transition(
        call.tx,
        item,
        after,
        expected="pending",
        extra={
            "kyc": {
                **item.get("kyc", {}),
                "decision": "approved" if decision.approved else "rejected",
                "reason": decision.reason,
                "eventId": decision.event_id,
                "decidedAt": int(call.now),
            },
            "capabilities": capabilities,
        },
    )
    return _updated(call, item, after)


def _updated(call: Call[Any, Any, Any], before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The `customer.updated` event of a change, staged in the change's transaction."""
    customer = render(after)
    outbox.stage(
        call.tx,
        tenant_id=call.tenant_id,
        event_type="customer.updated",
        obj=customer,
        now=call.now,
        previous=outbox.changes(render(before), customer, VISIBLE),
    )
    return customer


def _transition(
    tx: Tx,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    expected: str,
    extra: dict[str, Any] | None = None,
    remove: tuple[str, ...] = (),
    condition: Condition | None = None,
) -> None:
    """Move the customer from `expected` to `after["status"]`, keeping its status list in step."""
    sets = {
        "status": after["status"],
        "updatedAt": after["updatedAt"],
        **(extra or {}),
        **_status_attrs(before["tenantId"], after["status"], before["id"]),
    }
    names = {f"#f{i}": name for i, name in enumerate(sets)}
    values: dict[str, Any] = {f":v{i}": value for i, value in enumerate(sets.values())}
    expression = "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(sets)))
    if remove:
        names.update({f"#r{i}": name for i, name in enumerate(remove)})
        expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(remove)))
    guard = Condition("#st = :expected", {"#st": "status"}, {":expected": expected})
    tx.update(
        keys.entity_key(before["tenantId"], before["id"]),
        expression,
        names=names,
        values=values,
        condition=guard if condition is None else guard & condition,
        on_fail=StateConflict("The customer changed meanwhile; retry."),
    )


# -- lifecycle: deactivate / activate with the cascade -----------------------------------


def deactivate(call: Call[None, None, CustomerPath]) -> dict[str, Any]:
    return _switch(call, action="deactivate", source="active", target="inactive")


def activate(call: Call[None, None, CustomerPath]) -> dict[str, Any]:
    return _switch(call, action="activate", source="inactive", target="active")


def _switch(call: Call[None, None, CustomerPath], *, action: str, source: str, target: str) -> dict[str, Any]:
    store, tenant_id, now = call.store, call.tenant_id, call.now
    item = _require(store, tenant_id, call.path.customerId)
    running = item.get("cascade")
    if running is not None and running.get("action") != action:
        raise StateConflict(f"An unfinished {running.get('action')} of this customer must be retried first.")
    if item["status"] != source:
        raise StateConflict(f"Cannot {action} a customer that is {item['status']}.")
    if running is None:
        run_id = ulid() if action == "deactivate" else item.get("lastDeactivation") or ulid()
        _start(store, item, action=action, run_id=run_id, now=now)
    else:
        run_id = running["run"]  # resume an interrupted cascade where it stopped
    cascade.run(store, tenant_id=tenant_id, customer_id=item["id"], run_id=run_id, action=action, now=now)
    after = {**item, "status": target, "updatedAt": int(now)}
    finished = Condition("#cascade.#run = :run", {"#cascade": "cascade", "#run": "run"}, {":run": run_id})
    if action == "deactivate":
        _transition(
            call.tx,
            item,
            after,
            expected=source,
            extra={"lastDeactivation": run_id},
            remove=("cascade",),
            condition=finished,
        )
    else:
        _transition(
            call.tx, item, after, expected=source, remove=("cascade", "lastDeactivation"), condition=finished
        )
    return _updated(call, item, after)


def _start(store: Store, item: dict[str, Any], *, action: str, run_id: str, now: float) -> None:
    """Mark the customer as running this cascade before any owned item changes."""

    def explain(old: dict[str, Any] | None) -> ApiError:
        return StateConflict("The customer changed meanwhile; retry.")

    store.update(
        keys.entity_key(item["tenantId"], item["id"]),
        "SET #cascade = :cascade",
        names={"#cascade": "cascade", "#st": "status"},
        values={
            ":cascade": {"run": run_id, "action": action, "startedAt": int(now)},
            ":status": item["status"],
        },
        condition=Condition("#st = :status AND attribute_not_exists(#cascade)"),
        on_fail=explain,
    )
