"""localapi.process.wait_ready and stop: how tests and the benchmark start and stop the
local API's processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from localapi.process import NotReady, stop, wait_ready


def _start(code: str, output: Path) -> subprocess.Popen[bytes]:
    with output.open("wb") as sink:
        return subprocess.Popen([sys.executable, "-u", "-c", code], stdout=sink, stderr=subprocess.STDOUT)


def test_the_ready_line_gives_the_address_and_ctrl_c_stops_the_process(tmp_path: Path) -> None:
    output = tmp_path / "out.txt"
    process = _start(
        "import time\nprint('starting')\nprint('READY http://127.0.0.1:1234 ')\n"
        "try:\n    time.sleep(60)\nexcept KeyboardInterrupt:\n    raise SystemExit(0)\n",
        output,
    )
    assert wait_ready(process, output, timeout=30) == "http://127.0.0.1:1234"
    assert stop(process, timeout=30) == 0


def test_a_process_that_exits_before_ready_is_not_ready(tmp_path: Path) -> None:
    output = tmp_path / "out.txt"
    process = _start("raise SystemExit(3)", output)
    with pytest.raises(NotReady, match="exited with 3 before READY"):
        wait_ready(process, output, timeout=30)


def test_a_silent_process_times_out_and_one_that_ignores_ctrl_c_is_killed(tmp_path: Path) -> None:
    output = tmp_path / "out.txt"
    process = _start(
        "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(60)\n", output
    )
    with pytest.raises(NotReady, match="not READY within 0 s"):
        wait_ready(process, output, timeout=0.2)
    assert stop(process, timeout=0.5) is None
    assert process.poll() is not None
