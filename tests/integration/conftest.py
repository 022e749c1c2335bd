"""Handlers against moto, in-process: the table is built from template.yaml's definition."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from core.partners import onboarding as partners
from core.platform import clock, pipeline
from core.platform.store import Store
from localapi import webhooks
from localapi.template import load_template
from partner_sdk import signing
from tests.support.emulator import emulated_dynamodb
from tests.support.harness import Partner
from tests.support.template_table import create_table

TABLE = "partner-api-test"


@contextmanager
def emulated_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The handlers' environment and template.yaml's table in moto; yields a boto3 client.
    (Modules whose tests each work in tenants of their own share one: a module-scoped `aws`.)"""
    env = {
        "TABLE_NAME": TABLE,
        "CURSOR_SECRET": "test-cursor-secret-0123456789abcdef0123",
        "KYC_SANDBOX_SECRET": "test-kyc-sandbox-secret-0123456789abcdef",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "API_KEY_CACHE_SECONDS": "10",
        **webhooks.RESOURCE_ENV,
    }
    with emulated_dynamodb(monkeypatch, env) as client:
        create_table(client, TABLE)
        webhooks.create_resources(load_template())
        pipeline.reset_runtime()
        yield client
        pipeline.reset_runtime()
        clock.reset()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with emulated_table(monkeypatch) as client:
        yield client


@pytest.fixture
def store(aws: Any) -> Store:
    return pipeline.runtime()[1]


@pytest.fixture
def make_partner(store: Store) -> Callable[..., Partner]:
    def make(
        *,
        mode: str = "test",
        policy: str = "required",
        scope_list: list[str] | None = None,
        algorithm: str = "ed25519",
        scheme: str = "rfc9421",
    ) -> Partner:
        partner = partners.create_partner(store, "Test Partner", mode=mode)
        key, secret = partners.issue_api_key(
            store, partner["id"], scope_list=scope_list, signature_policy=policy
        )
        private = signing.generate_private_key(algorithm)
        created = partners.add_signing_key(
            store, partner["id"], key["keyId"], signing.public_key_pem(private), algorithm
        )
        return Partner(partner["id"], secret, key["keyId"], created["id"], private, algorithm, scheme)

    return make


@pytest.fixture
def partner(make_partner: Callable[..., Partner]) -> Partner:
    return make_partner()


def scan_all(client: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": TABLE}
    while True:
        out = client.scan(**kwargs)
        items.extend(out["Items"])
        if "LastEvaluatedKey" not in out:
            return sorted(items, key=lambda i: (i["PK"]["S"], i["SK"]["S"]))
        kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]
