"""What a hostile-input case is made of: the request it sends (an `Attempt` of the world),
the answer API.md documents for it, and the small edits attacks are made from."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from core.platform.errors import ERROR_TABLE
from tests.support.hostile_world import Attempt, World
from tests.support.route_targets import Target

CRLF = "\r\nX-Injected: 1"


@dataclass(frozen=True)
class Expect:
    status: int
    code: str
    param: str | None = None  # the envelope's `param`, when the case can name it
    param_prefix: bool = False  # `param` is the field or a path inside it (`countries[3]`)
    empty_list: bool = False  # a 200 list with no data (a filter naming another tenant's id)
    stores_answer: bool = False  # the one write allowed: this 4xx stored for its Idempotency-Key


@dataclass(frozen=True)
class Probe:
    attempt: Attempt
    expect: Expect
    secrets: tuple[str, ...] = ()  # what the reply must not contain (another tenant's)


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[World, Target], Probe]

    def __str__(self) -> str:
        return self.name


def error(code: str, param: str | None = None, *, prefix: bool = False, stores: bool = False) -> Expect:
    return Expect(ERROR_TABLE[code][0], code, param, prefix, stores_answer=stores)


def attack(world: World, target: Target) -> Attempt:
    """The attacker's valid request about its own resources: each case changes one thing."""
    return world.valid(target, world.attacker)


def set_header(name: str, value: str) -> Callable[[dict[str, str]], None]:
    def edit(headers: dict[str, str]) -> None:
        headers[name] = value

    return edit


def append_header(name: str, suffix: str) -> Callable[[dict[str, str]], None]:
    def edit(headers: dict[str, str]) -> None:
        headers[name] = headers[name] + suffix

    return edit


def repeat_header(name: str) -> Callable[[dict[str, str]], None]:
    """A header sent twice: API Gateway (payload 2.0) joins the values with a comma."""

    def edit(headers: dict[str, str]) -> None:
        headers[name] = f"{headers[name]},{headers[name]}"

    return edit


def drop_header(name: str) -> Callable[[dict[str, str]], None]:
    def edit(headers: dict[str, str]) -> None:
        headers.pop(name)

    return edit


def json_body(value: Any) -> bytes:
    return json.dumps(value).encode()


def sample_object(world: World, target: Target) -> dict[str, Any]:
    sample = target.sample_json()
    owned: dict[str, Any] = world.attacker.own(sample) if sample is not None else {}
    return owned


def with_query(attempt: Attempt, **values: str) -> str:
    pairs = [(k, v) for k, v in parse_qsl(attempt.query, keep_blank_values=True) if k not in values]
    return urlencode([*pairs, *values.items()])


# -- signed tokens (`<base64url payload>.<base64url MAC>`: cursors, page tokens) ----------------


def flip(text: str, index: int) -> str:
    swapped = "B" if text[index] != "B" else "C"
    return text[:index] + swapped + text[index + 1 :]


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mac_flipped(signed: str) -> str:
    """`<payload>.<mac>` with one character of the MAC changed."""
    payload, mac = signed.split(".", 1)
    return f"{payload}.{flip(mac, len(mac) // 2)}"


def spare_bits_changed(signed: str) -> str:
    """`<payload>.<mac>` with the same MAC bytes spelled differently: the last base64url
    character of a 32-byte MAC carries two unused bits."""
    payload, mac = signed.split(".", 1)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    spelled = mac[:-1] + alphabet[alphabet.index(mac[-1]) ^ 1]
    assert spelled != mac and unb64(spelled) == unb64(mac)
    return f"{payload}.{spelled}"
