"""Every answer a handler gives in the integration tests is checked against the committed
OpenAPI document: the status is one the operation lists, the body matches that status's
schema, and `Request-Id` is there. So each test that exercises an endpoint also checks
that the document tells the truth about it, success paths and errors alike.

Handlers outside the document (the sandbox provider's HTML pages, the catch-all) are not
checked.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT_FILE = ROOT / "layers/core/python/core/platform/openapi.json"
DOCUMENT_URI = "urn:partner-api:openapi"


class NonConformingResponse(AssertionError):
    """An answer the OpenAPI document does not describe."""


@cache
def _document() -> dict[str, Any]:
    return json.loads(DOCUMENT_FILE.read_text(encoding="utf-8"))


@cache
def _registry() -> Registry:
    resource: Resource[Any] = Resource(contents=_document(), specification=DRAFT202012)
    return Registry().with_resource(DOCUMENT_URI, resource)


@cache
def _routes() -> dict[str, tuple[str, str]]:
    """`<resource>/<action>` (the harness's name of a function) -> (METHOD, path template)."""
    from localapi.template import load_template, routes

    functions = ROOT / "functions"
    return {
        route.code_uri.relative_to(functions).as_posix(): (route.method, route.path)
        for route in routes(load_template(ROOT / "template.yaml"))
        if route.code_uri.is_relative_to(functions)
    }


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


@cache
def _validator(pointer: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"{DOCUMENT_URI}#{pointer}"}, registry=_registry())


def _resolve(response: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """A response object (following a `$ref` into components) and its JSON pointer."""
    ref = response.get("$ref")
    if ref is None:
        return response, ""
    _, _, name = ref.rpartition("/")
    return _document()["components"]["responses"][name], _pointer("", "components", "responses", name)


def check(function_dir: str, status: int, headers: dict[str, str], text: str) -> None:
    """Raise NonConformingResponse when the document does not describe this answer."""
    route = _routes().get(function_dir)
    if route is None:
        return
    method, path = route
    operation = _document()["paths"].get(path, {}).get(method.lower())
    if operation is None:
        return  # not part of the API
    where = f"{method} {path} answered {status}"
    listed = operation["responses"].get(str(status))
    if listed is None:
        raise NonConformingResponse(f"{where}, which the document does not list: {text[:300]}")
    response, pointer = _resolve(listed)
    if not pointer:
        pointer = _pointer("", "paths", path, method.lower(), "responses", str(status))
    request_id = headers.get("Request-Id", "")
    if not re.fullmatch(r"req_[A-Za-z0-9]+", request_id):
        raise NonConformingResponse(f"{where} without a Request-Id header")
    content = response.get("content")
    if content is None:
        if text:
            raise NonConformingResponse(f"{where} with a body the document says it has not: {text[:300]}")
        return
    errors = sorted(
        _validator(pointer + "/" + _pointer("content", "application/json", "schema")).iter_errors(
            json.loads(text)
        ),
        key=lambda e: list(e.absolute_path),
    )
    if errors:
        first = errors[0]
        at = "/".join(str(p) for p in first.absolute_path) or "(root)"
        raise NonConformingResponse(f"{where} with a body that breaks its schema at {at}: {first.message}")
