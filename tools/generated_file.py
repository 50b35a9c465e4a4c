"""The generators' common part: their arguments, and writing the generated file or checking that
the checked-in one is current (`--check`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def generator_arguments(
    argv: list[str] | None,
    *,
    description: str,
    source: str,
    environment: str,
    default_source: Path,
    default_out: Path,
) -> argparse.Namespace:
    """`--<source>` (the input; default ${environment}, else `default_source`), `--out` and
    `--check`; the input is `.source` on the result."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        f"--{source}",
        dest="source",
        type=Path,
        default=Path(os.environ.get(environment, default_source)),
        help=f"the input (default: ${environment}, else {default_source})",
    )
    parser.add_argument("--out", type=Path, default=default_out, help="the file to write")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the output file is not what the input gives"
    )
    return parser.parse_args(argv)


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
