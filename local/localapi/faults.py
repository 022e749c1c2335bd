"""Crash points of the local API, to see what a process killed in the middle of a write
leaves behind: with `LOCALAPI_CRASH_AT=<boundary>` in its environment, `localapi serve`
kills itself with SIGKILL (no clean-up, no answer) the first time a request reaches that
boundary of a write:

- `after-claim`: the Idempotency-Key claim is stored, the endpoint has not run;
- `after-commit`: the write's transaction (business writes + stored answer) is committed;
- `before-response`: the response is built and not yet sent.

Pair it with `--dynamodb-endpoint` (a `localapi dynamodb` in another process) so the table
outlives the API process; restart the API on it and retry. Local only: the layer has no
hook for this, the wrappers below go around its functions in this process.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping
from typing import Any

ENV = "LOCALAPI_CRASH_AT"
BOUNDARIES = ("after-claim", "after-commit", "before-response")


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def boundary_from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """The boundary LOCALAPI_CRASH_AT names (None when unset). Raises ValueError."""
    boundary = (os.environ if environ is None else environ).get(ENV, "").strip()
    if not boundary:
        return None
    if boundary not in BOUNDARIES:
        raise ValueError(f"{ENV}={boundary!r}: expected one of {', '.join(BOUNDARIES)}")
    return boundary


def install(boundary: str) -> None:
    """Arm the crash at `boundary`. Call it once the sandbox is seeded: only API requests
    should get there."""
    from core.platform import idempotency, keys
    from core.platform.http import Response
    from core.platform.store import Store, Write

    if boundary == "after-claim":
        claim = idempotency.claim

        def claim_then_die(*args: Any, **kwargs: Any) -> Any:
            result = claim(*args, **kwargs)
            if isinstance(result, idempotency.Claim):
                die()
            return result

        idempotency.claim = claim_then_die
    elif boundary == "after-commit":
        transact = Store.transact
        record_prefix = keys.idempotency_key("", "")["SK"]

        def transact_then_die(self: Store, writes: list[Write], **kwargs: Any) -> None:
            transact(self, writes, **kwargs)
            # A write's own commit is the transaction that stores its answer.
            if any(w.key["SK"].startswith(record_prefix) for w in writes):
                die()

        Store.transact = transact_then_die  # type: ignore[method-assign]
    else:
        to_event = Response.to_event

        def to_event_then_die(self: Response, request_id: str) -> dict[str, Any]:
            to_event(self, request_id)
            die()
            raise AssertionError("unreachable")

        Response.to_event = to_event_then_die  # type: ignore[method-assign]
