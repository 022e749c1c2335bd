"""The local API as a developer runs it (`make run` calls `localapi serve`), in a subprocess.

One server per session on free ports, with its own credentials file; stopped with
SIGINT (Ctrl-C) at the end, which must exit 0.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from localapi.process import NotReady, serve_command, serve_environment, stop, wait_ready

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


@pytest.fixture(scope="session")
def local_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(base URL, credentials file) of a running `localapi serve`."""
    workdir = tmp_path_factory.mktemp("localapi")
    credentials = workdir / "sandbox.json"
    stdout_path, stderr_path = workdir / "stdout.txt", workdir / "stderr.txt"
    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            serve_command(credentials), cwd=ROOT, env=serve_environment(), stdout=stdout, stderr=stderr
        )

    def output() -> str:
        return (
            f"--- stdout ---\n{stdout_path.read_text(errors='replace')}\n"
            f"--- stderr ---\n{stderr_path.read_text(errors='replace')}"
        )

    try:
        try:
            base_url = wait_ready(process, stdout_path, READY_TIMEOUT)
        except NotReady as exc:
            pytest.fail(f"localapi serve {exc}\n{output()}")
        assert credentials.is_file(), output()
        yield base_url, credentials
    finally:
        code = stop(process, STOP_TIMEOUT)
        if code is None:
            pytest.fail(f"localapi serve did not stop on SIGINT within {STOP_TIMEOUT:.0f}s\n{output()}")
        assert code == 0, f"localapi serve exited with {code} on SIGINT\n{output()}"
