"""GET /sandbox/kyc/{session}: the sandbox KYC provider's hosted verification page.

Shows the customer the session token names and, while it is pending, Approve and Reject
buttons that POST to /sandbox/kyc/{session}/decision. A forged or expired token is 404.
"""

from core import clock, customers, kyc
from core.errors import ResourceMissing
from core.pipeline import runtime
from core.web import Markup, Page, html, join, page, status_pill

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


@page
def lambda_handler(request):
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
