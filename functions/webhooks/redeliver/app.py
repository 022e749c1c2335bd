"""POST /v1/events/{eventId}/redeliver: send an event to an endpoint again, now."""

from core.platform.pipeline import endpoint
from core.webhooks import deliveries


@endpoint(
    scope="webhooks:write",
    body=deliveries.Redeliver,
    path=deliveries.RedeliverPath,
    status=202,
    response=deliveries.WebhookDelivery,
)
def lambda_handler(call):
    return deliveries.redeliver(call)
