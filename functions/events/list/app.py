"""GET /v1/events: the outbox, newest first; filters type, createdAfter."""

from core import events
from core.pipeline import endpoint


@endpoint(scope="events:read", query=events.ListEventsQuery)
def lambda_handler(call):
    return events.list_(call)
