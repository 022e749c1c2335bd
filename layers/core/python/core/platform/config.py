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
    # Customer accounts: who issues account numbers (template.yaml's parameters of the same
    # names; the defaults, the sandbox's, are valid numbers of real banks). IBANs: one
    # issuing country and bank per currency, `CUR=CC/bank[/branch]` joined by commas (a
    # GBP branch is its sort code).
    account_iban_issuers: str = Field(
        default="EUR=DE/10010010,GBP=GB/NWBK/601613,CHF=CH/00230,PLN=PL/10901014,"
        "SEK=SE/500,NOK=NO/8601,DKK=DK/0040",
        alias="ACCOUNT_IBAN_ISSUERS",
    )
    account_aba_routing_number: str = Field(default="110000000", alias="ACCOUNT_ABA_ROUTING_NUMBER")
    account_aba_bank_name: str = Field(default="Sandbox Bank", alias="ACCOUNT_ABA_BANK_NAME")
    account_clabe_bank_code: str = Field(default="646", alias="ACCOUNT_CLABE_BANK_CODE")
    account_clabe_plaza: str = Field(default="180", alias="ACCOUNT_CLABE_PLAZA")
    # Deposit addresses: one account-level extended public key per chain family (BIP-44
    # m/44'/60'/N' for EVM chains, BIP-84 m/84'/0'/N' for bitcoin, BIP-44 m/44'/195'/N' for
    # tron); empty turns the family off. The defaults are the sandbox's: account 0 of the
    # BIP-39 test mnemonic "abandon ... about" (published vectors; never hold funds there).
    deposit_xpub_evm: str = Field(
        default="xpub6DCoCpSuQZB2jawqnGMEPS63ePKWkwWPH4TU45Q7LPXWuNd8TMtVxRrgjtEshuqpK3mdhaWHPFsBngh5GFZaM6si3yZdUsT8ddYM3PwnATt",
        alias="DEPOSIT_XPUB_EVM",
    )
    deposit_xpub_bitcoin: str = Field(
        default="zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs",
        alias="DEPOSIT_XPUB_BITCOIN",
    )
    deposit_xpub_tron: str = Field(
        default="xpub6D1AabNHCupeiLM65ZR9UStMhJ1vCpyV4XbZdyhMZBiJXALQtmn9p42VTQckoHVn8WNqS7dqnJokZHAHcHGoaQgmv8D45oNUKx6DZMNZBCd",
        alias="DEPOSIT_XPUB_TRON",
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.model_validate(dict(os.environ))
