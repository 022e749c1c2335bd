"""SnapStart's hooks (core.platform.snapstart): registered only for a SnapStart init, and
present beside every lazy import of the layer, so a restored environment's first request
loads nothing (tests/integration/test_snapstart_fork.py checks that on real requests)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAYER = REPO / "layers" / "core" / "python"


def _lazy_imports(tree: ast.Module) -> set[str]:
    """Modules a function of `tree` imports (outside the layer's own `core`)."""
    found: set[str] = set()
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
    return {name for name in found if name.split(".")[0] not in ("core", "snapshot_restore_py", "botocore")}


def _warms(source: str) -> bool:
    return "snapstart.warm" in source or "snapstart.preload" in source


def test_every_module_with_a_lazy_import_warms_it_before_a_snapshot() -> None:
    unwarmed = {}
    for path in sorted((LAYER / "core").rglob("*.py")):
        if path.name == "snapstart.py":  # the hooks' own module
            continue
        source = path.read_text()
        lazy = _lazy_imports(ast.parse(source))
        if lazy and not _warms(source):
            unwarmed[str(path.relative_to(LAYER))] = sorted(lazy)
    assert unwarmed == {}


PROBE = """
import json, sys
sys.path[:0] = [sys.argv[1]]
import app
hooks = sys.modules.get("snapshot_restore_py")
print(json.dumps(None if hooks is None else
                 {"before": len(hooks.get_before_snapshot()), "after": len(hooks.get_after_restore())}))
"""


def _hooks(initialization_type: str | None) -> dict[str, int] | None:
    """The hooks a function's init registers (None: the hook library was never imported)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(LAYER),
        "TABLE_NAME": "partner-api-test",
        "CURSOR_SECRET": "test-cursor-secret-0123456789abcdef012345",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_LAMBDA_FUNCTION_NAME": "partner-api-test",
    }
    env.pop("AWS_LAMBDA_INITIALIZATION_TYPE", None)
    if initialization_type:
        env["AWS_LAMBDA_INITIALIZATION_TYPE"] = initialization_type
    code = str(REPO / "functions" / "customers" / "create")
    command = [sys.executable, "-c", PROBE, code]
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    result: dict[str, int] | None = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_an_init_without_snapstart_registers_nothing_and_imports_no_hook_library() -> None:
    assert _hooks(None) is None
    assert _hooks("on-demand") is None


def test_a_snapstart_init_registers_the_warm_and_renew_hooks() -> None:
    hooks = _hooks("snap-start")
    assert hooks is not None
    assert hooks["before"] >= 3  # the end of init, the pipeline's warm-up, pycountry's codes
    assert hooks["after"] == 1
