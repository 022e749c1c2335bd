"""How other processes (the end-to-end tests, the benchmark) start `localapi serve`: the
same command and environment as `make run`, on free ports, with its own credentials."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def serve_command(credentials: Path, *options: str) -> list[str]:
    """`localapi serve` on free ports; `options` are more of its options."""
    return localapi_command(
        "serve", "--port", "0", "--dynamodb-port", "0", "--credentials", str(credentials), *options
    )


def dynamodb_command() -> list[str]:
    """`localapi dynamodb` on a free port (it prints `READY <endpoint>`)."""
    return localapi_command("dynamodb", "--port", "0")


def localapi_command(*args: str) -> list[str]:
    script = Path(sys.executable).parent / "localapi"
    if script.exists():
        return [str(script), *args]
    # Not installed (no `pip install -e .` yet): the same entry point, run as a module.
    return [sys.executable, "-m", "localapi.main", *args]


def serve_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment, minus what would point the server elsewhere."""
    env = dict(os.environ)
    paths = [ROOT / "layers/core/python", ROOT / "sdk", ROOT / "local"]
    env["PYTHONPATH"] = os.pathsep.join([*map(str, paths), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PYTHONUNBUFFERED"] = "1"
    for name in ("AWS_ENDPOINT_URL_DYNAMODB", "PARTNER_API_CREDENTIALS", "PARTNER_API_KEY"):
        env.pop(name, None)
    env.update(extra or {})
    return env


class NotReady(RuntimeError):
    """The process exited, or did not print its READY line in time."""


def wait_ready(process: subprocess.Popen[bytes], output: Path, timeout: float) -> str:
    """What `localapi serve` or `localapi dynamodb` prints after `READY ` (the API's base URL,
    the endpoint), read from `output`, the file its stdout goes to. Raises NotReady if the
    process exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        for line in output.read_text(errors="replace").splitlines():
            if line.startswith("READY "):
                return line.removeprefix("READY ").strip()
        if process.poll() is not None:
            raise NotReady(f"exited with {process.returncode} before READY")
        if time.monotonic() > deadline:
            raise NotReady(f"not READY within {timeout:.0f} s")
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes], timeout: float) -> int | None:
    """Ctrl-C (SIGINT), as a developer stops it; killed if it has not exited within
    `timeout` seconds. Its exit code, or None when it had to be killed."""
    if process.poll() is not None:
        return process.returncode
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None
