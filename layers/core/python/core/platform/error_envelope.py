"""The error envelope as a model, for the OpenAPI document (`localapi openapi`) and the
tests. The pipeline builds the envelope itself (`ApiError.envelope`); no function imports
this module, so it costs no cold start."""

from __future__ import annotations

from pydantic import Field, JsonValue
from pydantic.json_schema import SkipJsonSchema

from core.platform.errors import ERROR_TABLE
from core.platform.representations import Representation

_ERROR_TYPES: list[JsonValue] = [*sorted({kind for _, kind in ERROR_TABLE.values()})]
_ERROR_CODES: list[JsonValue] = list(ERROR_TABLE)


class ErrorDetail(Representation):
    type: str = Field(json_schema_extra={"enum": _ERROR_TYPES}, description="The class of error.")
    code: str = Field(json_schema_extra={"enum": _ERROR_CODES}, description="A stable code; match on this.")
    message: str = Field(description="For people; never parse it.")
    # Absent rather than null when no parameter is at fault (`| SkipJsonSchema[None]`
    # keeps null out of the schema: such a field is optional, never null).
    param: str | SkipJsonSchema[None] = Field(
        default=None,
        description="The parameter at fault, as a dotted path with list indexes (`countries[3]`).",
    )
    requestId: str = Field(pattern=r"^req_[A-Za-z0-9]+$", description="Also the `Request-Id` header.")


class ErrorEnvelope(Representation):
    """API.md's one error envelope."""

    error: ErrorDetail
