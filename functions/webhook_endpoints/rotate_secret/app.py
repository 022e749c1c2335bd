"""POST /v1/webhook-endpoints/{endpointId}/rotate-secret: a new secret; the old one signs
beside it for 24 hours."""

from core.platform.pipeline import endpoint
from core.webhooks import endpoints


@endpoint(
    scope="webhooks:write",
    body=endpoints.RotateSecretBody,
    path=endpoints.WebhookEndpointPath,
    response=endpoints.WebhookEndpointWithSecret,
)
def lambda_handler(call):
    return endpoints.rotate_secret(call)
