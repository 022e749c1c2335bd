"""Cursor lists: newest first, stable pages, and cursors that cannot be forged or moved,
also on the lists filtered by a unique value (`listing.single`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pytest

from partner_sdk import signing
from tests.support.harness import Partner, call

LIST = "signing_keys/list"
CREATE = "signing_keys/create"


def listing(partner: Partner, query: str = ""):
    return call(LIST, "GET", "/v1/signing-keys", partner=partner, query=query)


def fill(partner: Partner, count: int) -> list[str]:
    ids = [partner.signing_key_id]
    for _ in range(count):
        pem = signing.public_key_pem(signing.generate_private_key("ed25519"))
        ids.append(
            call(CREATE, "POST", "/v1/signing-keys", partner=partner, body={"publicKey": pem}).json["id"]
        )
    return ids[::-1]  # newest first


def test_pages_walk_every_item_once_newest_first(partner: Partner) -> None:
    expected = fill(partner, 9)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        reply = listing(partner, "limit=3" + (f"&cursor={cursor}" if cursor else ""))
        assert reply.status == 200, reply.text
        seen += [k["id"] for k in reply.json["data"]]
        cursor = reply.json["nextCursor"]
        pages += 1
        if cursor is None:
            break
    assert seen == expected
    assert pages == 4  # 3 + 3 + 3 + 1, and no empty trailing page


def test_default_limit_and_exact_fit_has_no_next_page(partner: Partner) -> None:
    fill(partner, 4)
    reply = listing(partner, "limit=5")
    assert len(reply.json["data"]) == 5 and reply.json["nextCursor"] is None


@pytest.mark.parametrize("mutate", ["flip", "truncate", "garbage", "empty_mac"])
def test_a_forged_or_altered_cursor_is_400(partner: Partner, mutate: str) -> None:
    fill(partner, 3)
    cursor = listing(partner, "limit=1").json["nextCursor"]
    payload, mac = cursor.split(".")
    forged = {
        "flip": payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + mac,
        "truncate": cursor[:-3],
        "garbage": "not-a-cursor",
        "empty_mac": payload + ".",
    }[mutate]
    reply = listing(partner, f"limit=1&cursor={forged}")
    assert (reply.status, reply.code, reply.json["error"]["param"]) == (400, "parameter_invalid", "cursor")


def test_another_tenants_cursor_is_400_never_a_leak(make_partner: Any) -> None:
    a, b = make_partner(), make_partner()
    fill(a, 3)
    fill(b, 3)
    cursor = listing(a, "limit=1").json["nextCursor"]
    reply = listing(b, f"limit=1&cursor={cursor}")
    assert (reply.status, reply.code) == (400, "parameter_invalid")


def test_a_cursor_of_another_api_keys_list_is_400(store: Any, partner: Partner) -> None:
    from core.partners import onboarding as partners

    fill(partner, 3)
    cursor = listing(partner, "limit=1").json["nextCursor"]
    key, secret = partners.issue_api_key(store, partner.tenant_id, signature_policy="optional")
    other = Partner(partner.tenant_id, secret, key["keyId"], "", None)
    reply = call(LIST, "GET", "/v1/signing-keys", partner=other, query=f"cursor={cursor}", sign=False)
    assert (reply.status, reply.code) == (400, "parameter_invalid")


# -- lists filtered by a unique value (read from its uniqueness guard) ----------------------

EVM = "0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb"


@dataclass(frozen=True)
class GuardList:
    """A list filtered by a unique value: at most one result, no cursor of its own."""

    name: str
    list_fn: str
    create_fn: str
    path: str
    filter_: str  # the query parameter
    bodies: tuple[dict[str, Any], dict[str, Any]]  # two records; the first one is filtered for
    collection: str
    filters: dict[str, str | None]  # as listing.filtered_collection names the filtered list

    def create(self, partner: Partner, body: dict[str, Any]) -> dict[str, Any]:
        reply = call(self.create_fn, "POST", self.path, partner=partner, body=body)
        assert reply.status == 201, reply.text
        return reply.json

    def list(self, partner: Partner, query: str) -> Any:
        return call(self.list_fn, "GET", self.path, partner=partner, query=query)

    def seed(self, partner: Partner) -> str:
        """Both records; the filter's query string (matching the first)."""
        for body in self.bodies:
            self.create(partner, body)
        return f"{self.filter_}={self.bodies[0][self.filter_]}"


GUARD_LISTS = [
    GuardList(
        "customers-externalId",
        "customers/list",
        "customers/create",
        "/v1/customers",
        "externalId",
        ({"externalId": "crm-1"}, {"externalId": "crm-2"}),
        "customers",
        {"externalId": "crm-1"},
    ),
    GuardList(
        "customers-onchainId",
        "customers/list",
        "customers/create",
        "/v1/customers",
        "onchainId",
        ({"onchainId": f"eip155:1:{EVM}"}, {"externalId": "crm-3"}),
        "customers",
        {"onchainId": f"eip155:1:{EVM.lower()}"},  # the address's unique value
    ),
    GuardList(
        "bank-accounts-referenceId",
        "bank_accounts/list",
        "bank_accounts/create",
        "/v1/bank-accounts",
        "referenceId",
        (
            {"accountNumber": "GB-1", "referenceId": "ref-1"},
            {"accountNumber": "GB-2", "referenceId": "ref-2"},
        ),
        "bank_accounts",
        {"referenceId": "ref-1"},
    ),
    GuardList(
        "blockchain-wallets-referenceId",
        "blockchain_wallets/list",
        "blockchain_wallets/create",
        "/v1/blockchain-wallets",
        "referenceId",
        (
            {"address": EVM, "chain": "ethereum", "referenceId": "ref-1"},
            {"address": EVM, "chain": "polygon", "referenceId": "ref-2"},
        ),
        "blockchain_wallets",
        {"referenceId": "ref-1"},
    ),
]
BY_NAME = {case.name: case for case in GUARD_LISTS}


def _refused(reply: Any) -> tuple[Any, ...]:
    return (reply.status, reply.code, (reply.json.get("error") or {}).get("param"))


def _own_cursor(target: GuardList, tenant_id: str) -> str:
    """A cursor signed for this very filtered list, as `listing.single` names it (the
    list never hands one out: its one result fits on the first page)."""
    from core.platform import listing, pipeline
    from core.platform.pagination import encode_cursor

    settings = pipeline.runtime()[0]
    name = listing.filtered_collection(target.collection, target.filters)
    return encode_cursor(settings.cursor_secret, tenant_id, name, {"PK": "x", "SK": "y"})


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_a_filtered_list_finds_its_one_record_without_a_cursor(partner: Partner, name: str) -> None:
    target = BY_NAME[name]
    query = target.seed(partner)
    page = target.list(partner, f"{query}&limit=1").json
    assert len(page["data"]) == 1 and page["nextCursor"] is None


@pytest.mark.parametrize("name", sorted(BY_NAME))
@pytest.mark.parametrize("forged", ["garbage", "not-a-cursor.AAAA", "e30.", "."])
def test_a_forged_cursor_on_a_filtered_list_is_400(partner: Partner, name: str, forged: str) -> None:
    target = BY_NAME[name]
    query = target.seed(partner)
    reply = target.list(partner, f"{query}&cursor={forged}")
    assert _refused(reply) == (400, "parameter_invalid", "cursor"), reply.text


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_a_cursor_of_another_list_is_400_on_a_filtered_list(partner: Partner, name: str) -> None:
    """The unfiltered list's genuine cursor, and one signed for the list of another value."""
    target = BY_NAME[name]
    query = target.seed(partner)
    unfiltered = target.list(partner, "limit=1").json["nextCursor"]
    assert unfiltered is not None
    reply = target.list(partner, f"{query}&cursor={unfiltered}")
    assert _refused(reply) == (400, "parameter_invalid", "cursor"), reply.text
    other_value = replace(target, filters={target.filter_: "another value"})
    reply = target.list(partner, f"{query}&cursor={_own_cursor(other_value, partner.tenant_id)}")
    assert _refused(reply) == (400, "parameter_invalid", "cursor"), reply.text


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_another_tenants_cursor_is_400_on_a_filtered_list(make_partner: Any, name: str) -> None:
    """Another tenant's genuine cursor of the same list unfiltered, and one signed for
    the other tenant's list with this very filter."""
    target = BY_NAME[name]
    a, b = make_partner(), make_partner()
    query = target.seed(a)
    target.seed(b)
    theirs = target.list(b, "limit=1").json["nextCursor"]
    assert theirs is not None
    assert _refused(target.list(a, f"{query}&cursor={theirs}")) == (400, "parameter_invalid", "cursor")
    reply = target.list(a, f"{query}&cursor={_own_cursor(target, b.tenant_id)}")
    assert _refused(reply) == (400, "parameter_invalid", "cursor"), reply.text


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_a_cursor_signed_for_the_filtered_list_itself_is_the_empty_page_after_its_result(
    partner: Partner, name: str
) -> None:
    target = BY_NAME[name]
    query = target.seed(partner)
    reply = target.list(partner, f"{query}&cursor={_own_cursor(target, partner.tenant_id)}")
    assert reply.status == 200, reply.text
    assert reply.json == {"data": [], "nextCursor": None}
