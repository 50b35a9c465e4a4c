"""`kgapi reason`, `kgapi explain` and `kgapi classify`: the closure, proofs, classification."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib.term import Node

from kgapi.cli.registry import SubParsers, command
from kgapi.read.names import NameIndex, NameResolutionError
from kgapi.settings import Settings

if TYPE_CHECKING:
    from kgapi.graph.knowledge import KnowledgeGraph


def add_parsers(sub: SubParsers) -> None:
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
