"""Where the W3C SPARQL 1.1 test suites are: $KGAPI_W3C_TESTS (as .ci/run sets it), else
../shared/w3c-tests beside the checkout. Tests never copy them; where absent they skip."""

from __future__ import annotations

import os
from pathlib import Path

from kgapi.settings import PROJECT_ROOT


def w3c_root() -> Path:
    configured = os.environ.get("KGAPI_W3C_TESTS")
    return Path(configured) if configured else PROJECT_ROOT.parent / "shared" / "w3c-tests"


def w3c_suite(name: str) -> Path | None:
    """The directory of one suite (`protocol`, `syntax`, `update`, …), or None when absent."""
    directory = w3c_root() / name
    return directory if directory.is_dir() else None
