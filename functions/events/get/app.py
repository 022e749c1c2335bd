"""GET /v1/events/{eventId}: one event."""

from core.events import events
from core.platform.pipeline import endpoint


@endpoint(scope="events:read", path=events.EventPath, response=events.Event)
def lambda_handler(call):
    return events.get(call)
