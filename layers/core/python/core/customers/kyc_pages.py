"""The sandbox KYC provider's hosted pages (`GET /sandbox/kyc/{session}` and its
`POST .../decision`), rendered with `core.platform.web`.

The verification page shows the customer the session token names and, while it is
pending, Approve and Reject buttons that POST to the decision page. A forged or expired
token is 404. The decision is sent to the API as the provider's signed callback
(`POST {base}/v1/kyc/callbacks/sandbox`), and the outcome shown as a page: the callback's
HTTP status and the customer's status after it.
"""

from __future__ import annotations

import json
import uuid

from core.customers import customers, kyc
from core.platform import clock
from core.platform.errors import ParameterInvalid, ResourceMissing
from core.platform.http import Request
from core.platform.pipeline import runtime
from core.platform.web import Markup, Page, base_url, form, html, join, status_pill

FIELDS = (
    ("Name", "name"),
    ("Type", "type"),
    ("Email", "email"),
    ("Country", "country"),
    ("Document number", "documentNumber"),
    ("External ID", "externalId"),
    ("On-chain ID", "onchainId"),
    ("Customer ID", "id"),
)
MONO = frozenset({"documentNumber", "onchainId", "id"})
REJECT_REASONS = (
    "The document could not be read",
    "The name does not match the document",
    "The document has expired",
    "Sanctions or PEP screening match",
    "Suspected fraud",
)
DONE = {
    "active": ("ok", "This verification is complete: the customer was approved."),
    "rejected": ("bad", "This verification is complete: the customer was rejected."),
}


def mask(number: str) -> str:
    """All but the last 4 characters hidden (all but 2 for short numbers, all for tiny ones)."""
    keep = 4 if len(number) >= 8 else 2 if len(number) >= 5 else 0
    return "•" * (len(number) - keep) + number[len(number) - keep :]


def details(customer: dict) -> Markup:
    rows = []
    for label, name in FIELDS:
        value = customer.get(name)
        if value in (None, ""):
            cell = Markup('<span class="none">Not provided</span>')
        elif name == "documentNumber":
            cell = html('<span class="mono">{v}</span>', v=mask(str(value)))
        elif name == "type":
            cell = html("{v}", v=str(value).capitalize())
        else:
            cell = html('<span class="mono">{v}</span>' if name in MONO else "{v}", v=value)
        rows.append(html("<dt>{label}</dt><dd>{cell}</dd>", label=label, cell=cell))
    status = str(customer.get("status") or "unknown")
    rows.append(html("<dt>Status</dt><dd>{pill}</dd>", pill=status_pill(status)))
    return html("<dl>{rows}</dl>", rows=join(rows))


def actions(token: str) -> Markup:
    options = join([html("<option>{r}</option>", r=reason) for reason in REJECT_REASONS])
    return html(
        """<div class="actions">
<form method="post" action="{token}/decision">
<input type="hidden" name="decision" value="approved">
<button id="approve" class="approve" type="submit">Approve</button>
</form>
<form method="post" action="{token}/decision" class="reject">
<input type="hidden" name="decision" value="rejected">
<label>Rejection reason<select name="reason">{options}</select></label>
<button id="reject" class="reject" type="submit">Reject</button>
</form>
</div>
<p class="hint">Your choice is sent to the Partner API as a signed
<code>verification.completed</code> callback: approval makes the customer active with the
<code>accounts</code> capability, rejection makes it rejected.</p>""",
        token=token,
        options=options,
    )


def verification_page(request: Request) -> Page:
    """GET /sandbox/kyc/{session}: the customer the token names; Approve / Reject while pending."""
    token = request.path_params.get("session", "")
    session = kyc.sandbox().open_session(token, now=clock.now())
    customer = customers.load(runtime()[1], session.tenant_id, session.customer_id)
    if customer is None:
        raise ResourceMissing("This verification link is invalid or has expired.", param="session")
    status = str(customer.get("status") or "unknown")
    if status == "pending":
        intro = Markup(
            '<p class="lead">Check the details the partner submitted, then choose the outcome '
            "of this simulated identity check.</p>"
        )
        after = actions(token)
    else:
        tone, text = DONE.get(status, ("info", "This verification is complete."))
        intro = html('<div class="notice {tone}">{text}</div>', tone=tone, text=text)
        after = Markup("")
    content = html(
        "<h1>Verify your identity</h1>\n{intro}\n{details}\n{after}",
        intro=intro,
        details=details(customer),
        after=after,
    )
    log = {"tenant": session.tenant_id, "customerId": session.customer_id, "customerStatus": status}
    return Page("Verify your identity", content, 200, log)


MAX_REASON = 200

# The HTTP sender (`kyc.send`: urllib, 10 s timeout); tests replace it.
send = kyc.send


def error_of(body: bytes) -> tuple[str, str]:
    """(code, message) of the API's error envelope, or empty strings."""
    try:
        error = json.loads(body)["error"]
        return str(error.get("code") or ""), str(error.get("message") or "")
    except (ValueError, KeyError, TypeError, AttributeError):
        return "", ""


def outcome(delivery, decision):
    """(page status, notice tone, notice text, the API's error code or "")."""
    if delivery.status is None:
        return 502, "bad", f"The callback could not be delivered: {delivery.error}.", ""
    if 200 <= delivery.status < 300:
        return 200, "ok", f"Decision recorded: the customer was {decision}.", ""
    code, message = error_of(delivery.body)
    if delivery.status == 409:
        return 409, "warn", "This customer was already decided: the API refused a second decision.", code
    detail = f": {message}" if message else ""
    return 502, "bad", f"The API did not accept the callback{detail}", code


def decision_page(request: Request) -> Page:
    """POST /sandbox/kyc/{session}/decision: the choice sent as the signed callback, and its outcome."""
    config, store = runtime()
    now = clock.now()
    token = request.path_params.get("session", "")
    provider = kyc.sandbox()
    session = provider.open_session(token, now=now)
    fields = form(request)
    decision = fields.get("decision", "")
    if decision not in kyc.DECISIONS:
        raise ParameterInvalid("decision must be approved or rejected.", param="decision")
    reason = None
    if decision == "rejected":
        reason = (fields.get("reason") or "").strip()[:MAX_REASON] or None
    customer = customers.load(store, session.tenant_id, session.customer_id)
    if customer is None:
        raise ResourceMissing("This verification link is invalid or has expired.", param="session")

    event_id = f"sbxevt_{uuid.uuid4().hex}"
    body, headers = provider.signed_callback(
        session, decision=decision, reason=reason, event_id=event_id, now=now
    )
    url = kyc.callback_url(base_url(request, config.public_base_url))
    delivery = send(url, body, headers)

    after = customers.load(store, session.tenant_id, session.customer_id) or customer
    status, tone, text, code = outcome(delivery, decision)
    customer_status = str(after.get("status") or "unknown")
    answer = "no answer" if delivery.status is None else f"HTTP {delivery.status}"
    content = html(
        """<h1>Verification result</h1>
<div class="notice {tone}">{text}</div>
<dl>
<dt>Customer</dt><dd>{name}</dd>
<dt>Decision sent</dt><dd>{decision}</dd>
<dt>Callback</dt><dd><span class="mono">POST {path}</span></dd>
<dt>API answer</dt><dd><span id="callback-status" class="mono">{answer}</span> {code}</dd>
<dt>Event ID</dt><dd><span class="mono">{event_id}</span></dd>
<dt>Customer status</dt><dd id="customer-status">{pill}</dd>
</dl>
<p class="hint"><a class="button secondary" href="../{token}">Back to the verification page</a></p>""",
        tone=tone,
        text=text,
        name=customer.get("name") or customer.get("id"),
        decision=decision,
        path=kyc.CALLBACK_PATH + kyc.SANDBOX,
        answer=answer,
        code=code,
        event_id=event_id,
        pill=status_pill(customer_status),
        token=token,
    )
    log = {
        "tenant": session.tenant_id,
        "customerId": session.customer_id,
        "decision": decision,
        "callbackStatus": delivery.status,
        "callbackEventId": event_id,
    }
    return Page("Verification result", content, status, log)
