"""The catch-all route's 404 / 405 answers: which methods a path allows.

`routes.json` is generated from template.yaml (`localapi routes --write`; a unit test
fails when it drifts), so the deployed catch-all function knows the route table without
a second hand-kept list.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import NoReturn

from core.platform.errors import MethodNotAllowed, ResourceMissing
from core.platform.http import Request

ROUTES_FILE = Path(__file__).with_name("routes.json")


def compile_path(path: str) -> re.Pattern[str]:
    """`/v1/signing-keys/{keyId}` -> a regex over the raw path (`{name+}` is greedy)."""
    parts = []
    for segment in path.strip("/").split("/"):
        param = re.fullmatch(r"\{([A-Za-z0-9_]+)(\+?)\}", segment)
        if param is None:
            parts.append(re.escape(segment))
        else:
            parts.append(f"(?P<{param.group(1)}>{'.+' if param.group(2) else '[^/]+'})")
    return re.compile("/" + "/".join(parts))


@lru_cache(maxsize=1)
def _table() -> tuple[tuple[str, re.Pattern[str]], ...]:
    entries = json.loads(ROUTES_FILE.read_text())
    return tuple((entry["method"], compile_path(entry["path"])) for entry in entries)


def allowed_methods(raw_path: str) -> list[str]:
    """The methods of every route whose path matches; empty when the path is unknown."""
    return sorted({method for method, pattern in _table() if pattern.fullmatch(raw_path)})


def not_found(request: Request) -> NoReturn:
    """405 with `Allow` when the path exists with other methods, else 404."""
    allowed = allowed_methods(request.raw_path)
    if allowed:
        raise MethodNotAllowed(
            f"{request.method} is not allowed on {request.raw_path}.", headers={"Allow": ", ".join(allowed)}
        )
    raise ResourceMissing(f"Unrecognized request URL ({request.method} {request.raw_path}).")
