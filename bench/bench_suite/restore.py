"""SnapStart: the CPU of a restored environment's first request against a warm request's.

Each function is initialised once as Lambda initialises it for a snapshot
(`AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`, the before-snapshot hooks), and every
restored environment is a fork of that process (`localapi.restore`, the same harness as
the fork test), which runs the after-restore hooks and serves its first request and then
WARM more of the same kind. CPU is the serving thread's (`time.thread_time`: user and
kernel). Requests go to moto's DynamoDB on loopback over HTTP.

Three figures per function, all medians over the restored environments:
- first request after a restore / a warm request: the target (<= 1.2x);
- the first request's minor page faults: a fork copies each page its child first writes,
  as a restore loads each page its first request touches; those faults are CPU the first
  request pays for the snapshot, whatever the code does;
- first request without a fork / a warm request: the same init and hooks, the request
  served in the snapshotted process itself (no copied pages): what is left is the first
  request's own extra work (its API key read into an empty cache, its first connection);
  beside it, a warm request whose API key cache was emptied first, for the first part.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.console import RenderableType
from rich.table import Table

from bench_suite import SummaryRow, fmt, verdict

TARGET = 1.2
WARM = 5  # warm requests after the first, per restored environment


def _customer() -> dict[str, Any]:
    return {"externalId": f"crm-{uuid.uuid4().hex[:12]}", "onchainId": None}


# (what is measured, the function's folder, its sample event, a body per request)
CASES: tuple[tuple[str, str, str, Callable[[], dict[str, Any] | None]], ...] = (
    ("create customer", "customers/create", "customers_create", _customer),
    ("get account", "accounts/get", "accounts_get", lambda: None),
    ("ledger transaction", "ledger_transactions/create", "ledger_transactions_create", lambda: None),
)


@dataclass(frozen=True)
class Case:
    name: str
    first_ms: list[float]  # per restored environment
    warm_ms: list[float]  # every warm request of every environment
    page_faults: list[int]  # the first request's, per environment
    unforked_first_ms: float
    unforked_warm_ms: float
    key_read_ms: float  # a warm request that reads its API key (cache emptied), no fork
    imported: int  # modules the first requests imported, all environments together

    @property
    def ratio(self) -> float:
        return statistics.median(self.first_ms) / statistics.median(self.warm_ms)

    @property
    def unforked_ratio(self) -> float:
        return self.unforked_first_ms / self.unforked_warm_ms

    @property
    def met(self) -> bool:
        return self.ratio <= TARGET


@dataclass(frozen=True)
class RestoreResult:
    environments: int
    cases: list[Case]


def measure(environments: int = 5) -> RestoreResult:
    from localapi.restore import World, restore
    from localapi.server import quiet_dynamodb_log

    quiet_dynamodb_log()
    world = World()
    cases = []
    try:
        for name, function, event, body in CASES:
            env = world.environment(function)

            def events(world: World = world, event: str = event, body: Any = body) -> list[dict[str, Any]]:
                return [world.event(event, body=body()) for _ in range(WARM + 1)]

            forked = restore(function, env, [events() for _ in range(environments)])
            (unforked,) = restore(function, env, [events()], fork=False, empty_key_cache_at=[WARM])
            served = [child.served for child in forked]
            failed = [s for child in served for s in child if s.status >= 300]
            if failed:
                raise RuntimeError(f"{name}: {failed[0].status} {failed[0].body}")
            cases.append(
                Case(
                    name,
                    [child[0].cpu_ms for child in served],
                    [s.cpu_ms for child in served for s in child[1:]],
                    [child[0].page_faults for child in served],
                    unforked.served[0].cpu_ms,
                    statistics.median(s.cpu_ms for s in unforked.served[1:WARM]),
                    unforked.served[WARM].cpu_ms,
                    sum(len(child[0].imported) for child in served),
                )
            )
    finally:
        world.close()
    return RestoreResult(environments, cases)


def tables(result: RestoreResult) -> list[RenderableType]:
    table = Table(
        title=(
            f"SnapStart: first request after a restore against a warm one ({result.environments} "
            f"environments forked from one snapshot, {WARM} warm requests each; CPU ms, medians)"
        ),
        caption=(
            "Restore = fork of a process initialised with the before-snapshot hooks, then the after-restore "
            "hooks. Page faults: the first request's minor faults (each page the fork copies on a first "
            "write; a restore likewise loads each page a first request touches). Without a fork: the same "
            "request served in the snapshotted process itself."
        ),
    )
    for column in (
        "request",
        "first after restore",
        "warm",
        "first / warm",
        "target",
        "met?",
        "page faults (first)",
        "first / warm, no fork",
        "warm, key read / warm, no fork",
        "modules imported",
    ):
        table.add_column(column, justify="left" if column == "request" else "right")
    for case in result.cases:
        table.add_row(
            case.name,
            fmt(statistics.median(case.first_ms), 1),
            fmt(statistics.median(case.warm_ms), 1),
            f"{case.ratio:.2f}x",
            f"<= {TARGET}x",
            verdict(case.met),
            f"{statistics.median(case.page_faults):,.0f}",
            f"{case.unforked_ratio:.2f}x",
            f"{case.key_read_ms / case.unforked_warm_ms:.2f}x",
            str(case.imported),
        )
    return [table]


def summary(result: RestoreResult) -> list[SummaryRow]:
    return [
        SummaryRow(
            f"SnapStart first request / warm, {case.name}",
            f"{case.ratio:.2f}x ({fmt(statistics.median(case.first_ms), 1)} / "
            f"{fmt(statistics.median(case.warm_ms), 1)} ms; no fork {case.unforked_ratio:.2f}x)",
            f"<= {TARGET}x",
            case.met,
        )
        for case in result.cases
    ]
