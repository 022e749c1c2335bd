"""GET /v1/events/{eventId}."""

from core import events
from core.pipeline import endpoint


@endpoint(scope="events:read", path=events.EventPath)
def lambda_handler(call):
    return events.get(call)
