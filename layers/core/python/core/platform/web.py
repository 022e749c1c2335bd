"""HTML pages served by a function (the sandbox KYC provider's pages), not the JSON API.

`@page` is their decorator: it gives every answer a `Request-Id` header, strict security
headers (a CSP that allows nothing but the one inline stylesheet below, no framing, no
referrer: the URL holds a bearer token), writes one log line through
`observability.record`, and renders an `ApiError` as a small HTML page with its status.
Any other exception is a 500 page; the traceback goes to the log, never to the page.

Markup is built with `html()`, which escapes every value it interpolates unless the value
is already `Markup`.
"""

from __future__ import annotations

import base64
import hashlib
import html as _html
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import parse_qsl

from core.platform import observability
from core.platform.errors import ApiError, BodyTooLarge, InternalError, ParameterInvalid
from core.platform.http import Request

MAX_FORM_BYTES: Final = 4096


class Markup(str):
    """Trusted HTML: `html()` inserts it as is."""

    __slots__ = ()


def escape(value: object) -> Markup:
    """`value` as HTML text (quotes escaped too, so it is safe in attributes)."""
    if isinstance(value, Markup):
        return value
    return Markup(_html.escape("" if value is None else str(value), quote=True))


def html(template: str, /, **values: object) -> Markup:
    """`template` (trusted) with `{name}` fields filled by escaped `values`."""
    return Markup(template.format(**{name: escape(value) for name, value in values.items()}))


def join(parts: list[Markup]) -> Markup:
    return Markup("".join(parts))


def status_pill(status: str) -> Markup:
    """A customer status as a coloured pill."""
    tone = status if status in ("pending", "active", "rejected", "inactive") else "unknown"
    return html('<span class="pill {tone}">{status}</span>', tone=tone, status=status)


STYLE: Final = """
:root{--ink:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f1f5f9;--card:#fff;--brand:#4f46e5;
--ok:#047857;--ok-bg:#d1fae5;--bad:#b91c1c;--bad-bg:#fee2e2;--warn:#92400e;--warn-bg:#fef3c7}
*{box-sizing:border-box}
html,body{margin:0;padding:0}
body{background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif;-webkit-font-smoothing:antialiased}
header{background:var(--ink);color:#fff}
header .bar{max-width:640px;margin:0 auto;padding:14px 20px;display:flex;align-items:center;gap:10px}
.logo{width:26px;height:26px;border-radius:7px;background:linear-gradient(135deg,#818cf8,#4f46e5);
display:inline-flex;align-items:center;justify-content:center;font-weight:700;font-size:14px}
.brand{font-weight:600;letter-spacing:.2px}
.mode{margin-left:auto;font-size:12px;font-weight:600;text-transform:uppercase;letter-spacing:.6px;
background:#facc15;color:#422006;border-radius:999px;padding:3px 10px}
main{max-width:640px;margin:32px auto;padding:0 20px}
.card{background:var(--card);border:1px solid var(--line);border-radius:14px;
box-shadow:0 1px 2px rgba(15,23,42,.04),0 8px 24px rgba(15,23,42,.06);padding:28px}
h1{font-size:22px;line-height:1.3;margin:0 0 6px}
.lead{color:var(--muted);margin:0 0 22px}
dl{display:grid;grid-template-columns:150px 1fr;margin:0;border-top:1px solid var(--line)}
dt,dd{margin:0;padding:10px 0;border-bottom:1px solid var(--line)}
dt{color:var(--muted);font-size:13px;padding-top:12px}
dd{font-weight:500;overflow-wrap:anywhere}
.none{color:#94a3b8;font-weight:400}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
.pill{display:inline-block;border-radius:999px;padding:2px 10px;font-size:13px;font-weight:600}
.pill.pending{background:var(--warn-bg);color:var(--warn)}
.pill.active{background:var(--ok-bg);color:var(--ok)}
.pill.rejected{background:var(--bad-bg);color:var(--bad)}
.pill.inactive,.pill.unknown{background:#e2e8f0;color:#334155}
.actions{display:flex;gap:12px;margin-top:26px;align-items:flex-end}
.actions form{margin:0}
.actions form.reject{flex:1;display:flex;gap:12px;align-items:flex-end;padding-left:12px;
border-left:1px solid var(--line)}
.actions form.reject label{flex:1;min-width:0}
@media (max-width:560px){.actions{flex-wrap:wrap}.actions form.reject{padding-left:0;border-left:0}}
label{display:block;font-size:13px;color:var(--muted)}
select{display:block;width:100%;margin-top:4px;font:inherit;padding:9px 10px;border:1px solid var(--line);
border-radius:9px;background:#fff;color:var(--ink)}
button,.button{font:inherit;font-weight:600;border-radius:9px;padding:10px 22px;cursor:pointer;
border:1px solid transparent;text-decoration:none;display:inline-block}
button.approve{background:var(--ok);color:#fff}
button.approve:hover{background:#065f46}
button.reject{background:#fff;color:var(--bad);border-color:#fca5a5}
button.reject:hover{background:var(--bad-bg)}
.button.secondary{background:#fff;color:var(--ink);border-color:var(--line)}
.notice{border-radius:10px;padding:14px 16px;margin:0 0 20px;font-weight:500}
.notice.ok{background:var(--ok-bg);color:var(--ok)}
.notice.bad{background:var(--bad-bg);color:var(--bad)}
.notice.info{background:#e0e7ff;color:#3730a3}
.notice.warn{background:var(--warn-bg);color:var(--warn)}
.hint{color:var(--muted);font-size:13px;margin:18px 0 0}
footer{max-width:640px;margin:0 auto 32px;padding:0 20px;color:var(--muted);font-size:12px}
"""

_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")
CONTENT_SECURITY_POLICY: Final = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_TITLES = {
    400: "This request is not valid",
    404: "Verification link not found",
    405: "Method not allowed",
    409: "Already decided",
    413: "Request too large",
}


@dataclass
class Page:
    """What an HTML handler returns: a title, the trusted main content, a status, and
    fields for the request's log line (ids, never the URL's token)."""

    title: str
    content: Markup
    status: int = 200
    log: dict[str, Any] = field(default_factory=dict)


def document(title: str, content: Markup, request_id: str) -> str:
    return html(
        """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{title} · Sandbox KYC</title>
<style>{style}</style>
</head>
<body>
<header><div class="bar"><span class="logo">K</span><span class="brand">Sandbox KYC</span>
<span class="mode">Test mode</span></div></header>
<main><div class="card">
{content}
</div></main>
<footer>A simulated identity verification for the Partner API sandbox: no real checks are made.
Request ID <span class="mono">{request_id}</span></footer>
</body>
</html>
""",
        title=title,
        style=Markup(STYLE),
        content=content,
        request_id=request_id,
    )


def error_page(exc: ApiError) -> Page:
    if exc.status >= 500:
        message = "Something went wrong on our side. Try again in a moment."
        title = "Something went wrong"
    else:
        message = exc.message
        title = _TITLES.get(exc.status, "This request cannot be completed")
    content = html(
        '<h1>{title}</h1>\n<p class="lead">{message}</p>\n<p class="hint">Error code <code>{code}</code></p>',
        title=title,
        message=message,
        code=exc.code,
    )
    return Page(title, content, exc.status, {"errorCode": exc.code})


def to_event(page: Page, request_id: str) -> dict[str, Any]:
    headers = {
        "Request-Id": request_id,
        "Content-Type": "text/html; charset=utf-8",
        **SECURITY_HEADERS,
    }
    body = document(page.title, page.content, request_id)
    return {"statusCode": page.status, "headers": headers, "body": body, "isBase64Encoded": False}


def page(fn: Callable[[Request], Page]) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The decorator of an HTML handler `fn(request) -> Page`."""

    def lambda_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        started = time.perf_counter()
        request = Request.from_event(event)
        try:
            result = fn(request)
        except ApiError as exc:
            if exc.status >= 500:
                observability.exception("page failed")
            result = error_page(exc)
        except Exception:
            observability.exception("unhandled error")
            result = error_page(InternalError("An internal error occurred."))
        # The raw path is not logged: the sandbox pages' paths carry a bearer token.
        fields = {"requestId": request.request_id, "method": request.method, **result.log}
        observability.record(request.route_key, result.status, (time.perf_counter() - started) * 1000, fields)
        return to_event(result, request.request_id)

    lambda_handler.__doc__ = fn.__doc__
    return lambda_handler


# -- request helpers ----------------------------------------------------------------------

_HOST_RE = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253})(:[0-9]{1,5})?")


def base_url(request: Request, configured: str = "") -> str:
    """`configured` (PUBLIC_BASE_URL) when set, else the request's own scheme and host."""
    if configured:
        return configured.rstrip("/")
    scheme = request.scheme.split(",", 1)[0].strip().lower()
    if scheme not in ("http", "https"):
        scheme = "https"
    if not _HOST_RE.fullmatch(request.host):
        raise ParameterInvalid("The request has no usable Host header.", param="host")
    return f"{scheme}://{request.host}"


def form(request: Request) -> dict[str, str]:
    """An `application/x-www-form-urlencoded` body; the first value of each name."""
    if len(request.body) > MAX_FORM_BYTES:
        raise BodyTooLarge(f"A form is at most {MAX_FORM_BYTES} bytes.")
    kind = request.headers.get("content-type", "application/x-www-form-urlencoded")
    if kind.split(";", 1)[0].strip().lower() != "application/x-www-form-urlencoded":
        raise ParameterInvalid("Send the form as application/x-www-form-urlencoded.", param="body")
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise ParameterInvalid("The form is not UTF-8.", param="body") from None
    fields: dict[str, str] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        fields.setdefault(name, value)
    return fields
