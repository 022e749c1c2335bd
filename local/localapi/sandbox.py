"""The sandbox partner the local API seeds, and the credentials file the SDK and CLI read.

Onboarding goes through `core.partners.onboarding`, exactly as the operator CLI does it: a test-mode
partner, an API key with every scope and signature policy "required", and an Ed25519
signing key registered for it. The file (`.local/sandbox.json` at the repository root,
git-ignored, mode 0600) holds the secrets, so it stays on this machine.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from localapi.template import find_template

CREDENTIALS_RELATIVE = Path(".local") / "sandbox.json"
SANDBOX_PARTNER_NAME = "Local sandbox partner"
ALGORITHM = "ed25519"


class CredentialsMissing(Exception):
    """No credentials file: the local API is not running (or wrote its file elsewhere)."""


def default_credentials_path() -> Path:
    """`.local/sandbox.json` at the repository root (next to template.yaml)."""
    return find_template().parent / CREDENTIALS_RELATIVE


def new_cursor_secret() -> str:
    """A fresh secret for signing list cursors (43 characters, more than the 32 required)."""
    return secrets.token_urlsafe(32)


def new_kyc_sandbox_secret() -> str:
    """A fresh secret for the sandbox KYC provider's session tokens and signed callbacks
    (43 characters, more than the 32 required)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class SandboxPartner:
    tenant_id: str
    api_key: str
    api_key_id: str
    signing_key_id: str
    private_key_pem: str
    public_key_pem: str
    algorithm: str = ALGORITHM


def ed25519_key_pair() -> tuple[str, str]:
    """(private PKCS#8 PEM, public SubjectPublicKeyInfo PEM)."""
    key = ed25519.Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return private_pem, public_pem


def seed_sandbox(store: Any, name: str = SANDBOX_PARTNER_NAME) -> SandboxPartner:
    """Onboard a sandbox partner in `store` (a `core.platform.store.Store`)."""
    from core.partners import onboarding
    from core.platform import scopes

    partner = onboarding.create_partner(store, name, mode="test")
    key_item, api_key = onboarding.issue_api_key(
        store, partner["id"], scope_list=list(scopes.SCOPES), signature_policy="required"
    )
    private_pem, public_pem = ed25519_key_pair()
    signing_key = onboarding.add_signing_key(store, partner["id"], key_item["keyId"], public_pem, ALGORITHM)
    return SandboxPartner(
        tenant_id=partner["id"],
        api_key=api_key,
        api_key_id=key_item["keyId"],
        signing_key_id=signing_key["id"],
        private_key_pem=private_pem,
        public_key_pem=public_pem,
    )


def previous_sandbox(
    path: Path, table_name: str, dynamodb_endpoint: str | None = None
) -> dict[str, Any] | None:
    """The credentials document at `path` when it was written for this table (and this
    endpoint, when given: a restart of the API on a DynamoDB that outlived it; without
    one, a restart on the table a data file kept), else None."""
    try:
        document = read_credentials(path)
    except (CredentialsMissing, ValueError):
        return None
    if document.get("tableName") != table_name:
        return None
    if dynamodb_endpoint is not None and document.get("dynamodbEndpoint") != dynamodb_endpoint:
        return None
    return document


def reuse_sandbox(store: Any, document: dict[str, Any]) -> SandboxPartner | None:
    """The sandbox partner of a previous credentials document, if `store` (a
    `core.platform.store.Store`) still holds its API key and signing key."""
    from core.platform import auth, keys

    try:
        partner = SandboxPartner(
            tenant_id=str(document["tenantId"]),
            api_key=str(document["apiKey"]),
            api_key_id=str(document["apiKeyId"]),
            signing_key_id=str(document["signingKeyId"]),
            private_key_pem=str(document["privateKeyPem"]),
            public_key_pem=str(document["publicKeyPem"]),
            algorithm=str(document.get("algorithm") or ALGORITHM),
        )
    except KeyError:
        return None
    record = store.get(keys.api_key_key(partner.tenant_id, auth.hash_key(partner.api_key)), consistent=True)
    if record is None or record.get("status") != "active":
        return None
    if partner.signing_key_id not in (record.get("signingKeys") or {}):
        return None
    return partner


def credentials_document(
    partner: SandboxPartner,
    *,
    base_url: str,
    dynamodb_endpoint: str,
    table_name: str,
    cursor_secret: str,
    kyc_sandbox_secret: str,
) -> dict[str, Any]:
    return {
        "baseUrl": base_url,
        "apiKey": partner.api_key,
        "apiKeyId": partner.api_key_id,
        "tenantId": partner.tenant_id,
        "signingKeyId": partner.signing_key_id,
        "algorithm": partner.algorithm,
        "privateKeyPem": partner.private_key_pem,
        "publicKeyPem": partner.public_key_pem,
        "dynamodbEndpoint": dynamodb_endpoint,
        "tableName": table_name,
        "cursorSecret": cursor_secret,
        "kycSandboxSecret": kyc_sandbox_secret,
    }


def write_credentials(path: Path, document: dict[str, Any]) -> Path:
    """Write the credentials file with mode 0600 (its directory is created if needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    return path


def read_credentials(path: Path | None = None) -> dict[str, Any]:
    path = path or default_credentials_path()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CredentialsMissing(f"no credentials file at {path}") from None
    if not isinstance(document, dict):
        raise ValueError(f"{path} is not a JSON object")
    return document
