"""The one source of time, so tests can inject it instead of sleeping."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

_source: Callable[[], float] = time.time


def now() -> float:
    return _source()


def set_source(source: Callable[[], float]) -> None:
    """Tests replace the clock; `reset()` restores the real one."""
    global _source
    _source = source


def reset() -> None:
    set_source(time.time)


def rfc3339(ts: float) -> str:
    """RFC 3339 UTC with a `Z`, to the second (API.md "Timestamps")."""
    return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
