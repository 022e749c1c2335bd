"""The reference handler of the cold-start comparison (bench/reference_handler/app.py),
and what its process sees, as Lambda would show it.

Deployed the common way, the reference ships Powertools with its tracer extra, pydantic
and boto3 (which the Lambda runtime provides), and nothing else. That matters: Powertools'
Tracer patches every library X-Ray supports that it can import (`patch_all`), so in this
virtualenv it would also import httpx and requests, which such a deployment never holds.
The reference process therefore imports from a folder of links to those distributions
and their dependencies only (site-packages is left off its sys.path), and runs with the
environment variables Lambda sets, so its Tracer is enabled as in a real container.
"""

from __future__ import annotations

import atexit
import importlib.metadata
import re
import shutil
import tempfile
from functools import cache
from pathlib import Path

from bench_suite import ROOT, TABLE

REFERENCE_HANDLER_DIR = ROOT / "bench" / "reference_handler"
# What the reference's deployment holds: requirements.txt `aws-lambda-powertools[tracer]`
# and `pydantic`; boto3 stands for the copy in the Lambda runtime.
DISTRIBUTIONS = ("aws-lambda-powertools", "aws-xray-sdk", "pydantic", "boto3")
_NAME = re.compile(r"^[A-Za-z0-9._-]+")


def closure(roots: tuple[str, ...] = DISTRIBUTIONS) -> list[str]:
    """The installed distributions `roots` need, extras left out."""
    seen: dict[str, None] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue  # a dependency for another platform or Python version
        seen[key] = None
        for requirement in requires:
            marker = requirement.partition(";")[2]
            match = _NAME.match(requirement.strip())
            if match and "extra" not in marker:
                pending.append(match.group(0))
    return sorted(seen)


def _top_level(distribution: importlib.metadata.Distribution) -> set[str]:
    names = set()
    for file in distribution.files or []:
        first = file.parts[0]
        if first not in ("..", "__pycache__") and not first.endswith(".pth"):
            names.add(first)
    return names


@cache
def deployment_dir() -> Path:
    """A temporary folder of links to the reference's distributions (removed at exit)."""
    folder = Path(tempfile.mkdtemp(prefix="bench-reference-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for name in closure():
        distribution = importlib.metadata.distribution(name)
        for entry in _top_level(distribution):
            target = Path(str(distribution.locate_file(entry)))
            if target.exists() and not (folder / entry).exists():
                (folder / entry).symlink_to(target, target_is_directory=target.is_dir())
    return folder


def lambda_environment(memory_mb: int) -> dict[str, str]:
    """What Lambda sets in a function's environment, and what the handler reads."""
    return {
        "LAMBDA_TASK_ROOT": str(REFERENCE_HANDLER_DIR),
        "AWS_LAMBDA_FUNCTION_NAME": "bench-reference",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "POWERTOOLS_SERVICE_NAME": "reference",
        "POWERTOOLS_METRICS_NAMESPACE": "Reference",
        "TABLE_NAME": TABLE,
    }
