"""Lint, formatting and types are part of the test suite, so the one test command checks them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_lint_passes() -> None:
    result = run_tool("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_applied() -> None:
    result = run_tool("ruff", "format", "--check", "kgapi", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_passes_on_the_package() -> None:
    result = run_tool("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_ships_its_type_marker() -> None:
    assert (ROOT / "kgapi" / "py.typed").is_file()


def test_core_modules_never_import_flask() -> None:
    core = list((ROOT / "kgapi").glob("*.py"))
    assert core, "no core modules found"
    offenders = [
        p.name
        for p in core
        if any(
            line.strip().startswith(("import flask", "from flask"))
            for line in p.read_text().splitlines()
        )
    ]
    assert offenders == []
