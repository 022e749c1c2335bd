"""The botocore our functions run on AWS: the layer's, trimmed by
layers/core/slim_botocore.py to the services the layer calls (the layer's Makefile runs it).

The layer itself is built for arm64, so its compiled wheels cannot be imported here;
botocore is pure Python, though, so the cold-start benchmark gives our handlers a copy
of the development virtualenv's botocore trimmed by the very same code, first on their
sys.path. The bare and reference handlers keep the stock botocore, as Lambda's bundled
boto3 would give them.
"""

from __future__ import annotations

import atexit
import compileall
import importlib.util
import shutil
import tempfile
from functools import cache
from pathlib import Path
from types import ModuleType

from bench_suite import ROOT

SLIM_SCRIPT = ROOT / "layers" / "core" / "slim_botocore.py"


def slim_module() -> ModuleType:
    """layers/core/slim_botocore.py (a build script, not a package) as a module."""
    spec = importlib.util.spec_from_file_location("slim_botocore", SLIM_SCRIPT)
    if spec is None or spec.loader is None:  # pragma: no cover - the file is in the repository
        raise ImportError(f"cannot load {SLIM_SCRIPT}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def deployed_dir() -> Path:
    """A temporary folder holding a trimmed copy of botocore, bytecode compiled (removed
    at exit): put it first on a handler's sys.path."""
    import botocore

    slim = slim_module()
    source = Path(botocore.__file__).parent
    folder = Path(tempfile.mkdtemp(prefix="bench-layer-botocore-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    data = source / "data"

    def skipped(directory: str, names: list[str]) -> list[str]:
        # Not copying what slim() would remove anyway: ~450 folders of service data.
        if Path(directory) == data:
            return [name for name in names if (data / name).is_dir() and name not in slim.SERVICES]
        return [name for name in names if name == "__pycache__"]

    target = folder / "botocore"
    shutil.copytree(source, target, ignore=skipped)
    slim.slim(target)
    compileall.compile_dir(target, quiet=1)
    return folder
