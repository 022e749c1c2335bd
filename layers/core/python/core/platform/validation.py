"""Request models and the translation of pydantic errors into the API's envelope.

Unknown fields are rejected (`extra="forbid"`); server-owned fields get their own
message but the same code, as API.md says. `param` is always a dotted path with list
indexes, e.g. `metadata.color`, `countries[3]`.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError, WithJsonSchema

from core.platform.errors import ApiError, BodyNotJson, ParameterInvalid, ParameterMissing, ParameterUnknown

SERVER_OWNED = frozenset(
    {"id", "object", "balance", "createdAt", "updatedAt", "deletedAt", "partnerId", "tenantId"}
)


class RequestModel(BaseModel):
    """Base of every request body, query and path model."""

    # defer_build: a model is built when first used, so a function pays only for the
    # models of its own endpoint, not for every model of the modules it imports.
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=False, validate_default=False, defer_build=True
    )
    # Fields the server owns on this resource beyond SERVER_OWNED (e.g. `status`).
    server_owned: ClassVar[frozenset[str]] = frozenset()


class EmptyBody(RequestModel):
    """Actions accept an empty body or `{}`."""


# Unicode's White_Space characters, what pydantic's (Rust) `\s` matches, for patterns
# that the OpenAPI document repeats: ECMA-262's `\s` (JSON Schema's) lacks U+0085 and has
# U+FEFF, so a pattern meant for both spells the class out.
UNICODE_WHITESPACE = r"\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"

_METADATA_KEY = re.compile(r"^[a-zA-Z0-9_]{1,40}$")


def _check_metadata(value: dict[str, str | None]) -> dict[str, str | None]:
    if len(value) > 50:
        raise ValueError("at most 50 keys are allowed")
    for key, item in value.items():
        if not _METADATA_KEY.match(key):
            raise ValueError(f"key {key!r} must match ^[a-zA-Z0-9_]{{1,40}}$")
        if item is not None and len(item) > 500:
            raise ValueError(f"value of {key!r} is longer than 500 characters")
    return value


# API.md "Metadata": at most 50 keys, key ^[a-zA-Z0-9_]{1,40}$, value a string <= 500 or null.
# The JSON schema (the OpenAPI document's) says the same as the validator.
Metadata = Annotated[
    dict[str, str | None],
    AfterValidator(_check_metadata),
    WithJsonSchema(
        {
            "type": "object",
            "maxProperties": 50,
            "propertyNames": {"pattern": _METADATA_KEY.pattern},
            "additionalProperties": {"anyOf": [{"type": "string", "maxLength": 500}, {"type": "null"}]},
            "description": "At most 50 keys of `[a-zA-Z0-9_]{1,40}`; values strings of at most 500 "
            "characters, or null.",
        }
    ),
]


def param_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def to_api_error(exc: ValidationError, *, prefix: tuple[Any, ...] = ()) -> ApiError:
    """The first error of a pydantic ValidationError, in the envelope's terms."""
    first = exc.errors(include_url=False)[0]
    loc = tuple(p for p in first["loc"] if p not in ("function-after", "function-before"))
    # Unions add the member type's name to the location; keep only the caller's fields.
    loc = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p in ("str", "dict", "int"))))
    param = param_path(prefix + loc)
    kind = first["type"]
    message = first["msg"]
    if kind == "extra_forbidden":
        return ParameterUnknown(f"Unknown parameter: {param}.", param=param)
    if kind == "missing":
        return ParameterMissing(f"Missing required parameter: {param}.", param=param)
    return ParameterInvalid(f"Invalid {param}: {message}.", param=param)


def parse_json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object; an empty body is `{}`."""
    if not body.strip():
        return {}
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BodyNotJson("The request body is not valid JSON.") from None
    if not isinstance(value, dict):
        raise BodyNotJson("The request body must be a JSON object.")
    return value


def validate_body[M: RequestModel](model: type[M], body: bytes) -> M:
    """A JSON body, strictly typed: `"5"` is not a number and `1` is not a string."""
    data = parse_json_object(body)
    owned = SERVER_OWNED | model.server_owned
    for name in data:
        if name in owned:
            raise ParameterUnknown(f"{name} is set by the server and cannot be assigned.", param=name)
    try:
        return model.model_validate_json(body if data else b"{}", strict=True)
    except ValidationError as exc:
        raise to_api_error(exc) from None


def validate_params[M: RequestModel](model: type[M], data: dict[str, str]) -> M:
    """Path and query parameters arrive as strings: validated in lax mode (`limit=5`)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise to_api_error(exc) from None


def query_dict(pairs: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in pairs:
        if name in out:
            raise ParameterInvalid(f"{name} was given more than once.", param=name)
        out[name] = value
    return out
