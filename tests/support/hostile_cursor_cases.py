"""Cases for list routes: cursors that are altered, forged, truncated, or another
list's or another tenant's (API.md: 400 `parameter_invalid`, never a leak)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlencode

from tests.support.hostile_probe import (
    Case,
    Probe,
    attack,
    b64,
    error,
    flip,
    mac_flipped,
    spare_bits_changed,
    unb64,
)
from tests.support.hostile_world import World
from tests.support.route_targets import PARTNER, Target, of_kind


def _cursor_case(name: str, make: Callable[[World, Target, str], str]) -> Case:
    def build(world: World, target: Target) -> Probe:
        own = world.cursors[(world.attacker.tenant_id, target.route_key)]
        attempt = attack(world, target)
        attempt = replace(attempt, query=urlencode({"cursor": make(world, target, own)}))
        return Probe(attempt, error("parameter_invalid", "cursor"), (world.victim.tenant_id,))

    return Case(name, build)


def _payload_flipped(world: World, target: Target, cursor: str) -> str:
    return flip(cursor, 2)


def _mac_flipped(world: World, target: Target, cursor: str) -> str:
    return mac_flipped(cursor)


def _spare_bits_changed(world: World, target: Target, cursor: str) -> str:
    return spare_bits_changed(cursor)


def _truncated(world: World, target: Target, cursor: str) -> str:
    return cursor[:-4]


def _not_base64(world: World, target: Target, cursor: str) -> str:
    return "***.' OR '1'='1"


def _oversize(world: World, target: Target, cursor: str) -> str:
    payload, mac = cursor.split(".", 1)
    return f"{payload * (3000 // len(payload) + 1)}.{mac}"


def _of_another_list(world: World, target: Target, cursor: str) -> str:
    lists = [t for t in of_kind(PARTNER) if t.is_list and t.has_sample()]
    other = lists[(lists.index(target) + 1) % len(lists)]
    assert other != target, "a second list is needed to borrow its cursor"
    return world.cursors[(world.attacker.tenant_id, other.route_key)]


def _of_another_tenant(world: World, target: Target, cursor: str) -> str:
    return world.cursors[(world.victim.tenant_id, target.route_key)]


def _payload_rewritten(world: World, target: Target, cursor: str) -> str:
    """The attacker's cursor pointed into the victim's partition, its own MAC kept."""
    payload, mac = cursor.split(".", 1)
    text = unb64(payload).decode().replace(world.attacker.tenant_id, world.victim.tenant_id)
    return f"{b64(text.encode())}.{mac}"


CURSOR_CASES = [
    _cursor_case("cursor_payload_byte_flipped", _payload_flipped),
    _cursor_case("cursor_mac_byte_flipped", _mac_flipped),
    _cursor_case("cursor_spare_bits_changed", _spare_bits_changed),
    _cursor_case("cursor_truncated", _truncated),
    _cursor_case("cursor_not_base64", _not_base64),
    _cursor_case("cursor_oversize", _oversize),
    _cursor_case("cursor_of_another_list", _of_another_list),
    _cursor_case("cursor_of_another_tenant", _of_another_tenant),
    _cursor_case("cursor_payload_rewritten_to_another_tenant", _payload_rewritten),
]
