"""Key shapes of the single table. The only module that knows them.

Every partition key of a tenant's data begins with the tenant (`T#<tenantId>`), so no
query can cross tenants by construction. Lists use GSI1, whose sort key is the
time-sortable id. The one exception is `deployment_guard_key`: values unique across the
whole deployment (an account number, a deposit address) need a guard outside any
tenant's partition (`D#...`); it holds only the owner's tenant and id, and no request
queries it (every list and read names a `T#` partition).
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


def child_key(tenant_id: str, parent_id: str, kind: str, child_id: str) -> dict[str, str]:
    """An item kept in its parent's item collection (an account's numbers and addresses),
    so one consistent Query of the parent's id reads the parent and all its children."""
    return {"PK": tenant_pk(tenant_id), "SK": f"{parent_id}#{kind}#{child_id}"}


def deployment_guard_key(name: str, value: str) -> dict[str, str]:
    """A value unique across the deployment, whichever tenant holds it (see the docstring)."""
    return {"PK": f"D#{name}#{value}", "SK": "D"}


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
