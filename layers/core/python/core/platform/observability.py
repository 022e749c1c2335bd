"""One structured JSON log line per request (Powertools Logger) that also carries the
request's metrics in CloudWatch's Embedded Metric Format (Powertools Metrics).

Why one line: CloudWatch extracts EMF metrics from any JSON log event with an `_aws`
block, so the request's log line is also its metrics document: one serialisation and one
write instead of two. Why a formatter of our own for that line: Powertools' formatter
searches each LogRecord's attributes for extra keys and tries to parse every message as
JSON (~50 µs a line on the benchmark machine); the request line's fields are known, so
they are serialised directly (see the README's pipeline figures). Other records (errors,
tracebacks) go through Powertools' formatter unchanged.

The X-Ray tracer is not loaded here: Powertools' Tracer with aws-xray-sdk costs ~0.2 s of
import on top of Powertools (measured on 2 vCPUs, before patching any library), which no
endpoint of this API pays for; the benchmark's reference handler carries it.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.metrics import Metrics, MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

# The LogRecord attribute that holds a request line's fields.
_LINE = "request_line"


class RequestLineFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter, with a direct path for the per-request line."""

    def format(self, record: logging.LogRecord) -> str:
        line = record.__dict__.get(_LINE)
        if line is None:
            return super().format(record)
        formatted: dict[str, Any] = {
            "level": record.levelname,
            "message": record.msg,
            "timestamp": self.formatTime(record),
            "service": self.log_format.get("service"),
            **line,
        }
        trace_id = self._get_latest_trace_id()
        if trace_id:
            formatted["xray_trace_id"] = trace_id
        return self.serialize(formatted)


logger = Logger(
    service=os.environ.get("POWERTOOLS_SERVICE_NAME", "partner-api"),
    logger_formatter=RequestLineFormatter(),
)
# The standard-library logger Powertools configured (its handler, formatter and level).
# The request line goes to it as a record made here: `logger.info` would also walk the
# call stack for the caller's file and line (`logging.Logger.findCaller`), which the
# request line never prints (~8 µs of a request's ~400 µs of pipeline CPU).
_stdlib = logging.getLogger(logger.service)
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "PartnerApi"))


def _emf(route: str, status: int, latency_ms: float) -> dict[str, Any]:
    """The request's EMF document ({} where metrics are disabled: local runs, tests).

    Powertools Metrics builds the document once per route and outcome (its validation
    costs ~30 µs a request); each request then fills in its own timestamp and values."""
    if is_metrics_disabled():
        return {}
    outcome = "ServerErrors" if status >= 500 else "ClientErrors" if status >= 400 else None
    template = _EMF_TEMPLATES.get((route, outcome))
    if template is None:
        template = _EMF_TEMPLATES[(route, outcome)] = _emf_template(route, outcome)
    document = {**template, "Latency": [latency_ms]}
    document["_aws"] = {**template["_aws"], "Timestamp": int(time.time() * 1000)}
    return document


# Keyed by template route (a bounded set) and outcome.
_EMF_TEMPLATES: dict[tuple[str, str | None], dict[str, Any]] = {}


def _emf_template(route: str, outcome: str | None) -> dict[str, Any]:
    metrics.add_dimension(name="route", value=route)
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=0)
    if outcome is not None:
        metrics.add_metric(name=outcome, unit=MetricUnit.Count, value=1)
    try:
        return dict(metrics.serialize_metric_set())
    finally:
        metrics.clear_metrics()


def record(route: str, status: int, latency_ms: float, fields: dict[str, Any]) -> None:
    route = route or "unknown"
    line = {
        **_emf(route, status, latency_ms),
        "route": route,
        "status": status,
        "latencyMs": round(latency_ms, 3),
        **fields,
    }
    if _stdlib.isEnabledFor(logging.INFO):
        made = _stdlib.makeRecord(
            _stdlib.name, logging.INFO, __file__, 0, "request", (), None, extra={_LINE: line}
        )
        _stdlib.handle(made)


def exception(message: str) -> None:
    """The traceback goes to the log, never to the response body."""
    logger.exception(message)
