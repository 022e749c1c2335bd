"""The ledger hierarchy over real HTTP against the local API, with the project's signing
client: an organization, its ledger, a BRL instrument, a portfolio, a product and an
account with an alias; the account read through its portfolio and through its ledger;
`@external/BRL` found by the ledger-wide list's alias filter; a PATCH that moves the alias
and replaces the metadata; a product named by a live account refused deletion (409), then
the account and the product deleted (204). And `partner ledger organizations create` from
a file of Midaz's JSON."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from partner_sdk.client import PartnerClient
from partner_sdk.credentials import credentials_from_file
from partner_sdk.errors import InvalidRequestError
from tests.e2e.test_customers_e2e import unique
from tests.e2e.test_ingest_e2e import environment, partner

pytestmark = pytest.mark.e2e

ADDRESS = {
    "line1": "Av. Paulista 1000",
    "zipCode": "01310-100",
    "city": "São Paulo",
    "state": "SP",
    "country": "BR",
}


@pytest.fixture
def api(local_api: tuple[str, Path]) -> Iterator[PartnerClient]:
    with PartnerClient(credentials_from_file(local_api[1])) as client:
        yield client


def is_uuid(value: object) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def test_the_hierarchy_down_to_an_account_read_patched_and_deleted(api: PartnerClient) -> None:
    answered: list[int] = []
    api.http.event_hooks["response"].append(lambda response: answered.append(response.status_code))
    ledger = api.ledger

    org = ledger.organizations.create(
        "Acme Pagamentos Ltda", unique("cnpj"), ADDRESS, doing_business_as="Acme", metadata={"segment": "pay"}
    )
    assert answered[-1] == 201 and is_uuid(org["id"]) and org["object"] == "organization"
    assert org["address"] == {**ADDRESS, "line2": None}
    assert (org["status"], org["deletedAt"]) == ({"code": "ACTIVE", "description": None}, None)
    assert ledger.organizations.get(org["id"]) == org
    o = org["id"]

    book = ledger.ledgers.create(o, "Operations")
    assert book["organizationId"] == o
    assert [item["id"] for item in ledger.ledgers.list(o, status="ACTIVE")["data"]] == [book["id"]]
    assert ledger.ledgers.list(o, status="BLOCKED")["data"] == []
    b = book["id"]

    brl = ledger.instruments.create(o, b, "Brazilian real", "currency", "BRL")
    assert (brl["code"], brl["type"], brl["scale"], brl["ledgerId"]) == ("BRL", "currency", 2, b)
    portfolio = ledger.portfolios.create(o, b, "Ana", entity_id="cus-ana")
    product = ledger.products.create(o, b, "Checking")
    p, product_id = portfolio["id"], product["id"]

    alias = unique("ana")
    account = ledger.accounts.create(
        o, b, p, "BRL", "deposit", name="Main", alias=alias, product_id=product_id,
        metadata={"tier": "gold", "region": "sp"},
    )  # fmt: skip
    assert answered[-1] == 201 and is_uuid(account["id"])
    assert (account["portfolioId"], account["productId"], account["alias"]) == (p, product_id, alias)
    assert account["balance"] == {"available": 0, "onHold": 0, "scale": 2}
    assert (account["allowSending"], account["allowReceiving"], account["type"]) == (True, True, "deposit")
    a = account["id"]

    # Read by both paths: through the portfolio and through the ledger alone.
    assert ledger.accounts.get(o, b, p, a) == account
    assert ledger.accounts.get_in_ledger(o, b, a) == account
    assert [item["id"] for item in ledger.accounts.list(o, b, p)["data"]] == [a]
    assert ledger.accounts.list(o, b, p, type="savings")["data"] == []

    # The instrument's external account: in no portfolio, found by its alias ledger-wide.
    page = ledger.accounts.list_in_ledger(o, b, alias="@external/BRL")
    assert len(page["data"]) == 1 and page["nextCursor"] is None
    external = page["data"][0]
    assert (external["alias"], external["type"], external["instrumentCode"]) == (
        "@external/BRL",
        "external",
        "BRL",
    )
    assert external["portfolioId"] is None
    assert ledger.accounts.find(o, b, "@external/BRL") == external
    assert ledger.accounts.get_in_ledger(o, b, external["id"]) == external
    assert {item["id"] for item in ledger.accounts.iterate_in_ledger(o, b)} == {a, external["id"]}
    assert [item["id"] for item in ledger.accounts.list_in_ledger(o, b, type="external")["data"]] == [
        external["id"]
    ]
    assert [item["id"] for item in ledger.accounts.list(o, b, p)["data"]] == [a]  # not the external one

    # PATCH: the alias moves (the old one is free again), the metadata is replaced whole.
    moved = unique("ana-moved")
    updated = ledger.accounts.update(o, b, p, a, alias=moved, metadata={"tier": "platinum"})
    assert answered[-1] == 200
    assert (updated["alias"], updated["metadata"]) == (moved, {"tier": "platinum"})
    assert (updated["id"], updated["createdAt"], updated["name"]) == (a, account["createdAt"], "Main")
    assert ledger.accounts.get(o, b, p, a) == updated
    assert ledger.accounts.find(o, b, alias) is None
    assert ledger.accounts.find(o, b, moved) == updated
    reuse = ledger.accounts.create(o, b, p, "BRL", "savings", alias=alias)
    assert reuse["alias"] == alias

    # The product an account names cannot be deleted; the account, then the product, can.
    with pytest.raises(InvalidRequestError) as refused:
        ledger.products.delete(o, b, product_id)
    assert (refused.value.status, refused.value.code) == (409, "state_conflict")
    assert ledger.products.get(o, b, product_id) == product

    ledger.accounts.delete(o, b, p, a)
    assert answered[-1] == 204
    ledger.products.delete(o, b, product_id)
    assert answered[-1] == 204
    for read in (
        lambda: ledger.accounts.get(o, b, p, a),
        lambda: ledger.accounts.get_in_ledger(o, b, a),
        lambda: ledger.products.get(o, b, product_id),
    ):
        with pytest.raises(InvalidRequestError) as gone:
            read()
        assert gone.value.status == 404
    assert [item["id"] for item in ledger.accounts.list(o, b, p)["data"]] == [reuse["id"]]
    assert ledger.products.list(o, b)["data"] == []


def test_the_cli_creates_an_organization_from_a_file_of_midaz_json(
    local_api: tuple[str, Path], api: PartnerClient, tmp_path: Path
) -> None:
    midaz = {
        "legalName": "Beta Instituição de Pagamento SA",
        "doingBusinessAs": "Beta",
        "legalDocument": unique("cnpj"),
        "address": {**ADDRESS, "line2": "10º andar"},
        "status": {"code": "ACTIVE", "description": "onboarded"},
        "metadata": {"source": "midaz"},
    }
    path = tmp_path / "organization.json"
    path.write_text(json.dumps(midaz, ensure_ascii=False), encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            partner("ledger", "organizations", *args),
            capture_output=True,
            text=True,
            env=environment(local_api),
            timeout=120,
            check=False,
        )

    done = run("create", "--data", f"@{path}", "--json")
    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)
    assert is_uuid(created["id"]) and created["object"] == "organization"
    assert {name: created[name] for name in midaz} == midaz
    assert api.ledger.organizations.get(created["id"]) == created

    table = run("get", created["id"])
    assert table.returncode == 0, table.stderr
    assert created["id"] in table.stdout and "ACTIVE (onboarded)" in table.stdout

    deleted = run("delete", created["id"], "--json")
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(deleted.stdout) == {"id": created["id"], "deleted": True}
    with pytest.raises(InvalidRequestError) as gone:
        api.ledger.organizations.get(created["id"])
    assert gone.value.status == 404
    # A ledger's organization is refused deletion while the ledger lives (409).
    org = api.ledger.organizations.create("Gamma", unique("cnpj"), ADDRESS)
    api.ledger.ledgers.create(org["id"], "Books")
    refused = run("delete", org["id"], "--json")
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["error"]["code"] == "state_conflict"
