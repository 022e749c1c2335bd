"""One structured log line per request (Powertools Logger) and EMF metrics
(Powertools Metrics). The X-Ray tracer is not loaded here: it costs ~0.4 s of import,
which no endpoint of this API pays for (see the README's benchmark figures)."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.metrics import Metrics, MetricUnit

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "partner-api"))
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "PartnerApi"))


def record(route: str, status: int, latency_ms: float, fields: dict[str, Any]) -> None:
    logger.info(
        "request", extra={"route": route, "status": status, "latencyMs": round(latency_ms, 3), **fields}
    )
    metrics.add_dimension(name="route", value=route or "unknown")
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=latency_ms)
    if status >= 500:
        metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)
    elif status >= 400:
        metrics.add_metric(name="ClientErrors", unit=MetricUnit.Count, value=1)
    metrics.flush_metrics()
    metrics.clear_metrics()  # flushing while disabled (local runs) keeps the set otherwise


def exception(message: str) -> None:
    """The traceback goes to the log, never to the response body."""
    logger.exception(message)
