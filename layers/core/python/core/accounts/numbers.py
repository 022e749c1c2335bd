"""`POST /v1/accounts/{accountId}/account-numbers`: issue a number (IBAN, ABA or CLABE).

One transaction: the account's condition (it exists, is `active`, is a fiat account of
the currency the number is drawn for, holds fewer than `MAX_PER_ACCOUNT` numbers) with
its count, the number item in the account's collection, and the number's guard outside
any tenant (`keys.deployment_guard_key`: unique across the deployment, never deleted, so
never issued twice, even after the account closes). A value another account already
holds fails the guard and the request draws again; no shared counter is touched.

Round trips: the account's type and currency never change, so a warm container keeps
them (`accounts.facts`) and an issue is the idempotency claim plus this one transaction; the
first issue on an account in a container reads the account first. A wrong or stale fact
cannot write: the transaction's condition checks them again.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from core.accounts import number_schemes
from core.accounts.accounts import (
    FIAT_TYPES,
    MAX_NUMBERS,
    NUMBER_KIND,
    AccountPath,
    Facts,
    facts,
    render_number,
    stage_issue,
)
from core.platform import keys, outbox
from core.platform.errors import (
    AlreadyExists,
    RaceLost,
    SchemeUnsupported,
)
from core.platform.ids import new_id
from core.platform.pipeline import Call
from core.platform.validation import RequestModel

MAX_PER_ACCOUNT = MAX_NUMBERS
GUARD = "account_number"


class IssueAccountNumber(RequestModel):
    scheme: Annotated[
        number_schemes.Scheme | None,
        Field(
            description="`iban`, `aba` or `clabe`; by default the scheme the account's currency "
            "uses (USD `aba`, MXN `clabe`, the IBAN currencies `iban`)."
        ),
    ] = None


def _scheme(call: Call[IssueAccountNumber, Any, AccountPath], facts: Facts) -> Any:
    account_type, currency = facts.account_type, facts.currency
    if account_type not in FIAT_TYPES or currency is None:
        raise SchemeUnsupported(
            "Account numbers are for demand_deposit and virtual accounts; a wallet account takes "
            "blockchain addresses.",
            param="accountId",
        )
    available = number_schemes.issuers(call.settings).schemes_for(currency)
    wanted = call.body.scheme
    if wanted is None and available:
        return available[0]
    if wanted is not None and wanted in available:
        return wanted
    named = f"the {wanted} scheme" if wanted else "any scheme"
    raise SchemeUnsupported(
        f"This deployment issues no {currency} account numbers in {named} "
        f"(it offers {', '.join(available) or 'none'} for {currency}).",
        param="scheme" if wanted else "accountId",
    )


def issue(call: Call[IssueAccountNumber, None, AccountPath]) -> dict[str, Any]:
    account_id, tenant_id = call.path.accountId, call.tenant_id
    known = facts(call)
    scheme = _scheme(call, known)
    currency = known.currency
    assert currency is not None  # _scheme refused an account without one
    drawn = number_schemes.draw(scheme, currency, number_schemes.issuers(call.settings))
    unique = drawn.pop("unique")
    number_id = new_id("an")
    item = {
        "type": "account_number",
        "id": number_id,
        "tenantId": tenant_id,
        "accountId": account_id,
        "scheme": scheme,
        **drawn,
        "createdAt": int(call.now),
    }
    stage_issue(
        call.tx,
        tenant_id,
        account_id,
        known,
        count="numberCount",
        limit=MAX_PER_ACCOUNT,
        what="account numbers",
    )
    call.tx.create(
        keys.child_key(tenant_id, account_id, NUMBER_KIND, number_id),
        item,
        on_fail=AlreadyExists("Account number id clash."),
    )
    call.tx.create(
        keys.deployment_guard_key(f"{GUARD}#{scheme}", unique),
        {"type": "guard", "tenantId": tenant_id, "of": account_id},  # the owner, nothing else
        on_fail=RaceLost("This number is already issued; drawing another."),
    )
    rendered = render_number(item, "active")
    outbox.stage(
        call.tx, tenant_id=tenant_id, event_type="account_number.created", obj=rendered, now=call.now
    )
    return rendered
