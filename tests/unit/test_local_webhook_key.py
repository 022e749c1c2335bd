"""The local sandbox's webhook key is the same after a restart (its table is kept in a
data file, and the endpoints' sealed secrets must still open)."""

from __future__ import annotations

import pytest
from moto import mock_aws

from localapi import webhooks
from localapi.template import load_template


def _seal_then_restart(monkeypatch: pytest.MonkeyPatch, first: bytes, second: bytes) -> bytes | None:
    for name, value in {"AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t"}.items():
        monkeypatch.setenv(name, value)
    context = {"tenantId": "ptn_1", "endpointId": "whk_1"}
    with mock_aws():
        webhooks.create_resources(load_template(), key_seed=first)
        kms = webhooks.client("kms")
        blob = kms.encrypt(KeyId=webhooks.KEY_ALIAS, Plaintext=b"whsec_x", EncryptionContext=context)
    with mock_aws():  # a new emulator, as after a restart
        webhooks.create_resources(load_template(), key_seed=second)
        try:
            out = webhooks.client("kms").decrypt(
                CiphertextBlob=blob["CiphertextBlob"], EncryptionContext=context
            )
        except Exception:
            return None
        return bytes(out["Plaintext"])


def test_the_same_seed_opens_what_was_sealed_before(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _seal_then_restart(monkeypatch, b"seed", b"seed") == b"whsec_x"


def test_another_seed_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _seal_then_restart(monkeypatch, b"seed", b"other") is None
