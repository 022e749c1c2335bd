"""The ledger hierarchy (API.md "Ledger hierarchy", seed 003): organizations, ledgers,
instruments, portfolios, products and accounts; their references, aliases, soft deletes,
and every path checked against its parents."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_accounts import error, events_of
from tests.support.harness import Partner
from tests.support.ledger import (
    BODIES,
    ID_PARAM,
    World,
    create,
    created,
    delete,
    get,
    ledger_account,
    ledger_accounts,
    list_,
    patch,
    world,
)

PARENTS = ("organization", "ledger", "instrument", "portfolio", "product")


@pytest.fixture
def w(partner: Partner) -> World:
    return world(partner)


def ids_of(w: World, account: dict[str, Any]) -> dict[str, str]:
    return {**w.ids, "accountId": account["id"]}


# -- creating each resource ---------------------------------------------------------------


def test_the_hierarchy_is_built_with_uuids_defaults_and_events(aws: Any, partner: Partner, w: World) -> None:
    org, ledger = w.objects["organization"], w.objects["ledger"]
    assert org["object"] == "organization" and len(org["id"]) == 36
    assert org["status"] == {"code": "ACTIVE", "description": None}
    assert (org["metadata"], org["deletedAt"], org["parentOrganizationId"]) == ({}, None, None)
    assert org["address"]["line2"] is None
    assert ledger["organizationId"] == org["id"]
    for kind in ("instrument", "portfolio", "product"):
        made = w.objects[kind]
        assert (made["organizationId"], made["ledgerId"]) == (org["id"], ledger["id"])
    instrument = w.objects["instrument"]
    assert (instrument["type"], instrument["code"], instrument["scale"]) == ("currency", "BRL", 2)
    account = w.account({"alias": "gabriel", "metadata": {"country": "japan"}})
    assert account["balance"] == {"available": 0, "onHold": 0, "scale": 2}
    assert (account["portfolioId"], account["type"], account["allowSending"]) == (
        w.ids["portfolioId"],
        "deposit",
        True,
    )
    for kind in ("organization", "ledger", "instrument", "portfolio", "product", "ledger_account"):
        assert events_of(aws, partner, f"{kind}.created"), kind
    assert get(partner, "account", ids_of(w, account)).json == account


def test_ids_are_time_ordered_and_lists_newest_first(partner: Partner, w: World) -> None:
    more = [created(partner, "portfolio", w.ids, {"name": f"P{i}"})["id"] for i in range(3)]
    listed = [p["id"] for p in list_(partner, "portfolio", w.ids).json["data"]]
    assert listed == [*more[::-1], w.ids["portfolioId"]]
    page = list_(partner, "portfolio", w.ids, "limit=2").json
    assert len(page["data"]) == 2 and page["nextCursor"]
    rest = list_(partner, "portfolio", w.ids, f"limit=2&cursor={page['nextCursor']}").json
    assert [p["id"] for p in page["data"] + rest["data"]] == listed


def test_lists_filter_by_status_code(partner: Partner, w: World) -> None:
    frozen = created(
        partner, "product", w.ids, {"name": "Old", "status": {"code": "FROZEN", "description": "AML"}}
    )
    codes = [p["id"] for p in list_(partner, "product", w.ids, "status=FROZEN").json["data"]]
    assert codes == [frozen["id"]]
    assert [p["id"] for p in list_(partner, "product", w.ids, "status=ACTIVE").json["data"]] == [
        w.ids["productId"]
    ]


@pytest.mark.parametrize(
    ("code", "type_", "scale", "expected"),
    [
        ("JPY", "currency", None, 0),
        ("KWD", "currency", None, 3),
        ("USD", "currency", 4, 4),
        ("BTC", "crypto", 8, 8),
    ],
)
def test_instrument_scales(
    partner: Partner, w: World, code: str, type_: str, scale: int | None, expected: int
) -> None:
    body = {"code": code, "type": type_, "name": code, "scale": scale if scale is not None else ...}
    assert created(partner, "instrument", w.ids, body)["scale"] == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"code": "XYZ", "type": "currency"}, (400, "parameter_invalid", "code")),
        ({"code": "XAU", "type": "currency"}, (400, "parameter_missing", "scale")),
        ({"code": "BTC", "type": "crypto"}, (400, "parameter_missing", "scale")),
        ({"code": "BTC", "type": "crypto", "scale": 19}, (400, "parameter_invalid", "scale")),
        ({"code": "btc", "type": "crypto", "scale": 8}, (400, "parameter_invalid", "code")),
        ({"code": "GOLD", "type": "metal", "scale": 2}, (400, "parameter_invalid", "type")),
    ],
)
def test_instrument_rules(
    partner: Partner, w: World, body: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    assert error(create(partner, "instrument", w.ids, {"name": "X", **body})) == expected


def test_an_instrument_code_is_unique_per_ledger(partner: Partner, w: World) -> None:
    assert error(create(partner, "instrument", w.ids)) == (409, "resource_already_exists", "code")
    other = created(partner, "ledger", w.ids, {"name": "Second"})
    assert created(partner, "instrument", {**w.ids, "ledgerId": other["id"]})["code"] == "BRL"


def test_an_instrument_makes_its_external_account(partner: Partner, w: World) -> None:
    [external] = ledger_accounts(partner, w.ids, "alias=@external/BRL").json["data"]
    assert (external["type"], external["portfolioId"], external["instrumentCode"]) == (
        "external",
        None,
        "BRL",
    )
    assert external["balance"] == {"available": 0, "onHold": 0, "scale": 2}
    # In no portfolio's list; read by the ledger alone.
    assert list_(partner, "account", w.ids).json["data"] == []
    assert ledger_account(partner, {**w.ids, "accountId": external["id"]}).json == external
    assert get(partner, "account", {**w.ids, "accountId": external["id"]}).status == 404


# -- accounts: references -----------------------------------------------------------------


def test_an_account_names_an_instrument_of_its_ledger(partner: Partner, w: World) -> None:
    assert error(create(partner, "account", w.ids, {"instrumentCode": "USD"})) == (
        422,
        "reference_invalid",
        "instrumentCode",
    )


def test_a_child_account_with_another_instrument(partner: Partner, w: World) -> None:
    created(partner, "instrument", w.ids, {"code": "USD", "name": "Dollar"})
    parent = w.account({"instrumentCode": "USD"})
    reply = create(partner, "account", w.ids, {"parentAccountId": parent["id"]})  # a BRL child
    assert error(reply) == (422, "reference_invalid", "parentAccountId")
    child = w.account({"instrumentCode": "USD", "parentAccountId": parent["id"]})
    assert child["parentAccountId"] == parent["id"]


def test_a_parent_account_in_another_ledger(partner: Partner, w: World) -> None:
    other = World(partner, {"organizationId": w.ids["organizationId"]})
    other.ids["ledgerId"] = created(partner, "ledger", other.ids, {"name": "Other"})["id"]
    created(partner, "instrument", other.ids)
    other.ids["portfolioId"] = created(partner, "portfolio", other.ids)["id"]
    foreign = other.account()
    reply = create(partner, "account", w.ids, {"parentAccountId": foreign["id"]})
    assert error(reply) == (422, "reference_invalid", "parentAccountId")


def test_a_product_of_another_ledger_or_deleted(partner: Partner, w: World) -> None:
    other_ledger = created(partner, "ledger", w.ids, {"name": "Other"})
    foreign = created(partner, "product", {**w.ids, "ledgerId": other_ledger["id"]})
    assert error(create(partner, "account", w.ids, {"productId": foreign["id"]})) == (
        422,
        "reference_invalid",
        "productId",
    )
    spare = created(partner, "product", w.ids, {"name": "Spare"})
    assert delete(partner, "product", {**w.ids, "productId": spare["id"]}).status == 204
    assert error(create(partner, "account", w.ids, {"productId": spare["id"]}))[:2] == (
        422,
        "reference_invalid",
    )


@pytest.mark.parametrize("field", ["balance", "organizationId", "id", "createdAt"])
def test_server_owned_fields_are_refused(partner: Partner, w: World, field: str) -> None:
    assert error(create(partner, "account", w.ids, {field: {"available": 1}})) == (
        400,
        "parameter_unknown",
        field,
    )


# -- aliases ------------------------------------------------------------------------------------


def test_an_alias_is_unique_per_ledger_and_free_in_another(partner: Partner, w: World) -> None:
    w.account({"alias": "gabriel"})
    assert error(create(partner, "account", w.ids, {"alias": "gabriel"})) == (
        409,
        "resource_already_exists",
        "alias",
    )
    other = World(partner, {"organizationId": w.ids["organizationId"]})
    other.ids["ledgerId"] = created(partner, "ledger", other.ids, {"name": "Other"})["id"]
    created(partner, "instrument", other.ids)
    other.ids["portfolioId"] = created(partner, "portfolio", other.ids)["id"]
    assert other.account({"alias": "gabriel"})["alias"] == "gabriel"


@pytest.mark.parametrize("alias", ["@external/BRL", "has space", "x" * 101, ""])
def test_an_alias_that_is_not_allowed(partner: Partner, w: World, alias: str) -> None:
    assert error(create(partner, "account", w.ids, {"alias": alias})) == (400, "parameter_invalid", "alias")


def test_the_alias_of_a_deleted_account_is_reused(partner: Partner, w: World) -> None:
    first = w.account({"alias": "gabriel"})
    assert delete(partner, "account", ids_of(w, first)).status == 204
    assert w.account({"alias": "gabriel"})["id"] != first["id"]


def test_patch_moves_an_alias(partner: Partner, w: World) -> None:
    a, b = w.account({"alias": "gabriel"}), w.account({"alias": "santos"})
    assert error(patch(partner, "account", ids_of(w, b), {"alias": "gabriel"})) == (
        409,
        "resource_already_exists",
        "alias",
    )
    moved = patch(partner, "account", ids_of(w, a), {"alias": "satoshi"}).json
    assert moved["alias"] == "satoshi"
    assert patch(partner, "account", ids_of(w, b), {"alias": "gabriel"}).json["alias"] == "gabriel"
    cleared = patch(partner, "account", ids_of(w, a), {"alias": None}).json
    assert cleared["alias"] is None
    assert w.account({"alias": "satoshi"})["alias"] == "satoshi"


# -- PATCH ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("organization", "legalDocument"),
        ("ledger", "organizationId"),
        ("instrument", "code"),
        ("instrument", "type"),
        ("instrument", "scale"),
        ("account", "instrumentCode"),
        ("account", "type"),
        ("account", "parentAccountId"),
        ("account", "balance"),
    ],
)
def test_patch_of_a_field_that_is_not_editable(partner: Partner, w: World, kind: str, field: str) -> None:
    ids = w.ids if kind != "account" else ids_of(w, w.account())
    assert error(patch(partner, kind, ids, {field: "x"})) == (400, "parameter_unknown", field)


@pytest.mark.parametrize("kind", PARENTS)
def test_metadata_is_replaced_whole(partner: Partner, w: World, kind: str) -> None:
    first = patch(partner, kind, w.ids, {"metadata": {"a": "1", "b": "2"}}).json
    assert first["metadata"] == {"a": "1", "b": "2"}
    second = patch(partner, kind, w.ids, {"metadata": {"c": "3"}}).json
    assert second["metadata"] == {"c": "3"}
    assert patch(partner, kind, w.ids, {"metadata": None}).json["metadata"] == {}
    assert get(partner, kind, w.ids).json["metadata"] == {}


def test_patch_changes_only_what_it_names_and_emits_the_previous_values(
    aws: Any, partner: Partner, w: World
) -> None:
    reply = patch(partner, "ledger", w.ids, {"name": "Renamed", "status": {"code": "BLOCKED"}})
    ledger = reply.json
    assert (ledger["name"], ledger["status"], ledger["id"]) == (
        "Renamed",
        {"code": "BLOCKED", "description": None},
        w.ids["ledgerId"],
    )
    [event] = events_of(aws, partner, "ledger.updated")
    assert event["data"]["previousAttributes"]["name"] == "Main ledger"


@pytest.mark.parametrize(
    ("kind", "field"), [("organization", "legalName"), ("ledger", "name"), ("portfolio", "status")]
)
def test_null_clears_only_a_nullable_field(partner: Partner, w: World, kind: str, field: str) -> None:
    assert error(patch(partner, kind, w.ids, {field: None})) == (400, "parameter_invalid", field)


def test_patch_moves_an_accounts_product(partner: Partner, w: World) -> None:
    account = w.account({"productId": w.ids["productId"]})
    other = created(partner, "product", w.ids, {"name": "Savings"})
    assert error(delete(partner, "product", w.ids))[:2] == (409, "state_conflict")
    assert (
        patch(partner, "account", ids_of(w, account), {"productId": other["id"]}).json["productId"]
        == other["id"]
    )
    assert delete(partner, "product", w.ids).status == 204
    assert error(delete(partner, "product", {**w.ids, "productId": other["id"]}))[:2] == (
        409,
        "state_conflict",
    )
    foreign_ledger = created(partner, "ledger", w.ids, {"name": "Other"})
    foreign = created(partner, "product", {**w.ids, "ledgerId": foreign_ledger["id"]})
    assert error(patch(partner, "account", ids_of(w, account), {"productId": foreign["id"]})) == (
        422,
        "reference_invalid",
        "productId",
    )


# -- organizations' parents ------------------------------------------------------------------


def test_an_organization_under_a_parent(partner: Partner, w: World) -> None:
    parent_id = w.ids["organizationId"]
    child = created(partner, "organization", {}, {"parentOrganizationId": parent_id, "legalDocument": "1"})
    assert child["parentOrganizationId"] == parent_id
    unknown = "00000000-0000-7000-8000-000000000000"
    assert error(create(partner, "organization", {}, {"parentOrganizationId": unknown})) == (
        422,
        "reference_invalid",
        "parentOrganizationId",
    )
    # A parent with a child organization (as with ledgers) is not deleted.
    assert error(delete(partner, "organization", w.ids))[:2] == (409, "state_conflict")
    # No cycles: the parent cannot become its child's child, nor its own parent.
    for target in (child["id"], parent_id):
        reply = patch(partner, "organization", w.ids, {"parentOrganizationId": target})
        assert error(reply) == (422, "reference_invalid", "parentOrganizationId")
    # Detached, the child no longer counts.
    assert (
        patch(partner, "organization", {"organizationId": child["id"]}, {"parentOrganizationId": None}).status
        == 200
    )


# -- soft deletes ------------------------------------------------------------------------------


def test_a_deleted_account_is_404_and_gone_from_lists(aws: Any, partner: Partner, w: World) -> None:
    account = w.account({"alias": "gabriel"})
    ids = ids_of(w, account)
    assert delete(partner, "account", ids).status == 204
    assert error(get(partner, "account", ids))[:2] == (404, "resource_missing")
    assert error(ledger_account(partner, ids))[:2] == (404, "resource_missing")
    assert list_(partner, "account", w.ids).json["data"] == []
    assert [a["type"] for a in ledger_accounts(partner, w.ids).json["data"]] == ["external"]
    assert error(delete(partner, "account", ids))[:2] == (404, "resource_missing")
    assert error(patch(partner, "account", ids, {"name": "x"}))[:2] == (404, "resource_missing")
    [event] = events_of(aws, partner, "ledger_account.deleted")
    assert event["data"]["object"]["deletedAt"] is not None


def test_parents_with_live_children_are_not_deleted(partner: Partner, w: World) -> None:
    account = w.account()
    child = w.account({"parentAccountId": account["id"]})
    for kind in ("organization", "ledger", "instrument", "portfolio"):
        assert error(delete(partner, kind, w.ids))[:2] == (409, "state_conflict"), kind
    assert error(delete(partner, "account", ids_of(w, account)))[:2] == (409, "state_conflict")
    for made in (child, account):
        assert delete(partner, "account", ids_of(w, made)).status == 204
    for kind in ("portfolio", "product", "instrument", "ledger", "organization"):
        assert delete(partner, kind, w.ids).status == 204, kind
        assert error(get(partner, kind, w.ids))[:2] == (404, "resource_missing")


def test_deleting_an_instrument_deletes_its_external_account_and_frees_its_code(
    partner: Partner, w: World
) -> None:
    assert delete(partner, "instrument", w.ids).status == 204
    assert ledger_accounts(partner, w.ids, "alias=@external/BRL").json["data"] == []
    again = created(partner, "instrument", w.ids)
    [external] = ledger_accounts(partner, w.ids, "alias=@external/BRL").json["data"]
    assert again["code"] == "BRL" and external["instrumentCode"] == "BRL"


# -- paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["portfolios", "portfolio"])
def test_both_path_spellings_reach_the_same_accounts(partner: Partner, w: World, spelling: str) -> None:
    account = w.account({"alias": "gabriel"})
    assert get(partner, "account", ids_of(w, account), spelling=spelling).json == account
    listed = list_(partner, "account", w.ids, "type=deposit", spelling=spelling).json["data"]
    assert [a["id"] for a in listed] == [account["id"]]
    assert delete(partner, "account", ids_of(w, account), spelling=spelling).status == 204


def test_the_ledger_wide_list_filters(partner: Partner, w: World) -> None:
    created(partner, "instrument", w.ids, {"code": "USD", "name": "Dollar"})
    brl = w.account({"type": "savings"})
    usd = w.account({"instrumentCode": "USD", "alias": "dollars"})

    def found(query: str) -> list[str]:
        return [a["alias"] or a["id"] for a in ledger_accounts(partner, w.ids, query).json["data"]]

    assert set(found("")) == {"@external/BRL", "@external/USD", brl["id"], "dollars"}
    assert found("instrumentCode=USD") == ["dollars", "@external/USD"]
    assert found("type=savings") == [brl["id"]]
    assert found("type=external&instrumentCode=BRL") == ["@external/BRL"]
    assert found("alias=dollars") == ["dollars"]
    assert found("alias=dollars&instrumentCode=BRL") == []
    assert found("alias=nobody") == []
    assert usd["instrumentCode"] == "USD"


@pytest.mark.parametrize("wrong", ["organizationId", "ledgerId", "portfolioId"])
def test_an_account_under_a_wrong_parent_is_404(partner: Partner, w: World, wrong: str) -> None:
    account = w.account()
    other = World(partner)
    other.ids["organizationId"] = created(partner, "organization", {})["id"]
    other.ids["ledgerId"] = created(partner, "ledger", other.ids)["id"]
    other.ids["portfolioId"] = created(partner, "portfolio", other.ids)["id"]
    ids = {**ids_of(w, account), wrong: other.ids[wrong]}
    for reply in (
        get(partner, "account", ids),
        patch(partner, "account", ids, {"name": "x"}),
        delete(partner, "account", ids),
        list_(partner, "account", ids),
    ):
        assert error(reply)[:2] == (404, "resource_missing"), reply.text
    if wrong != "portfolioId":
        assert error(ledger_account(partner, ids))[:2] == (404, "resource_missing")
    assert get(partner, "account", ids_of(w, account)).status == 200


@pytest.mark.parametrize("kind", ["ledger", "instrument", "portfolio", "product"])
def test_every_level_checks_its_parents(partner: Partner, w: World, kind: str) -> None:
    stranger = created(partner, "organization", {})
    ids = {**w.ids, "organizationId": stranger["id"]}
    for reply in (
        get(partner, kind, ids),
        patch(partner, kind, ids, {"name": "x"}),
        delete(partner, kind, ids),
    ):
        assert error(reply)[:2] == (404, "resource_missing"), (kind, reply.text)
    if kind != "ledger":
        other_ledger = created(partner, "ledger", w.ids, {"name": "Other"})
        assert error(get(partner, kind, {**w.ids, "ledgerId": other_ledger["id"]}))[:2] == (
            404,
            "resource_missing",
        )
        assert error(create(partner, kind, ids))[:2] == (404, "resource_missing")
        assert error(list_(partner, kind, ids))[:2] == (404, "resource_missing")
    else:  # the other organization is the partner's own: its ledgers are none of these
        assert list_(partner, kind, ids).json["data"] == []


def test_another_tenant_sees_nothing(partner: Partner, make_partner: Any, w: World) -> None:
    stranger = make_partner()
    account = w.account()
    for kind in PARENTS:
        assert error(get(stranger, kind, w.ids))[:2] == (404, "resource_missing")
    assert error(get(stranger, "account", ids_of(w, account)))[:2] == (404, "resource_missing")
    assert error(create(stranger, "ledger", w.ids))[:2] == (404, "resource_missing")
    assert list_(stranger, "organization", {}).json["data"] == []


@pytest.mark.parametrize("value", ["not-a-uuid", "01932C07-0000-7000-8000-000000000001"])
def test_a_malformed_id_is_400(partner: Partner, w: World, value: str) -> None:
    assert error(get(partner, "ledger", {**w.ids, "ledgerId": value})) == (
        400,
        "parameter_invalid",
        "ledgerId",
    )


def test_every_kind_has_its_body(partner: Partner) -> None:
    assert set(BODIES) == set(ID_PARAM)
