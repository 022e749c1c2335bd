"""The import contracts of `make lint` hold on the real tree and break, naming the
import, on a scratch copy with deliberately wrong imports."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports with the project's contracts over `tree` (a copy of the repository's
    code), the copy first on the path so that its modules are the ones analysed."""
    folders = (tree / "layers/core/python", tree / "sdk", ROOT / "local", tree)
    path = os.pathsep.join(str(folder) for folder in folders)
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache", str(tree / "pyproject.toml")],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": path, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for folder in ("layers/core/python/core", "functions", "sdk/partner_sdk"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def append(path: Path, line: str) -> None:
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_contracts_hold_on_the_copied_tree(tree: Path) -> None:
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_platform_module_importing_a_family_breaks_the_layering(tree: Path) -> None:
    append(tree / "layers/core/python/core/platform/clock.py", "from core.customers import customers")
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "the platform imports no family: core.platform.clock -> core.customers.customers" in result.stdout


def test_a_family_importing_an_undeclared_family_breaks_the_layering(tree: Path) -> None:
    # ingestion may import customers (declared); customers may not import ingestion.
    append(tree / "layers/core/python/core/ingestion/records.py", "from core.customers import customers")
    append(tree / "layers/core/python/core/customers/siwe.py", "from core.ingestion import records")
    result = lint_imports(tree)
    assert result.returncode == 1
    expected = "core.customers does not declare core.ingestion: core.customers.siwe -> core.ingestion.records"
    assert expected in result.stdout
    assert "core.ingestion.records ->" not in result.stdout


def test_an_undeclared_package_in_the_layer_breaks_the_layering(tree: Path) -> None:
    package = tree / "layers/core/python/core/treasury"
    package.mkdir()
    (package / "__init__.py").write_text('"""Treasury."""\n')
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "core.treasury is neither the platform nor a declared family" in result.stdout


def test_a_handler_importing_past_the_pipeline_breaks_the_handlers_contract(tree: Path) -> None:
    append(tree / "functions/signing_keys/list/app.py", "from core.platform import store")
    append(tree / "functions/customers/get/app.py", "from core.ingestion import bank_accounts")
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "functions.signing_keys.list.app -> core.platform.store" in result.stdout
    assert "functions.customers.get.app -> core.ingestion.bank_accounts" in result.stdout


def test_a_function_folder_without_an_owner_breaks_the_handlers_contract(tree: Path) -> None:
    folder = tree / "functions/treasury/get"
    folder.mkdir(parents=True)
    (folder / "app.py").write_text("from core.platform.pipeline import endpoint\n")
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "functions.treasury has no owning family" in result.stdout


def test_sdk_imports_against_its_layers_break_the_sdk_contracts(tree: Path) -> None:
    append(tree / "sdk/partner_sdk/resources/customers.py", "from partner_sdk.cli import _common")
    append(tree / "sdk/partner_sdk/cli/customers.py", "from partner_sdk.cli import events")
    append(tree / "sdk/partner_sdk/signing.py", "import typer")
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "partner_sdk.resources.customers -> partner_sdk.cli._common" in result.stdout
    assert "partner_sdk.cli.customers -> partner_sdk.cli.events" in result.stdout
    assert "partner_sdk.signing -> typer" in result.stdout
