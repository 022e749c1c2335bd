"""Stored signing keys load back as the key that was registered: Ed25519 through the
SubjectPublicKeyInfo fast path, every other type through cryptography's PEM loader."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from core.platform import public_keys
from core.platform.public_keys import PublicKey, parse_public_key


def _pem(key: object) -> str:
    public = key.public_key()  # type: ignore[attr-defined]
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def _raw(key: object) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "private",
    [
        ed25519.Ed25519PrivateKey.generate(),
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP384R1()),
    ],
    ids=["ed25519", "rsa", "p256", "p384"],
)
def test_a_registered_key_loads_back_as_itself(private: object) -> None:
    stored = parse_public_key(_pem(private))
    loaded = PublicKey(stored.algorithm, stored.pem).crypto_key()
    assert type(loaded) is type(private.public_key())  # type: ignore[attr-defined]
    assert _raw(loaded) == _raw(private.public_key())  # type: ignore[attr-defined]


def test_ed25519_is_read_without_the_pem_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    pem = parse_public_key(_pem(private)).pem

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the Ed25519 fast path used serialization.load_pem_public_key")

    monkeypatch.setattr(serialization, "load_pem_public_key", refuse)
    public_keys._load_pem.cache_clear()
    loaded = public_keys._load_pem(pem)
    assert isinstance(loaded, ed25519.Ed25519PublicKey)
    message = b"signed bytes"
    loaded.verify(private.sign(message), message)


@pytest.mark.parametrize(
    "text",
    [
        "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",  # not base64
        "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n",  # empty
        "MCowBQYDK2VwAyEA",  # no armour
    ],
)
def test_anything_else_goes_to_the_pem_loader(text: str) -> None:
    public_keys._load_pem.cache_clear()
    with pytest.raises(ValueError):
        public_keys._load_pem(text)
