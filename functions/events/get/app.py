"""GET /v1/events/{eventId}: one event."""

from core import events
from core.pipeline import endpoint


@endpoint(scope="events:read", path=events.EventPath, response=events.Event)
def lambda_handler(call):
    return events.get(call)
