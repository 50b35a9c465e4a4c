"""`kgapi compare`: products or concepts side by side."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from kgapi.cli.registry import SubParsers, command, integer
from kgapi.read.names import NameIndex, NameResolutionError
from kgapi.settings import Settings

if TYPE_CHECKING:
    pass


def add_parsers(sub: SubParsers) -> None:
    compare = sub.add_parser(
        "compare",
        help="compare 2-10 products or concepts side by side (e.g. kvm xen vmware-esxi)",
        description="Compare entities named by IRI, prefixed name, slug or en/zh label. "
        "Inferred values are marked; contested values list every position with its sources.",
    )
    compare.add_argument("names", nargs="+", metavar="NAME", help="entities to compare")
    compare.add_argument("--lang", default="en", choices=("en", "zh"), help="label language")
    compare.add_argument(
        "--format",
        default="text",
        choices=("text", "markdown", "csv", "html", "json"),
        help="output format (default: a table for the terminal)",
    )
    compare.add_argument("--width", type=integer, default=28, help="text format: widest column")


@command("compare")
def compare_entities(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from kgapi.graph.knowledge import build_knowledge_graph
    from kgapi.read.comparison import ComparisonError, compare
    from kgapi.read.comparison_formats import to_csv, to_html, to_markdown, to_text
    from kgapi.read.facts import FactReader

    kg = build_knowledge_graph(settings)
    names = NameIndex.for_graph(kg.asserted, base_iri=kg.ontology.base_iri)
    try:
        terms = [names.resolve(name) for name in args.names]
        comparison = compare(FactReader(kg, args.lang), terms)
    except NameResolutionError as error:
        hint = ", ".join(str(candidate) for candidate in error.candidates)
        print(f"kgapi: {error}" + (f" (candidates: {hint})" if hint else ""), file=sys.stderr)
        return 2
    except ComparisonError as error:
        print(f"kgapi: {error}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2))
    elif args.format == "text":
        print(to_text(comparison, width=max(args.width, 8)), end="")
    else:
        renderers = {"markdown": to_markdown, "csv": to_csv, "html": to_html}
        print(renderers[args.format](comparison), end="")
    return 0
