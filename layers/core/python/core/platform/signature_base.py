"""RFC 9421 verification's common case, without the libraries' generic machinery:
the signature base of a signature that covers only plain components, and the canonical
one-member spellings of Signature-Input, Signature and Content-Digest. core.platform.signatures
uses these first and falls back to http-message-signatures and http_sf for anything
else; tests/unit/test_signature_base.py checks both against those libraries.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any

from http_message_signatures._url import parse_url  # the library's own, strict parser

# The canonical spelling of the one-member dictionaries RFC 9421 clients send (the SDK
# among them): `label=:<base64>:` (Signature, Content-Digest) and `label=("c1" "c2");k=1;
# k="v"` (Signature-Input), with plain strings and integers only. Those are read with
# these expressions; any other spelling (white space, escapes, tokens, booleans, several
# members, ...) is parsed by http_sf. Why: http_sf parses byte by byte in Python, ~35 µs
# for the three fields of a signed write, a tenth of the pipeline's budget.
# tests/unit/test_signature_base.py checks both readings agree wherever these match.
_SF_KEY = r"[a-z*][a-z0-9_\-.*]*"
_SF_STRING = r'"[\x20\x21\x23-\x5b\x5d-\x7e]*"'  # printable ASCII but quote and backslash
_SF_INTEGER = r"-?[0-9]{1,15}"
_BYTES_MEMBER = re.compile(rf"({_SF_KEY})=:([A-Za-z0-9+/]*={{0,2}}):")
_INNER_LIST_MEMBER = re.compile(
    rf"({_SF_KEY})=\(((?:{_SF_STRING}(?: {_SF_STRING})*)?)\)((?:;{_SF_KEY}=(?:{_SF_INTEGER}|{_SF_STRING}))*)"
)
_STRING = re.compile(_SF_STRING)
_PARAMETER = re.compile(rf";({_SF_KEY})=({_SF_INTEGER}|{_SF_STRING})")


def canonical_dictionary(value: str) -> dict[str, Any] | None:
    """`value` read as http_sf would read it, if it is one of the canonical one-member
    dictionaries above; None otherwise (let http_sf parse it)."""
    match = _BYTES_MEMBER.fullmatch(value)
    if match is not None:
        encoded = match.group(2)
        if len(encoded) % 4:
            return None  # http_sf refuses it; let it say so
        return {match.group(1): (base64.b64decode(encoded, validate=True), {})}
    match = _INNER_LIST_MEMBER.fullmatch(value)
    if match is None:
        return None
    items: list[tuple[str, dict[str, Any]]] = [(s[1:-1], {}) for s in _STRING.findall(match.group(2))]
    pairs = _PARAMETER.findall(match.group(3))
    params: dict[str, Any] = {k: v[1:-1] if v.startswith('"') else int(v) for k, v in pairs}
    if len(params) != len(pairs):
        return None  # a repeated parameter: http_sf's rule decides
    return {match.group(1): (items, params)}


# Why not always the library: on the benchmark machine http_message_signatures takes
# ~340 µs of CPU per verification beyond the Ed25519 check itself (it parses
# Signature-Input and Signature four times and re-indexes every header), which alone
# breaks the pipeline's 0.5 ms budget (`bench --only cpu`: signed write 721 µs with the
# library). Requests whose signature covers only plain components (the derived ones
# below and header fields, no parameters such as ;sf, ;key, ;bs, ;req, ;name) get their
# signature base built here (RFC 9421 section 2.5) with the library's own URL parser;
# everything else, and anything unusual in the values, goes to the library, which is
# also what raises for malformed input. The library's algorithm classes verify both.
# tests/unit/test_signature_base.py checks this base against the library's, byte for byte.

_FAST_DERIVED = frozenset(
    {"@method", "@target-uri", "@authority", "@scheme", "@request-target", "@path", "@query"}
)
_FAST_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})  # not OPTIONS or CONNECT
_FIELD_NAME = re.compile(r"[a-z0-9!#$%&'*+.^_`|~-]+")
_FAST_PARAMS: dict[str, type] = {
    "created": int,
    "expires": int,
    "keyid": str,
    "alg": str,
    "nonce": str,
    "tag": str,
}
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def fast_signature_base(method: str, target_uri: str, headers: Mapping[str, str], member: Any) -> str | None:
    """The signature base of a request signature that covers only plain components, or
    None when the library must build it. `target_uri` is the request's, as the client
    addressed it; `member` the parsed Signature-Input member (inner list, parameters);
    `headers` has lower-case names."""
    items, params = member
    if method not in _FAST_METHODS or not isinstance(items, list):
        return None
    if any(type(value) is not _FAST_PARAMS.get(name) for name, value in params.items()):
        return None
    try:
        url = parse_url(target_uri)  # the library parses it whatever is covered
    except Exception:
        return None
    lines = []
    seen = set()
    for name, component_params in items:
        if component_params or type(name) is not str or name in seen:
            return None
        seen.add(name)
        if name in _FAST_DERIVED:
            value = _derived(name, method, url)
            if not value.isprintable() or value != value.strip(" "):
                return None
        elif _FIELD_NAME.fullmatch(name) and name in headers:
            raw = headers[name]
            if "\r" in raw or "\n" in raw:
                return None  # obs-fold and worse: the library's normalisation decides
            value = raw.strip(" \t")
            if not value.replace("\t", " ").isprintable():
                return None
        else:
            return None
        lines.append(f'"{name}": {value}')
    lines.append('"@signature-params": ' + _serialize_params(items, params))
    base = "\n".join(lines)
    return base if base.isascii() else None  # the library refuses a non-ASCII base


def _derived(name: str, method: str, url: Any) -> str:
    """A derived component's value (RFC 9421 section 2.2), as the library resolves it."""
    path = url.path or "/"
    query = "" if url.query is None else "?" + url.query
    if name == "@method":
        return method
    if name == "@target-uri":
        return f"{url.scheme}://{url.authority}{path}{query}"
    if name == "@authority":
        port = url.port
        if port and port.lstrip("0") == _DEFAULT_PORTS.get(url.scheme.lower()):
            port = None
        return f"{url.host.lower()}:{port}" if port else url.host.lower()
    if name == "@scheme":
        return str(url.scheme.lower())
    if name == "@request-target":
        return path + query
    if name == "@path":
        return str(path)
    return "?" + (url.query or "")  # @query


def _serialize_params(items: list[tuple[str, dict[str, Any]]], params: Mapping[str, Any]) -> str:
    """RFC 8941 serialisation of an inner list of strings with string and integer
    parameters, the only shape fast_signature_base admits (parsed sf-strings hold
    printable ASCII only, so escaping backslash and quote is the whole rule)."""

    def string(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    inner = " ".join(string(name) for name, _ in items)
    rest = "".join(f";{k}={v}" if type(v) is int else f";{k}={string(v)}" for k, v in params.items())
    return f"({inner}){rest}"
