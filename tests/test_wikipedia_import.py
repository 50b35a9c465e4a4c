"""The import of Wikipedia's comparison tables (tools/import_wikipedia_tables.py): reproducible,
deterministic, every row and cell decided by the curation files, curated values winning."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kgapi.settings import PROJECT_ROOT

TOOL = PROJECT_ROOT / "tools" / "import_wikipedia_tables.py"
TABLES = Path(
    os.environ.get(
        "KGAPI_WIKIPEDIA_TABLES",
        PROJECT_ROOT.parent / "shared" / "reference" / "wikipedia-tables",
    )
)

pytestmark = pytest.mark.skipif(
    not TABLES.is_dir(),
    reason=f"Wikipedia tables not found at {TABLES} (set KGAPI_WIKIPEDIA_TABLES)",
)


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOL), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_checked_in_output_is_what_the_tables_give() -> None:
    result = run("--tables", TABLES, "--check")
    assert result.returncode == 0, result.stderr


def test_the_import_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "first.ttl", tmp_path / "second.ttl"
    assert run("--tables", TABLES, "--out", first).returncode == 0
    assert run("--tables", TABLES, "--out", second).returncode == 0
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == (PROJECT_ROOT / "ontology" / "wikipedia.ttl").read_bytes()


def test_a_changed_table_makes_the_check_fail(tmp_path: Path) -> None:
    tables = tmp_path / "tables"
    shutil.copytree(TABLES, tables)
    path = tables / "os-level.csv"
    text = path.read_text(encoding="utf-8").replace(
        "Only in experimental mode with CRIU", "Yes (since 1.10)"
    )
    path.write_text(text, encoding="utf-8")
    result = run("--tables", tables, "--check")
    assert result.returncode == 1
    assert "re-run the import" in result.stderr


def _append_row(path: Path, values: dict[str, str]) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow([values.get(column, "") for column in header])


def test_a_row_nobody_reconciled_stops_the_import_naming_it(tmp_path: Path) -> None:
    tables = tmp_path / "tables"
    shutil.copytree(TABLES, tables)
    _append_row(tables / "os-level.csv", {"Mechanism": "Brand-new Jail", "status": "maintained"})
    result = run("--tables", tables, "--out", tmp_path / "out.ttl")
    assert result.returncode == 2
    assert "os-level.csv: row 'Brand-new Jail' is not in wikipedia-names.csv" in result.stderr
    assert not (tmp_path / "out.ttl").exists()


def test_a_feature_cell_nobody_decided_stops_the_import_naming_it(tmp_path: Path) -> None:
    tables = tmp_path / "tables"
    shutil.copytree(TABLES, tables)
    _append_row(tables / "os-level.csv", {"Mechanism": "LXC", "Copy on write": "Sometimes"})
    result = run("--tables", tables, "--out", tmp_path / "out.ttl")
    assert result.returncode == 2
    assert "column 'Copy on write': cell 'Sometimes'" in result.stderr
