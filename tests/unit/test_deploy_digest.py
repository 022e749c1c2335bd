"""DEPLOY_DIGEST in template.yaml is the digest of what a deploy ships (local/localapi/
deploy_digest.py): stale, a layer-only change would leave every `live` alias on its old
version."""

from __future__ import annotations

from pathlib import Path

from localapi import deploy_digest

REPO = Path(__file__).resolve().parents[2]


def test_the_template_holds_the_digest_of_this_tree() -> None:
    assert deploy_digest.written(REPO) == deploy_digest.compute(REPO), (
        "template.yaml's DEPLOY_DIGEST is stale: run `.venv/bin/localapi deploy-digest --write`"
    )


def test_the_digest_changes_with_the_layer_and_not_with_itself(tmp_path: Path) -> None:
    for name in ("template.yaml",):
        (tmp_path / name).write_text((REPO / name).read_text())
    (tmp_path / "layers/core/python/core").mkdir(parents=True)
    (tmp_path / "functions/x").mkdir(parents=True)
    module = tmp_path / "layers/core/python/core/rule.py"
    module.write_text("LIMIT = 1\n")
    first = deploy_digest.compute(tmp_path)
    assert deploy_digest.write(tmp_path)
    assert deploy_digest.compute(tmp_path) == first  # writing the digest does not change it
    module.write_text("LIMIT = 2\n")
    assert deploy_digest.compute(tmp_path) != first
