"""The create endpoints, for the trials every create must pass (crashes at each boundary of
a write, throttling, concurrent requests): found in template.yaml's routes and events/.

A create is a route whose handler answers 201. Its request is its sample event's (method,
path, query and body bytes); what the trials need beyond that, each resource declares once
in `DECLARED`. A new create route fails `test_every_create_route_is_declared` until it is
declared there, and from then on runs every trial without a line of new test code.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from localapi.template import Route, routes
from tests.support.accounts import seed_sample_world
from tests.support.events import load_event
from tests.support.harness import ROOT, handler_module

Body = dict[str, Any]


def _unchanged(body: Body, racer: int) -> Body:
    return body


@dataclass(frozen=True)
class Declared:
    """What a trial cannot read from the template or the sample event."""

    resource: str  # the `type` of the item the create writes
    event: str | None  # the event it writes in the same transaction (None: it writes none)
    unique: str | None  # a body field unique per tenant, which the race runs on (None: none)
    # The body of racer `racer` in that race: it must differ from the other racers' bodies
    # only where no other uniqueness rule applies, so `unique` is the one thing they share.
    distinct: Callable[[Body, int], Body] = _unchanged
    # Fields of the answer shown once: an idempotent replay leaves them out (a webhook
    # endpoint's secret, which the table never keeps in clear).
    shown_once: tuple[str, ...] = ()
    # What the sample request needs in its partner's tenant before it can succeed (the
    # customer an account opens for, the account a number is issued to), written by
    # `write_trials.prepared` with the store and the tenant id.
    seed: Callable[[Any, str], None] | None = None
    # Events the create writes beside its own, once each (of other resources it makes).
    also: tuple[str, ...] = ()


def _customer_racer(body: Body, racer: int) -> Body:
    # onchainId is unique too: left out, so externalId is the only contested value.
    return {**{k: v for k, v in body.items() if k != "onchainId"}, "name": f"Racer {racer}"}


def _without_instrument(store: Any, tenant_id: str) -> None:
    seed_sample_world(store, tenant_id, instrument=False)


def _renamed(body: Body, racer: int) -> Body:
    return {**body, "name": f"Racer {racer}"}


def _own_reference(body: Body, racer: int) -> Body:
    return {**body, "referenceId": f"racer-{racer}"}


DECLARED: dict[str, Declared] = {
    "POST /v1/customers": Declared("customer", "customer.created", "externalId", _customer_racer),
    "POST /v1/bank-accounts": Declared(
        "bank_account", "bank_account.created", "accountNumber", _own_reference
    ),
    "POST /v1/blockchain-wallets": Declared(
        "blockchain_wallet", "blockchain_wallet.created", "address", _own_reference
    ),
    "POST /v1/webhook-endpoints": Declared(
        "webhook_endpoint", "webhook_endpoint.created", None, shown_once=("secret",)
    ),
    # A public key is the whole body: the racers send the same bytes under their own keys.
    "POST /v1/signing-keys": Declared("signing_key", None, "publicKey"),
    # Accounts, numbers and addresses have no partner-chosen unique value: the race on one
    # value does not apply (numbers and addresses race in tests/integration/test_accounts*).
    "POST /v1/accounts": Declared("account", "account.created", None, seed=seed_sample_world),
    "POST /v1/accounts/{accountId}/account-numbers": Declared(
        "account_number", "account_number.created", None, seed=seed_sample_world
    ),
    "POST /v1/accounts/{accountId}/blockchain-addresses": Declared(
        "blockchain_address", "blockchain_address.created", None, seed=seed_sample_world
    ),
    # A create-or-update: racers on one (user, country, accountNumber) all succeed, one
    # creating and the others updating (tests/integration/test_bank_information_concurrency).
    "POST /v1/bank-information": Declared(
        "bank_information", "bank_information.created", None, seed=seed_sample_world
    ),
    # The ledger: each create under the sample hierarchy (`localapi.samples`).
    "POST /v1/organizations": Declared("organization", "organization.created", None),
    "POST /v1/organizations/{organizationId}/ledgers": Declared(
        "ledger", "ledger.created", None, seed=seed_sample_world
    ),
    "POST /v1/organizations/{organizationId}/ledgers/{ledgerId}/instruments": Declared(
        "instrument",
        "instrument.created",
        "code",
        _renamed,
        seed=_without_instrument,
        also=("ledger_account.created",),
    ),
    "POST /v1/organizations/{organizationId}/ledgers/{ledgerId}/portfolios": Declared(
        "portfolio", "portfolio.created", None, seed=seed_sample_world
    ),
    "POST /v1/organizations/{organizationId}/ledgers/{ledgerId}/products": Declared(
        "product", "product.created", None, seed=seed_sample_world
    ),
    "POST /v1/organizations/{organizationId}/ledgers/{ledgerId}/portfolios/{portfolioId}/accounts": Declared(
        "ledger_account", "ledger_account.created", "alias", _renamed, seed=seed_sample_world
    ),
    # A transaction has no partner-chosen unique value; racing ones are in test_ledger_transactions*.
    "POST /v1/organizations/{organizationId}/ledgers/{ledgerId}/transactions": Declared(
        "ledger_transaction", "transaction.created", None, seed=seed_sample_world
    ),
}


@dataclass(frozen=True)
class CreateEndpoint:
    route: Route
    function_dir: str  # functions/<resource>/<action>, as the integration harness names it
    query: str  # the sample's raw query string
    body: bytes  # the sample's body, byte for byte
    declared: Declared
    raw_path: str  # the sample's path, its parameters filled in
    path_params: dict[str, str]

    @property
    def route_key(self) -> str:
        return self.route.route_key

    @property
    def method(self) -> str:
        return self.route.method

    @property
    def path(self) -> str:
        return self.route.path

    def handler(self) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        handler: Callable[[dict[str, Any], Any], dict[str, Any]] = handler_module(
            self.function_dir
        ).lambda_handler
        return handler

    def body_json(self) -> Body:
        body: Body = json.loads(self.body)
        return body

    def as_replayed(self, text: str) -> str:
        """The answer `text` as an idempotent replay of it reads (without what is shown once)."""
        if not self.declared.shown_once:
            return text
        body = {k: v for k, v in json.loads(text).items() if k not in self.declared.shown_once}
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False)

    def racer_body(self, racer: int) -> bytes:
        """The body racer `racer` sends in the race on the unique field."""
        return json.dumps(self.declared.distinct(self.body_json(), racer)).encode()


def _function_dir(route: Route) -> str:
    return route.code_uri.relative_to(ROOT / "functions").as_posix()


def _status(route: Route) -> int | None:
    """The status the route's `@endpoint(...)` answers, read from its source (importing
    every handler would load eth-account, seconds at each collection); imported only when
    the source does not say it plainly."""
    tree = ast.parse(route.handler_file.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "endpoint":
            status = next((k.value for k in node.keywords if k.arg == "status"), None)
            if status is None:
                return 200  # the decorator's default
            if isinstance(status, ast.Constant) and isinstance(status.value, int):
                return status.value
    spec = getattr(handler_module(_function_dir(route)).lambda_handler, "spec", None)
    return spec.status if spec is not None else None


def create_routes() -> list[Route]:
    """Every route whose handler answers 201."""
    found = [
        route
        for route in routes()
        if route.path != "$default"
        and route.code_uri.is_relative_to(ROOT / "functions")
        and _status(route) == 201
    ]
    return sorted(found, key=lambda r: r.route_key)


@cache
def create_endpoints() -> tuple[CreateEndpoint, ...]:
    """The declared create routes, each with its sample request."""
    out = []
    for route in create_routes():
        declared = DECLARED.get(route.route_key)
        if declared is None:
            continue  # reported by test_every_create_route_is_declared
        event = load_event(route.event_name)
        body = event.get("body") or ""
        out.append(
            CreateEndpoint(
                route=route,
                function_dir=_function_dir(route),
                query=str(event.get("rawQueryString") or ""),
                body=body.encode("utf-8"),
                declared=declared,
                raw_path=str(event["rawPath"]),
                path_params=dict(event.get("pathParameters") or {}),
            )
        )
    return tuple(out)


def create_endpoint_ids() -> list[str]:
    return [e.function_dir for e in create_endpoints()]
