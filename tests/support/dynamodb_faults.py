"""DynamoDB answering with errors, injected into one botocore client at each attempt it
sends (a `before-send` hook), so botocore's retries and the store's retries run exactly
as they do against AWS:

- `refuse`: the attempt fails and nothing is applied (throttling, a transaction conflict);
- `lose`: the attempt is applied and its answer lost (a 500 instead of the result).

The hook hands every attempt to moto itself and answers with moto's result (or the
injected error), having readdressed the request so that moto's own hook passes over it.
It also gives TransactWriteItems the `ClientRequestToken` rule that DynamoDB documents and
moto lacks: a transaction sent again with the token of one already applied is not applied
again and succeeds; with other items it fails with IdempotentParameterMismatchException.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders
from moto.core.botocore_stubber import MockRawResponse
from moto.core.models import botocore_stubber

ERROR_PREFIX = "com.amazonaws.dynamodb.v20120810#"
NOWHERE = "http://fault-injected.invalid/"  # an address moto's hook does not serve
JSON = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "fault-injected"}


def _headers(values: dict[str, Any]) -> HTTPHeaders:
    headers = HTTPHeaders()
    for name, value in values.items():
        headers[name] = str(value)
    return headers


# The status DynamoDB answers each error with.
STATUS = {"InternalServerError": 500}


@dataclass
class Rule:
    operation: str  # PutItem, TransactWriteItems, ... or "*" for every operation
    code: str
    times: int | None  # None: every attempt
    applied: bool  # True: moto applies the attempt and its answer is lost
    reason: str | None = None  # the cancellation reason (TransactionCanceledException)
    fired: int = 0

    def matches(self, operation: str) -> bool:
        return self.operation in ("*", operation) and (self.times is None or self.fired < self.times)


class DynamoDBFaults:
    """Rules on `client`. `attempts` counts every attempt per operation, failed or not;
    `bodies` keeps each attempt's request."""

    def __init__(self, client: Any) -> None:
        self.rules: list[Rule] = []
        self.attempts: Counter[str] = Counter()
        self.bodies: dict[str, list[dict[str, Any]]] = {}
        self._committed: dict[str, Any] = {}  # ClientRequestToken -> TransactItems
        self._client = client
        client.meta.events.register_first("before-send.dynamodb", self._before_send)

    def close(self) -> None:
        """Stop intercepting: the client talks to moto directly again."""
        self._client.meta.events.unregister("before-send.dynamodb", self._before_send)

    def refuse(
        self, operation: str, code: str, *, times: int | None = None, reason: str | None = None
    ) -> None:
        """Fail the next `times` attempts (None: all) of `operation` with `code`, unapplied."""
        self.rules.append(Rule(operation, code, times, applied=False, reason=reason))

    def lose(self, operation: str, *, times: int = 1, code: str = "InternalServerError") -> None:
        """Apply the next `times` attempts of `operation`, and answer `code` instead."""
        self.rules.append(Rule(operation, code, times, applied=True))

    def clear(self) -> None:
        self.rules.clear()

    def _before_send(self, request: Any, event_name: str, **kwargs: Any) -> AWSResponse:
        operation = event_name.rsplit(".", 1)[-1]
        self.attempts[operation] += 1
        body = json.loads(request.body or b"{}")
        self.bodies.setdefault(operation, []).append(body)
        url, rule = request.url, next((r for r in self.rules if r.matches(operation)), None)
        if rule is not None:
            rule.fired += 1
        token = body.get("ClientRequestToken") if operation == "TransactWriteItems" else None
        if token in self._committed:
            request.url = NOWHERE
            if self._committed[token] != body.get("TransactItems"):
                return _error(url, "IdempotentParameterMismatchException")
            return AWSResponse(url, 200, _headers(JSON), MockRawResponse("{}"))
        if rule is not None and not rule.applied:
            request.url = NOWHERE
            return _error(url, rule.code, body, rule.reason)

        answer = botocore_stubber.process_request(request)
        request.url = NOWHERE
        assert answer is not None, f"moto does not serve {url}"
        status, headers, text = answer
        if token is not None and status == 200:
            self._committed[token] = body.get("TransactItems")
        if rule is not None:
            return _error(url, rule.code)
        return AWSResponse(url, status, _headers(headers), MockRawResponse(text))


def _error(url: str, code: str, body: dict[str, Any] | None = None, reason: str | None = None) -> AWSResponse:
    error: dict[str, Any] = {"__type": ERROR_PREFIX + code, "message": f"injected {code}"}
    if code == "TransactionCanceledException":
        # One reason per item, as DynamoDB reports them: the first item is the cause.
        items = (body or {}).get("TransactItems") or [None]
        error["CancellationReasons"] = [{"Code": reason or "TransactionConflict"}] + [
            {"Code": "None"} for _ in items[1:]
        ]
    return AWSResponse(url, STATUS.get(code, 400), _headers(JSON), MockRawResponse(json.dumps(error)))
