"""Cold start: each handler of template.yaml imported in a fresh process, as Lambda would.

Every sample is a new `python -c` process whose sys.path begins with the function's
folder and the layer's `python/` folder (Lambda's /var/task and /opt/python), with the
function's environment from template.yaml (dummy values). It imports `app` and, for a
pipeline `@endpoint` (a handler with a `spec`), creates what its first request would
(`core.platform.pipeline.runtime()`: settings and the DynamoDB client), then reports the moment
it is ready. "Cold ms" is that moment minus the moment
the parent started the process (both on the system-wide monotonic clock): interpreter
start, imports and client creation, not interpreter teardown, which Lambda never pays.

The reference is bench/bare_handler: boto3 imported and one client created at module
level. Each round runs every process kind in a shuffled order, and each one right beside a
bare-handler process (which of the two goes first is drawn): "handler/bare paired" is the
median over rounds of handler ms / bare ms within the pair. This host's load comes in
bursts of seconds; two processes a few hundred ms apart share the burst, while a ratio of
two medians of processes run ~10 s apart does not, and moves by +-0.2x from run to run.

After it is ready, each @endpoint process verifies one signed
request (simple scheme in even rounds, RFC 9421 in odd rounds) and reports how long that
first verification took and which modules it loaded: the price of the lazy RFC 9421 path.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from bench_suite import (
    BARE_HANDLER_DIR,
    DUMMY_AWS,
    FLOOR_HANDLER_DIR,
    HOST,
    Stats,
    SummaryRow,
    function_env,
    functions,
    layer_botocore,
    layer_dirs,
    new_private_key,
    public_pem,
    ratio,
    reference,
    template,
    verdict,
)
from bench_suite import fmt as _f

TARGET_RATIO = 1.3
BARE = "bare handler"
FLOOR = "libraries floor"
REFERENCE = "reference handler"
PYTHON = "python only"
SCHEMES = ("simple", "rfc9421")

# What the child process runs. It reads its JSON configuration from argv[1].
CHILD = r"""
import json, sys, time
cfg = json.loads(sys.argv[1])
endpoint = False
if cfg.get("isolated"):  # the reference sees only what its deployment holds
    sys.path[:] = [p for p in sys.path if not p.endswith("site-packages")]
if cfg["path"]:
    sys.path[:0] = cfg["path"]
    __import__(cfg["module"])  # as `import app` does (importlib.import_module escapes -X importtime)
    # A core.platform.pipeline @endpoint (it has a spec) calls runtime() on its first request.
    endpoint = hasattr(getattr(sys.modules[cfg["module"]], cfg["attribute"]), "spec")
imported = time.perf_counter()
if endpoint:
    from core.platform import pipeline
    pipeline.runtime()
out = {"imported": imported, "ready": time.perf_counter(), "endpoint": endpoint}
verify = cfg.get("verify")
if verify and endpoint:
    from core.platform import signatures
    from core.platform.public_keys import PublicKey
    before = set(sys.modules)
    msg = signatures.SignedMessage(
        method=verify["method"], scheme="https", host=verify["host"], raw_path=verify["path"],
        raw_query="", headers=verify["headers"], body=verify["body"].encode(),
    )
    keys = {verify["kid"]: PublicKey(algorithm="ed25519", pem=verify["pem"])}
    start = time.perf_counter()
    signatures.verify_request(msg, keys=keys, now=verify["now"], required=True)
    out["verify_ms"] = (time.perf_counter() - start) * 1000
    out["loaded"] = sorted(set(sys.modules) - before)
print(json.dumps(out))
"""


@dataclass(frozen=True)
class Subject:
    """One kind of process: a function of template.yaml, the bare handler, or the bare
    interpreter. A pipeline @endpoint also creates its runtime and verifies a request."""

    name: str
    module: str
    attribute: str
    path: list[str]
    env: dict[str, str]
    handler: bool = True
    isolated: bool = False  # sys.path without site-packages (bench_suite.reference)

    def config(self, verify: dict[str, Any] | None = None) -> str:
        return json.dumps(
            {
                "path": self.path,
                "module": self.module,
                "attribute": self.attribute,
                "verify": verify,
                "isolated": self.isolated,
            }
        )


@dataclass
class Series:
    name: str
    cold_ms: list[float] = field(default_factory=list)
    import_ms: list[float] = field(default_factory=list)
    endpoint: bool = False  # a pipeline @endpoint: its runtime() is part of its cold start
    # cold ms / cold ms of the bare-handler process run right beside it, one per round
    paired: list[float] = field(default_factory=list)

    @property
    def stats(self) -> Stats:
        return Stats.of(self.cold_ms)


@dataclass
class FirstVerify:
    """The first signature verification of a fresh process, per scheme."""

    scheme: str
    ms: list[float] = field(default_factory=list)
    loaded: Counter[str] = field(default_factory=Counter)

    @property
    def stats(self) -> Stats:
        return Stats.of(self.ms)


@dataclass(frozen=True)
class ImportEntry:
    module: str
    self_ms: float
    cumulative_ms: float


@dataclass
class ImportProfile:
    """`-X importtime` of one handler's cold start, and of the bare handler's."""

    handler: str
    top_cumulative: list[ImportEntry]
    # (top-level package, self ms in the handler's process, self ms in the bare one)
    by_package: list[tuple[str, float, float]]
    total_ms: float
    bare_total_ms: float


@dataclass
class ColdStartResult:
    runs: int
    series: dict[str, Series]
    handlers: list[str]
    first_verify: dict[str, FirstVerify]
    profile: ImportProfile | None

    def handler_ratio(self, name: str, *, which: str = "p50") -> float:
        """The ratio of the two series' statistics (median over median by default)."""
        return ratio(getattr(self.series[name].stats, which), getattr(self.series[BARE].stats, which))

    def paired_ratio(self, name: str) -> float:
        """Median of the per-round ratios to the bare process run beside (the target's figure)."""
        return Stats.of(self.series[name].paired).p50

    def reference_ratio(self, name: str) -> float:
        """Against the reference handler (context, not a target), through the bare process
        each ran beside: paired ratio over the reference's paired ratio."""
        return ratio(self.paired_ratio(name), self.paired_ratio(REFERENCE))


def _base_env() -> dict[str, str]:
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
    env.update(DUMMY_AWS)
    # Lambda names the function in every process it starts; the layer pauses the garbage
    # collector during init only there (core/__init__.py).
    env["AWS_LAMBDA_FUNCTION_NAME"] = "bench-handler"
    return env


def subjects(only: list[str] | None = None) -> list[Subject]:
    """The bare interpreter, the bare handler, the reference handler and every function
    of template.yaml."""
    tmpl = template()
    layers = [str(p) for p in layer_dirs(tmpl)]
    base = _base_env()
    memory = int(tmpl.function_globals.get("MemorySize", 128))
    out = [
        Subject(PYTHON, "", "", [], base, handler=False),
        Subject(BARE, "app", "lambda_handler", [str(BARE_HANDLER_DIR), *layers], base, handler=False),
        Subject(
            REFERENCE,
            "app",
            "lambda_handler",
            [str(reference.REFERENCE_HANDLER_DIR), str(reference.deployment_dir())],
            {**base, **reference.lambda_environment(memory)},
            handler=False,
            isolated=True,
        ),
    ]
    # Our functions import botocore from the layer, which keeps only the data of the services it calls.
    deployed = str(layer_botocore.deployed_dir())
    ours = functions(tmpl)
    if ours:  # the floor runs with our functions' environment (template Globals included)
        floor_env = {**base, **function_env(ours[0].name, tmpl)}
        out.append(
            Subject(
                FLOOR, "app", "lambda_handler", [str(FLOOR_HANDLER_DIR), deployed], floor_env, handler=False
            )
        )
    for fn in ours:
        if only is not None and fn.name not in only:
            continue
        env = {**base, **function_env(fn.name, tmpl), "AWS_LAMBDA_FUNCTION_NAME": fn.name}
        out.append(Subject(fn.name, fn.module, fn.attribute, [str(fn.code_dir), *layers, deployed], env))
    return out


def _verify_payload(scheme: str, signer: tuple[str, Any, str], now: float) -> dict[str, Any]:
    """A signed POST /v1/signing-keys with a body: the fullest verification path."""
    from partner_sdk import signing

    kid, private, pem = signer
    body = json.dumps({"publicKey": pem}).encode()
    path = "/v1/signing-keys"
    if scheme == "simple":
        headers = signing.simple_headers(
            private_key=private, key_id=kid, method="POST", path=path, query="", body=body, timestamp=int(now)
        )
    else:
        headers = signing.rfc9421_headers(
            private_key=private,
            key_id=kid,
            algorithm="ed25519",
            method="POST",
            url=f"https://{HOST}{path}",
            body=body,
            created=int(now),
        )
    return {
        "method": "POST",
        "host": HOST,
        "path": path,
        "headers": {k.lower(): v for k, v in headers.items()},
        "body": body.decode(),
        "kid": kid,
        "pem": pem,
        "now": int(now),
    }


def _run_child(subject: Subject, verify: dict[str, Any] | None = None) -> dict[str, Any]:
    config = subject.config(verify)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, config],
        env=subject.env,
        cwd=subject.path[0] if subject.path else None,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{subject.name}: the cold-start process failed:\n{done.stderr[-2000:]}")
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    out["cold_ms"] = (out["ready"] - started) * 1000
    out["import_ms"] = (out["imported"] - started) * 1000
    return out


def measure(
    runs: int = 10, *, only: list[str] | None = None, warmup: bool = True, profile: bool = True
) -> ColdStartResult:
    """`runs` rounds; each round runs every subject once, in a shuffled order, each beside
    a bare-handler process of its own (the bare interpreter alone)."""
    subs = subjects(only)
    bare = next(s for s in subs if s.name == BARE)
    handlers = [s.name for s in subs if s.handler]
    private = new_private_key()
    signer = ("sig_01BENCHCOLDSTART0000000000", private, public_pem(private))
    series = {s.name: Series(s.name) for s in subs}
    first = {scheme: FirstVerify(scheme) for scheme in SCHEMES}
    rng = random.Random(9421)
    if warmup:  # bytecode caches written, files in the page cache
        for subject in subs:
            _run_child(subject, _verify_payload("rfc9421", signer, time.time()) if subject.handler else None)
    for round_ in range(runs):
        scheme = SCHEMES[round_ % 2]
        order = [s for s in subs if s is not bare]
        rng.shuffle(order)
        for subject in order:
            verify = _verify_payload(scheme, signer, time.time()) if subject.handler else None
            pair = [subject] if subject.name == PYTHON else [subject, bare]
            rng.shuffle(pair)
            outs = {s.name: _run_child(s, verify if s is subject else None) for s in pair}
            for name, out in outs.items():
                series[name].cold_ms.append(out["cold_ms"])
                series[name].import_ms.append(out["import_ms"])
                series[name].endpoint = bool(out["endpoint"])
            if len(pair) == 2:
                paired = ratio(outs[subject.name]["cold_ms"], outs[BARE]["cold_ms"])
                series[subject.name].paired.append(paired)
            out = outs[subject.name]
            if "verify_ms" in out:
                first[scheme].ms.append(out["verify_ms"])
                first[scheme].loaded.update(out["loaded"])
    import_profile = None
    if profile and handlers:  # the slowest handler, beside the bare one
        slowest = max(handlers, key=lambda name: series[name].stats.p50)
        by_name = {s.name: s for s in subs}
        import_profile = importtime_profile(by_name[slowest], by_name[BARE])
    return ColdStartResult(runs, series, handlers, first, import_profile)


def importtime_profile(subject: Subject, bare: Subject, top: int = 10) -> ImportProfile:
    """`python -X importtime` of one handler's cold start (as measured above), with the
    import cost per top-level package beside the bare handler's."""
    handler_entries = parse_importtime(_importtime(subject))
    bare_entries = parse_importtime(_importtime(bare))
    mine, theirs = _by_package(handler_entries), _by_package(bare_entries)
    extra = sorted(mine, key=lambda name: mine[name] - theirs.get(name, 0.0), reverse=True)
    return ImportProfile(
        subject.name,
        sorted(handler_entries, key=lambda e: e.cumulative_ms, reverse=True)[:top],
        [(name, mine[name], theirs.get(name, 0.0)) for name in extra[:top]],
        sum(e.self_ms for e in handler_entries),
        sum(e.self_ms for e in bare_entries),
    )


def _importtime(subject: Subject) -> str:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", CHILD, subject.config()],
        env=subject.env,
        cwd=subject.path[0] if subject.path else None,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{subject.name}: the importtime process failed:\n{done.stderr[-2000:]}")
    return done.stderr


def _by_package(entries: list[ImportEntry]) -> dict[str, float]:
    out: dict[str, float] = {}
    for entry in entries:
        package = entry.module.split(".")[0]
        out[package] = out.get(package, 0.0) + entry.self_ms
    return out


def parse_importtime(stderr: str) -> list[ImportEntry]:
    """The `import time: self [us] | cumulative | name` lines of `-X importtime`."""
    out = []
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue  # the header line
        out.append(ImportEntry(parts[2].strip(), int(parts[0]) / 1000, int(parts[1]) / 1000))
    return out


def lazy_modules(result: ColdStartResult) -> list[str]:
    """Modules the first RFC 9421 verification loads that a simple-scheme one does not."""
    rfc, simple = result.first_verify["rfc9421"].loaded, result.first_verify["simple"].loaded
    return sorted(name for name in rfc if name not in simple)


# -- report ----------------------------------------------------------------------------


def tables(result: ColdStartResult) -> list[RenderableType]:
    bare = result.series[BARE].stats
    cold = Table(
        title=f"Cold start: fresh process to ready, {result.runs} rounds, each beside a bare process",
        caption=(
            "ready = module imported, + core.platform.pipeline.runtime() (settings, DynamoDB client) for a "
            "pipeline @endpoint, whose first request would create it; bare = boto3 + one DynamoDB "
            "client at module level; reference = the common Powertools handler (Logger, Tracer, "
            "Metrics, APIGatewayRestResolver with validation, pydantic, boto3), with only its "
            "deployment's packages; import = the module import alone. Our functions import the "
            "layer's botocore, trimmed to the services it calls (slim_botocore.py); "
            "bare and reference import the stock botocore, as Lambda's bundled boto3. Libraries "
            "floor = what the stack makes every function load, none of our code "
            "(bench/floor_handler). Paired = median of the per-round ratios to the bare process "
            "run beside it (the target's figure); median/median and p90/p90 compare the series"
        ),
    )
    cold.add_column("process")
    cold.add_column("DynamoDB client")
    columns = ("median ms", "p90 ms", "import ms (median)", "handler/bare paired", "median/median", "p90/p90")
    for column in columns:
        cold.add_column(column, justify="right")
    cold.add_column("target", justify="right")
    cold.add_column("met?", justify="center")
    # Context only: issue 19 replaced the old 0.6x target, which sat below the libraries' floor.
    cold.add_column("handler/reference paired", justify="right")
    for name, series in result.series.items():
        stats = series.stats
        # The floor's ratios are shown too: they say what no handler can beat.
        is_handler = name in result.handlers or name == FLOOR
        client = (
            "runtime()" if series.endpoint else ("at import" if name in (BARE, REFERENCE, FLOOR) else "none")
        )
        to_reference = result.reference_ratio(name)
        cold.add_row(
            name,
            client,
            _f(stats.p50),
            _f(stats.p90),
            _f(Stats.of(series.import_ms).p50),
            f"{result.paired_ratio(name):.2f}x" if is_handler else "",
            f"{result.handler_ratio(name):.2f}x" if is_handler else "",
            f"{result.handler_ratio(name, which='p90'):.2f}x" if is_handler else "",
            f"<= {TARGET_RATIO}x" if is_handler else "",
            verdict(result.paired_ratio(name) <= TARGET_RATIO) if is_handler else "",
            f"{to_reference:.2f}x" if is_handler else "",
            style="dim" if name == PYTHON else None,
        )
    if bare.n == 0:
        return [cold]

    lazy = lazy_modules(result)
    verify = Table(
        title="First signature verification in a fresh handler process (after cold start)",
        caption=(
            "one Ed25519-signed POST with a body, verified by core.platform.signatures.verify_request; "
            "simple scheme in even rounds, RFC 9421 in odd rounds, across every @endpoint handler"
        ),
    )
    for column in ("scheme", "samples", "median ms", "p90 ms", "modules loaded on first use"):
        verify.add_column(
            column, justify="left" if column in ("scheme", "modules loaded on first use") else "right"
        )
    for scheme, first in result.first_verify.items():
        loaded = sorted(first.loaded)
        packages = sorted({name.split(".")[0] for name in loaded})
        verify.add_row(
            scheme,
            str(first.stats.n),
            _f(first.stats.p50, 1),
            _f(first.stats.p90, 1),
            f"{len(loaded)}" + (f" ({', '.join(packages)})" if packages else ""),
        )
    out: list[RenderableType] = [cold, verify]
    if lazy:
        rfc, simple = result.first_verify["rfc9421"].stats, result.first_verify["simple"].stats
        out.append(
            Text(
                f"The RFC 9421 path is lazy: a cold start does not load its {len(lazy)} modules; "
                f"the first RFC 9421 request pays ~{rfc.p50 - simple.p50:.1f} ms more than a simple one "
                "(median).",
                style="italic",
            )
        )
    if result.profile is not None:
        out.append(_profile_tables(result.profile))
    return out


def _profile_tables(profile: ImportProfile) -> RenderableType:
    top = Table(title=f"-X importtime, {profile.handler}: top 10 cumulative (the slowest handler)")
    top.add_column("module")
    top.add_column("cumulative ms", justify="right")
    top.add_column("self ms", justify="right")
    for entry in profile.top_cumulative:
        top.add_row(entry.module, _f(entry.cumulative_ms, 1), _f(entry.self_ms, 1))
    packages = Table(
        title="Import self time by top-level package: handler vs bare handler",
        caption=(
            f"sum of self times: handler {profile.total_ms:,.0f} ms, bare {profile.bare_total_ms:,.0f} ms "
            "(one run each, -X importtime inflates absolute figures)"
        ),
    )
    for column in ("package", "handler ms", "bare ms", "extra ms"):
        packages.add_column(column, justify="left" if column == "package" else "right")
    for name, mine, theirs in profile.by_package:
        packages.add_row(name, _f(mine, 1), _f(theirs, 1), _f(mine - theirs, 1))
    return Group(top, packages)


def summary(result: ColdStartResult) -> list[SummaryRow]:
    rows = [
        SummaryRow(
            f"cold start {name} / bare (paired)",
            f"{result.paired_ratio(name):.2f}x (medians {result.series[name].stats.p50:,.0f} vs "
            f"{result.series[BARE].stats.p50:,.0f} ms: {result.handler_ratio(name):.2f}x)",
            f"<= {TARGET_RATIO}x",
            result.paired_ratio(name) <= TARGET_RATIO,
        )
        for name in result.handlers
    ]
    if result.handlers:
        slowest = max(result.handlers, key=result.reference_ratio)
        rows.append(
            SummaryRow(
                f"cold start / reference handler (paired), slowest: {slowest}",
                f"{result.reference_ratio(slowest):.2f}x (medians {result.series[slowest].stats.p50:,.0f} vs "
                f"{result.series[REFERENCE].stats.p50:,.0f} ms)",
                "context",
                None,
            )
        )
    if FLOOR in result.series and result.series[FLOOR].stats.n:
        rows.append(
            SummaryRow(
                "libraries floor (the stack's libraries, no code of ours) / bare (paired), / reference",
                f"{result.paired_ratio(FLOOR):.2f}x, {result.reference_ratio(FLOOR):.2f}x "
                f"({result.series[FLOOR].stats.p50:,.0f} ms)",
                "context",
                None,
            )
        )
    rfc, simple = result.first_verify["rfc9421"].stats, result.first_verify["simple"].stats
    if rfc.n and simple.n:
        rows.append(
            SummaryRow(
                "first RFC 9421 verification vs simple (median)",
                f"{rfc.p50:,.1f} vs {simple.p50:,.1f} ms",
                "RFC 9421 library lazy",
                "http_message_signatures" in {name.split(".")[0] for name in lazy_modules(result)},
            )
        )
    return rows
