"""Lambda SnapStart emulated the way Lambda does it: one interpreter initialises a function
(imports its handler with `AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`, so the layer
registers its hooks, then runs the before-snapshot hooks in Lambda's order), and every
"restored environment" is a fork of that process, which runs the after-restore hooks and
then serves requests. A fork copies memory as a snapshot restore does: whatever was not
renewed (random state, generator counters, caches) is the same in every child.

Used by the fork test (tests/integration/test_snapstart_fork.py) and the benchmark
(`bench --only restore`). Each child reports, per request, its status, body, CPU time
(`time.thread_time`), minor page faults and the modules it imported; then samples of
everything that must be unique per environment.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from localapi.process import ROOT

LAYER = ROOT / "layers" / "core" / "python"

_PROBE = r"""
import json, os, random, resource, sys, time

spec = json.load(open(sys.argv[1]))
sys.path[:0] = [spec["function"], spec["layer"]]
import app
import snapshot_restore_py

for fn, args, kwargs in reversed(snapshot_restore_py.get_before_snapshot()):
    fn(*args, **kwargs)


def serve(events):
    # One restored environment: the after-restore hooks, then the events, in order.
    if spec["restore_hooks"]:
        for fn, args, kwargs in snapshot_restore_py.get_after_restore():
            fn(*args, **kwargs)
    served = []
    for index, event in enumerate(events):
        if index in spec["empty_key_cache_at"]:
            from core.platform import auth
            auth.CACHE._items.clear()
        before = set(sys.modules)
        faults = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
        started = time.thread_time()
        out = app.lambda_handler(event, None)
        cpu_ms = (time.thread_time() - started) * 1000
        served.append({"status": out["statusCode"], "body": out.get("body") or "", "cpuMs": cpu_ms,
                       "pageFaults": resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - faults,
                       "imported": sorted(set(sys.modules) - before)})
    import secrets
    from core.platform import auth, ids
    from core.ledger import hierarchy
    from core.customers import siwe
    samples = {"id": ids.new_id("cus"), "uuid7": hierarchy.new_uuid(),
               "random": repr(random.random()), "token": secrets.token_hex(16),
               "nonce": siwe.new_nonce(), "apiKey": auth.new_api_key("ptn_x", "test")}
    return {"served": served, "samples": samples}


reports = []
for events in spec["children"]:
    if not spec["fork"]:
        reports.append(serve(events))
        continue
    read_end, write_end = os.pipe()
    state = random.getstate()
    pid = os.fork()
    if pid == 0:  # a restored environment
        # CPython reseeds `random` in a forked child (os.register_at_fork); a snapshot
        # restore runs no such handler, so the child starts from the parent's state.
        random.setstate(state)
        os.close(read_end)
        try:
            os.write(write_end, json.dumps(serve(events)).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    reports.append(json.loads(b"".join(chunks) or b"null"))
print("REPORTS " + json.dumps(reports))
"""


@dataclass(frozen=True)
class Served:
    status: int
    body: str
    cpu_ms: float  # the thread's CPU time, user and kernel (page faults included)
    page_faults: int  # minor faults: after a fork (or a restore), each first write to a page
    imported: list[str]


@dataclass(frozen=True)
class Restored:
    """One environment restored from the snapshot."""

    served: list[Served]
    samples: dict[str, str]


def restore(
    function: str,
    env: Mapping[str, str],
    children: Sequence[Sequence[Mapping[str, Any]]],
    *,
    restore_hooks: bool = True,
    fork: bool = True,
    empty_key_cache_at: Sequence[int] = (),
    timeout: float = 120.0,
) -> list[Restored]:
    """Initialise `function` (a folder under functions/, e.g. `customers/create`) once with
    `env`, snapshot it, and restore one child per entry of `children`, which serves those
    events in order. `restore_hooks=False` skips the after-restore hooks (what the layer
    would do without them). `fork=False` serves one child's events in the initialised
    process itself: the same init and hooks, no copy-on-write pages (what a first request
    costs apart from the restore's page faults). `empty_key_cache_at`: the indexes of the
    events before which the API key cache is emptied (a warm request that reads its key)."""
    spec = {
        "function": str(ROOT / "functions" / function),
        "layer": str(LAYER),
        "children": [list(events) for events in children],
        "restore_hooks": restore_hooks,
        "fork": fork,
        "empty_key_cache_at": list(empty_key_cache_at),
    }
    environment = {
        **env,
        "AWS_LAMBDA_FUNCTION_NAME": f"partner-api-{function.replace('/', '-')}",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start",
        "PYTHONPATH": "",
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json") as file:
        json.dump(spec, file)
        file.flush()
        out = subprocess.run(
            [sys.executable, "-c", _PROBE, file.name],
            capture_output=True,
            text=True,
            env=environment,
            timeout=timeout,
            check=False,
        )
    line = next((x for x in out.stdout.splitlines() if x.startswith("REPORTS ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"the snapshot process failed ({out.returncode}):\n{out.stderr[-4000:]}")
    reports = json.loads(line.removeprefix("REPORTS "))
    if any(report is None for report in reports):
        raise RuntimeError(f"a restored child reported nothing:\n{out.stderr[-4000:]}")
    return [
        Restored(
            [Served(s["status"], s["body"], s["cpuMs"], s["pageFaults"], s["imported"]) for s in r["served"]],
            r["samples"],
        )
        for r in reports
    ]


class World:
    """What restored functions serve requests against: moto's DynamoDB on loopback (a
    thread of this process; the snapshot process reaches it over HTTP) with template.yaml's
    table, one sandbox partner with an Ed25519 signing key, and the sample world
    (`localapi.samples`) its sample events name."""

    TABLE = "partner-api-restore"
    CURSOR_SECRET = "restore-cursor-secret-0123456789abcdef0123"  # noqa: S105 (a sandbox table)
    KYC_SECRET = "restore-kyc-sandbox-secret-0123456789abcdef"  # noqa: S105

    def __init__(self) -> None:
        import botocore.session
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519

        from core.partners import onboarding
        from core.platform.store import Store
        from localapi.dynamodb import DUMMY_CREDENTIALS, REGION, LocalDynamoDB
        from localapi.samples import seed_sample_world
        from localapi.template import load_template

        self.template = load_template()
        self.dynamodb = LocalDynamoDB()
        self.endpoint = self.dynamodb.start()
        self.dynamodb.create_table(self.TABLE, self.template)
        client = botocore.session.get_session().create_client(
            "dynamodb",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        self.store = Store(self.TABLE, client)
        tenant = onboarding.create_partner(self.store, "Restore Partner", mode="test")
        self.tenant_id = str(tenant["id"])
        item, self.api_key = onboarding.issue_api_key(self.store, self.tenant_id)
        private = ed25519.Ed25519PrivateKey.generate()
        public = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        key = onboarding.add_signing_key(
            self.store, self.tenant_id, item["keyId"], public.decode(), "ed25519"
        )
        self.signing_key_id = str(key["id"])
        self.private_pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        seed_sample_world(self.store, self.tenant_id)

    def event(
        self, name: str, *, body: Mapping[str, Any] | None = None, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """The sample event `name` (events/), its JSON body updated with `body`, signed now;
        a write gets a fresh Idempotency-Key unless one is given."""
        import uuid

        from localapi.events import load_event, sign_event

        event = load_event(name)
        if body:
            event["body"] = json.dumps({**json.loads(event.get("body") or "{}"), **body})
        method = str(event["requestContext"]["http"]["method"])
        if method in ("POST", "PATCH", "PUT", "DELETE"):
            event.setdefault("headers", {})["idempotency-key"] = idempotency_key or str(uuid.uuid4())
        return sign_event(
            event, api_key=self.api_key, signing_key_id=self.signing_key_id, private_key_pem=self.private_pem
        )

    def environment(self, function: str) -> dict[str, str]:
        """The function's environment from template.yaml, pointed at this DynamoDB."""
        import os

        from localapi import webhooks
        from localapi.dynamodb import DUMMY_CREDENTIALS, REGION
        from localapi.template import function_environment

        logical_id = next(
            name
            for name, props in self.template.functions().items()
            if str(props.get("CodeUri", "")).rstrip("/") == f"functions/{function}"
        )
        overrides = {
            **webhooks.overrides(),
            "Table": self.TABLE,
            "CursorSecret": self.CURSOR_SECRET,
            "KycSandboxSecret": self.KYC_SECRET,
        }
        return {
            **function_environment(self.template, logical_id, overrides),
            **DUMMY_CREDENTIALS,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL_DYNAMODB": self.endpoint,
            "PATH": os.environ.get("PATH", ""),
        }

    def close(self) -> None:
        self.dynamodb.stop()
