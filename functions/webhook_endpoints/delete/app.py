"""DELETE /v1/webhook-endpoints/{endpointId}: no more deliveries to it."""

from core.platform.pipeline import endpoint
from core.webhooks import endpoints


@endpoint(scope="webhooks:write", path=endpoints.WebhookEndpointPath, status=204)
def lambda_handler(call):
    return endpoints.delete(call)
