"""The DynamoDB table of template.yaml, for tests (moto): nothing else repeats its schema."""

from __future__ import annotations

from typing import Any

from localapi.dynamodb import create_table as _create_table
from localapi.template import Template, load_template, table_definition, time_to_live


def create_table(client: Any, name: str, template: Template | None = None) -> None:
    """Create template.yaml's table as `name` with `client` (a boto3 DynamoDB client), TTL included."""
    _create_table(client, name, template)


__all__ = ["create_table", "load_template", "table_definition", "time_to_live"]
