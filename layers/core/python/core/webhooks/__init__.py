"""Webhooks: endpoints, the dispatcher on the table's stream, the delivery worker."""
