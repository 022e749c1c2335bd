"""moto's DynamoDB in-process, prepared as the local API prepares it (one request at a
time, light transactions: localapi.dynamodb), with dummy credentials and nothing pointing
the clients elsewhere. The fixtures that build tables on it start here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto import mock_aws

from localapi.dynamodb import prepare_emulator

DUMMY_AWS = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}


@contextmanager
def emulated_dynamodb(monkeypatch: pytest.MonkeyPatch, env: dict[str, str] | None = None) -> Iterator[Any]:
    """A boto3 DynamoDB client on moto, with `env` (and dummy credentials) set meanwhile."""
    for name, value in {**DUMMY_AWS, **(env or {})}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    prepare_emulator()
    with mock_aws():
        yield boto3.client("dynamodb", region_name="us-east-1")
