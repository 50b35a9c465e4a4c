"""Time graph exports on a synthetic graph of about 1e5 triples (not a test; see bench/README.md).

The graph has the bundled ontology's shape: about 60 % of triples have literal objects (labels in
en and zh, definitions, notes, dates), the rest link entities (types, classifications, relations),
and about 1 % are inferred. Each format is timed end to end, from the graphs to the bytes:
selection, conversion to networkx and writing, on one ExportSource (as the service keeps one per
graph); `fresh_source_s` times one export on a new ExportSource, which reads the nodes' labels and
kinds first.

    python bench/exports.py [--triples 100000] [--repeat 3] [--formats nodelink,graphml]

Prints one JSON line per format, then the "networkx alone" floor: rdflib's converter and
networkx's writer on the same asserted graph (literals as nodes, no labels or kinds).
Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import random
import statistics
import sys
import time
import tracemalloc

import networkx as nx
from networkx.readwrite import json_graph
from rdflib import RDF, RDFS, XSD, Graph, Literal
from rdflib.extras.external_graph_libs import rdflib_to_networkx_multidigraph
from rdflib.namespace import SKOS

from kgapi.export import ExportRequest, ExportSource, export
from kgapi.graph.namespaces import VIRT, VR

TARGETS = {"nodelink": 0.5, "graphml": 2.0}  # seconds, from issue 5
TRIPLES_PER_ENTITY = 12  # 7 literal + 5 links, as in the bundled ontology


def synthetic_source(triples: int, *, seed: int = 5) -> ExportSource:
    """An asserted graph of about `triples` triples and a small inferred one."""
    random.seed(seed)
    asserted, inferred = Graph(), Graph()
    for graph in (asserted, inferred):
        graph.bind("virt", VIRT)
        graph.bind("vr", VR)
    entities = max(triples // TRIPLES_PER_ENTITY, 2)
    classes = [VIRT[f"Class{i}"] for i in range(40)]
    concepts = [VIRT[f"Concept{i}"] for i in range(20)]
    relations = [VIRT[f"relation{i}"] for i in range(8)]
    for cls in classes:
        asserted.add((cls, RDFS.subClassOf, random.choice(classes[:5])))
    for concept in concepts:
        asserted.add((concept, SKOS.inScheme, VR["classification-by-synthetic"]))
    for i in range(entities):
        entity = VR[f"entity-{i}"]
        asserted.add((entity, RDF.type, random.choice(classes)))
        asserted.add((entity, RDFS.label, Literal(f"entity {i}", lang="en")))
        asserted.add((entity, RDFS.label, Literal(f"实体 {i}", lang="zh")))
        asserted.add(
            (entity, SKOS.definition, Literal(f"The synthetic entity number {i}.", lang="en"))
        )
        asserted.add((entity, SKOS.definition, Literal(f"第 {i} 个合成实体。", lang="zh")))
        asserted.add((entity, VIRT.note, Literal(f"note {i}")))
        asserted.add(
            (entity, VIRT.firstRelease, Literal(f"20{i % 25:02d}-01-01", datatype=XSD.date))
        )
        asserted.add((entity, VIRT.version, Literal(i)))
        asserted.add((entity, VIRT.classifiedAs, random.choice(concepts)))
        for relation in random.sample(relations, 3):
            target = VR[f"entity-{random.randrange(entities)}"]
            asserted.add((entity, relation, target))
        if i % 12 == 0:
            inferred.add((entity, VIRT.related, VR[f"entity-{random.randrange(entities)}"]))
    return ExportSource(asserted, inferred)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="nodelink,graphml,cytoscape,gexf,dot,ntriples")
    args = parser.parse_args(argv)
    source = synthetic_source(args.triples)
    total = len(source.asserted) + len(source.inferred)
    missed = 0
    for name in args.formats.split(","):
        request = ExportRequest(scope="all", format=name)
        seconds = []
        for _ in range(args.repeat):
            gc.collect()
            started = time.perf_counter()
            result = export(source, request)
            seconds.append(time.perf_counter() - started)
        # The source keeps what it reads about nodes (labels, kinds) for the next export; the
        # first export of a fresh source reads it too.
        fresh = ExportSource(source.asserted, source.inferred, source.base_iri)
        gc.collect()
        started = time.perf_counter()
        export(fresh, request)
        cold = time.perf_counter() - started
        gc.collect()
        tracemalloc.start()
        export(source, request)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        target = TARGETS.get(name)
        if target is not None and min(seconds) > target:
            missed += 1
        row = {
            "bench": "export",
            "format": name,
            "triples": total,
            "nodes": result.nodes,
            "edges": result.edges,
            "best_s": round(min(seconds), 3),
            "median_s": round(statistics.median(seconds), 3),
            "fresh_source_s": round(cold, 3),
            "target_s": target,
            "output_mib": round(len(result.content) / 2**20, 1),
            "peak_traced_mib": round(peak / 2**20),
        }
        print(json.dumps(row), flush=True)
    for name in ("nodelink", "graphml"):
        best = _networkx_alone(source, args.repeat, name)
        print(json.dumps({"bench": "networkx-alone", "format": name, "best_s": round(best, 3)}))
    return 1 if missed else 0


def _networkx_alone(source: ExportSource, repeat: int, name: str) -> float:
    """The floor the issue compares with: rdflib's converter and networkx's writer, nothing else."""
    seconds = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        graph = rdflib_to_networkx_multidigraph(source.asserted, edge_attrs=lambda s, p, o: {})
        graph = nx.relabel_nodes(graph, str)
        if name == "nodelink":
            json.dumps(json_graph.node_link_data(graph, edges="edges"))
        else:
            nx.write_graphml(graph, io.BytesIO())
        seconds.append(time.perf_counter() - started)
    return min(seconds)


if __name__ == "__main__":
    sys.exit(main())
