"""The `kgapi` command line: one sub-command per job, each a thin shell over the core."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib.term import Node

from kgapi import __version__
from kgapi.graph.loading import OntologyLoadError
from kgapi.read.names import NameIndex, NameResolutionError
from kgapi.settings import Settings, SettingsError, describe

if TYPE_CHECKING:
    from kgapi.graph.knowledge import KnowledgeGraph

Command = Callable[[argparse.Namespace, Settings], int]
COMMANDS: dict[str, Command] = {}


def command(name: str) -> Callable[[Command], Command]:
    def register(function: Command) -> Command:
        COMMANDS[name] = function
        return function

    return register


def build_parser() -> argparse.ArgumentParser:
    settings_help = "\n".join(f"  KGAPI_{name.upper():<18} {help}" for name, _, help in describe())
    parser = argparse.ArgumentParser(
        prog="kgapi",
        description="A knowledge graph of virtualization technology.",
        epilog=f"settings (flags override these environment variables):\n{settings_help}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kgapi {__version__}")
    parser.add_argument("--ontology-dir", type=Path, help="directory of the Turtle files")
    parser.add_argument("--base-iri", help="IRI base the graph is served under")
    parser.add_argument("--cache-dir", type=Path, help="where the reasoned closure is cached")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = sub.add_parser(
        "validate", help="check the ontology against its SHACL shapes and quality queries"
    )
    validate.add_argument("--shapes-dir", type=Path, help="directory of SHACL shapes")
    validate.add_argument("--queries-dir", type=Path, help="directory of *-violation.rq queries")

    sub.add_parser("settings", help="print the settings in force (secrets hidden)")
    _add_reasoning_commands(sub)
    _add_serve_command(sub)
    _add_export_command(sub)
    _add_compare_command(sub)
    _add_identify_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # Every setting a sub-command offers as a flag (dest = the setting's name) overrides it.
    overrides = {spec.name: getattr(args, spec.name, None) for spec in fields(Settings)}
    try:
        settings = Settings.from_sources(overrides=overrides)
    except SettingsError as error:
        print(f"kgapi: {error}", file=sys.stderr)
        return 2
    try:
        return COMMANDS[args.command](args, settings)
    except OntologyLoadError as error:
        print(f"kgapi: {error}", file=sys.stderr)
        return 2


@command("settings")
def show_settings(args: argparse.Namespace, settings: Settings) -> int:
    for name, value in settings.redacted().items():
        print(f"{name} = {value}")
    return 0


@command("validate")
def validate(args: argparse.Namespace, settings: Settings) -> int:
    from kgapi.graph.loading import load_ontology
    from kgapi.graph.validation import validate_ontology

    ontology = load_ontology(settings.ontology_dir, base_iri=settings.base_iri)
    report = validate_ontology(
        ontology, shapes_dir=settings.shapes_dir, queries_dir=settings.queries_dir
    )
    print(report.to_text())
    return 0 if report.conforms else 1


# --- reasoning: reason, explain, classify ------------------------------------------------------


def _add_reasoning_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    reason = sub.add_parser(
        "reason", help="reason over the ontology (or reuse the cache) and report consistency"
    )
    reason.add_argument("--check", action="store_true", help="exit 1 if the graph is inconsistent")
    reason.add_argument(
        "--verify",
        action="store_true",
        help="recompute the closure with owlrl, the reference, and exit 1 on any difference "
        "(closure or consistency)",
    )
    reason.add_argument(
        "--include-trivia", action="store_true", help="with --output: keep the trivial inferences"
    )
    reason.add_argument("--output", type=Path, help="write the inferred triples to this file")
    reason.add_argument("--format", choices=("nt", "ttl"), default="nt", help="of --output")
    explain = sub.add_parser("explain", help="explain why a triple holds (exit 1 if it does not)")
    for part in ("subject", "predicate", "object"):
        explain.add_argument(part, help="IRI, prefixed name or slug (object: also a literal)")
    classify = sub.add_parser(
        "classify", help="classify a described product (Turtle or JSON file, - for stdin)"
    )
    classify.add_argument("description", help="file with the description, or - for stdin")


@command("reason")
def reason(args: argparse.Namespace, settings: Settings) -> int:
    from kgapi.graph.knowledge import build_knowledge_graph
    from kgapi.reasoning.closure import materialize

    kg = build_knowledge_graph(settings)
    print(f"version {kg.version}")
    print(f"asserted triples: {kg.asserted_count}")
    print(f"inferred triples: {kg.inferred_count}")
    print(f"closure time: {kg.closure_seconds:.2f} s")
    print(f"cache: {'hit' if kg.cache_hit else 'miss'}")
    print(kg.consistency.to_text())
    if args.output is not None:
        # Trivia are never cached, so asking for them means reasoning again.
        inferred = kg.inferred
        if args.include_trivia:
            inferred = materialize(kg.asserted, include_trivia=True)
        inferred.serialize(
            args.output, format="nt" if args.format == "nt" else "turtle", encoding="utf-8"
        )
        print(f"wrote {len(inferred)} inferred triples to {args.output}")
    failed = args.check and not kg.consistency.consistent
    if args.verify:
        failed = not _verify(kg) or failed
    return 1 if failed else 0


def _verify(kg: KnowledgeGraph) -> bool:
    """Recompute the served closure with owlrl, the reference; print and judge the difference."""
    from kgapi.reasoning.closure import reference_closure

    reference = reference_closure(kg.asserted)
    served, expected = set(kg.inferred), set(reference.inferred)
    missing, extra = expected - served, served - expected
    print(f"verified against owlrl: {len(expected)} inferred triples")
    for label, triples in (("only in owlrl", missing), ("only in kgapi", extra)):
        for triple in sorted(triples, key=str)[:20]:
            print(f"  {label}: {' '.join(term.n3() for term in triple)}")
        if len(triples) > 20:
            print(f"  … and {len(triples) - 20} more {label}")
    # owlrl words its inconsistencies; kgapi's report must find one wherever owlrl does.
    for message in reference.messages:
        print(f"  owlrl: {message}")
    agree = bool(reference.messages) != kg.consistency.consistent
    same = not missing and not extra
    print("the closures are identical" if same else "the closures differ")
    if not agree:
        print("owlrl and kgapi disagree on whether the graph is consistent")
    return same and agree


@command("explain")
def explain(args: argparse.Namespace, settings: Settings) -> int:
    from kgapi.graph.knowledge import build_knowledge_graph
    from kgapi.reasoning.explanation import explain as explain_triple

    kg = build_knowledge_graph(settings)
    names = NameIndex.for_graph(kg.asserted, base_iri=kg.ontology.base_iri)
    try:
        triple = (
            _term(names, args.subject),
            _term(names, args.predicate),
            _term(names, args.object),
        )
    except NameResolutionError as error:
        hint = ", ".join(names.graph.namespace_manager.normalizeUri(c) for c in error.candidates)
        print(f"kgapi: {error}" + (f" (did you mean: {hint}?)" if hint else ""), file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"kgapi: {error}", file=sys.stderr)
        return 2
    explanation = explain_triple(kg, triple)
    print(explanation.to_text())
    return 0 if explanation.holds else 1


@command("classify")
def classify(args: argparse.Namespace, settings: Settings) -> int:
    from kgapi.graph.knowledge import build_knowledge_graph
    from kgapi.reasoning.classification import DescriptionError
    from kgapi.reasoning.classification import classify as classify_description

    try:
        text = sys.stdin.read() if args.description == "-" else Path(args.description).read_text()
    except OSError as error:
        print(f"kgapi: cannot read {args.description}: {error.strerror}", file=sys.stderr)
        return 2
    kg = build_knowledge_graph(settings)
    try:
        result = classify_description(kg, text)
    except DescriptionError as error:
        print(f"kgapi: {error}", file=sys.stderr)
        return 2
    print(result.to_text())
    return 0


def _term(names: NameIndex, text: str) -> Node:
    """A term from the command line: a literal in N3 (`"2.6.20"`) or any name NameIndex resolves.

    Raises ValueError for unreadable literals and NameResolutionError for unknown names.
    """
    from kgapi.read.names import read_literal

    if text.startswith('"'):
        return read_literal(text, names.graph.namespace_manager)
    return names.resolve(text)


# --- serve ----------------------------------------------------------------------------------


def _add_serve_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser(
        "serve",
        help="serve the reasoned graph over HTTP (Granian in front, app processes behind)",
    )
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8080)")
    serve.add_argument("--workers", type=int, help="app processes (default 2)")
    serve.add_argument("--io-processes", type=int, help="HTTP I/O processes (default 1)")
    serve.add_argument(
        "--max-worker-memory-mb", type=int, help="address space of an app process, MiB"
    )
    serve.add_argument(
        "--graph",
        dest="graphs",
        action="append",
        metavar="IRI=PATH",
        help="serve an RDF file as the named graph IRI (repeatable)",
    )
    serve.add_argument("--query-timeout", type=float, help="seconds before a request is stopped")
    serve.add_argument("--max-result-rows", type=int, help="most rows or triples in an answer")
    serve.add_argument("--max-request-bytes", type=int, help="largest request body")
    serve.add_argument("--result-cache-entries", type=int, help="cached responses per worker")
    serve.add_argument(
        "--allow-service",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="let SPARQL SERVICE make outbound requests (default: refused)",
    )
    serve.add_argument(
        "--cors-origin",
        dest="cors_origins",
        action="append",
        metavar="ORIGIN",
        help="origin allowed by CORS (repeatable; default *)",
    )


@command("serve")
def serve(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import replace

    from kgapi.sparql.store import ExtraGraphError
    from kgapi.web.server import serve as serve_forever

    # append-actions give lists; the settings hold tuples.
    settings = replace(settings, graphs=tuple(settings.graphs))
    settings = replace(settings, cors_origins=tuple(settings.cors_origins))
    try:
        serve_forever(settings)
    except ExtraGraphError as error:
        print(f"kgapi: --graph: {error}", file=sys.stderr)
        return 2
    return 0


# --- export: graphs for visualization tools and RDF clients ------------------------------------


def _add_export_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
        "--depth", type=int, default=1, help=f"neighbourhood scope: links to follow (0-{MAX_DEPTH})"
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
    from kgapi.graph.knowledge import build_knowledge_graph
    from kgapi.read.names import NameResolutionError

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
    except ExportError as error:
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


# --- compare: products or concepts side by side ------------------------------------------------


def _add_compare_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    compare.add_argument("--width", type=int, default=28, help="text format: widest column")


@command("compare")
def compare_entities(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from kgapi.graph.knowledge import build_knowledge_graph
    from kgapi.read.comparison import ComparisonError, compare
    from kgapi.read.comparison_formats import to_csv, to_html, to_markdown, to_text
    from kgapi.read.facts import FactReader
    from kgapi.read.names import NameIndex, NameResolutionError

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


# --- identify: what is this machine running on? ------------------------------------------------


def _add_identify_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    identify = sub.add_parser(
        "identify",
        help="what is this machine (or an evidence bundle) running on, and what is it?",
        description="Without BUNDLE, read this machine's evidence (as an unprivileged process "
        "can) and identify its virtualization layers from the graph. BUNDLE is a .tar.gz or "
        ".json evidence bundle, or a directory laid out like one. --collect writes this "
        "machine's bundle instead (to send it to POST /api/identify from elsewhere).",
    )
    identify.add_argument("bundle", nargs="?", type=Path, metavar="BUNDLE")
    identify.add_argument(
        "--collect", metavar="FILE", help="write this machine's evidence as tar.gz (- for stdout)"
    )
    identify.add_argument("--lang", default="en", choices=("en", "zh"), help="label language")
    identify.add_argument(
        "--format", default="text", choices=("text", "json"), help="output format"
    )


@command("identify")
def identify_machine(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from kgapi.graph.knowledge import build_knowledge_graph
    from kgapi.identify.answer import identify, to_text
    from kgapi.identify.collect import collect
    from kgapi.identify.evidence import EvidenceError, read_bundle, to_tar_gz
    from kgapi.identify.signatures import signature_book
    from kgapi.read.facts import FactReader

    kg = build_knowledge_graph(settings)
    if args.collect is not None:
        blob = to_tar_gz(collect(signature_book(kg)))
        if args.collect == "-":
            sys.stdout.buffer.write(blob)
        else:
            Path(args.collect).write_bytes(blob)
            print(f"wrote {args.collect} ({len(blob)} bytes)", file=sys.stderr)
        return 0
    try:
        evidence = read_bundle(args.bundle) if args.bundle else collect(signature_book(kg))
    except (EvidenceError, OSError) as error:
        print(f"kgapi: {error}", file=sys.stderr)
        return 2
    answer = identify(FactReader(kg, args.lang), evidence)
    if args.format == "json":
        print(json.dumps(answer, ensure_ascii=False, indent=2))
    else:
        print(to_text(answer), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
