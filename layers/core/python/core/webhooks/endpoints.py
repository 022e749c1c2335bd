"""Webhook endpoints (`/v1/webhook-endpoints`): where a partner wants its events sent.

The URL is checked by `url_safety` here and again at every delivery. The signing secret is
answered once (create, rotate-secret) and kept sealed by KMS (`signing_secrets`); an
idempotent replay of those answers leaves it out, so the table never holds it in clear.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, WithJsonSchema, field_validator
from pydantic.json_schema import SkipJsonSchema

from core.platform import keys, listing, outbox
from core.platform.clock import rfc3339
from core.platform.errors import (
    AlreadyExists,
    ApiError,
    LimitExceeded,
    ParameterInvalid,
    RaceLost,
    ResourceMissing,
)
from core.platform.http import Response
from core.platform.ids import id_pattern, new_id
from core.platform.pagination import ListParams
from core.platform.pipeline import Call
from core.platform.representations import MetadataMap, Representation, Timestamp
from core.platform.store import Condition, Tx
from core.platform.validation import EmptyBody, Metadata, RequestModel
from core.webhooks import signing_secrets, url_safety

COLLECTION = "webhook_endpoints"
MAX_PER_TENANT = 20
# After a rotation the previous secret keeps signing beside the new one for this long.
ROTATION_OVERLAP_SECONDS = 24 * 3600
# Secrets kept at once (the current one and those still in their overlap): rotating again
# and again within a day drops the oldest.
MAX_SECRETS = 3
VISIBLE = ("url", "events", "description", "metadata", "status")
ALL_EVENTS = "*"
MAX_URL_LENGTH = 2048


def _known_event_type(value: str) -> str:
    if value != ALL_EVENTS and value not in outbox.EVENT_TYPES:
        raise ValueError(f"unknown event type {value!r}; see the OpenAPI document's webhooks")
    return value


EventType = Annotated[
    str,
    AfterValidator(_known_event_type),
    WithJsonSchema({"type": "string", "enum": [ALL_EVENTS, *sorted(outbox.EVENT_TYPES)]}),
]
Url = Annotated[
    str,
    Field(
        max_length=MAX_URL_LENGTH,
        description="An https URL on the public internet; private, loopback and link-local "
        "addresses are refused, here and at every delivery.",
        examples=["https://partner.example/webhooks"],
    ),
]
Events = Annotated[
    list[EventType],
    Field(
        min_length=1,
        max_length=len(outbox.EVENT_TYPES) + 1,
        description='Event types to receive, or `["*"]` for every type.',
    ),
    # The document states "`*` alone" too: a list of types, or the one-item list ["*"].
    WithJsonSchema(
        {
            "description": 'Event types to receive, or `["*"]` for every type.',
            "anyOf": [
                {"type": "array", "items": {"const": "*"}, "minItems": 1, "maxItems": 1},
                {
                    "type": "array",
                    "items": {"type": "string", "enum": sorted(outbox.EVENT_TYPES)},
                    "minItems": 1,
                    "maxItems": len(outbox.EVENT_TYPES) + 1,
                },
            ],
        }
    ),
]
Description = Annotated[str, Field(max_length=500)]


class _EventsRule(RequestModel):
    @field_validator("events", check_fields=False)
    @classmethod
    def _star_alone(cls, events: list[str] | None) -> list[str] | None:
        if events and ALL_EVENTS in events and len(events) > 1:
            raise ValueError('"*" stands alone: send ["*"] or a list of event types')
        return events


class CreateWebhookEndpoint(_EventsRule):
    url: Url
    events: Events
    description: Description | None = None
    metadata: Metadata | None = None


class UpdateWebhookEndpoint(_EventsRule):
    url: Url | None = None
    events: Events | None = None
    description: Description | None = None
    metadata: Metadata | None = Field(
        default=None, description="Merged into the stored map; a key set to null is removed."
    )
    status: Literal["enabled", "disabled"] | None = None


class WebhookEndpointPath(RequestModel):
    endpointId: str = Field(pattern=id_pattern("whk"), max_length=64)


class WebhookEndpoint(Representation):
    """Where events are sent; `secret` appears only in the answers of create and rotate-secret."""

    id: str = Field(pattern=id_pattern("whk"))
    object: Literal["webhook_endpoint"]
    url: str
    events: list[str]
    description: str | None
    metadata: MetadataMap
    status: Literal["enabled", "disabled"]
    createdAt: Timestamp
    updatedAt: Timestamp


class WebhookEndpointWithSecret(WebhookEndpoint):
    secret: str | SkipJsonSchema[None] = Field(
        default=None,
        pattern=r"^whsec_[A-Za-z0-9+/]+=*$",
        description="The Standard Webhooks signing secret, shown only in this answer (an "
        "idempotent replay of it leaves the secret out: rotate to get a new one).",
    )


ListWebhookEndpointsQuery = ListParams


def render(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item["id"],
        "object": "webhook_endpoint",
        "url": item["url"],
        "events": item["events"],
        "description": item.get("description"),
        "metadata": item.get("metadata") or {},
        "status": item["status"],
        "createdAt": rfc3339(item["createdAt"]),
        "updatedAt": rfc3339(item["updatedAt"]),
    }


def active_secrets(item: dict[str, Any], now: float) -> list[dict[str, Any]]:
    """The sealed secrets that sign a delivery at `now`, newest first."""
    return [s for s in item.get("secrets") or [] if s.get("expiresAt") is None or s["expiresAt"] > now]


def _check_url(call: Call[Any, Any, Any], url: str) -> str:
    try:
        url_safety.check_registration(url, allow_loopback_http=call.settings.webhook_allow_loopback_http)
    except url_safety.UnsafeUrl as exc:
        raise ParameterInvalid(str(exc), param="url") from None
    return url.strip()


def _events(events: list[str]) -> list[str]:
    return [ALL_EVENTS] if ALL_EVENTS in events else sorted(set(events))


def _sealed(call: Call[Any, Any, Any], secret: str, endpoint_id: str) -> dict[str, Any]:
    sealed = signing_secrets.seal(
        secret, key_id=call.settings.webhook_key_id, tenant_id=call.tenant_id, endpoint_id=endpoint_id
    )
    return {"sealed": sealed, "createdAt": int(call.now), "expiresAt": None}


def _with_secret(endpoint: dict[str, Any], secret: str, status: int) -> Response:
    return Response(status, {**endpoint, "secret": secret}, replay_body=endpoint)


def require(call: Call[Any, Any, WebhookEndpointPath], *, consistent: bool = False) -> dict[str, Any]:
    endpoint_id = call.path.endpointId
    item = call.store.get(keys.entity_key(call.tenant_id, endpoint_id), consistent=consistent)
    if item is None or item.get("type") != "webhook_endpoint":
        raise ResourceMissing(f"No such webhook endpoint: {endpoint_id}.", param="endpointId")
    return item


def _unchanged_since(item: dict[str, Any]) -> Condition:
    """The write applies to the revision that was read (a concurrent PATCH or rotation
    loses and runs again from its read)."""
    return Condition("revision = :read", values={":read": item["revision"]})


def _stage_count(tx: Tx, tenant_id: str, change: int) -> None:
    if change > 0:
        tx.update(
            keys.tenant_key(tenant_id),
            "ADD webhookEndpointCount :change",
            values={":change": change},
            condition=Condition(
                "attribute_exists(PK) AND (attribute_not_exists(webhookEndpointCount) "
                "OR webhookEndpointCount < :max)",
                values={":max": MAX_PER_TENANT},
            ),
            on_fail=LimitExceeded(f"A partner has at most {MAX_PER_TENANT} webhook endpoints.", param="url"),
        )
    else:
        tx.update(keys.tenant_key(tenant_id), "ADD webhookEndpointCount :change", values={":change": change})


def create(call: Call[CreateWebhookEndpoint, None, None]) -> Response:
    body = call.body
    endpoint_id = new_id("whk")
    secret = signing_secrets.generate()
    item = {
        "type": "webhook_endpoint",
        "id": endpoint_id,
        "tenantId": call.tenant_id,
        "url": _check_url(call, body.url),
        "events": _events(body.events),
        "description": body.description,
        "metadata": {k: v for k, v in (body.metadata or {}).items() if v is not None},
        "status": "enabled",
        "secrets": [_sealed(call, secret, endpoint_id)],
        "revision": 0,
        "createdAt": int(call.now),
        "updatedAt": int(call.now),
        **keys.list_attrs(call.tenant_id, COLLECTION, endpoint_id),
    }
    call.tx.create(
        keys.entity_key(call.tenant_id, endpoint_id), item, on_fail=AlreadyExists("Endpoint id clash.")
    )
    _stage_count(call.tx, call.tenant_id, +1)
    endpoint = render(item)
    outbox.stage(
        call.tx, tenant_id=call.tenant_id, event_type="webhook_endpoint.created", obj=endpoint, now=call.now
    )
    return _with_secret(endpoint, secret, 201)


def get(call: Call[None, None, WebhookEndpointPath]) -> dict[str, Any]:
    return render(require(call))


def list_(call: Call[None, ListWebhookEndpointsQuery, None]) -> dict[str, Any]:
    return listing.page(
        call.store,
        secret=call.settings.cursor_secret,
        tenant_id=call.tenant_id,
        collection=COLLECTION,
        params=call.query,
        render=render,
    )


def update(call: Call[UpdateWebhookEndpoint, None, WebhookEndpointPath]) -> dict[str, Any]:
    item = require(call, consistent=True)
    sent = call.body.model_fields_set
    changes: dict[str, Any] = {}
    if "url" in sent and call.body.url is not None:
        changes["url"] = _check_url(call, call.body.url)
    if "events" in sent and call.body.events is not None:
        changes["events"] = _events(call.body.events)
    if "description" in sent:
        changes["description"] = call.body.description
    if "metadata" in sent:
        merged = {**(item.get("metadata") or {}), **(call.body.metadata or {})}
        changes["metadata"] = {k: v for k, v in merged.items() if v is not None}
    if "status" in sent and call.body.status is not None:
        changes["status"] = call.body.status
    after = {**item, **changes, "updatedAt": int(call.now)}
    before_rendered, endpoint = render(item), render(after)
    previous = outbox.changes(before_rendered, endpoint, VISIBLE)
    if not previous:
        return before_rendered  # nothing changed: no write, no event
    setting = {name: value for name, value in changes.items() if value is not None}
    expression = "SET " + ", ".join([*(f"#{n} = :{n}" for n in setting), "updatedAt = :now"])
    expression += ", revision = revision + :one"
    removing = [f"#{name}" for name, value in changes.items() if value is None]  # a cleared description
    if removing:
        expression += " REMOVE " + ", ".join(removing)
    call.tx.update(
        keys.entity_key(call.tenant_id, item["id"]),
        expression,
        names={f"#{name}": name for name in changes},
        values={**{f":{n}": v for n, v in setting.items()}, ":now": int(call.now), ":one": 1},
        condition=_unchanged_since(item),
        on_fail=_changed_meanwhile(call),
    )
    outbox.stage(
        call.tx,
        tenant_id=call.tenant_id,
        event_type="webhook_endpoint.updated",
        obj=endpoint,
        now=call.now,
        previous=previous,
    )
    return endpoint


def _changed_meanwhile(call: Call[Any, Any, WebhookEndpointPath]) -> Any:
    def decide(old: dict[str, Any] | None) -> ApiError:
        if old is None:
            return ResourceMissing(f"No such webhook endpoint: {call.path.endpointId}.", param="endpointId")
        return RaceLost("The endpoint changed meanwhile.")

    return decide


def delete(call: Call[None, None, WebhookEndpointPath]) -> None:
    item = require(call, consistent=True)
    call.tx.delete(
        keys.entity_key(call.tenant_id, item["id"]),
        condition=_unchanged_since(item),
        on_fail=_changed_meanwhile(call),
    )
    _stage_count(call.tx, call.tenant_id, -1)
    outbox.stage(
        call.tx,
        tenant_id=call.tenant_id,
        event_type="webhook_endpoint.deleted",
        obj={**render(item), "status": "disabled"},
        now=call.now,
    )


RotateSecretBody = EmptyBody


def rotate_secret(call: Call[RotateSecretBody, None, WebhookEndpointPath]) -> Response:
    """A new secret signs from now on; the ones before it sign beside it for 24 h."""
    item = require(call, consistent=True)
    secret = signing_secrets.generate()
    overlap_ends = int(call.now) + ROTATION_OVERLAP_SECONDS
    kept = [
        {**s, "expiresAt": overlap_ends if s.get("expiresAt") is None else min(s["expiresAt"], overlap_ends)}
        for s in active_secrets(item, call.now)
    ][: MAX_SECRETS - 1]
    secrets_ = [_sealed(call, secret, item["id"]), *kept]
    call.tx.update(
        keys.entity_key(call.tenant_id, item["id"]),
        "SET secrets = :secrets, updatedAt = :now, revision = revision + :one",
        values={":secrets": secrets_, ":now": int(call.now), ":one": 1},
        condition=_unchanged_since(item),
        on_fail=_changed_meanwhile(call),
    )
    return _with_secret(render({**item, "updatedAt": int(call.now)}), secret, 200)
