"""`kgapi export`: graphs for visualization tools and RDF clients, as over HTTP."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kgapi.cli.registry import SubParsers, command, integer
from kgapi.read.names import NameResolutionError
from kgapi.settings import Settings

if TYPE_CHECKING:
    pass


def add_parsers(sub: SubParsers) -> None:
    from kgapi.export import FORMAT_NAMES, LANGUAGES, MAX_DEPTH, SCOPES

    export = sub.add_parser(
        "export",
        help="export a subgraph for Gephi, Cytoscape, D3, Graphviz or RDF tools",
        description="Export a subgraph of the reasoned graph. Formats: "
        + ", ".join(FORMAT_NAMES)
        + ". The format defaults to the extension of -o, else graphml.",
    )
    export.add_argument("--scope", default="all", type=str.lower, choices=SCOPES)
    export.add_argument("--format", type=str.lower, choices=FORMAT_NAMES, help="output format")
    export.add_argument("--focus", help="neighbourhood scope: the entity at the centre (any name)")
    export.add_argument(
        "--depth",
        type=integer,
        default=1,
        help=f"neighbourhood scope: links to follow (0-{MAX_DEPTH})",
    )
    export.add_argument("--axis", help="axis scope: a classification scheme (slug or name)")
    query = export.add_mutually_exclusive_group()
    query.add_argument("--query", help="construct scope: a SPARQL CONSTRUCT query")
    query.add_argument("--query-file", type=Path, help="construct scope: file with the query")
    export.add_argument("--lang", default="en", choices=LANGUAGES, help="label language")
    export.add_argument(
        "--no-inferred", dest="inferred", action="store_false", help="asserted triples only"
    )
    export.add_argument("--literal-nodes", action="store_true", help="draw literals as nodes")
    export.add_argument(
        "--blank-nodes", action="store_true", help="keep blank nodes (OWL restrictions)"
    )
    export.add_argument(
        "--trivial-types",
        action="store_true",
        help="keep rdf:type links to owl:Class, owl:ObjectProperty, skos:Concept and the like",
    )
    export.add_argument("-o", "--output", type=Path, help="write here instead of stdout")


@command("export")
def export_graph(args: argparse.Namespace, settings: Settings) -> int:
    from kgapi.export import (
        EXPORT_FORMATS,
        ExportError,
        ExportRequest,
        RenderingError,
        export,
    )
    from kgapi.graph.documents import NotWritable
    from kgapi.graph.knowledge import build_knowledge_graph

    chosen = args.format
    if chosen is None:
        suffix = args.output.suffix.lstrip(".").lower() if args.output is not None else ""
        chosen = next((f.name for f in EXPORT_FORMATS if suffix in (f.extension, f.name)), None)
    query = args.query
    try:
        if args.query_file is not None:
            query = args.query_file.read_text(encoding="utf-8")
    except OSError as error:
        print(f"kgapi: cannot read {args.query_file}: {error.strerror}", file=sys.stderr)
        return 2
    request = ExportRequest(
        scope=args.scope,
        format=chosen or "graphml",
        focus=args.focus,
        depth=args.depth,
        axis=args.axis,
        query=query,
        inferred=args.inferred,
        lang=args.lang,
        literal_nodes=args.literal_nodes,
        blank_nodes=args.blank_nodes,
        trivial_types=args.trivial_types,
    )
    try:
        request.check()  # before the (possibly slow) graph build
        result = export(build_knowledge_graph(settings), request)
    except (ExportError, NotWritable) as error:
        print(f"kgapi: {error}", file=sys.stderr)
        return 2
    except NameResolutionError as error:
        print(f"kgapi: {error}", file=sys.stderr)
        if error.candidates:
            print("candidates: " + ", ".join(error.candidates), file=sys.stderr)
        return 2
    except RenderingError as error:
        print(f"kgapi: {error}", file=sys.stderr)
        return 1
    if args.output is None:
        sys.stdout.buffer.write(result.content)
        sys.stdout.flush()
        return 0
    try:
        args.output.write_bytes(result.content)
    except OSError as error:
        print(f"kgapi: cannot write {args.output}: {error.strerror}", file=sys.stderr)
        return 2
    drawn = f"{result.nodes} nodes, {result.edges} edges, " if result.nodes is not None else ""
    print(
        f"wrote {result.format.name}: {drawn}{result.triples} triples to {args.output}",
        file=sys.stderr,
    )
    return 0
