"""The table's stream (event and delivery INSERTs) -> deliveries and queued attempts."""

from core.platform.pipeline import worker
from core.webhooks import dispatch

lambda_handler = worker(dispatch.handle)
