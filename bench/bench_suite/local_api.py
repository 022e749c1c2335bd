"""The local API as the benchmark sections that need one start it: `localapi serve` on
free ports in a subprocess (as a developer runs it and as tests/e2e/conftest.py starts
it), its own credentials file and moto request recording in a working folder."""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench_suite import ROOT
from localapi.process import NotReady, serve_command, serve_environment, stop, wait_ready

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


@dataclass(frozen=True)
class LocalApi:
    base_url: str
    credentials: Path
    dynamodb_endpoint: str
    table_name: str


@contextlib.contextmanager
def local_api(workdir: Path, extra_env: dict[str, str] | None = None) -> Iterator[LocalApi]:
    """`localapi serve` in a subprocess, its request recorder writing into `workdir`
    (`extra_env` added to its environment)."""
    credentials = workdir / "sandbox.json"
    recording = {"MOTO_RECORDER_FILEPATH": str(workdir / "moto_recording.jsonl")}
    env = serve_environment({**recording, **(extra_env or {})})
    stdout_path, stderr_path = workdir / "stdout.txt", workdir / "stderr.txt"
    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            serve_command(credentials), cwd=ROOT, env=env, stdout=stdout, stderr=stderr
        )
    try:
        try:
            base_url = wait_ready(process, stdout_path, READY_TIMEOUT)
        except NotReady as exc:
            raise RuntimeError(
                f"localapi serve {exc}:\n{stderr_path.read_text(errors='replace')[-2000:]}"
            ) from None
        document = json.loads(credentials.read_text())
        yield LocalApi(base_url, credentials, document["dynamodbEndpoint"], document["tableName"])
    finally:
        stop(process, STOP_TIMEOUT)
