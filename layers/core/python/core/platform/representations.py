"""The shapes of what the API answers: the base of every response model, and the types they
share (the list envelope is `core.platform.pipeline.ListOf`, the error envelope
`core.platform.error_envelope`).

Response models describe the dicts that each resource's `render` builds; the OpenAPI
document is generated from them (`localapi openapi --write`), and the tests check every
real answer against that document. They are never built at run time: declaring them
costs a function's cold start only their class creation (`defer_build`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class Representation(BaseModel):
    """Base of every response model. `extra="forbid"` documents `additionalProperties:
    false`, so a field that `render` adds without its model fails the conformance tests."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


# API.md "Timestamps": RFC 3339 UTC with a `Z`, to the second (`core.platform.clock.rfc3339`).
Timestamp = Annotated[
    str,
    Field(
        pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$",
        json_schema_extra={"format": "date-time"},
        examples=["2026-02-23T12:00:00Z"],
    ),
]


# What a metadata map reads back as (API.md "Metadata").
MetadataMap = dict[str, str | None]
