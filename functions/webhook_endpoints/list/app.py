"""GET /v1/webhook-endpoints: the partner's endpoints, newest first."""

from core.platform.pipeline import ListOf, endpoint
from core.webhooks import endpoints


@endpoint(
    scope="webhooks:read",
    query=endpoints.ListWebhookEndpointsQuery,
    response=ListOf(endpoints.WebhookEndpoint),
)
def lambda_handler(call):
    return endpoints.list_(call)
