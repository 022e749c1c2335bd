"""`partner webhooks`: receive deliveries on this machine (`listen`, as `stripe listen`
does) and check saved ones (`verify`); `partner webhook-endpoints`: manage the endpoints
(create, list, update, rotate the secret, read the deliveries).

`listen` is `Listener` (an HTTP server on the loopback, the temporary endpoint it
registers, and what it does with each request) around the command line; tests drive a
`Listener` with a stand-in for `client.webhook_endpoints`.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import re
import signal
import socket
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, Literal, Protocol

import httpx
import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from partner_sdk import webhooks
from partner_sdk.cli._common import (
    AllOption,
    CursorOption,
    JsonOption,
    LimitOption,
    api_errors,
    cell,
    client,
    fail,
    key_values,
    list_command,
    print_answer,
    print_json,
    show,
    show_page,
    stderr,
    stdout,
)
from partner_sdk.errors import PartnerApiError

app = typer.Typer(
    help="Receive webhook deliveries on this machine (listen) and check saved ones (verify).",
    no_args_is_help=True,
)
endpoints_app = typer.Typer(
    help="Manage webhook endpoints: where events are delivered, their secrets and deliveries.",
    no_args_is_help=True,
)

LISTEN_DESCRIPTION = "partner webhooks listen"
FORWARD_TIMEOUT = 10.0  # seconds, as the API's own deliveries
MAX_BODY = 1024 * 1024  # bytes a listener reads from one request
ENDPOINT_FIELDS = (
    "id",
    "url",
    "events",
    "status",
    "description",
    "metadata",
    "secret",
    "createdAt",
    "updatedAt",
)
ENDPOINT_COLUMNS = ("id", "url", "events", "status", "description", "createdAt")
# The event id, not the delivery id (in --json): redeliver takes it, and two ids fill 80 columns.
DELIVERY_COLUMNS = ("eventId", "eventType", "status", "attempts", "last", "nextAttemptAt")
# A webhook-id that can name a file as it is (an event id, evt_...).
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")

EndpointId = Annotated[str, typer.Argument(help="The endpoint's id (whk_...).")]
EventsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--events", help="Event types, comma-separated or the option repeated (e.g. customer.created), or *."
    ),
]
DescriptionOption = Annotated[str | None, typer.Option("--description")]
MetadataOption = Annotated[
    list[str] | None, typer.Option("--metadata", help="KEY=VALUE (repeat the option for more).")
]


def event_types(values: Iterable[str] | None) -> list[str] | None:
    """`--events a,b --events c` as ["a", "b", "c"] (None when not given)."""
    if values is None:
        return None
    types = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if not types:
        raise fail("--events names no event type (use * for every type)")
    return types


# -- listen: the server part ------------------------------------------------------------


class EndpointsApi(Protocol):
    """What a `Listener` needs of `client.webhook_endpoints`."""

    def create(
        self, url: str, events: Iterable[str] = ..., description: str | None = ..., metadata: Any = ...
    ) -> Any: ...

    def delete(self, endpoint_id: str) -> None: ...


@dataclass
class Received:
    """One request the listener answered, and what became of it."""

    at: datetime.datetime
    method: str
    headers: dict[str, str]
    body: bytes
    status: int
    event: dict[str, Any] | None = None  # the verified event
    reason: str | None = None  # why it did not verify
    saved: Path | None = None
    save_error: str | None = None
    forward_status: int | None = None
    forward_error: str | None = None

    @property
    def verified(self) -> bool:
        return self.event is not None

    def as_dict(self) -> dict[str, Any]:
        event = self.event or {}
        return {
            "time": _utc_text(self.at),
            "type": event.get("type"),
            "id": event.get("id") or self.headers.get("webhook-id"),
            "verified": self.verified,
            "reason": self.reason,
            "status": int(self.status),
            "forwardStatus": self.forward_status,
            "forwardError": self.forward_error,
            "saved": str(self.saved) if self.saved else None,
            "saveError": self.save_error,
        }


class Listener:
    """`partner webhooks listen` without its command line.

    `start()` binds an HTTP server on `host:port` (port 0: one the system picks),
    registers a temporary endpoint at `http://host:port/` for `events` through
    `endpoints` (a `client.webhook_endpoints`), keeps its secret and serves. Each POST is
    verified with that secret and answered 200 (401 when it does not verify), then
    forwarded to `forward_to` (verified ones only, the raw body with the webhook-*
    headers), saved in `save_dir` (`<webhook-id>.json`, or `<webhook-id>.unverified.json`),
    and printed as one line. `wait()` returns once `count` requests verified (never when
    `count` is None: stop it with KeyboardInterrupt); `stop()` stops serving and deletes
    the endpoint.
    """

    def __init__(
        self,
        endpoints: EndpointsApi,
        *,
        events: Iterable[str] = ("*",),
        host: str = "127.0.0.1",
        port: int = 0,
        forward_to: str | None = None,
        save_dir: Path | None = None,
        count: int | None = None,
        console: Console | None = None,
        as_json: bool = False,
        http: httpx.Client | None = None,
    ) -> None:
        if count is not None and count < 1:
            raise ValueError("count must be at least 1")
        self.endpoints = endpoints
        self.events = list(events)
        self.host = host
        self.port = port
        self.forward_to = forward_to
        self.save_dir = save_dir
        self.count = count
        self.console = console or stdout()
        self.as_json = as_json
        self._http = http
        self._owns_http = http is None
        self.endpoint: dict[str, Any] | None = None
        self.secret: str | None = None
        self.received: list[Received] = []
        self.verified = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._done = threading.Event()

    @property
    def url(self) -> str:
        """The endpoint's URL: this listener's address (known once `start` bound it)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def endpoint_id(self) -> str | None:
        return self.endpoint.get("id") if self.endpoint else None

    def start(self) -> None:
        """Bind, register the endpoint (API errors propagate, nothing is left behind), serve."""
        if self.save_dir is not None:
            self.save_dir.mkdir(parents=True, exist_ok=True)
        server = _Server((self.host, self.port), _Handler, self)
        self.port = int(server.server_address[1])
        try:
            created = self.endpoints.create(self.url, self.events, description=LISTEN_DESCRIPTION)
            if not isinstance(created, dict) or not created.get("id") or not created.get("secret"):
                raise ValueError("the API answered the new endpoint without its id and secret")
        except BaseException:
            server.server_close()
            raise
        self.endpoint, self.secret = created, str(created["secret"])
        if self._http is None:
            self._http = httpx.Client(timeout=FORWARD_TIMEOUT, follow_redirects=False)
        thread = threading.Thread(target=server.serve_forever, name="webhooks-listen", daemon=True)
        thread.start()
        self._server, self._thread = server, thread

    def wait(self) -> None:
        """Until `count` requests verified (interruptible by KeyboardInterrupt)."""
        while not self._done.wait(0.5):
            pass

    def stop(self) -> str | None:
        """Stop serving (requests in flight finish), then delete the endpoint; answers the
        id deleted. API errors of the delete propagate."""
        server, self._server, self._thread = self._server, None, None
        if server is not None:  # serving: start() succeeded
            server.shutdown()
            server.server_close()
        if self._owns_http and self._http is not None:
            self._http.close()
            self._http = None
        endpoint_id, self.endpoint = self.endpoint_id, None
        if endpoint_id:
            self.endpoints.delete(endpoint_id)
        return endpoint_id

    # -- one request --------------------------------------------------------------------

    def receive(self, method: str, headers: Mapping[str, str], body: bytes) -> Received:
        """Verify (and save) one request: what to answer is `Received.status`."""
        names = {name.lower(): value for name, value in headers.items()}
        received = Received(datetime.datetime.now(datetime.UTC), method, names, body, HTTPStatus.OK)
        if method != "POST":
            received.status, received.reason = HTTPStatus.METHOD_NOT_ALLOWED, f"{method} is not a delivery"
            return received
        try:
            if self.secret is None:
                raise webhooks.WebhookVerificationError("the listener has no secret yet")
            received.event = webhooks.verify(body, names, self.secret)
        except webhooks.WebhookVerificationError as exc:
            received.status, received.reason = HTTPStatus.UNAUTHORIZED, str(exc)
        if self.save_dir is not None:
            self._save(received)
        return received

    def after_answer(self, received: Received) -> None:
        """Forward a verified request, print its line, count it (after it was answered, so
        a slow forward never delays the API's delivery)."""
        if received.verified and self.forward_to:
            self._forward(received)
        with self._lock:
            self.received.append(received)
            if received.verified:
                self.verified += 1
            self._print(received)
            if self.count is not None and self.verified >= self.count:
                self._done.set()

    def _save(self, received: Received) -> None:
        assert self.save_dir is not None
        webhook_id = received.headers.get("webhook-id", "")
        name = webhook_id if _SAFE_NAME.fullmatch(webhook_id) else f"request-{uuid.uuid4().hex}"
        path = self.save_dir / (f"{name}.json" if received.verified else f"{name}.unverified.json")
        try:
            received.saved = webhooks.save_request(path, received.headers, received.body)
        except OSError as exc:
            received.save_error = f"{path}: {exc.strerror}"

    def _forward(self, received: Received) -> None:
        assert self.forward_to is not None and self._http is not None
        headers = {k: v for k, v in received.headers.items() if k.startswith("webhook-")}
        headers["content-type"] = received.headers.get("content-type", "application/json")
        try:
            answer = self._http.post(self.forward_to, content=received.body, headers=headers)
        except httpx.HTTPError as exc:
            received.forward_error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        else:
            received.forward_status = answer.status_code

    def _print(self, received: Received) -> None:
        if self.as_json:
            self.console.print(json.dumps(received.as_dict(), ensure_ascii=False), markup=False, emoji=False)
            return
        info = received.as_dict()
        line = Text(f"{info['time']}  {info['type'] or '-'}  {info['id'] or '-'}  ")
        if received.verified:
            line.append("verified ✓", style="green")
        else:
            line.append(f"✗ {received.reason} ({int(received.status)})", style="red")
        if received.forward_status is not None:
            style = "green" if received.forward_status < 300 else "red"
            line.append(f"  forwarded {received.forward_status}", style=style)
        elif received.forward_error is not None:
            line.append(f"  forward failed: {received.forward_error}", style="red")
        if received.saved is not None:
            line.append(f"  saved {received.saved}")
        elif received.save_error is not None:
            line.append(f"  not saved ({received.save_error})", style="red")
        self.console.print(line)


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # stop() waits for requests in flight (each bounded by a timeout)
    block_on_close = True

    def __init__(self, address: tuple[str, int], handler: type[_Handler], listener: Listener) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.listener = listener
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 15  # seconds a request may take to arrive
    server_version = "partner-webhooks-listen"

    def do_POST(self) -> None:
        self._handle("POST")

    def do_GET(self) -> None:
        self._handle("GET")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        listener = self.server.listener
        length_text = self.headers.get("Content-Length")
        if length_text is None and method == "POST":
            self._answer(HTTPStatus.LENGTH_REQUIRED, {"error": "Content-Length required"})
            return
        try:
            length = int(length_text or "0")
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self._answer(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": f"the body must be 0-{MAX_BODY} bytes"}
            )
            return
        body = self.rfile.read(length) if length else b""
        received = listener.receive(method, dict(self.headers.items()), body)
        if received.verified:
            self._answer(received.status, {"received": True})
        else:
            self._answer(received.status, {"error": received.reason})
        listener.after_answer(received)

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        content = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        if status == HTTPStatus.METHOD_NOT_ALLOWED:
            self.send_header("Allow", "POST")
        self.end_headers()
        self.wfile.write(content)
        self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: each request has its own line from the listener."""


def _utc_text(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- listen and verify: the commands -----------------------------------------------------


@app.command("listen")
def listen(
    ctx: typer.Context,
    events: EventsOption = None,
    forward_to: Annotated[
        str | None,
        typer.Option(
            "--forward-to", help="Re-post each verified delivery (raw body, webhook-* headers) here."
        ),
    ] = None,
    save: Annotated[
        Path | None,
        typer.Option("--save", file_okay=False, help="Write each request to DIR/<webhook-id>.json."),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="The loopback address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="0: any free port.")] = 0,
    count: Annotated[
        int | None, typer.Option("--count", min=1, help="Stop after N verified deliveries.")
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="Stop after one verified delivery (--count 1).")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object a line: the ready line, then one per request.")
    ] = False,
) -> None:
    """Receive deliveries on this machine, as `stripe listen` does.

    Registers a temporary endpoint at http://HOST:PORT/ (the local API allows loopback
    http; a deployed API refuses it), verifies each request with its secret (200, or 401
    when it does not verify) and prints one line per request: time, type, id, verified.
    Ctrl-C (or SIGTERM, or --count/--once) deletes the endpoint and exits 0.
    """
    if once and count not in (None, 1):
        raise fail("pass either --once or --count, not both")
    if forward_to is not None and not forward_to.startswith(("http://", "https://")):
        raise fail("--forward-to takes an http:// or https:// URL")
    types = event_types(events) or ["*"]
    with client(ctx) as api:
        listener = Listener(
            api.webhook_endpoints,
            events=types,
            host=host,
            port=port,
            forward_to=forward_to,
            save_dir=save,
            count=1 if once else count,
            as_json=as_json,
        )
        with _sigterm_as_interrupt():
            try:
                _start(listener)
            except KeyboardInterrupt as exc:
                raise typer.Exit(130) from exc
            _ready(listener)
            try:
                listener.wait()
            except KeyboardInterrupt:
                pass
            finally:
                _stop(listener)


def _start(listener: Listener) -> None:
    try:
        listener.start()
    except PartnerApiError as exc:
        print_answer(exc.status, exc.headers, exc.body, listener.as_json)
        if exc.param == "url":
            stderr().print(
                "The API refused the listener's URL: `partner webhooks listen` needs an API that "
                "allows loopback http (the local API does; a deployed one never does).",
                markup=False,
            )
        raise typer.Exit(1) from exc
    except httpx.TransportError as exc:
        raise fail(escape(f"cannot reach the API: {exc}"), 1) from exc
    except OSError as exc:
        raise fail(escape(f"cannot listen on {listener.host}:{listener.port}: {exc}"), 1) from exc
    except ValueError as exc:
        raise fail(escape(str(exc)), 1) from exc


def _ready(listener: Listener) -> None:
    if listener.as_json:
        ready = {
            "ready": True,
            "url": listener.url,
            "endpoint": listener.endpoint_id,
            "events": listener.events,
            "secret": listener.secret,
            "forwardTo": listener.forward_to,
        }
        listener.console.print(json.dumps(ready), markup=False, emoji=False)
        return
    onward = f" -> {listener.forward_to}" if listener.forward_to else ""
    listener.console.print(
        f"Ready: forwarding {', '.join(listener.events)} events to {listener.url}{onward} "
        f"(endpoint {listener.endpoint_id}), secret {listener.secret}",
        markup=False,
        emoji=False,
    )
    listener.console.print("Ctrl-C stops and deletes the endpoint.", markup=False)


def _stop(listener: Listener) -> None:
    endpoint_id = listener.endpoint_id
    try:
        listener.stop()
    except PartnerApiError as exc:
        if exc.status == 404:
            return
        stderr().print(
            f"error: could not delete {endpoint_id}: {exc}; delete it with "
            f"`partner webhook-endpoints delete {endpoint_id}`",
            markup=False,
        )
        raise typer.Exit(1) from exc
    except httpx.TransportError as exc:
        stderr().print(f"error: could not delete {endpoint_id}: {exc}", markup=False)
        raise typer.Exit(1) from exc
    if listener.as_json:
        listener.console.print(json.dumps({"deleted": endpoint_id}), markup=False, emoji=False)
    else:
        listener.console.print(f"Deleted endpoint {endpoint_id}", markup=False, emoji=False)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt (as Ctrl-C does) while inside; only in the main
    thread, where signal handlers can be set."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@app.command("verify")
def verify_command(
    file: Annotated[
        Path,
        typer.Argument(
            help='A saved request: {"headers": {...}, "body": "..."} (listen --save).',
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    secrets: Annotated[
        list[str],
        typer.Option(
            "--secret",
            envvar="PARTNER_WEBHOOK_SECRET",
            help="The endpoint's whsec_... secret; repeat it for several (any may have signed).",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the verified event as JSON.")] = False,
) -> None:
    """Check a saved request with the endpoint's secret(s).

    Prints the event's type and id (exit 0), or why it does not verify (exit 1).

    The webhook-timestamp must be within 5 minutes of now (the Standard Webhooks
    tolerance), so a saved request verifies only for 5 minutes after it was sent.
    """
    try:
        request = webhooks.load_request(file)
    except OSError as exc:
        raise fail(escape(f"cannot read {file}: {exc.strerror}")) from exc
    except ValueError as exc:
        raise fail(escape(str(exc))) from exc
    try:
        event = request.verify(secrets)
    except webhooks.WebhookVerificationError as exc:
        raise fail(escape(f"not verified: {exc}"), 1) from exc
    except ValueError as exc:  # a --secret that is not one
        raise fail(escape(f"--secret: {exc}")) from exc
    if as_json:
        print_json(event, as_json=True)
        return
    line = Text("verified ✓ ", style="green")
    line.append(f"{event.get('type')} {event.get('id')}", style="")
    line.append(f" (webhook-id {_header(request.headers, 'webhook-id')})")
    stdout().print(line)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


# -- partner webhook-endpoints -----------------------------------------------------------


def _show_endpoint(endpoint: Any, as_json: bool, title: str = "Webhook endpoint") -> None:
    show(endpoint, as_json, title, ENDPOINT_FIELDS)
    if not as_json and isinstance(endpoint, dict) and endpoint.get("secret"):
        stdout().print(
            "The secret is shown only now: give it to your receiver (partner_sdk.webhooks.verify).",
            markup=False,
        )


def _delivery_row(delivery: Any) -> list[Text]:
    attempts = [a for a in delivery.get("attempts") or [] if isinstance(a, dict)]
    last = attempts[-1] if attempts else {}
    outcome = last.get("httpStatus") if last.get("httpStatus") is not None else last.get("error")
    return [
        cell(delivery.get("eventId")),
        cell(delivery.get("eventType")),
        cell(delivery.get("status")),
        cell(len(attempts)),
        cell(outcome),
        cell(delivery.get("nextAttemptAt")),
    ]


@endpoints_app.command("create")
def endpoints_create(
    ctx: typer.Context,
    url: Annotated[str, typer.Option("--url", help="Where to deliver: https, a public host.")],
    events: EventsOption = None,
    description: DescriptionOption = None,
    metadata: MetadataOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register an endpoint (every event type unless --events); prints its secret, once."""
    types = event_types(events) or ["*"]
    with client(ctx) as api, api_errors(as_json):
        endpoint = api.webhook_endpoints.create(url, types, description, key_values(metadata))
    _show_endpoint(endpoint, as_json, "Webhook endpoint created")


@endpoints_app.command("get")
def endpoints_get(ctx: typer.Context, endpoint_id: EndpointId, as_json: JsonOption = False) -> None:
    """Show one endpoint (its secret is never shown again)."""
    with client(ctx) as api, api_errors(as_json):
        endpoint = api.webhook_endpoints.get(endpoint_id)
    _show_endpoint(endpoint, as_json)


@endpoints_app.command("list")
def endpoints_list(
    ctx: typer.Context,
    limit: LimitOption = None,
    cursor: CursorOption = None,
    all_pages: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    """List endpoints (one page unless --all). --json prints {"data", "nextCursor"}."""
    page = list_command(
        ctx,
        one_page=lambda api: api.webhook_endpoints.list(limit, cursor),
        every_page=lambda api: api.webhook_endpoints.iterate(limit),
        all_pages=all_pages,
        cursor=cursor,
        as_json=as_json,
    )
    show_page(page, as_json, "webhook endpoint", ENDPOINT_COLUMNS)


@endpoints_app.command("update")
def endpoints_update(
    ctx: typer.Context,
    endpoint_id: EndpointId,
    url: Annotated[str | None, typer.Option("--url")] = None,
    events: EventsOption = None,
    description: DescriptionOption = None,
    metadata: MetadataOption = None,
    status: Annotated[
        Literal["enabled", "disabled"] | None,
        typer.Option("--status", help="disabled: nothing is delivered until enabled again."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Change the fields given; the others stay as they are."""
    fields: dict[str, Any] = {
        "url": url,
        "events": event_types(events),
        "description": description,
        "metadata": key_values(metadata),
        "status": status,
    }
    if all(value is None for value in fields.values()):
        raise fail("nothing to update: pass --url, --events, --description, --metadata or --status")
    with client(ctx) as api, api_errors(as_json):
        endpoint = api.webhook_endpoints.update(endpoint_id, **fields)
    _show_endpoint(endpoint, as_json, "Webhook endpoint updated")


@endpoints_app.command("delete")
def endpoints_delete(ctx: typer.Context, endpoint_id: EndpointId, as_json: JsonOption = False) -> None:
    """Delete an endpoint: nothing more is delivered to it."""
    with client(ctx) as api, api_errors(as_json):
        api.webhook_endpoints.delete(endpoint_id)
    if as_json:
        print_json({"id": endpoint_id, "deleted": True}, as_json=True)
    else:
        stdout().print(f"Deleted {endpoint_id}", markup=False)


@endpoints_app.command("rotate-secret")
def endpoints_rotate_secret(ctx: typer.Context, endpoint_id: EndpointId, as_json: JsonOption = False) -> None:
    """A new signing secret; the old one keeps signing beside it for 24 h.

    Each delivery carries both signatures meanwhile: time to give the receiver the new one.
    """
    with client(ctx) as api, api_errors(as_json):
        endpoint = api.webhook_endpoints.rotate_secret(endpoint_id)
    _show_endpoint(endpoint, as_json, "Webhook secret rotated")


@endpoints_app.command("deliveries")
def endpoints_deliveries(
    ctx: typer.Context,
    endpoint_id: EndpointId,
    limit: LimitOption = None,
    cursor: CursorOption = None,
    all_pages: AllOption = False,
    as_json: JsonOption = False,
) -> None:
    """The endpoint's deliveries: status, attempts and the next attempt.

    `last` is the last attempt's HTTP status or error. Send an event again with
    `partner events redeliver EVENT_ID --endpoint ID`.
    """
    page = list_command(
        ctx,
        one_page=lambda api: api.webhook_endpoints.deliveries(endpoint_id, limit, cursor),
        every_page=lambda api: api.webhook_endpoints.iterate_deliveries(endpoint_id, limit),
        all_pages=all_pages,
        cursor=cursor,
        as_json=as_json,
    )
    show_page(page, as_json, "delivery", DELIVERY_COLUMNS, _delivery_row)
