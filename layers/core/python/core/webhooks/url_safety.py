"""Webhook URL safety (SSRF): the one place that decides where a webhook may be delivered.

A webhook URL is the partner's, but the request comes from inside our network, so a URL aimed at
loopback, a private range or the instance metadata service (169.254.169.254) would let a partner
probe or call our own infrastructure. The URL is checked at registration (`check_registration`) and
again at every delivery (`parse`, `resolve`, `post`): https only, no credentials, no local names,
every address the name resolves to public, and every spelling of an IP literal judged as the address
it means (ambiguous spellings refused outright, since parsers disagree on them).

The connection goes to the address that was checked, never to a second lookup of the name: a name
whose DNS answers a public address to the check and a private one to the connect (DNS rebinding)
would otherwise pass. TLS still checks the certificate against the name (SNI). Redirects are never
followed; a 3xx is only a status.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import ipaddress
import re
import socket
import ssl
import string
import time
from collections.abc import Buffer, Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

MAX_URL_LENGTH = 2048
MAX_RESPONSE_BYTES = 64 * 1024
DEFAULT_PORTS = {"https": 443, "http": 80}
_PUBLIC = "webhook URLs must reach the public internet."
_HTTP_LOOPBACK_ONLY = "Webhook URLs must use https; http is accepted only to loopback in the local sandbox."
_AUTHORITY = re.compile(r"(?:\[(?P<v6>[^\]]*)\]|(?P<name>[^:\[\]]*))(?::(?P<port>[0-9]*))?")
_HOST_NAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")
# Percent-encode only what http.client cannot send (non-ASCII); everything printable stays as given.
_TARGET_SAFE = "".join(c for c in string.printable if not c.isspace())
# RFC 6598 shared space: not global, but `is_private` is False; named here for the message only.
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class UnsafeUrl(ValueError):
    """The URL may not receive webhooks; the message is a sentence for the partner."""


class Unresolvable(UnsafeUrl):
    """The URL's host name did not resolve (accepted at registration, refused at delivery)."""


@dataclass(frozen=True)
class Destination:
    url: str
    scheme: str
    host: str
    port: int
    target: str


@dataclass(frozen=True)
class Response:
    status: int
    duration_ms: int


class DeliveryFailed(Exception):
    def __init__(self, error: str, duration_ms: int) -> None:
        super().__init__(error)
        self.error = error
        self.duration_ms = duration_ms


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries and is routed by (6to4, Teredo, NAT64, compatible)."""
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address.teredo is not None:
        return list(address.teredo)
    if address in _NAT64 or (int(address) >> 32 == 0 and int(address) > 1):
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    return []


def _refusal(address: Address, *, allow_loopback: bool) -> str | None:
    """What is wrong with connecting to `address` ("a private address (10.0.0.5)"), or None."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # is_global judges the embedded IPv4; refused whatever it is
            return f"an IPv4-mapped IPv6 address ({address})"
        embedded = _embedded_ipv4(address)
        for ipv4 in embedded:
            what = _category(ipv4)
            if what is not None:
                return f"{what} ({ipv4} embedded in {address})"
        if embedded:
            return None
    if allow_loopback and address.is_loopback:
        return None
    what = _category(address)
    return None if what is None else f"{what} ({address})"


def _category(address: Address) -> str | None:
    v6 = address if isinstance(address, ipaddress.IPv6Address) else None
    return (
        "a loopback address" if address.is_loopback
        else "the unspecified address" if address.is_unspecified
        else "a link-local address" if address.is_link_local
        # is_global is True for global-scope multicast (224/4 is not in the private table, ff0e::/16).
        else "a multicast address" if address.is_multicast
        else "a reserved address" if address.is_reserved
        else "a private address" if address.is_private or address in _SHARED
        # Deprecated site-local fec0::/10 is not in ipaddress's private table: is_global says True.
        else "a site-local address" if v6 and v6.is_site_local
        else "a non-public address" if not address.is_global
        # A zone index (%eth0) names an interface: a global address with one is not a public destination.
        else "a scoped IPv6 address" if v6 and v6.scope_id
        else None
    )  # fmt: skip


def _check_address(address: Address, scheme: str, allow_loopback_http: bool, verb: str) -> None:
    why = _refusal(address, allow_loopback=allow_loopback_http)
    if why is not None:
        raise UnsafeUrl(f"The URL's host {verb} {why}; {_PUBLIC}")
    if scheme == "http" and not address.is_loopback:
        raise UnsafeUrl(_HTTP_LOOPBACK_ONLY)


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _ambiguous_ipv4(name: str) -> bool:
    """Decimal, octal, hex or short IPv4 spellings (anything inet_aton takes that is not a canonical
    dotted quad), and every name ending in a numeric label, which URL parsers read as IPv4."""
    if _NUMERIC_LABEL.fullmatch(name.rsplit(".", 1)[-1]):
        return True
    try:
        socket.inet_aton(name)
    except OSError:
        return False
    return True


def parse(url: str, *, allow_loopback_http: bool) -> Destination:
    """The URL's destination, after the checks that need no DNS."""
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl(f"The URL must be 1 to {MAX_URL_LENGTH} characters long.")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise UnsafeUrl("The URL must not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise UnsafeUrl("The URL is not valid.") from None
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and allow_loopback_http):
        raise UnsafeUrl("Webhook URLs must use https.")
    if "@" in parts.netloc:
        raise UnsafeUrl("The URL must not contain credentials (user:password@).")
    authority = _AUTHORITY.fullmatch(parts.netloc)
    if authority is None or not (authority["v6"] or authority["name"]):
        raise UnsafeUrl("The URL has no valid host.")
    port = int(authority["port"]) if authority["port"] else DEFAULT_PORTS[scheme]
    if not 0 < port < 65536:
        raise UnsafeUrl("The URL's port must be between 1 and 65535.")
    if authority["v6"] is not None:
        address = _literal(authority["v6"]) if "%" not in authority["v6"] else None
        if not isinstance(address, ipaddress.IPv6Address):
            raise UnsafeUrl("The URL's host is not a valid IPv6 address.")
        host = str(address)
    else:
        name = authority["name"].lower()
        try:
            host = (name[:-1] if name.endswith(".") else name).encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise UnsafeUrl("The URL's host is not a valid host name.") from None
        if not _HOST_NAME.fullmatch(host) or len(host) > 253:
            raise UnsafeUrl("The URL's host is not a valid host name.")
        address = _literal(host)
        if address is None and _ambiguous_ipv4(host):
            raise UnsafeUrl(f"The URL's host ({host}) is an ambiguous address spelling; use a dotted quad.")
    if address is not None:
        _check_address(address, scheme, allow_loopback_http, "is")
    elif host == "localhost" and allow_loopback_http:
        pass
    elif host == "localhost" or host.endswith(".localhost"):
        raise UnsafeUrl(f"The URL's host ({host}) is a local name; {_PUBLIC}")
    elif scheme == "http":
        raise UnsafeUrl(_HTTP_LOOPBACK_ONLY)
    target = quote(parts.path or "/", safe=_TARGET_SAFE) + (
        f"?{quote(parts.query, safe=_TARGET_SAFE)}" if parts.query else ""
    )
    return Destination(url=url, scheme=scheme, host=host, port=port, target=target)


def _getaddrinfo(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def resolve(dest: Destination, *, allow_loopback_http: bool, resolver: Resolver | None = None) -> Address:
    """The address to connect to: every address of the name checked, the first one returned."""
    literal = _literal(dest.host)
    if literal is not None:
        _check_address(literal, dest.scheme, allow_loopback_http, "is")
        return literal
    try:
        answers = (resolver or _getaddrinfo)(dest.host, dest.port)
    except socket.gaierror:
        answers = []
    if not answers:
        raise Unresolvable(f"The URL's host name ({dest.host}) does not resolve.")
    addresses = []
    for answer in answers:
        address = _literal(answer)
        if address is None:
            raise UnsafeUrl(f"The URL's host resolves to an invalid address ({answer!r}).")
        _check_address(address, dest.scheme, allow_loopback_http, "resolves to")
        addresses.append(address)
    return addresses[0]


def check_registration(
    url: str, *, allow_loopback_http: bool, resolver: Resolver | None = None
) -> Destination:
    """The checks at registration: a name that does not resolve (yet) is accepted."""
    dest = parse(url, allow_loopback_http=allow_loopback_http)
    with contextlib.suppress(Unresolvable):
        resolve(dest, allow_loopback_http=allow_loopback_http, resolver=resolver)
    return dest


def _remaining(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("deadline")
    return remaining


class _DeadlineReader(io.RawIOBase):
    """The response's bytes: each read waits only until the attempt's deadline. A socket timeout bounds
    one read, not their sum, so a server dripping a byte at a time would otherwise never time out."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock, self._deadline = sock, deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Buffer) -> int:
        self._sock.settimeout(_remaining(self._deadline))
        return self._sock.recv_into(buffer)


def _reason(exc: Exception, timeout: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"timeout after {timeout:g} s"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS: certificate verify failed ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS: {exc.reason or exc}"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "connection closed without a response"
    if isinstance(exc, http.client.HTTPException):
        return f"invalid HTTP response ({type(exc).__name__})"
    if isinstance(exc, ValueError):  # http.client refusing a header
        return f"invalid request: {exc}"
    return (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).lower()


def post(
    dest: Destination,
    address: Address,
    body: bytes,
    headers: Mapping[str, str],
    *,
    timeout: float = 10.0,
    ssl_context: ssl.SSLContext | None = None,
) -> Response:
    """One POST to `address` (checked by `resolve`), TLS and Host for the URL's name, one deadline."""
    started = time.monotonic()
    deadline = started + timeout

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    # Belt and braces for a caller that skipped `resolve`: post has no sandbox flag, so it lets
    # loopback through (only `resolve` with allow_loopback_http returns one) and nothing else non-public.
    try:
        _check_address(address, dest.scheme, True, "is")
    except UnsafeUrl:
        raise DeliveryFailed(f"refused address: {address}", elapsed()) from None

    def connect(_: object, __: object = None, ___: object = None) -> socket.socket:
        sock = socket.create_connection((str(address), dest.port), timeout=_remaining(deadline))
        sock.settimeout(_remaining(deadline))  # the TLS handshake is bounded by this one timeout
        return sock

    # http.client, not httpx: stdlib, so nothing to import at a Lambda cold start; it never follows redirects.
    conn: http.client.HTTPConnection
    if dest.scheme == "https":
        context = ssl_context or ssl.create_default_context()
        conn = http.client.HTTPSConnection(dest.host, dest.port, timeout=timeout, context=context)
    else:
        conn = http.client.HTTPConnection(dest.host, dest.port, timeout=timeout)
    conn._create_connection = connect  # type: ignore[attr-defined]  # never a lookup of the name
    host = f"[{dest.host}]" if ":" in dest.host else dest.host
    fixed = {
        "Host": host if dest.port == DEFAULT_PORTS[dest.scheme] else f"{host}:{dest.port}",
        "Content-Type": "application/json",
        "User-Agent": "partner-api-webhooks/1",
    }
    own = {name.lower() for name in fixed} | {"content-length"}
    try:
        conn.connect()
        conn.sock.settimeout(_remaining(deadline))
        conn.request(
            "POST", dest.target, body, {**{k: v for k, v in headers.items() if k.lower() not in own}, **fixed}
        )
        # Read by hand rather than conn.getresponse(), to give the response the deadline-bound reader.
        response = http.client.HTTPResponse(conn.sock, method="POST")
        response.fp.close()
        response.fp = io.BufferedReader(_DeadlineReader(conn.sock, deadline))
        try:
            response.begin()
            response.read(MAX_RESPONSE_BYTES)  # at most this much, then the connection is closed
        finally:
            response.close()
        return Response(status=response.status, duration_ms=elapsed())
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise DeliveryFailed(_reason(exc, timeout), elapsed()) from None
    finally:
        conn.close()
