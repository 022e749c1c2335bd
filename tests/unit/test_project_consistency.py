"""The places that must agree with each other do."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_layer_requirements_match_the_runtime_dependencies() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    layer = [
        line.strip()
        for line in (ROOT / "layers/core/requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert sorted(declared) == sorted(layer)


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make run" in readme
    assert "make test" in (ROOT / ".ci/run").read_text()


def test_the_deployed_route_table_matches_template_yaml() -> None:
    """core/platform/routes.json is generated (`localapi routes --write`); it must not drift."""
    from localapi.main import route_table_json
    from localapi.template import load_template

    committed = (ROOT / "layers/core/python/core/platform/routes.json").read_text()
    assert committed == route_table_json(load_template(ROOT / "template.yaml")), (
        "run `.venv/bin/localapi routes --write`"
    )
