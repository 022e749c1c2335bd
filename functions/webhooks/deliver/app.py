"""The delivery queue -> one signed POST per message (an attempt of a delivery)."""

from core.platform.pipeline import runtime
from core.webhooks import worker


def lambda_handler(event, context=None):
    settings, store = runtime()
    return worker.handle(event, store, settings)
