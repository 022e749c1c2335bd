"""The local API as a developer runs it (`make run` calls `localapi serve`), in a subprocess.

One server per session on free ports, with its own credentials file; stopped with
SIGINT (Ctrl-C) at the end, which must exit 0.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from localapi.process import serve_command, serve_environment

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
        base_url = None
        deadline = time.monotonic() + READY_TIMEOUT
        while base_url is None:
            for line in stdout_path.read_text(errors="replace").splitlines():
                if line.startswith("READY "):
                    base_url = line.removeprefix("READY ").strip()
            if base_url is not None:
                break
            if process.poll() is not None:
                pytest.fail(f"localapi serve exited with {process.returncode} before READY\n{output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"localapi serve was not READY within {READY_TIMEOUT:.0f}s\n{output()}")
            time.sleep(0.1)
        assert credentials.is_file(), output()
        yield base_url, credentials
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                code = process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                pytest.fail(f"localapi serve did not stop on SIGINT within {STOP_TIMEOUT:.0f}s\n{output()}")
            assert code == 0, f"localapi serve exited with {code} on SIGINT\n{output()}"
