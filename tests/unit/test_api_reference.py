"""docs/API.md: the API reference generated from the OpenAPI document (`localapi.reference`),
committed up to date, deterministic, and covering every operation and schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from localapi import openapi, reference
from localapi.template import load_template

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return json.loads(openapi.document_json(load_template(ROOT / "template.yaml")))


@pytest.fixture(scope="module")
def rendered(document: dict[str, Any]) -> str:
    return reference.render(document)


def test_the_committed_reference_matches_the_document(rendered: str) -> None:
    """docs/API.md is generated (`localapi openapi --write`); it must not drift."""
    committed = reference.reference_file(ROOT).read_text(encoding="utf-8")
    assert committed == rendered, "run `.venv/bin/localapi openapi --write`"


def test_the_rendering_is_deterministic(document: dict[str, Any], rendered: str) -> None:
    assert reference.render(json.loads(json.dumps(document))) == rendered


def test_every_operation_has_its_section_scope_and_responses(document: dict[str, Any], rendered: str) -> None:
    for method, path, operation_id in openapi.operation_ids(document):
        heading = f"### `{method} {path}`"
        assert heading in rendered, heading
        section = rendered.split(heading, 1)[1].split("\n### ", 1)[0]
        assert f"Operation id: `{operation_id}`." in section
        assert "**Responses**" in section
        operation = document["paths"][path][method.lower()]
        for status in operation["responses"]:
            assert f"| {status} |" in section, (operation_id, status)
        for requirement in operation["security"]:
            for scopes in requirement.values():
                for scope in scopes:
                    assert f"Scope `{scope}`" in section, (operation_id, scope)
        for parameter in operation.get("parameters", []):
            name = parameter.get("name") or parameter["$ref"].rsplit("/", 1)[1]
            assert f"| `{name}` |" in section, (operation_id, name)


def test_every_schema_has_its_section(document: dict[str, Any], rendered: str) -> None:
    for name in document["components"]["schemas"]:
        assert f"\n### {name}\n" in rendered, name


def test_constraints_and_cross_field_rules_are_spelled_out(rendered: str) -> None:
    assert "- At least one of `externalId`, `onchainId` (not null)." in rendered
    assert "no repeated items" in rendered  # countries
    assert "When `chain` is one of `bitcoin`: `address` matches" in rendered
    assert "| `cursor` | query | string | no | at most 2048 characters; matches" in rendered
    assert "`https://{apiId}.execute-api.{region}.amazonaws.com`" in rendered


def test_pipes_inside_table_cells_are_escaped() -> None:
    assert reference._cell("`a|b`") == "`a\\|b`"
    assert reference.rules_of({"enum": list(range(20))}) == ["one of 20 values, `0` to `19`"]
