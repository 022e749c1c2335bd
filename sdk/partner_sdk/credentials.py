"""Where the SDK finds its API key and signing key.

1. Environment variables, when `PARTNER_API_KEY` is set: `PARTNER_API_BASE_URL`,
   `PARTNER_API_KEY`, `PARTNER_API_SIGNING_KEY_ID`, `PARTNER_API_SIGNING_KEY` (PEM text or
   a path to a PEM file), `PARTNER_API_SIGNING_ALGORITHM`, `PARTNER_API_SIGNATURE_SCHEME`.
2. Otherwise the local sandbox credentials file the local API server writes at startup:
   `PARTNER_API_CREDENTIALS`, or `.local/sandbox.json` searched from the current
   directory upward.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from partner_sdk.signing import RFC9421_ALGORITHMS, generate_private_key, private_key_pem, public_key_pem

SCHEMES: Final = ("rfc9421", "simple", "none")
DEFAULT_CREDENTIALS_FILE: Final = Path(".local") / "sandbox.json"
ENV_HINT: Final = (
    "set PARTNER_API_KEY and PARTNER_API_BASE_URL (plus PARTNER_API_SIGNING_KEY_ID and "
    "PARTNER_API_SIGNING_KEY to sign), or start the local API server, which writes "
    ".local/sandbox.json (PARTNER_API_CREDENTIALS names another file)"
)


class CredentialsError(Exception):
    """No usable credentials were found, or what was found is malformed."""


@dataclass(frozen=True)
class Credentials:
    """What a client needs to call the API. `scheme` "none" sends unsigned requests."""

    base_url: str
    api_key: str
    signing_key_id: str | None = None
    private_key_pem: str | None = None
    algorithm: str = "ed25519"
    scheme: str = "rfc9421"

    def __post_init__(self) -> None:
        if not self.base_url:
            raise CredentialsError("credentials have no base URL")
        if not self.api_key:
            raise CredentialsError("credentials have no API key")
        if self.algorithm not in RFC9421_ALGORITHMS:
            known = ", ".join(RFC9421_ALGORITHMS)
            raise CredentialsError(f"unknown signing algorithm {self.algorithm!r}; expected one of {known}")
        if self.scheme not in SCHEMES:
            raise CredentialsError(
                f"unknown signature scheme {self.scheme!r}; expected one of {', '.join(SCHEMES)}"
            )

    def __repr__(self) -> str:  # never print secrets
        return (
            f"Credentials(base_url={self.base_url!r}, api_key='***', signing_key_id={self.signing_key_id!r}, "
            f"private_key_pem={'***' if self.private_key_pem else None}, algorithm={self.algorithm!r}, "
            f"scheme={self.scheme!r})"
        )


def load_credentials(
    env: Mapping[str, str] | None = None, cwd: str | os.PathLike[str] | None = None
) -> Credentials:
    """Credentials from the environment, else from the sandbox file (see the module docs).

    `env` and `cwd` default to the process's own; tests pass their own.
    """
    env = os.environ if env is None else env
    start = Path.cwd() if cwd is None else Path(cwd)
    if env.get("PARTNER_API_KEY"):
        return _from_env(env, start)
    explicit = env.get("PARTNER_API_CREDENTIALS")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_absolute():
            path = start / path
        if not path.is_file():
            raise CredentialsError(f"PARTNER_API_CREDENTIALS names {path}, which does not exist")
        return credentials_from_file(path)
    found = find_credentials_file(start)
    if found is None:
        raise CredentialsError(f"no partner API credentials found: {ENV_HINT}")
    return credentials_from_file(found)


def find_credentials_file(start: Path) -> Path | None:
    """The first `.local/sandbox.json` in `start` or one of its parents."""
    for directory in (start.resolve(), *start.resolve().parents):
        candidate = directory / DEFAULT_CREDENTIALS_FILE
        if candidate.is_file():
            return candidate
    return None


def credentials_from_file(path: Path) -> Credentials:
    """Read a sandbox credentials file (`baseUrl`, `apiKey`, `signingKeyId`, `algorithm`,
    `privateKeyPem`, optional `scheme`; other keys are ignored)."""
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CredentialsError(f"cannot read credentials file {path}: {exc}") from exc
    if not isinstance(document, dict):
        raise CredentialsError(f"credentials file {path} is not a JSON object")
    missing = [name for name in ("baseUrl", "apiKey") if not isinstance(document.get(name), str)]
    if missing:
        raise CredentialsError(f"credentials file {path} lacks {', '.join(missing)}")
    return Credentials(
        base_url=document["baseUrl"],
        api_key=document["apiKey"],
        signing_key_id=_optional_str(document.get("signingKeyId")),
        private_key_pem=_optional_str(document.get("privateKeyPem")),
        algorithm=_optional_str(document.get("algorithm")) or "ed25519",
        scheme=_optional_str(document.get("scheme")) or "rfc9421",
    )


def _optional_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _from_env(env: Mapping[str, str], start: Path) -> Credentials:
    base_url = env.get("PARTNER_API_BASE_URL")
    if not base_url:
        raise CredentialsError("PARTNER_API_KEY is set but PARTNER_API_BASE_URL is not")
    return Credentials(
        base_url=base_url,
        api_key=env["PARTNER_API_KEY"],
        signing_key_id=env.get("PARTNER_API_SIGNING_KEY_ID") or None,
        private_key_pem=_pem_or_path(env.get("PARTNER_API_SIGNING_KEY"), start),
        algorithm=env.get("PARTNER_API_SIGNING_ALGORITHM") or "ed25519",
        scheme=env.get("PARTNER_API_SIGNATURE_SCHEME") or "rfc9421",
    )


def _pem_or_path(value: str | None, start: Path) -> str | None:
    if not value:
        return None
    if "-----BEGIN" in value:
        return value
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = start / path
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CredentialsError(
            f"PARTNER_API_SIGNING_KEY is neither PEM text nor a readable file ({path}): {exc.strerror}"
        ) from exc


def write_key_pair(
    directory: str | os.PathLike[str], algorithm: str = "ed25519", *, force: bool = False
) -> tuple[Path, Path]:
    """Generate a signing key pair and write `private_key.pem` (mode 0600) and
    `public_key.pem` into `directory`; returns their paths. Refuses to overwrite unless `force`."""
    key = generate_private_key(algorithm)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    private_path, public_path = out / "private_key.pem", out / "public_key.pem"
    if not force and (private_path.exists() or public_path.exists()):
        raise FileExistsError(f"{private_path} or {public_path} already exists (use --force to replace)")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(private_path, flags, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(private_key_pem(key))
    os.chmod(private_path, 0o600)
    public_path.write_text(public_key_pem(key), encoding="ascii")
    return private_path, public_path
