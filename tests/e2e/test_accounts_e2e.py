"""Customer accounts over real HTTP against the local API, with the project's signing
client: an approved customer's EUR account gets an IBAN, its wallet account a deposit
address; the customer's deactivation suspends both and its activation restores them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from schwifty import IBAN

from partner_sdk.client import PartnerClient
from partner_sdk.credentials import credentials_from_file
from partner_sdk.errors import InvalidRequestError
from tests.e2e.test_customers_e2e import kyc_decision, unique
from tests.support.deposit_vectors import vector_address

pytestmark = pytest.mark.e2e


@pytest.fixture
def api(local_api: tuple[str, Path]) -> Iterator[PartnerClient]:
    with PartnerClient(credentials_from_file(local_api[1])) as client:
        yield client


def test_accounts_numbers_addresses_and_the_cascade(local_api: tuple[str, Path], api: PartnerClient) -> None:
    customer = api.post(
        "/v1/customers",
        {"type": "business", "name": "Acme", "externalId": unique("acc-e2e"), "country": "DE"},
    ).json()
    assert kyc_decision(local_api, customer["id"]).status_code == 200

    fiat = api.post(
        "/v1/accounts", {"customerId": customer["id"], "type": "demand_deposit", "currency": "EUR"}
    )
    assert fiat.status == 201, fiat.json()
    number = api.post(f"/v1/accounts/{fiat.json()['id']}/account-numbers", {}).json()
    assert number["scheme"] == "iban" and IBAN(number["number"]).country_code == "DE"

    wallet = api.post(
        "/v1/accounts",
        {"customerId": customer["id"], "type": "wallet", "asset": "USDC", "chain": "ethereum"},
    ).json()
    address = api.post(f"/v1/accounts/{wallet['id']}/blockchain-addresses", {}).json()
    index = int(address["derivationPath"].rsplit("/", 1)[1])
    assert address["address"] == vector_address("evm", index)

    got = api.get(f"/v1/accounts/{fiat.json()['id']}").json()
    assert [n["number"] for n in got["accountNumbers"]] == [number["number"]]

    assert api.patch(f"/v1/customers/{customer['id']}/deactivate", {}).status == 200
    suspended = api.get(f"/v1/accounts/{wallet['id']}").json()
    assert suspended["status"] == "suspended"
    assert suspended["blockchainAddresses"][0]["status"] == "suspended"
    with pytest.raises(InvalidRequestError) as refused:
        api.post(f"/v1/accounts/{wallet['id']}/blockchain-addresses", {})
    assert (refused.value.status, refused.value.code) == (409, "state_conflict")
    assert api.patch(f"/v1/customers/{customer['id']}/activate", {}).status == 200
    assert api.get(f"/v1/accounts/{wallet['id']}").json()["status"] == "active"

    listed = api.get("/v1/accounts", params={"customerId": customer["id"]}).json()["data"]
    assert {a["id"] for a in listed} == {fiat.json()["id"], wallet["id"]}
