"""The local API as the benchmark sections that need one start it: `localapi serve` on
free ports in a subprocess (as a developer runs it and as tests/e2e/conftest.py starts
it), its own credentials file and moto request recording in a working folder."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench_suite import ROOT
from localapi.process import serve_command, serve_environment

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


@dataclass(frozen=True)
class LocalApi:
    base_url: str
    credentials: Path
    dynamodb_endpoint: str
    table_name: str


@contextlib.contextmanager
def local_api(workdir: Path) -> Iterator[LocalApi]:
    """`localapi serve` in a subprocess, its request recorder writing into `workdir`."""
    credentials = workdir / "sandbox.json"
    env = serve_environment({"MOTO_RECORDER_FILEPATH": str(workdir / "moto_recording.jsonl")})
    stdout_path, stderr_path = workdir / "stdout.txt", workdir / "stderr.txt"
    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            serve_command(credentials), cwd=ROOT, env=env, stdout=stdout, stderr=stderr
        )
    try:
        base_url = None
        deadline = time.monotonic() + READY_TIMEOUT
        while base_url is None:
            for line in stdout_path.read_text(errors="replace").splitlines():
                if line.startswith("READY "):
                    base_url = line.removeprefix("READY ").strip()
            if base_url is not None:
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"localapi serve did not start:\n{stderr_path.read_text(errors='replace')[-2000:]}"
                )
            time.sleep(0.1)
        document = json.loads(credentials.read_text())
        yield LocalApi(base_url, credentials, document["dynamodbEndpoint"], document["tableName"])
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
