"""DEPLOY_DIGEST, the digest every function carries in its environment (template.yaml's
Globals): a hash of everything a deploy ships, the layer, the handlers and the template.

Why: the functions run as their `live` alias (AutoPublishAlias; SnapStart needs published
versions). SAM publishes a new version of a function when its own code, Environment,
MemorySize or SnapStart changes, and computes that before it resolves the layer's `Ref`:
a change to the layer alone, where almost all the code is, would leave every alias on its
old version (and old layer). With the digest in Environment, any change to what is
deployed publishes every function anew. `localapi deploy-digest --write` updates it;
tests/unit/test_deploy_digest.py fails while it is stale.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

VARIABLE = "DEPLOY_DIGEST"
_LINE = re.compile(rf'^(\s*{VARIABLE}: )"([0-9a-f]*)"$', re.MULTILINE)
# What a deploy ships: the layer's sources and build, the handlers, the template.
SOURCES = ("layers/core", "functions")
CACHES = "__pycache__"


def _files(root: Path) -> list[Path]:
    found = [
        path
        for source in SOURCES
        for path in (root / source).rglob("*")
        if path.is_file() and CACHES not in path.parts and path.suffix != ".pyc"
    ]
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def compute(root: Path) -> str:
    """The digest of the tree at `root` (16 hex digits), the digest line itself left out."""
    digest = hashlib.sha256()
    for path in _files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\x00" + path.read_bytes() + b"\x00")
    template = (root / "template.yaml").read_text(encoding="utf-8")
    digest.update(_LINE.sub(r'\1""', template).encode())
    return digest.hexdigest()[:16]


def written(root: Path) -> str | None:
    """The digest template.yaml holds, or None when it has no DEPLOY_DIGEST line."""
    found = _LINE.search((root / "template.yaml").read_text(encoding="utf-8"))
    return found.group(2) if found else None


def write(root: Path) -> bool:
    """Put the current digest in template.yaml; True when it changed."""
    path = root / "template.yaml"
    text = path.read_text(encoding="utf-8")
    updated = _LINE.sub(rf'\g<1>"{compute(root)}"', text)
    if updated == text:
        return False
    path.write_text(updated, encoding="utf-8")
    return True
