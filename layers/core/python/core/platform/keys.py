"""Key shapes of the single table. The only module that knows them.

Every partition key begins with the tenant (`T#<tenantId>`), so no query can cross
tenants by construction. Lists use GSI1, whose sort key is the time-sortable id.
"""

from __future__ import annotations

GSI1 = "GSI1"  # a collection, newest first
GSI2 = "GSI2"  # a filtered collection (customers by status, events by type)
GSI3 = "GSI3"  # what a customer owns (the deactivation cascade)


def tenant_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}"


def entity_key(tenant_id: str, entity_id: str) -> dict[str, str]:
    return {"PK": tenant_pk(tenant_id), "SK": entity_id}


def list_pk(tenant_id: str, collection: str) -> str:
    return f"T#{tenant_id}#L#{collection}"


def list_attrs(tenant_id: str, collection: str, entity_id: str) -> dict[str, str]:
    return {"GSI1PK": list_pk(tenant_id, collection), "GSI1SK": entity_id}


def guard_key(tenant_id: str, name: str, value: str) -> dict[str, str]:
    """A uniqueness guard: one item per (tenant, unique field, value)."""
    return {"PK": tenant_pk(tenant_id), "SK": f"U#{name}#{value}"}


def idempotency_key(tenant_id: str, key: str) -> dict[str, str]:
    return {"PK": tenant_pk(tenant_id), "SK": f"IDEM#{key}"}


def api_key_key(tenant_id: str, key_hash: str) -> dict[str, str]:
    return {"PK": tenant_pk(tenant_id), "SK": f"APIKEY#{key_hash}"}


def tenant_key(tenant_id: str) -> dict[str, str]:
    return {"PK": tenant_pk(tenant_id), "SK": "TENANT"}


def filter_attrs(tenant_id: str, collection: str, value: str, entity_id: str) -> dict[str, str]:
    """GSI2: the same collection narrowed to one value of one field (e.g. status=active)."""
    return {"GSI2PK": list_pk(tenant_id, f"{collection}#{value}"), "GSI2SK": entity_id}


def owner_pk(tenant_id: str, customer_id: str) -> str:
    return f"T#{tenant_id}#OWNER#{customer_id}"


def owner_attrs(tenant_id: str, customer_id: str, kind: str, entity_id: str) -> dict[str, str]:
    """GSI3: an item owned by a customer, so the cascade can find it."""
    return {"GSI3PK": owner_pk(tenant_id, customer_id), "GSI3SK": f"{kind}#{entity_id}"}


def lease_key(tenant_id: str, name: str) -> dict[str, str]:
    """Leases a worker holds for a while (e.g. a webhook endpoint's delivery slots)."""
    return {"PK": tenant_pk(tenant_id), "SK": f"LEASE#{name}"}
