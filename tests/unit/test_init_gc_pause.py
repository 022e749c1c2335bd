"""The garbage collector paused during a Lambda init (core/__init__.py): paused only on
Lambda, resumed (and what init built frozen) by the first runtime() or first unrouted
request, and never paused elsewhere. Each case is a fresh process, as an init is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAYER = REPO / "layers" / "core" / "python"

PROBE = """
import gc, json, sys
sys.path[:0] = [sys.argv[1]]
seen = {"before": gc.isenabled()}
import app
seen["after_import"] = gc.isenabled()
seen["frozen_after_import"] = gc.get_freeze_count()
"""


def _run(function: str, then: str, *, lambda_env: bool) -> dict[str, object]:
    env = {
        **os.environ,
        "PYTHONPATH": str(LAYER),
        "TABLE_NAME": "partner-api-test",
        "CURSOR_SECRET": "test-cursor-secret-0123456789abcdef012345",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    env.pop("AWS_LAMBDA_FUNCTION_NAME", None)
    if lambda_env:
        env["AWS_LAMBDA_FUNCTION_NAME"] = "partner-api-test"
    script = PROBE + then + "\nprint(json.dumps(seen))\n"
    code_dir = str(REPO / "functions" / function)
    out = subprocess.run(
        [sys.executable, "-c", script, code_dir], capture_output=True, text=True, env=env, check=True
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


RUNTIME = """
from core.platform import pipeline
pipeline.runtime()
seen["after_runtime"] = gc.isenabled()
seen["frozen_after_runtime"] = gc.get_freeze_count()
import core
core.end_of_init()  # a second call changes nothing
seen["frozen_after_second_call"] = gc.get_freeze_count()
"""


def test_a_lambda_init_pauses_the_collector_until_the_runtime_is_built() -> None:
    seen = _run("signing_keys/list", RUNTIME, lambda_env=True)
    assert seen["before"] is True
    assert seen["after_import"] is False
    assert seen["frozen_after_import"] == 0
    assert seen["after_runtime"] is True
    frozen = seen["frozen_after_runtime"]
    assert isinstance(frozen, int) and frozen > 10_000  # the modules, classes and client of init
    assert seen["frozen_after_second_call"] == frozen


def test_the_first_unrouted_request_ends_the_init_of_a_function_without_a_runtime() -> None:
    request = """
seen["mid"] = gc.isenabled()
answer = app.lambda_handler({"version": "2.0", "routeKey": "$default", "rawPath": "/nowhere",
    "rawQueryString": "", "headers": {}, "requestContext": {"requestId": "r1",
    "http": {"method": "GET", "path": "/nowhere"}}, "isBase64Encoded": False})
seen["status"] = answer["statusCode"]
seen["after_request"] = gc.isenabled()
seen["frozen"] = gc.get_freeze_count()
"""
    seen = _run("service/not_found", request, lambda_env=True)
    assert (seen["mid"], seen["status"], seen["after_request"]) == (False, 404, True)
    frozen = seen["frozen"]
    assert isinstance(frozen, int) and frozen > 0


def test_outside_lambda_the_collector_is_never_paused() -> None:
    seen = _run("signing_keys/list", RUNTIME, lambda_env=False)
    assert (seen["before"], seen["after_import"], seen["after_runtime"]) == (True, True, True)
    assert seen["frozen_after_runtime"] == 0  # nothing frozen either
