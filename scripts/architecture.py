"""Draw kgapi's packages and the imports between them, from the code itself.

Reads the import graph (grimp, the library import-linter checks the layers with), folds it into
one node per package of `kgapi` (the top-level modules together), labels each node with the
first sentence of its docstring and its number of modules (not of lines, which every edit
changes; the top-level modules' edges are left out: every package imports them), and writes
Graphviz DOT to `docs/architecture.gv` and, with `dot` on the PATH, the drawing to
`docs/architecture.svg`. The README shows the drawing; a test runs `--check`, which says
whether the DOT file is what the code draws now. Usage:

    python scripts/architecture.py [--check]
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
DOT = ROOT / "docs" / "architecture.gv"
SVG = ROOT / "docs" / "architecture.svg"
BASE = "settings, parameters, processes, rendering"
# Top to bottom, as import-linter's layers contract has them (`pyproject.toml`).
RANKS = [["cli"], ["web"], ["export", "identify", "curation"], ["read"], ["sparql"], ["graph"]]
RANKS += [["reasoning"], [BASE]]


def package_of(module: str) -> str:
    parts = module.split(".")
    package = ROOT / "kgapi" / parts[1] if len(parts) > 1 else None
    return parts[1] if package is not None and package.is_dir() else BASE


def summary(package: str) -> str:
    """The first sentence of the package's docstring (its own words for what it holds)."""
    if package == BASE:
        return (
            "settings, the one parameter reader, processes that die with their parent, terms as"
            " text (every package imports them)"
        )
    doc = importlib.import_module(f"kgapi.{package}").__doc__ or ""
    first = " ".join(doc.split())
    for end in (": ", ". "):
        first = first.split(end, 1)[0]
    return first.rstrip(".")


def draw() -> str:
    # As import-linter reads them (`exclude_type_checking_imports` in pyproject.toml).
    graph = grimp.build_graph("kgapi", exclude_type_checking_imports=True)
    modules = sorted(m for m in graph.modules if m != "kgapi")
    sizes: dict[str, int] = {}
    for module in modules:
        sizes[package_of(module)] = sizes.get(package_of(module), 0) + 1
    edges = {
        (package_of(importer), package_of(imported))
        for importer in modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported.startswith("kgapi.")
        and package_of(importer) != package_of(imported)
        and package_of(imported) != BASE  # every package's: drawn, they would hide the rest
    }
    lines = [
        "// Drawn by scripts/architecture.py from kgapi's imports; do not edit by hand.",
        "digraph kgapi {",
        '  graph [rankdir=TB, nodesep=0.3, ranksep=0.45, fontname="Helvetica"];',
        '  node [shape=box, style="rounded,filled", fillcolor="#f4f6fb", fontname="Helvetica",'
        " fontsize=11];",
        '  edge [color="#7a8599", arrowsize=0.6];',
    ]
    for rank in RANKS:
        names = []
        for package in rank:
            count = sizes[package]
            title = "kgapi/*.py" if package == BASE else f"kgapi/{package}/"
            text = "\\n".join(textwrap.wrap(summary(package), 34))
            label = f"{title}\\n{text}\\n{count} modules"
            names.append(f'"{package}"')
            lines.append(f'  "{package}" [label="{label}"];')
        lines.append(f"  {{ rank=same; {'; '.join(names)} }}")
    for above, below in itertools.pairwise(RANKS):  # the layers' order, top down
        lines.append(f'  "{above[0]}" -> "{below[0]}" [style=invis];')
    for importer, imported in sorted(edges):
        lines.append(f'  "{importer}" -> "{imported}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether the file is current")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    text = draw()
    if args.check:
        current = DOT.exists() and DOT.read_text(encoding="utf-8") == text
        print(f"{DOT.relative_to(ROOT)} is {'current' if current else 'stale: run the script'}")
        return 0 if current else 1
    DOT.write_text(text, encoding="utf-8")
    if shutil.which("dot"):
        subprocess.run(["dot", "-Tsvg", str(DOT), "-o", str(SVG)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
