"""Fuzzing a running API from its own OpenAPI document with schemathesis.

The document is fetched from the API (`GET /v1/openapi.json`), so what is fuzzed is what
is served. The run onboards a partner of its own in the API's table (`onboard`), and
every request is signed by the partner SDK's signing code with its key (`SigningAuth`, a
`requests` auth, so it signs the exact bytes schemathesis sends), alternating the RFC 9421
and simple schemes: requests get past authentication and reach validation and the
endpoints. Schemathesis runs its phases
(examples, coverage, fuzzing, then stateful sequences that follow the document's links
from a create to the operations that take its id) with these checks:

- `not_a_server_error`: no 5xx;
- `status_code_conformance`, `content_type_conformance`, `response_headers_conformance`,
  `response_schema_conformance`: every answer is one the document describes;
- `positive_data_acceptance`: a request the document calls valid is not refused (no 4xx
  but those that depend on stored data, `EXPECTED_FOR_VALID_DATA`), so the document is
  as strict as the server. The rules no schema can state are `fuzz_exclusions.UNSTATED`,
  each with a predicate that excuses a refusal only when the request really breaks it.

The same runner serves the short run of the test suite (tests/e2e) and the long run of
`bench --only fuzz`; each reports, per operation, the requests sent, their statuses and
the failures. A new endpoint is fuzzed by being in the document: nothing here names a
resource, except `EXCLUDED`.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from localapi import fuzz_exclusions
from localapi.events import AUTH_HEADERS
from partner_sdk.credentials import Credentials
from partner_sdk.signing import load_private_key, rfc9421_headers, simple_headers

DOCUMENT_PATH = "/v1/openapi.json"
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "positive_data_acceptance",
)
# What a schema-valid request may be answered (positive_data_acceptance's expected
# statuses): schemathesis' default (2xx, 3xx, 401, 403, 404, 409, 429, 5xx; 5xx is
# `not_a_server_error`'s to judge) plus 422. Those are answers about stored data, not about
# the request's form, which is all a document can describe: 404 an id that names nothing,
# 409 `resource_already_exists` (a unique value taken) or a state conflict, and 422, which
# API.md keeps for rules over stored data (`reference_invalid`: no such customer of the
# tenant; `limit_exceeded`: the 11th signing key, the 51st association in all;
# `customer_not_active`, `signature_mismatch`: a signature by another key than the
# customer's). Every 400 and 413 stays a failure unless `fuzz_exclusions` excuses it.
EXPECTED_FOR_VALID_DATA = ("2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx")
# Operations left out, by operationId, and why.
EXCLUDED = {
    "kycCallback": (
        "a KYC provider's callback: authenticated by the provider's HMAC over its own body "
        "format, not by a partner's API key; tests/integration/test_kyc_* and the browser "
        "test cover it"
    ),
}
SCHEMES = ("rfc9421", "simple")
STATEFUL_STEPS = 8
TOP_UP_ROUNDS = 5


class SigningAuth(requests.auth.AuthBase):
    """Signs a prepared request as `partner_sdk.PartnerClient` does: the API key, a
    signature over the exact method, URL and body bytes (RFC 9421 and simple schemes in
    turn), and a fresh `Idempotency-Key` on writes in place of a valid generated one.

    Generated keys repeat (hypothesis favours small values), which would turn most writes
    into 409 `duplicate_idempotency_key`; an invalid generated key is kept, so the 400
    `idempotency_key_invalid` path is fuzzed too. Counts what it signs."""

    def __init__(self, credentials: Credentials) -> None:
        if not credentials.signing_key_id or not credentials.private_key_pem:
            raise ValueError("fuzzing needs credentials with a signing key")
        self.credentials = credentials
        self.key_id = credentials.signing_key_id
        self.private_key = load_private_key(credentials.private_key_pem)
        self._turn = itertools.count()
        self._lock = threading.Lock()
        self.signed: Counter[str] = Counter()

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        with self._lock:
            scheme = SCHEMES[next(self._turn) % len(SCHEMES)]
            self.signed[scheme] += 1
        method = (request.method or "GET").upper()
        raw = request.body or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
            request.body = raw
        if not isinstance(raw, bytes):
            raise TypeError(f"cannot sign a streamed body ({type(raw).__name__})")
        body = raw
        headers = request.headers
        for name in AUTH_HEADERS:
            headers.pop(name, None)
        headers["Authorization"] = f"Bearer {self.credentials.api_key}"
        if method in ("POST", "PATCH", "PUT", "DELETE"):
            key = headers.get("Idempotency-Key")
            if key is not None and _valid_idempotency_key(key):
                headers["Idempotency-Key"] = str(uuid.uuid4())
        url = request.url or ""
        now = int(time.time())
        if scheme == "simple":
            raw_path, _, raw_query = (request.path_url or "/").partition("?")
            signed = simple_headers(
                private_key=self.private_key,
                key_id=self.key_id,
                method=method,
                path=raw_path,
                query=raw_query,
                body=body,
                timestamp=now,
            )
        else:
            signed = rfc9421_headers(
                private_key=self.private_key,
                key_id=self.key_id,
                algorithm=self.credentials.algorithm,
                method=method,
                url=url,
                body=body,
                created=now,
            )
        headers.update(signed)
        return request


def _valid_idempotency_key(key: str | bytes) -> bool:
    text = key.decode("latin-1") if isinstance(key, bytes) else key
    return 1 <= len(text) <= 128 and all(32 <= ord(c) <= 126 for c in text)


# -- the report -----------------------------------------------------------------------------


@dataclass
class OperationTally:
    """What one operation was sent and answered."""

    label: str
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    by_phase: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    # Requests that got no answer (a timeout, a dropped connection).
    unanswered: int = 0
    # How each phase's run of the operation ended when not simply done: "<phase>: <status>
    # (<reason>)", e.g. a run stopped because the server stopped answering.
    endings: Counter[str] = field(default_factory=Counter)

    # Refusals of schema-valid requests excused by a rule no schema can state, by rule
    # name (`fuzz_exclusions.UNSTATED`).
    excused: Counter[str] = field(default_factory=Counter)

    @property
    def successes(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)


@dataclass(frozen=True)
class Failure:
    """One distinct failure: the check, the operation, what broke, and a curl to replay it."""

    operation: str
    check: str
    title: str
    message: str
    curl: str

    def describe(self) -> str:
        return f"{self.operation}: {self.check}: {self.title}\n{self.message}\n{self.curl}"


@dataclass
class FuzzReport:
    operations: dict[str, OperationTally]
    failures: list[Failure]
    excluded: dict[str, str]
    errors: list[str]
    signed: Counter[str]
    seconds: float

    @property
    def requests(self) -> int:
        return sum(tally.requests for tally in self.operations.values())

    def tally(self, label: str) -> OperationTally:
        return self.operations.setdefault(label, OperationTally(label))


# -- running ----------------------------------------------------------------------------------


class SandboxReviewer:
    """Approves every customer the fuzzer creates, as a person on the sandbox KYC page
    would (a callback signed with the sandbox's secret): accounts open for active
    customers only, so without it no account, number or address route could succeed."""

    def __init__(self, credentials_file: Path, tenant_id: str) -> None:
        from localapi.sandbox import read_credentials

        document = read_credentials(credentials_file)
        self.base_url = str(document["baseUrl"])
        self.secret = str(document["kycSandboxSecret"])
        self.tenant_id = tenant_id
        self.approved = 0

    def after_call(self, context: Any, case: Any, response: Any) -> None:
        """schemathesis' `after_call` hook."""
        if case.operation.label != "POST /v1/customers" or response.status_code != 201:
            return
        import secrets

        import httpx

        from core.customers import kyc

        now = int(time.time())
        body = kyc.callback_body(
            event_id=f"kyce_{secrets.token_hex(16)}",
            tenant_id=self.tenant_id,
            customer_id=str(response.json()["id"]),
            decision="approved",
            reason=None,
            occurred_at=now,
        )
        headers = {
            "Content-Type": "application/json",
            kyc.SIGNATURE_HEADER: kyc.sign_callback(body, now, secret=self.secret),
        }
        if httpx.post(kyc.callback_url(self.base_url), content=body, headers=headers, timeout=30).is_success:
            self.approved += 1


def onboard(credentials_file: Path, name: str = "Fuzzing partner") -> tuple[Credentials, str]:
    """A partner of its own for a run, onboarded in the running API's table as `localapi
    serve` onboards the sandbox's (one API key with every scope, one Ed25519 signing key,
    signatures required): what the fuzzer creates, lists and deletes stays in its tenant,
    and the sandbox partner's keys are out of its reach. Returns its credentials and tenant."""
    import boto3

    from core.platform.store import Store
    from localapi.dynamodb import DUMMY_CREDENTIALS, REGION
    from localapi.samples import seed_sample_world
    from localapi.sandbox import ALGORITHM, read_credentials, seed_sandbox

    document = read_credentials(credentials_file)
    client = boto3.client(
        "dynamodb",
        endpoint_url=str(document["dynamodbEndpoint"]),
        region_name=REGION,
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    store = Store(str(document["tableName"]), client=client)
    partner = seed_sandbox(store, name=name)
    # The customer, accounts and bank information the document's examples name.
    seed_sample_world(store, partner.tenant_id)
    credentials = Credentials(
        base_url=str(document["baseUrl"]),
        api_key=partner.api_key,
        signing_key_id=partner.signing_key_id,
        private_key_pem=partner.private_key_pem,
        algorithm=ALGORITHM,
    )
    return credentials, partner.tenant_id


def load_schema(base_url: str, *, config: Any) -> Any:
    """The served document as a schemathesis schema, without the excluded operations."""
    import schemathesis

    schema: Any = schemathesis.openapi.from_url(base_url.rstrip("/") + DOCUMENT_PATH, config=config)
    for operation_id in EXCLUDED:
        schema = schema.exclude(operation_id=operation_id)
    # The document names its servers (the local API's default port, a deployed stage); a
    # run targets the API it was given, whatever they say.
    if schema.get_base_url().rstrip("/") != base_url.rstrip("/"):
        raise RuntimeError(f"schemathesis would target {schema.get_base_url()}, not {base_url}")
    return schema


def configuration(
    base_url: str, *, examples: int, sequences: int, phases: Iterable[str], seed: int | None, workers: int
) -> Any:
    """schemathesis' configuration: `examples` generated cases per operation in the
    fuzzing phase (positive and negative together), `sequences` runs of linked calls in
    the stateful phase."""
    import schemathesis

    enabled = set(phases)
    settings: dict[str, Any] = {
        "base-url": base_url.rstrip("/"),
        "workers": workers,
        "generation": {"mode": "all", "max-examples": examples, "database": "none"},
        "phases": {
            **{name: {"enabled": name in enabled} for name in ("examples", "coverage", "fuzzing")},
            # Sequences of calls that follow the document's links, each up to `STATEFUL_STEPS` long.
            "stateful": {
                "enabled": "stateful" in enabled,
                "max-steps": STATEFUL_STEPS,
                "generation": {"max-examples": sequences},
                # The document's own links join each id to the operations that take it (by
                # its pattern). Dependency analysis guesses by names instead, and this API
                # has two resources called accounts whose ids differ in form (`acc_...`,
                # a ledger account's UUID): it would feed one's ids to the other's paths.
                "inference": {"algorithms": ["location-headers"]},
            },
        },
        "checks": {
            "enabled": False,
            **{name: {"enabled": True} for name in CHECKS},
            "positive_data_acceptance": {"enabled": True, "expected-statuses": list(EXPECTED_FOR_VALID_DATA)},
        },
        "request-timeout": 30,
        "suppress-health-check": ["all"],
    }
    if seed is not None:
        settings["seed"] = seed
    return schemathesis.Config.from_dict(settings)


def run(
    base_url: str,
    credentials_file: Path,
    *,
    examples: int,
    sequences: int,
    phases: Iterable[str] = ("examples", "coverage", "fuzzing", "stateful"),
    seed: int | None = None,
    workers: int = 1,
) -> FuzzReport:
    """Fuzz the API at `base_url` (started by `localapi serve`, whose `credentials_file`
    names its table) as a partner onboarded for the run.

    Hypothesis may end an operation's fuzzing phase before `examples` (it gives up after
    many generated cases that its strategies reject): such operations are fuzzed again,
    alone, with another seed, until each had `examples` or `TOP_UP_ROUNDS` are spent."""
    started = time.perf_counter()
    credentials, tenant_id = onboard(credentials_file)
    auth = SigningAuth(credentials)
    reviewer = SandboxReviewer(credentials_file, tenant_id)
    report = FuzzReport({}, [], dict(EXCLUDED), [], auth.signed, 0.0)
    failures: dict[tuple[str, str, str], Failure] = {}
    config = configuration(
        base_url, examples=examples, sequences=sequences, phases=phases, seed=seed, workers=workers
    )
    _execute(load_schema(base_url, config=config), auth, reviewer, report, failures)
    for round_ in range(1, TOP_UP_ROUNDS + 1):
        short = {
            label: examples - tally.by_phase["fuzzing"]
            for label, tally in report.operations.items()
            if tally.by_phase["fuzzing"] < examples
        }
        if "fuzzing" not in phases or not short:
            break
        config = configuration(
            base_url,
            examples=max(short.values()),
            sequences=1,
            phases=["fuzzing"],
            seed=None if seed is None else seed + round_,
            workers=workers,
        )
        schema = load_schema(base_url, config=config).include(name=sorted(short))
        _execute(schema, auth, reviewer, report, failures)
    report.failures = list(failures.values())
    report.seconds = time.perf_counter() - started
    return report


def _execute(
    schema: Any,
    auth: SigningAuth,
    reviewer: SandboxReviewer,
    report: FuzzReport,
    failures: dict[Any, Failure],
) -> None:
    from schemathesis import engine
    from schemathesis.engine import events

    schema.auth.set_from_requests(auth)
    schema.hooks.register_hook_with_name(_excuse_unstated_rules(report), "filter_failure")
    schema.hooks.register_hook_with_name(reviewer.after_call, "after_call")
    seen: set[str] = set()
    for event in engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _count(report, event, seen, failures)
        elif isinstance(event, events.NonFatalError):
            report.errors.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            report.errors.append(f"fatal: {event.exception!r}")


def _excuse_unstated_rules(report: FuzzReport) -> Any:
    """schemathesis' `filter_failure` hook: drops a positive_data_acceptance failure whose
    refusal a rule of `fuzz_exclusions.UNSTATED` explains (the server named that rule's
    parameter, and the request breaks the rule), counting it on the operation."""
    from schemathesis.openapi.checks import RejectedPositiveData

    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        if not isinstance(failure, RejectedPositiveData):
            return True
        try:
            error = response.json().get("error")
        except (ValueError, AttributeError):
            return True
        rule = fuzz_exclusions.excusing(response.status_code, error, fuzz_exclusions.sent_of(case))
        if rule is None:
            return True
        report.tally(case.operation.label).excused[rule.name] += 1
        return False

    return filter_failure


def _count(
    report: FuzzReport,
    event: Any,
    seen: set[str],
    failures: dict[tuple[str, str, str], Failure],
) -> None:
    from schemathesis.engine import Status

    recorder = event.recorder
    phase = str(event.phase.value if hasattr(event.phase, "value") else event.phase)
    # The examples phase skips an operation whose document shows no example: not an ending.
    benign = event.status == Status.SKIP and phase == "examples"
    if event.status not in (Status.SUCCESS, Status.FAILURE) and event.label and not benign:
        reason = f" ({event.skip_reason})" if event.skip_reason else ""
        report.tally(event.label).endings[f"{phase}: {event.status.value}{reason}"] += 1
    for case_id, node in recorder.cases.items():
        interaction = recorder.interactions.get(case_id)
        if case_id in seen or interaction is None:
            continue
        seen.add(case_id)
        tally = report.tally(node.value.operation.label)
        tally.requests += 1
        tally.by_phase[phase] += 1
        if interaction.response is None:
            tally.unanswered += 1
        else:
            tally.statuses[interaction.response.status_code] += 1
    for checks in recorder.checks.values():
        for check in checks:
            info = check.failure_info
            if info is None:
                continue
            failure = info.failure
            operation = failure.operation or recorder.label
            key = (operation, check.name, failure.title)
            report.tally(operation).failures[f"{check.name}: {failure.title}"] += 1
            failures.setdefault(
                key, Failure(operation, check.name, failure.title, failure.message, info.code_sample)
            )
