"""GET /v1/openapi.json: the committed document, public, from a function that needs no
table (its template.yaml block grants none)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.harness import call

ROOT = Path(__file__).resolve().parents[2]


def test_the_document_is_served_as_committed_without_an_api_key(aws: Any) -> None:
    reply = call("service/openapi", "GET", "/v1/openapi.json")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.headers["Request-Id"].startswith("req_")
    assert reply.text == (ROOT / "layers/core/python/core/platform/openapi.json").read_text(encoding="utf-8")
    assert reply.json["openapi"].startswith("3.1.")
