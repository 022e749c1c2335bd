"""The ledger hierarchy in the tests: one call helper for every route, and a world of an
organization, a ledger, a BRL instrument, a portfolio and a product to build on."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tests.support.harness import Partner, Reply, call

# folder of functions/ for each resource, and its collection path under its parent.
FOLDERS = {
    "organization": "organizations",
    "ledger": "ledgers",
    "instrument": "instruments",
    "portfolio": "portfolios",
    "product": "products",
    "account": "ledger_accounts",
}
PATHS = {
    "organization": "/v1/organizations",
    "ledger": "/v1/organizations/{organizationId}/ledgers",
    "instrument": "/v1/organizations/{organizationId}/ledgers/{ledgerId}/instruments",
    "portfolio": "/v1/organizations/{organizationId}/ledgers/{ledgerId}/portfolios",
    "product": "/v1/organizations/{organizationId}/ledgers/{ledgerId}/products",
    "account": "/v1/organizations/{organizationId}/ledgers/{ledgerId}/portfolios/{portfolioId}/accounts",
}
ID_PARAM = {
    "organization": "organizationId",
    "ledger": "ledgerId",
    "instrument": "instrumentId",
    "portfolio": "portfolioId",
    "product": "productId",
    "account": "accountId",
}
ADDRESS = {
    "line1": "Av. Paulista 1000",
    "zipCode": "01310-100",
    "city": "Sao Paulo",
    "state": "SP",
    "country": "BR",
}
BODIES: dict[str, dict[str, Any]] = {
    "organization": {
        "legalName": "Lerian Studio Ltda",
        "legalDocument": "48784548000104",
        "address": ADDRESS,
    },
    "ledger": {"name": "Main ledger"},
    "instrument": {"name": "Brazilian Real", "type": "currency", "code": "BRL"},
    "portfolio": {"name": "Customer portfolio", "entityId": "crm-42"},
    "product": {"name": "Checking"},
    "account": {"instrumentCode": "BRL", "name": "My BRL account", "type": "deposit"},
}


def _render(path: str, ids: dict[str, str]) -> tuple[str, dict[str, str]]:
    names = re.findall(r"\{(\w+)\}", path)
    return path.format(**{n: ids[n] for n in names}), {n: ids[n] for n in names}


def create(
    partner: Partner, kind: str, ids: dict[str, str], body: dict[str, Any] | None = None, **kw: Any
) -> Reply:
    path, params = _render(PATHS[kind], ids)
    payload = {**BODIES[kind], **(body or {})}
    payload = {k: v for k, v in payload.items() if v is not ...}
    return call(
        f"{FOLDERS[kind]}/create", "POST", path, partner=partner, body=payload, path_params=params, **kw
    )


def created(
    partner: Partner, kind: str, ids: dict[str, str], body: dict[str, Any] | None = None
) -> dict[str, Any]:
    reply = create(partner, kind, ids, body)
    assert reply.status == 201, reply.text
    return dict(reply.json)


def item_path(kind: str, ids: dict[str, str], *, spelling: str = "portfolios") -> tuple[str, dict[str, str]]:
    path = PATHS[kind] + "/{" + ID_PARAM[kind] + "}"
    if spelling != "portfolios":
        path = path.replace("/portfolios/", f"/{spelling}/")
    return _render(path, ids)


def get(partner: Partner, kind: str, ids: dict[str, str], *, spelling: str = "portfolios") -> Reply:
    path, params = item_path(kind, ids, spelling=spelling)
    return call(f"{FOLDERS[kind]}/get", "GET", path, partner=partner, path_params=params)


def patch(partner: Partner, kind: str, ids: dict[str, str], body: dict[str, Any]) -> Reply:
    path, params = item_path(kind, ids)
    return call(f"{FOLDERS[kind]}/update", "PATCH", path, partner=partner, body=body, path_params=params)


def delete(partner: Partner, kind: str, ids: dict[str, str], *, spelling: str = "portfolios") -> Reply:
    path, params = item_path(kind, ids, spelling=spelling)
    return call(f"{FOLDERS[kind]}/delete", "DELETE", path, partner=partner, path_params=params)


def list_(
    partner: Partner, kind: str, ids: dict[str, str], query: str = "", *, spelling: str = "portfolios"
) -> Reply:
    path = PATHS[kind]
    if spelling != "portfolios":
        path = path.replace("/portfolios/", f"/{spelling}/")
    rendered, params = _render(path, ids)
    return call(f"{FOLDERS[kind]}/list", "GET", rendered, partner=partner, path_params=params, query=query)


def ledger_accounts(partner: Partner, ids: dict[str, str], query: str = "") -> Reply:
    rendered, params = _render("/v1/organizations/{organizationId}/ledgers/{ledgerId}/accounts", ids)
    return call(
        "ledger_accounts/list_in_ledger", "GET", rendered, partner=partner, path_params=params, query=query
    )


def ledger_account(partner: Partner, ids: dict[str, str]) -> Reply:
    rendered, params = _render(
        "/v1/organizations/{organizationId}/ledgers/{ledgerId}/accounts/{accountId}", ids
    )
    return call("ledger_accounts/get_in_ledger", "GET", rendered, partner=partner, path_params=params)


@dataclass
class World:
    """An organization, its ledger with a BRL instrument, a portfolio and a product."""

    partner: Partner
    ids: dict[str, str] = field(default_factory=dict)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, kind: str, body: dict[str, Any] | None = None, **ids: str) -> dict[str, Any]:
        made = created(self.partner, kind, {**self.ids, **ids}, body)
        return made

    def account(self, body: dict[str, Any] | None = None, **ids: str) -> dict[str, Any]:
        return self.add("account", body, **ids)


def world(partner: Partner) -> World:
    w = World(partner)
    for kind in ("organization", "ledger", "instrument", "portfolio", "product"):
        made = created(partner, kind, w.ids)
        w.ids[ID_PARAM[kind]] = made["id"]
        w.objects[kind] = made
    return w


# -- transactions -----------------------------------------------------------------------------

TRANSACTIONS = "/v1/organizations/{organizationId}/ledgers/{ledgerId}/transactions"


def entry(account: str, **how: Any) -> dict[str, Any]:
    """`entry("@external/BRL", amount=1500)` (minor units at scale 2), `share=50`, `remaining=True`."""
    out: dict[str, Any] = {"account": account}
    if "amount" in how:
        out["amount"] = {
            "asset": how.get("asset", "BRL"),
            "value": how["amount"],
            "scale": how.get("scale", 2),
        }
    if "share" in how:
        out["share"] = {
            "percentage": how["share"],
            **({"percentageOfPercentage": how["of"]} if "of" in how else {}),
        }
    if how.get("remaining"):
        out["remaining"] = "remaining"
    return out


def transfer(
    value: int, sources: list[dict[str, Any]], destinations: list[dict[str, Any]], **fields: Any
) -> dict[str, Any]:
    send = {"asset": fields.pop("asset", "BRL"), "value": value, "scale": fields.pop("scale", 2)}
    send |= {"source": {"from": sources}, "distribute": {"to": destinations}}
    return {**fields, "send": send}


def book(partner: Partner, ids: dict[str, str], body: dict[str, Any], **kw: Any) -> Reply:
    path, params = _render(TRANSACTIONS, ids)
    return call(
        "ledger_transactions/create", "POST", path, partner=partner, body=body, path_params=params, **kw
    )


def act(partner: Partner, ids: dict[str, str], transaction_id: str, action: str, **kw: Any) -> Reply:
    path, params = _render(
        TRANSACTIONS + "/{transactionId}/" + action, {**ids, "transactionId": transaction_id}
    )
    return call(
        f"ledger_transactions/{action}", "POST", path, partner=partner, body={}, path_params=params, **kw
    )


def transaction(partner: Partner, ids: dict[str, str], transaction_id: str) -> Reply:
    path, params = _render(TRANSACTIONS + "/{transactionId}", {**ids, "transactionId": transaction_id})
    return call("ledger_transactions/get", "GET", path, partner=partner, path_params=params)


def transactions(partner: Partner, ids: dict[str, str], query: str = "") -> Reply:
    path, params = _render(TRANSACTIONS, ids)
    return call("ledger_transactions/list", "GET", path, partner=partner, path_params=params, query=query)


def statement(partner: Partner, ids: dict[str, str], account_id: str, query: str = "") -> Reply:
    path, params = _render(
        "/v1/organizations/{organizationId}/ledgers/{ledgerId}/accounts/{accountId}/operations",
        {**ids, "accountId": account_id},
    )
    return call(
        "ledger_transactions/statement", "GET", path, partner=partner, path_params=params, query=query
    )


def balance(partner: Partner, ids: dict[str, str], account_id: str) -> dict[str, int]:
    reply = ledger_account(partner, {**ids, "accountId": account_id})
    assert reply.status == 200, reply.text
    return dict(reply.json["balance"])
