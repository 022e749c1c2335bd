"""The catch-all route answers like every endpoint: the envelope, a Request-Id, 404 / 405."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.harness import handler_module, make_event

NOT_FOUND = "service/not_found"


def answer(method: str, path: str) -> dict[str, Any]:
    return handler_module(NOT_FOUND).lambda_handler(make_event(method, path, route_key="$default"), None)


@pytest.mark.parametrize("path", ["/v1/nope", "/", "/v1/signing-keys/a/b", "/v2/signing-keys"])
def test_unknown_paths_are_404_resource_missing(aws: Any, path: str) -> None:
    import json

    out = answer("GET", path)
    body = json.loads(out["body"])
    assert out["statusCode"] == 404
    assert body["error"]["code"] == "resource_missing"
    assert body["error"]["requestId"] == out["headers"]["Request-Id"]


def test_known_path_wrong_method_is_405_with_allow(aws: Any) -> None:
    import json

    out = answer("PUT", "/v1/signing-keys")
    assert out["statusCode"] == 405
    assert out["headers"]["Allow"] == "GET, POST"
    assert json.loads(out["body"])["error"]["code"] == "method_not_allowed"
    assert answer("GET", "/v1/signing-keys/sig_123")["headers"]["Allow"] == "DELETE"
