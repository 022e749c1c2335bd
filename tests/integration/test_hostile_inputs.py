"""The hostile-input catalogue against every route of the route table (issue 6, item 3).

Each (route, case) pair is one test: the route's sample request turned into an attack,
answered with API.md's status and code in the error envelope, carrying nothing of
another tenant's, and leaving the table exactly as it was (a full scan before and after).
The pairs come from tests/support/hostile_cases.py; a new route joins by having its
sample event in events/ (a test fails while it has none).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from core.platform.errors import ERROR_TABLE
from tests.integration.conftest import scan_all
from tests.support.harness import Reply, handler_module
from tests.support.hostile_cases import RULES, cases_for, catalogue
from tests.support.hostile_probe import Case, Expect, Probe
from tests.support.hostile_world import World, moto_table
from tests.support.route_targets import PAGE, PARTNER, PROVIDER, PUBLIC, Target, of_kind, targets

CATALOGUE = catalogue()
ENVELOPE_FIELDS = {"type", "code", "message", "param", "requestId"}
# Answers that mean "the request itself was refused" (its input, credentials or size).
REFUSALS = {code for code, (status, _) in ERROR_TABLE.items() if status in (400, 401, 403, 413)}


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with moto_table() as client:
        yield World(client)


@pytest.fixture
def callbacks_sent(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every HTTP callback a page would send (none may leave for a refused request)."""
    sent: list[Any] = []
    for target in of_kind(PAGE):
        module = handler_module(target.function_dir)
        if hasattr(module, "send"):
            monkeypatch.setattr(module, "send", lambda *args: sent.append(args))
    return sent


def check_answer(reply: Reply, expect: Expect, target: Target) -> None:
    if expect.empty_list:
        assert reply.status == 200, reply.text
        assert reply.json["data"] == [] and reply.json["nextCursor"] is None, reply.text
        return
    assert reply.status == expect.status, reply.text
    if target.kind == PAGE:
        assert reply.headers["Content-Type"].startswith("text/html")
        assert f"<code>{expect.code}</code>" in reply.text, reply.text
        return
    body = reply.json
    assert set(body) == {"error"}, reply.text  # the envelope and nothing else: never data
    error = body["error"]
    assert set(error) <= ENVELOPE_FIELDS, reply.text
    assert (error["code"], error["type"]) == (expect.code, ERROR_TABLE[expect.code][1]), reply.text
    assert error["requestId"] == reply.headers["Request-Id"]
    if expect.param is not None:
        param = error.get("param", "")
        if expect.param_prefix:
            assert param == expect.param or param.startswith((f"{expect.param}.", f"{expect.param}[")), (
                reply.text
            )
        else:
            assert param == expect.param, reply.text


def check_table(
    before: list[dict[str, Any]], after: list[dict[str, Any]], probe: Probe, world: World
) -> None:
    if not probe.expect.stores_answer:
        assert after == before
        return
    # The endpoint ran and answered 4xx: API.md stores that answer for its Idempotency-Key.
    # That record, in the attacker's own partition, is the one change there may be.
    assert [item for item in before if item not in after] == []
    added = [item for item in after if item not in before]
    assert len(added) == 1, added
    record = added[0]
    assert record["PK"]["S"] == f"T#{world.attacker.tenant_id}"
    assert record["SK"]["S"] == f"IDEM#{probe.attempt.idempotency_key}"
    assert record["state"]["S"] == "completed"
    assert record["response"]["M"]["status"]["N"] == str(probe.expect.status)


@pytest.mark.parametrize(("target", "case"), CATALOGUE, ids=[f"{t}|{c}" for t, c in CATALOGUE])
def test_hostile_input(world: World, target: Target, case: Case, callbacks_sent: list[Any]) -> None:
    probe = case.build(world, target)
    before = world.snapshot()
    reply = world.send(probe.attempt)
    after = world.snapshot()
    check_answer(reply, probe.expect, target)
    for secret in probe.secrets:
        assert secret not in reply.text
    # Nothing an attacker wrote into a value comes back as a header of its own.
    assert not {"set-cookie", "x-injected", "x-tenant-id"} & {name.lower() for name in reply.headers}
    check_table(before, after, probe, world)
    assert callbacks_sent == []


# -- the catalogue's own premises ---------------------------------------------------------


def test_the_snapshot_is_what_a_full_scan_reads(world: World) -> None:
    assert world.snapshot() == scan_all(world.client)


def test_every_route_has_a_sample_to_mutate() -> None:
    missing = [f"{target}: {target.sample_file}" for target in targets() if not target.has_sample()]
    assert missing == [], "routes without a sample event to attack"


def test_every_route_meets_the_cases_of_its_kind() -> None:
    for target in targets():
        names = {case.name for case in cases_for(target)}
        if target.kind == PARTNER:
            assert {"no_api_key", "revoked_api_key", "unsigned", "oversize_body", "unknown_field"} <= names
        if target.kind == PARTNER and target.is_write:
            assert {"idempotency_key_129_characters", "server_owned_id"} <= names
        if target.kind == PARTNER and target.path_ids:
            assert "another_tenants_id" in names
        if target.kind == PARTNER and target.is_list:
            assert "cursor_of_another_tenant" in names
        if target.kind == PROVIDER:
            assert {"provider_signature_missing", "oversize_body"} <= names
        if target.kind == PAGE:
            assert "token_byte_flipped" in names
        if target.kind == PUBLIC:  # no credentials: it may only read
            assert target.method == "GET" and names == set()
    used = {case.name for target in targets() for case in cases_for(target)}
    defined = {case.name for _, cases in RULES for case in cases}
    assert defined <= used, f"cases no route meets: {sorted(defined - used)}"


@pytest.mark.parametrize("target", [t for t in of_kind(PARTNER) if t.is_list], ids=str)
def test_the_cursors_it_tampers_with_are_accepted_untouched(world: World, target: Target) -> None:
    for tenant in (world.attacker, world.victim):
        attempt = world.valid(target, tenant)
        attempt.query = urlencode({"cursor": world.cursors[(tenant.tenant_id, target.route_key)]})
        reply = world.send(attempt)
        assert reply.status == 200, reply.text


@pytest.mark.parametrize("target", [t for t in of_kind(PAGE) if t.method == "GET"], ids=str)
def test_the_page_tokens_it_forges_from_are_real(world: World, target: Target) -> None:
    reply = world.send(world.valid(target, world.victim))
    assert reply.status == 200, reply.text
    assert world.victim.ids["cus"] in reply.text


# Deletes last: the control tenant's resource stays for the reads until they have run.
@pytest.mark.parametrize("target", sorted(of_kind(PARTNER), key=lambda t: t.method == "DELETE"), ids=str)
def test_the_sample_is_a_request_the_pipeline_accepts(world: World, target: Target) -> None:
    """Each case changes one thing of a request that is otherwise accepted (here by a third
    tenant, so these writes touch nothing the catalogue attacks)."""
    reply = world.send(world.valid(target, world.control))
    assert reply.status < 400 or reply.code not in REFUSALS, reply.text
    if target.method == "GET":
        assert reply.status == 200, reply.text
