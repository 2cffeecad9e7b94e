"""The layer contract (docs/architecture.md) holds, and an upward import would break it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(cwd)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def contract_layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    [contract] = config["tool"]["importlinter"]["contracts"]
    return list(contract["layers"])


def test_the_apps_keep_their_layers() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_the_contract_lists_every_app_and_allows_no_exception() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    [contract] = config["tool"]["importlinter"]["contracts"]
    assert contract["exhaustive"] is True
    assert "ignore_imports" not in contract
    assert "unmatched_ignore_imports_alerting" not in contract
    listed = {name.strip("() ") for layer in contract["layers"] for name in layer.split("|")}
    apps = {p.name for p in (ROOT / "campus").iterdir() if (p / "__init__.py").exists()}
    assert apps <= listed


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("core/roles.py", "campus.people.models"),
        ("people/models.py", "campus.registrations.capacity"),
        ("scheduling/services.py", "campus.notifications.notices"),
        ("registrations/services.py", "campus.portal.views"),
    ],
)
def test_an_upward_import_breaks_the_contract(tmp_path: Path, importer: str, imported: str) -> None:
    shutil.copytree(
        ROOT / "campus", tmp_path / "campus", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / "campus" / importer).open("a") as module:
        module.write(f"\nimport {imported}  # noqa: E402\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    low = importer.split("/")[0]
    high = imported.split(".")[1]
    assert f"campus.{low} is not allowed to import campus.{high}" in result.stdout


def test_the_architecture_document_lists_the_same_layers() -> None:
    """docs/architecture.md shows the contract's layers, top to bottom, in a code block."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    block = re.search(r"<!-- layers -->\n```\n(.*?)```", text, re.S)
    assert block is not None, "docs/architecture.md has no <!-- layers --> block"
    documented = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert [line for line in documented if line] == contract_layers()
