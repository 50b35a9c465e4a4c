"""Code structure the tests hold: the type marker, the layering contracts, no import circle.

Lint, formatting and types run before pytest, in the README's test command (ruff, mypy).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_package_ships_its_type_marker() -> None:
    assert (ROOT / "kgapi" / "py.typed").is_file()


def test_import_contracts_hold() -> None:
    """The layering (pyproject's [tool.importlinter]), checked on the parsed imports."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_every_core_module_is_under_the_contract() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    listed = set(config["contracts"][0]["source_modules"])
    modules = {
        f"kgapi.{path.stem}"
        for path in (ROOT / "kgapi").glob("*.py")
        if path.stem not in ("__init__", "cli")
    } | {f"kgapi.{path.parent.name}" for path in (ROOT / "kgapi").glob("*/__init__.py")}
    assert modules - {"kgapi.web", "kgapi.cli"} == listed


def test_no_two_modules_share_a_name() -> None:
    """A name says what a module is, once: `web/sparql_endpoint.py`, not a second `sparql`."""
    names = [path.stem for path in (ROOT / "kgapi").rglob("*.py") if path.stem != "__init__"]
    packages = [path.parent.name for path in (ROOT / "kgapi").rglob("__init__.py")]
    every = names + packages
    assert sorted({name for name in every if every.count(name) > 1}) == []


def test_no_import_circle() -> None:
    import grimp
    import networkx as nx

    graph = grimp.build_graph("kgapi", exclude_type_checking_imports=True)
    imports = nx.DiGraph(
        (module, imported)
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("kgapi")
    )
    assert imports.number_of_edges() > 50  # the graph was read
    assert list(nx.simple_cycles(imports)) == []


def test_the_architecture_drawing_is_what_the_imports_draw() -> None:
    """`docs/architecture.gv` (and the README's drawing of it) is drawn from the imports: a
    change of layering, a package or its docstring's first sentence must be drawn again."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "architecture.py"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_paused_collector_runs_again_and_leaves_frozen_objects_frozen() -> None:
    """`collector_paused` lets the collector run again afterwards (unless it was off before),
    tenures what the block made without walking the heap, and never thaws what a process froze
    before forking (the server's app processes rely on that)."""
    import gc

    from kgapi.processes import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            made = [[] for _ in range(1000)]
        assert not gc.isenabled()  # the inner block leaves it as it found it
    assert gc.isenabled() and gc.get_count()[0] < 1000 and made
    del made
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            kept = [[] for _ in range(1000)]
        # Thawed, the count would be 0; it may fall a little as frozen objects are freed (the
        # process runs other tests), and never grows by what the block made.
        assert gc.isenabled() and 0 < gc.get_freeze_count() <= frozen and kept
    finally:
        gc.unfreeze()
