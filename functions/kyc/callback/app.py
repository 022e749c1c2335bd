"""POST /v1/kyc/callbacks/{provider}: a KYC provider's signed decision. No API key: the
provider's signature authenticates it and names the tenant."""

from core.customers import customers, kyc_callbacks
from core.platform.pipeline import endpoint


@endpoint(
    scope=kyc_callbacks.SCOPE,
    path=kyc_callbacks.CallbackPath,
    authenticate=kyc_callbacks.authenticate,
    response=customers.Customer,
)
def lambda_handler(call):
    return customers.apply_kyc_decision(call, call.context)
