"""Cursor lists: newest first, stable pages, and cursors that cannot be forged or moved."""

from __future__ import annotations

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
