"""Function configuration: one model mirroring the `Environment` block of template.yaml."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    table_name: str = Field(alias="TABLE_NAME", min_length=3)
    # Signs list cursors (HMAC-SHA256). A NoEcho stack parameter on AWS.
    cursor_secret: str = Field(alias="CURSOR_SECRET", min_length=32)
    # How long a warm container trusts its copy of an API key record for reads. Writes
    # re-check the key inside their transaction, so a revoked key never writes.
    api_key_cache_seconds: float = Field(default=10.0, alias="API_KEY_CACHE_SECONDS", ge=0, le=300)
    # How long an idempotency claim blocks retries when its request died without an
    # answer (a timeout or a killed process): at least the function timeout.
    idempotency_lease_seconds: int = Field(default=30, alias="IDEMPOTENCY_LEASE_SECONDS", ge=1, le=900)
    service_name: str = Field(default="partner-api", alias="POWERTOOLS_SERVICE_NAME")
    # Shared by the sandbox KYC provider's page (session tokens) and its signed callbacks.
    kyc_sandbox_secret: str = Field(default="", alias="KYC_SANDBOX_SECRET")
    # Base URL of links the API hands out (verificationUrl); empty: the request's own host.
    public_base_url: str = Field(default="", alias="PUBLIC_BASE_URL")
    # Webhooks: the KMS key that encrypts endpoint secrets (only the delivery function may
    # decrypt), the queue of delivery attempts and the dead-letter queue of failed ones.
    webhook_key_id: str = Field(default="", alias="WEBHOOK_KEY_ID")
    webhook_queue_url: str = Field(default="", alias="WEBHOOK_QUEUE_URL")
    webhook_dead_letter_queue_url: str = Field(default="", alias="WEBHOOK_DEAD_LETTER_QUEUE_URL")
    # Attempts in flight at once per endpoint, so a slow endpoint holds only these workers.
    webhook_endpoint_concurrency: int = Field(default=4, alias="WEBHOOK_ENDPOINT_CONCURRENCY", ge=1, le=50)
    # `http` to loopback addresses for the local sandbox only: template.yaml never sets it
    # (a test checks), so a deployment refuses loopback like every private address.
    webhook_allow_loopback_http: bool = Field(default=False, alias="WEBHOOK_ALLOW_LOOPBACK_HTTP")


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.model_validate(dict(os.environ))
