"""GET /v1/events: the outbox, newest first; filters type, createdAfter."""

from core.events import events
from core.platform.pipeline import ListOf, endpoint


@endpoint(scope="events:read", query=events.ListEventsQuery, response=ListOf(events.Event))
def lambda_handler(call):
    return events.list_(call)
