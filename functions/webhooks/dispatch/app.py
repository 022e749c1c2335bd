"""The table's stream (event and delivery INSERTs) -> deliveries and queued attempts."""

from core.platform.pipeline import runtime
from core.webhooks import dispatch


def lambda_handler(event, context=None):
    settings, store = runtime()
    return dispatch.handle(event, store, settings)
