"""Import Wikipedia's virtualization comparison tables into `ontology/wikipedia.ttl`.

    python tools/import_wikipedia_tables.py [--tables DIR] [--out FILE] [--check]

How the import works is in `tools/wikipedia_import/__init__.py`. `--check` exits 1 when the
checked-in output is not what the tables and curation files give (the tests run it).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generated_file import generator_arguments, write_or_check
from wikipedia_import.reading import Curation, ImportError_, harvest
from wikipedia_import.tables import DEFAULT_OUT, DEFAULT_TABLES, ONTOLOGY
from wikipedia_import.timeline import timeline_lines
from wikipedia_import.writing import curated_graph, render, term


def build(tables_dir: Path, out: Path, ontology_dir: Path = ONTOLOGY) -> str:
    curation = Curation.read(ontology_dir / "import")
    timeline = timeline_lines(tables_dir / "timeline.csv", curation, term)
    return render(harvest(tables_dir, curation), curated_graph(ontology_dir, out), timeline)


def main(argv: list[str] | None = None) -> int:
    args = generator_arguments(
        argv,
        description=__doc__.split("\n\n")[0],
        source="tables",
        environment="KGAPI_WIKIPEDIA_TABLES",
        default_source=DEFAULT_TABLES,
        default_out=DEFAULT_OUT,
    )
    try:
        text = build(args.source, args.out)
    except ImportError_ as error:
        print(f"import stopped: {error}", file=sys.stderr)
        return 2
    return write_or_check(args.out, text, check=args.check, made_from=str(args.source))


if __name__ == "__main__":
    sys.exit(main())
