"""GET /v1/webhook-endpoints/{endpointId}/deliveries: its deliveries and their attempts."""

from core.platform.pipeline import ListOf, endpoint
from core.webhooks import deliveries, endpoints


@endpoint(
    scope="webhooks:read",
    query=deliveries.ListDeliveriesQuery,
    path=endpoints.WebhookEndpointPath,
    response=ListOf(deliveries.WebhookDelivery),
)
def lambda_handler(call):
    return deliveries.list_(call)
