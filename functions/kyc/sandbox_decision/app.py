"""POST /sandbox/kyc/{session}/decision: the person's choice on the sandbox page, sent to
the API as the provider's signed callback (POST {base}/v1/kyc/callbacks/sandbox), and the
outcome shown as a page: the callback's HTTP status and the customer's status after it.
"""

import json
import uuid

from core import clock, customers, kyc
from core.errors import ParameterInvalid, ResourceMissing
from core.pipeline import runtime
from core.web import Page, base_url, form, html, page, status_pill

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


@page
def lambda_handler(request):
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
