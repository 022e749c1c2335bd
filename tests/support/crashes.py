"""Crashes at the boundaries of a write, injected around the pipeline's own steps (nothing
in the product knows about them):

- `after_claim`: the idempotency claim is stored and held, the endpoint has not run;
- `after_commit`: the transaction (business writes + stored answer) is committed;
- `before_response`: the response is built and never leaves the function.

Two kinds of crash: `exception`, an ordinary error the pipeline's handlers see; and
`killed`, which stands for SIGKILL in-process: a BaseException passes the pipeline's
`except Exception`, so none of its clean-up runs (the claim is not released), as when the
process dies. Each crash fires once; the retry runs in the same process unharmed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from core.platform import idempotency, pipeline
from core.platform.http import Response
from core.platform.store import Store, Write

BOUNDARIES = ("after_claim", "after_commit", "before_response")


class Crash(RuntimeError):
    """An exception at a boundary."""


class ProcessKilled(BaseException):
    """The process died at a boundary: no handler of the pipeline runs."""


KINDS: dict[str, type[BaseException]] = {"exception": Crash, "killed": ProcessKilled}


@dataclass
class Stored:
    """The answer the crashed request committed, as the pipeline stored it."""

    status: int
    body: str
    headers: dict[str, str]
    request_id: str


@dataclass
class CrashPlan:
    boundary: str
    error: type[BaseException]
    fired: bool = False
    stored: Stored | None = None  # the first answer stored (what the crashed run answered)
    output: dict[str, Any] | None = None  # before_response: the event the function would return
    record_key: dict[str, str] = field(default_factory=dict)

    def fire(self) -> None:
        self.fired = True
        raise self.error(f"crash {self.boundary}")


def install(monkeypatch: pytest.MonkeyPatch, boundary: str, kind: str) -> CrashPlan:
    """Arm one crash at `boundary`; the plan records what the crashed request stored."""
    assert boundary in BOUNDARIES, boundary
    plan = CrashPlan(boundary, KINDS[kind])

    real_complete_in = idempotency.complete_in

    def complete_in(
        tx: Any, claim: idempotency.Claim, response: Response, request_id: str, on_fail: Any
    ) -> None:
        if plan.stored is None:
            plan.stored = Stored(response.status, response.body_text(), dict(response.headers), request_id)
            plan.record_key = claim.record_key
        real_complete_in(tx, claim, response, request_id, on_fail)

    monkeypatch.setattr(idempotency, "complete_in", complete_in)

    if boundary == "after_claim":
        real_attempt = pipeline._Run._attempt

        # The pipeline holds the claim and is about to run the endpoint.
        def attempt(self: Any, call: Any) -> Response:
            if not plan.fired:
                plan.fire()
            return real_attempt(self, call)

        monkeypatch.setattr(pipeline._Run, "_attempt", attempt)
    elif boundary == "after_commit":
        real_transact = Store.transact

        def transact(self: Store, writes: list[Write], **kwargs: Any) -> None:
            real_transact(self, writes, **kwargs)
            # The request's own commit is the transaction that stores its answer.
            if not plan.fired and any(w.key == plan.record_key for w in writes):
                plan.fire()

        monkeypatch.setattr(Store, "transact", transact)
    else:
        real_to_event = Response.to_event

        def to_event(self: Response, request_id: str) -> dict[str, Any]:
            out = real_to_event(self, request_id)
            if not plan.fired:
                plan.output = out
                plan.fire()
            return out

        monkeypatch.setattr(Response, "to_event", to_event)
    return plan


@dataclass
class RandomCrashes:
    """Crashes at every boundary, each request's own, at `rate` per boundary, half of them
    `exception` and half `killed`: for concurrent trials (threads share it; a request is
    known by the claim its thread holds). `fired` counts (boundary, kind)."""

    rate: float
    seed: int
    fired: dict[tuple[str, str], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        import random
        import threading

        self._random = random.Random(self.seed)
        self._lock = threading.Lock()
        self._local = threading.local()

    def maybe(self, boundary: str) -> None:
        with self._lock:
            if self._random.random() >= self.rate:
                return
            kind = self._random.choice(sorted(KINDS))
            self.fired[(boundary, kind)] = self.fired.get((boundary, kind), 0) + 1
        raise KINDS[kind](f"crash {boundary}")

    @property
    def record_key(self) -> dict[str, str] | None:
        return getattr(self._local, "record_key", None)

    @record_key.setter
    def record_key(self, key: dict[str, str] | None) -> None:
        self._local.record_key = key


def install_random(monkeypatch: pytest.MonkeyPatch, rate: float, seed: int) -> RandomCrashes:
    """Arm `RandomCrashes` at the three boundaries, for every request of every thread."""
    crashes = RandomCrashes(rate, seed)
    real_complete_in = idempotency.complete_in
    real_attempt = pipeline._Run._attempt
    real_transact = Store.transact
    real_to_event = Response.to_event

    def complete_in(
        tx: Any, claim: idempotency.Claim, response: Response, request_id: str, on_fail: Any
    ) -> None:
        crashes.record_key = claim.record_key
        real_complete_in(tx, claim, response, request_id, on_fail)

    def attempt(self: Any, call: Any) -> Response:
        if self.claim is not None:
            crashes.maybe("after_claim")
        return real_attempt(self, call)

    def transact(self: Store, writes: list[Write], **kwargs: Any) -> None:
        real_transact(self, writes, **kwargs)
        key = crashes.record_key
        if key is not None and any(w.key == key for w in writes):
            crashes.record_key = None
            crashes.maybe("after_commit")

    def to_event(self: Response, request_id: str) -> dict[str, Any]:
        out = real_to_event(self, request_id)
        crashes.maybe("before_response")
        return out

    monkeypatch.setattr(idempotency, "complete_in", complete_in)
    monkeypatch.setattr(pipeline._Run, "_attempt", attempt)
    monkeypatch.setattr(Store, "transact", transact)
    monkeypatch.setattr(Response, "to_event", to_event)
    return crashes
