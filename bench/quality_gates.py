"""The quality gates (`kgapi validate`: the SHACL shapes, then the `*-violation.rq` queries) on the
bundled ontology, part by part, and the SHACL part against a peer: pyshacl-turbo (a Rust SHACL
engine with pySHACL's API), on the whole graph and on one product (what a curated write
validates). In process, best of `--runs`, seconds. Not a test. Usage (from the checkout,
`pip install -e '.[bench]'`):

    python bench/quality_gates.py [--runs 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from rdflib import RDF, URIRef
from rdflib.namespace import SH

from kgapi.graph.loading import load_ontology
from kgapi.graph.namespaces import VR
from kgapi.graph.validation import (
    ShapeTargets,
    ViolationQuery,
    graph_store,
    load_shapes,
    shacl_violations,
)
from kgapi.settings import Settings


def best(runs: int, work: Callable[[], Any]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    settings = Settings.from_sources()
    ontology = load_ontology(settings.ontology_dir, base_iri=settings.base_iri)
    data = ontology.asserted
    shapes = load_shapes(settings.shapes_dir, ontology.base_iri)
    queries = [
        ViolationQuery.read(path, ontology.base_iri)
        for path in sorted(settings.queries_dir.glob("*-violation.rq"))
    ]
    store = graph_store(data)
    # One product, as a write of it is validated: each shape that selects it targets it alone.
    product = URIRef(VR.kvm)
    focused, _ = ShapeTargets.of(shapes).focused(
        [product], types=lambda node: data.objects(node, RDF.type), data=data, whole=shapes
    )
    assert focused is not None
    rows = [
        ("SHACL, whole graph (pySHACL)", best(args.runs, lambda: shacl_violations(data, shapes))),
        ("SHACL, one product (pySHACL)", best(args.runs, lambda: shacl_violations(data, focused))),
        ("the query store of the graph", best(args.runs, lambda: graph_store(data))),
        (
            f"the {len(queries)} violation queries",
            best(args.runs, lambda: [query.violations(store) for query in queries]),
        ),
    ]
    try:
        import pyshacl_turbo  # type: ignore[import-not-found]
    except ImportError:
        print("(pyshacl-turbo is not installed: the peer's rows are left out)")
    else:

        def turbo(shapes_graph: Any) -> int:
            _conforms, report, _text = pyshacl_turbo.validate(
                data, shacl_graph=shapes_graph, inference="none", advanced=True
            )
            return len(list(report.subjects(RDF.type, SH.ValidationResult)))

        assert turbo(shapes) == len(shacl_violations(data, shapes)[0])  # the same verdict
        rows += [
            ("SHACL, whole graph (pyshacl-turbo)", best(args.runs, lambda: turbo(shapes))),
            ("SHACL, one product (pyshacl-turbo)", best(args.runs, lambda: turbo(focused))),
        ]
    print(f"{len(data):,} asserted triples")
    print("| part | s |")
    print("|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.3f} |")


if __name__ == "__main__":
    main()
