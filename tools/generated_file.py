"""Writing a generated file, or checking that the checked-in one is current (`--check`)."""

from __future__ import annotations

import sys
from pathlib import Path


def write_or_check(out: Path, text: str, *, check: bool, made_from: str) -> int:
    """Write `text` to `out` (0), or with `check` compare: 0 when equal, 1 (and why) when not."""
    if check:
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            print(f"{out} is not what {made_from} gives; re-run the import", file=sys.stderr)
            return 1
        return 0
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    return 0
