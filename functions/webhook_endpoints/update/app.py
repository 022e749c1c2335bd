"""PATCH /v1/webhook-endpoints/{endpointId}: url, events, description, metadata, status."""

from core.platform.pipeline import endpoint
from core.webhooks import endpoints


@endpoint(
    scope="webhooks:write",
    body=endpoints.UpdateWebhookEndpoint,
    path=endpoints.WebhookEndpointPath,
    response=endpoints.WebhookEndpoint,
)
def lambda_handler(call):
    return endpoints.update(call)
