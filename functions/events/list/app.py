"""GET /v1/events: the outbox, newest first; filters type, createdAfter."""

from core import events
from core.pipeline import endpoint
from core.representations import ListOf


@endpoint(scope="events:read", query=events.ListEventsQuery, response=ListOf(events.Event))
def lambda_handler(call):
    return events.list_(call)
