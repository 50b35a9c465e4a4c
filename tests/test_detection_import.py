"""The detection signatures are generated (tools/import_detection_signatures.py) and current."""

from __future__ import annotations

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
    reason=f"the fact sheet is not at {SIGNALS} (set KGAPI_DETECTION_SIGNALS)",
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
