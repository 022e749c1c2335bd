"""Authentication of KYC providers' callbacks: the provider's signature, not an API key,
proves who is calling and names the tenant the decision belongs to."""

from __future__ import annotations

from pydantic import Field

from core.customers import kyc
from core.platform.auth import Principal
from core.platform.http import Request
from core.platform.validation import RequestModel

SCOPE = "kyc:callback"


class CallbackPath(RequestModel):
    provider: str = Field(pattern=r"^[a-z0-9_-]{1,32}$")


def authenticate(request: Request, now: float) -> tuple[Principal, kyc.KycDecision]:
    """The body is the provider's; it is checked here (signature, then shape), so the
    endpoint takes no body model of its own."""
    provider = kyc.get_provider(request.path_params.get("provider", ""))
    decision = provider.parse_callback(headers=request.headers, body=request.body, now=now)
    principal = Principal(
        tenant_id=decision.tenant_id,
        api_key_id=f"kyc:{provider.name}",
        key_hash="",
        mode="provider",
        scopes=frozenset({SCOPE}),
        signature_policy="provider",
    )
    return principal, decision


# How the OpenAPI document names and describes this authentication (`localapi openapi`).
authenticate.security_scheme = (  # type: ignore[attr-defined]
    "ProviderSignature",
    {
        "type": "apiKey",
        "in": "header",
        "name": kyc.SIGNATURE_HEADER,
        "description": (
            "The KYC provider's callback signature instead of an API key: `t=<unix seconds>,"
            'v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, accepted within '
            f"±{kyc.SIGNATURE_TOLERANCE_SECONDS} s. The body is the provider's own format."
        ),
    },
)
