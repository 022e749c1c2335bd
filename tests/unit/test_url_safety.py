"""core.webhooks.url_safety: which webhook URLs are refused (SSRF), that a refused one is never
connected to, and that a delivery connects only to the checked address, within one deadline."""

from __future__ import annotations

import contextlib
import http.server
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import trustme
from pytest_httpserver import HTTPServer

from core.webhooks import url_safety
from core.webhooks.url_safety import DeliveryFailed, Destination, Response, Unresolvable, UnsafeUrl

PUBLIC = "93.184.215.14"
LOOPBACK = ipaddress.IPv4Address("127.0.0.1")


def answers(*addresses: str) -> url_safety.Resolver:
    return lambda host, port: list(addresses)


def unresolvable(host: str, port: int, *args: Any, **kwargs: Any) -> list[str]:
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Every connection attempt (socket.create_connection, socket.connect), still made."""
    calls: list[tuple[Any, ...]] = []
    create_connection, connect = socket.create_connection, socket.socket.connect

    def recording_create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        calls.append(("create_connection", address))
        return create_connection(address, *args, **kwargs)

    def recording_connect(self: socket.socket, address: Any) -> None:
        calls.append(("connect", address))
        connect(self, address)

    monkeypatch.setattr(socket, "create_connection", recording_create_connection)
    monkeypatch.setattr(socket.socket, "connect", recording_connect)
    return calls


def connected_once(connections: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    """The one address connected to (create_connection's own socket.connect is the same attempt)."""
    assert [kind for kind, _ in connections] == ["create_connection", "connect"]
    assert connections[0][1] == connections[1][1]
    return tuple(connections[0][1])


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any lookup of a name fails the test (create_connection's getaddrinfo of an IP literal is no lookup)."""
    getaddrinfo = socket.getaddrinfo

    def numeric_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise AssertionError(f"unexpected DNS lookup of {host!r}") from None
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", numeric_only)


# -- Registration and delivery checks ---------------------------------------------------------

REFUSED = [
    "https://127.0.0.1/",
    "https://127.0.0.1./",
    "https://localhost/",
    "https://LOCALHOST./",
    "https://api.localhost/",
    "https://Api.LocalHost./",
    "https://[::1]/",
    "https://0.0.0.0/",
    "https://[::]/",
    "https://10.1.2.3/",
    "https://172.16.0.1/",
    "https://172.31.255.255/",
    "https://192.168.1.1/",
    "https://100.64.0.1/",
    "https://169.254.169.254/latest/meta-data",
    "https://[fe80::1]/",
    "https://[fd00::1]/",
    "https://[fec0::1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:7f00:1]/",
    "https://[::ffff:8.8.8.8]/",
    "https://[::127.0.0.1]/",
    "https://2130706433/",
    "https://0x7f000001/",
    "https://0177.0.0.1/",
    "https://0x7f.1/",
    "https://127.1/",
    "https://0/",
    "https://08.8.8.8/",
    "https://8.8.8.010/",
    "https://1.2.3.4.5/",
    "https://\uff11\uff12\uff17.\uff10.\uff10.\uff11/",  # full-width digits, NFKC: 127.0.0.1
    "https://[64:ff9b::a00:1]/",
    "https://[64:ff9b::7f00:1]/",
    "https://[2002:7f00:1::]/",
    "https://[2002:a9fe:a9fe::1]/",
    "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo, client 127.0.0.1
    "https://224.0.0.1/",
    "https://[ff0e::1]/",
    "https://240.0.0.1/",
    "https://255.255.255.255/",
    "https://[fe80::1%25eth0]/",
    "http://example.com/",
    "https://user:pass@example.com/",
    "https://user@example.com/",
    "https://@example.com/",
    "https://example.com:443@127.0.0.1/",
    "ftp://example.com/",
    "example.com/hook",
    "https:///nohost",
    "https://:443/",
    "https://example.com:0/",
    "https://example.com:65536/",
    "https://example.com:x/",
    "https://exa mple.com/",
    "https://example.com/\nHost: evil",
    "https://example.com\t/",
    "https://example.com\\@127.0.0.1/",
    "https://[::1/",
    "https://a..b/",
    "https://example.com/" + "a" * 2048,
    "",
]


@pytest.mark.parametrize("url", REFUSED)
def test_refused_urls_are_never_connected_to(
    url: str, connections: list[tuple[Any, ...]], no_dns: None
) -> None:
    with pytest.raises(UnsafeUrl) as refused:
        url_safety.check_registration(url, allow_loopback_http=False, resolver=answers(PUBLIC))
    assert not isinstance(refused.value, Unresolvable)
    assert str(refused.value).endswith(".")
    # The delivery's path (parse, then resolve) refuses it too.
    with pytest.raises(UnsafeUrl):
        dest = url_safety.parse(url, allow_loopback_http=False)
        url_safety.resolve(dest, allow_loopback_http=False, resolver=answers(PUBLIC))
    assert connections == []


def test_the_message_names_the_offending_address() -> None:
    with pytest.raises(UnsafeUrl) as refused:
        url_safety.check_registration(
            "https://hooks.example/", allow_loopback_http=False, resolver=answers("10.0.0.5")
        )
    assert str(refused.value) == (
        "The URL's host resolves to a private address (10.0.0.5); "
        "webhook URLs must reach the public internet."
    )


@pytest.mark.parametrize(
    ("url", "host", "port", "target"),
    [
        ("https://example.com/hook?x=1", "example.com", 443, "/hook?x=1"),
        ("  HTTPS://Example.COM.:8443#frag  ", "example.com", 8443, "/"),
        ("https://example.com/a/b?", "example.com", 443, "/a/b"),
        ("https://bücher.example/ä?q=ü", "xn--bcher-kva.example", 443, "/%C3%A4?q=%C3%BC"),
        ("https://8.8.8.8/", "8.8.8.8", 443, "/"),
        ("https://8.8.8.8./", "8.8.8.8", 443, "/"),
        ("https://[2606:4700:4700::1111]:444/", "2606:4700:4700::1111", 444, "/"),
        ("https://[2002:808:808::1]/", "2002:808:808::1", 443, "/"),  # 6to4 of a public address
        ("https://[64:ff9b::808:808]/", "64:ff9b::808:808", 443, "/"),  # NAT64 of a public address
    ],
)
def test_accepted_urls(
    url: str, host: str, port: int, target: str, connections: list[tuple[Any, ...]]
) -> None:
    dest = url_safety.check_registration(url, allow_loopback_http=False, resolver=answers(PUBLIC))
    assert dest == Destination(url=url.strip(), scheme="https", host=host, port=port, target=target)
    assert connections == []


def test_a_name_that_does_not_resolve_is_accepted_at_registration_only() -> None:
    url = "https://not-yet.example/hook"
    dest = url_safety.check_registration(url, allow_loopback_http=False, resolver=unresolvable)
    assert dest.host == "not-yet.example"
    with pytest.raises(Unresolvable):
        url_safety.resolve(dest, allow_loopback_http=False, resolver=unresolvable)
    with pytest.raises(Unresolvable):
        url_safety.resolve(dest, allow_loopback_http=False, resolver=answers())


def test_the_default_resolver_uses_getaddrinfo_and_every_address(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[Any, ...]] = []

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        asked.append((host, port, kwargs.get("type")))
        stream = (socket.AF_INET, socket.SOCK_STREAM, 6, "")
        return [(*stream, (PUBLIC, port)), (*stream, (PUBLIC, port)), (*stream, ("10.0.0.9", port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    dest = url_safety.parse("https://hooks.example:8443/", allow_loopback_http=False)
    with pytest.raises(UnsafeUrl, match=r"10\.0\.0\.9"):
        url_safety.resolve(dest, allow_loopback_http=False)
    assert asked == [("hooks.example", 8443, socket.SOCK_STREAM)]

    monkeypatch.setattr(socket, "getaddrinfo", unresolvable)
    with pytest.raises(Unresolvable):
        url_safety.resolve(dest, allow_loopback_http=False)


@pytest.mark.parametrize("private", ["10.0.0.7", "169.254.169.254", "::1", "::ffff:10.0.0.7", "fd00::7"])
def test_dns_rebinding_is_refused_at_delivery(private: str, connections: list[tuple[Any, ...]]) -> None:
    url = "https://rebind.example/hook"
    registered = url_safety.check_registration(url, allow_loopback_http=False, resolver=answers(PUBLIC))
    with pytest.raises(UnsafeUrl, match=f"resolves to .*{private}"):
        url_safety.resolve(registered, allow_loopback_http=False, resolver=answers(private))
    assert connections == []


def test_a_name_with_any_private_address_is_refused(connections: list[tuple[Any, ...]]) -> None:
    mixed = answers(PUBLIC, "2606:4700::1111", "192.168.0.3")
    with pytest.raises(UnsafeUrl, match=r"192\.168\.0\.3"):
        url_safety.check_registration("https://mixed.example/", allow_loopback_http=False, resolver=mixed)
    dest = url_safety.parse("https://mixed.example/", allow_loopback_http=False)
    with pytest.raises(UnsafeUrl):
        url_safety.resolve(dest, allow_loopback_http=False, resolver=mixed)
    assert connections == []


def test_resolve_returns_the_first_checked_address() -> None:
    dest = url_safety.parse("https://two.example/", allow_loopback_http=False)
    address = url_safety.resolve(dest, allow_loopback_http=False, resolver=answers("2606:4700::1111", PUBLIC))
    assert address == ipaddress.IPv6Address("2606:4700::1111")
    literal = url_safety.parse("https://8.8.8.8/", allow_loopback_http=False)
    assert url_safety.resolve(
        literal, allow_loopback_http=False, resolver=unresolvable
    ) == ipaddress.ip_address("8.8.8.8")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/",
        "https://127.0.0.1:8080/",
        "http://127.3.4.5/",
        "http://[::1]:9000/",
        "http://localhost:8080/x",
    ],
)
def test_the_sandbox_flag_allows_loopback(url: str) -> None:
    loopback = answers("127.0.0.1", "::1")
    dest = url_safety.check_registration(url, allow_loopback_http=True, resolver=loopback)
    assert url_safety.resolve(dest, allow_loopback_http=True, resolver=loopback).is_loopback
    with pytest.raises(UnsafeUrl):
        url_safety.check_registration(url, allow_loopback_http=False, resolver=loopback)


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "https://10.0.0.1/",
        "http://example.com/",
        "http://api.localhost/",
        "http://[::ffff:127.0.0.1]/",
        "http://[2002:7f00:1::]/",
        "https://169.254.169.254/",
    ],
)
def test_the_sandbox_flag_allows_nothing_else(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        url_safety.check_registration(url, allow_loopback_http=True, resolver=answers(PUBLIC))


def test_with_the_sandbox_flag_http_names_must_resolve_to_loopback() -> None:
    dest = url_safety.parse("http://localhost/", allow_loopback_http=True)
    with pytest.raises(UnsafeUrl, match="https"):
        url_safety.resolve(dest, allow_loopback_http=True, resolver=answers("127.0.0.1", PUBLIC))
    with pytest.raises(UnsafeUrl, match="private"):
        url_safety.resolve(dest, allow_loopback_http=True, resolver=answers("10.0.0.1"))


# -- Delivery ----------------------------------------------------------------------------------


def local(port: int, path: str = "/hook", *, host: str = "hooks.test", scheme: str = "http") -> Destination:
    """A destination whose name does not resolve (.test): reaching it proves post used the address."""
    return Destination(
        url=f"{scheme}://{host}:{port}{path}", scheme=scheme, host=host, port=port, target=path
    )


@pytest.fixture
def no_resolve(monkeypatch: pytest.MonkeyPatch, no_dns: None) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("post must not resolve")

    monkeypatch.setattr(url_safety, "resolve", forbidden)


def test_post_sends_body_and_headers_to_the_given_address(
    httpserver_ipv4: HTTPServer, connections: list[tuple[Any, ...]], no_resolve: None
) -> None:
    body = b'{"type":"customer.created"}'
    httpserver_ipv4.expect_oneshot_request(
        "/hook",
        method="POST",
        query_string="x=1",
        data=body,
        headers={
            "webhook-id": "msg_1",
            "Content-Type": "application/json",
            "User-Agent": "partner-api-webhooks/1",
            "Host": f"hooks.test:{httpserver_ipv4.port}",
        },
    ).respond_with_data("ok", status=204)
    dest = local(httpserver_ipv4.port, "/hook?x=1")
    headers = {"webhook-id": "msg_1", "Host": "evil.example", "content-type": "text/plain"}
    response = url_safety.post(dest, LOOPBACK, body, headers, timeout=5)
    httpserver_ipv4.check_assertions()
    assert response.status == 204 and 0 <= response.duration_ms < 5000
    assert connected_once(connections) == ("127.0.0.1", httpserver_ipv4.port)


def test_post_through_parse_and_resolve_in_the_sandbox(httpserver_ipv4: HTTPServer) -> None:
    httpserver_ipv4.expect_oneshot_request("/", method="POST").respond_with_data("", status=500)
    dest = url_safety.parse(f"http://127.0.0.1:{httpserver_ipv4.port}/", allow_loopback_http=True)
    address = url_safety.resolve(dest, allow_loopback_http=True)
    assert url_safety.post(dest, address, b"{}", {}, timeout=5).status == 500


def test_redirects_are_not_followed(httpserver_ipv4: HTTPServer, connections: list[tuple[Any, ...]]) -> None:
    httpserver_ipv4.expect_oneshot_request("/hook", method="POST").respond_with_data(
        "", status=302, headers={"Location": "http://10.0.0.1/"}
    )
    response = url_safety.post(local(httpserver_ipv4.port), LOOPBACK, b"{}", {}, timeout=5)
    assert response.status == 302
    assert connected_once(connections) == ("127.0.0.1", httpserver_ipv4.port)
    assert len(httpserver_ipv4.log) == 1


def test_a_large_response_body_is_read_only_up_to_the_cap(httpserver_ipv4: HTTPServer) -> None:
    httpserver_ipv4.expect_oneshot_request("/hook", method="POST").respond_with_data(b"x" * 1024 * 1024)
    started = time.monotonic()
    assert url_safety.post(local(httpserver_ipv4.port), LOOPBACK, b"{}", {}, timeout=5).status == 200
    assert time.monotonic() - started < 5


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[socket.socket], None]], int]]:
    """A TCP server on 127.0.0.1 that runs `handle(connection)` for each connection; returns the port."""
    listeners: list[socket.socket] = []
    stop = threading.Event()

    def start(handle: Callable[[socket.socket], None]) -> int:
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(0.1)
        listeners.append(listener)

        def serve() -> None:
            while not stop.is_set():
                try:
                    connection, _ = listener.accept()
                except TimeoutError:
                    continue
                except OSError:  # closed by the teardown
                    return
                with connection, contextlib.suppress(OSError):
                    handle(connection)

        threading.Thread(target=serve, daemon=True).start()
        return int(listener.getsockname()[1])

    yield start
    stop.set()
    for listener in listeners:
        listener.close()


def test_an_endless_response_body_stops_at_the_cap(raw_server: Callable[..., int]) -> None:
    sent = []

    def endless(connection: socket.socket) -> None:
        connection.recv(65536)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
        chunk = b"x" * 65536
        while True:
            connection.sendall(chunk)
            sent.append(len(chunk))

    port = raw_server(endless)
    # Were the whole body read, this would end in a timeout, not a response.
    assert url_safety.post(local(port), LOOPBACK, b"{}", {}, timeout=3).status == 200


def never_answers(connection: socket.socket) -> None:
    connection.recv(65536)
    time.sleep(3)


def drips(connection: socket.socket) -> None:
    connection.recv(65536)
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 1000:
        connection.sendall(bytes([byte]))
        time.sleep(0.05)


@pytest.mark.parametrize("handle", [never_answers, drips])
def test_a_slow_server_fails_at_the_deadline(
    raw_server: Callable[..., int], handle: Callable[..., None]
) -> None:
    port = raw_server(handle)
    started = time.monotonic()
    with pytest.raises(DeliveryFailed) as failed:
        url_safety.post(local(port), LOOPBACK, b"{}", {}, timeout=0.5)
    assert time.monotonic() - started < 5
    assert failed.value.error == "timeout after 0.5 s"
    assert 400 <= failed.value.duration_ms < 5000


def test_connection_refused() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    with pytest.raises(DeliveryFailed) as failed:
        url_safety.post(local(port), LOOPBACK, b"{}", {}, timeout=2)
    assert failed.value.error == "connection refused"


def test_a_closed_connection_without_a_response(raw_server: Callable[..., int]) -> None:
    port = raw_server(lambda connection: connection.recv(65536) and None)
    with pytest.raises(DeliveryFailed, match="closed without a response"):
        url_safety.post(local(port), LOOPBACK, b"{}", {}, timeout=2)


@pytest.mark.parametrize("address", ["10.0.0.1", "169.254.169.254", "::ffff:127.0.0.1", "fd00::1"])
def test_post_refuses_a_non_public_address(address: str, connections: list[tuple[Any, ...]]) -> None:
    with pytest.raises(DeliveryFailed, match="refused address"):
        url_safety.post(local(443, scheme="https"), ipaddress.ip_address(address), b"{}", {}, timeout=1)
    assert connections == []


def test_post_refuses_http_to_a_public_address(connections: list[tuple[Any, ...]]) -> None:
    with pytest.raises(DeliveryFailed, match="refused address"):
        url_safety.post(local(80), ipaddress.ip_address(PUBLIC), b"{}", {}, timeout=1)
    assert connections == []


# -- HTTPS: the certificate is checked against the name, the connection goes to the address ----


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_server(ca: trustme.CA) -> Iterator[Callable[[str], tuple[int, list[str | None]]]]:
    servers: list[http.server.ThreadingHTTPServer] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    def start(name: str) -> tuple[int, list[str | None]]:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(name).configure_cert(context)
        server_names: list[str | None] = []
        context.sni_callback = lambda sock, server_name, ctx: server_names.append(server_name)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        servers.append(server)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return server.server_address[1], server_names

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def client_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def test_https_checks_the_name_and_connects_to_the_address(
    ca: trustme.CA,
    tls_server: Callable[[str], tuple[int, list[str | None]]],
    connections: list[tuple[Any, ...]],
    no_resolve: None,
) -> None:
    port, server_names = tls_server("hooks.test")
    dest = local(port, scheme="https")
    response = url_safety.post(dest, LOOPBACK, b"{}", {}, timeout=5, ssl_context=client_context(ca))
    assert response.status == 200
    assert server_names == ["hooks.test"]
    assert connected_once(connections) == ("127.0.0.1", port)


def test_https_with_a_certificate_for_another_name_fails(
    ca: trustme.CA, tls_server: Callable[[str], tuple[int, list[str | None]]]
) -> None:
    port, _ = tls_server("other.test")
    with pytest.raises(DeliveryFailed) as failed:
        url_safety.post(
            local(port, scheme="https"), LOOPBACK, b"{}", {}, timeout=5, ssl_context=client_context(ca)
        )
    assert failed.value.error.startswith("TLS: certificate verify failed")
    assert "hooks.test" in failed.value.error


def test_https_with_an_untrusted_certificate_fails_with_the_default_context(
    tls_server: Callable[[str], tuple[int, list[str | None]]],
) -> None:
    port, _ = tls_server("hooks.test")
    with pytest.raises(DeliveryFailed, match="TLS: certificate verify failed"):
        url_safety.post(local(port, scheme="https"), LOOPBACK, b"{}", {}, timeout=5)


def test_response_and_failure_shapes() -> None:
    assert Response(status=200, duration_ms=3) == Response(200, 3)
    failure = DeliveryFailed("connection refused", 12)
    assert (failure.error, failure.duration_ms, str(failure)) == (
        "connection refused",
        12,
        "connection refused",
    )
