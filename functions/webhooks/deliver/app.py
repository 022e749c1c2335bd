"""The delivery queue -> one signed POST per message (an attempt of a delivery)."""

from core.platform import pipeline
from core.webhooks import worker

lambda_handler = pipeline.worker(worker.handle)
