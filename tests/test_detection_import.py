"""The detection signatures: every signal of the fact sheet is one, and the generated file
(tools/import_detection_signatures.py) is current. Both read the shared fact sheet; where it is
absent (a checkout without ../shared) they skip and say where they looked."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kgapi.settings import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "tools" / "import_detection_signatures.py"
SIGNALS = Path(
    os.environ.get(
        "KGAPI_DETECTION_SIGNALS",
        PROJECT_ROOT.parent / "shared/reference/virtualization-detection/signals.csv",
    )
)
pytestmark = pytest.mark.skipif(
    not SIGNALS.is_file(),
    reason=f"the detection fact sheet is not at {SIGNALS}: set KGAPI_DETECTION_SIGNALS",
)


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--signals", str(SIGNALS), *arguments],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_checked_in_file_is_what_the_curated_table_gives() -> None:
    result = run("--check")
    assert result.returncode == 0, result.stderr


def test_a_stale_file_is_caught_and_rewritten_the_same(tmp_path: Path) -> None:
    out = tmp_path / "detection.ttl"
    out.write_text("# stale\n", encoding="utf-8")
    assert run("--out", str(out), "--check").returncode == 1
    assert run("--out", str(out)).returncode == 0
    checked_in = (PROJECT_ROOT / "ontology" / "detection.ttl").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == checked_in


def test_every_signal_of_the_fact_sheet_is_a_signature() -> None:
    table = PROJECT_ROOT / "ontology" / "import" / "detection-signatures.csv"
    with table.open(encoding="utf-8") as handle:
        covered = {int(row["signal"]) for row in csv.DictReader(handle)}
    with SIGNALS.open(encoding="utf-8") as handle:
        signals = set(range(sum(1 for _ in csv.DictReader(handle))))
    assert covered == signals
