"""POST /v1/webhook-endpoints: register where events go; answers the signing secret once."""

from core.platform.pipeline import endpoint
from core.webhooks import endpoints


@endpoint(
    scope="webhooks:write",
    body=endpoints.CreateWebhookEndpoint,
    status=201,
    response=endpoints.WebhookEndpointWithSecret,
)
def lambda_handler(call):
    return endpoints.create(call)
