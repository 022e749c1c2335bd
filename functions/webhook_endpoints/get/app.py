"""GET /v1/webhook-endpoints/{endpointId}: one endpoint (never its secret)."""

from core.platform.pipeline import endpoint
from core.webhooks import endpoints


@endpoint(scope="webhooks:read", path=endpoints.WebhookEndpointPath, response=endpoints.WebhookEndpoint)
def lambda_handler(call):
    return endpoints.get(call)
