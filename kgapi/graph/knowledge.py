"""The knowledge graph: asserted ontology + inferred closure, reasoned once and cached on disk.

The closure is computed by kgapi's rule engine (`kgapi.reasoning.inference`). A cache file is
N-Triples behind a one-line JSON header that records the cache key (ontology version, library
versions), a SHA-256 of the body, the triple count, the consistency report (with proofs) and the
closure time. A file whose header, key, checksum or count does not match is rebuilt, never served.
Warm starts therefore do no reasoning at all.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import pyoxigraph as ox
import rdflib
from rdflib import OWL, RDF, Dataset, Graph, URIRef
from rdflib.term import Node

from kgapi import __version__
from kgapi.graph.loading import LoadedOntology, load_ontology
from kgapi.graph.namespaces import ontology_namespace
from kgapi.graph.terms import rdflib_term
from kgapi.processes import collector_paused
from kgapi.reasoning import closure
from kgapi.reasoning.consistency import ConsistencyReport, consistency_report
from kgapi.reasoning.inference import Derivations, derive
from kgapi.reasoning.rule_language import Triple
from kgapi.settings import Settings

log = logging.getLogger(__name__)

CACHE_FORMAT = "kgapi-closure/2"
_HEADER_PREFIX = "# kgapi-closure "


T = TypeVar("T")


class _Once(Generic[T]):
    """Computes a value on first use, once, even under threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: T | None = None

    def get(self, compute: Callable[[], T]) -> T:
        with self._lock:
            if self._value is None:
                self._value = compute()
            return self._value

    def seed(self, value: T) -> None:
        """Reuse a value already computed (the derivations of a cold build)."""
        with self._lock:
            self._value = value


@dataclass(frozen=True)
class KnowledgeGraph:
    """The read-only graph the service answers from. Treat every Graph in it as immutable.

    Its named graphs (`named_graphs`) are one per ontology file, `{base}graph/asserted` (their
    union) and `{base}graph/inferred`; `dataset` holds them as one rdflib Dataset whose default
    graph is the union of all, made on first use (the service's store is built without it).
    """

    ontology: LoadedOntology
    asserted: Graph
    inferred: Graph
    consistency: ConsistencyReport
    closure_seconds: float
    cache_hit: bool
    revision: int = 0  # the change log's version applied over the bundled ontology
    _derivations: _Once[Derivations] = field(default_factory=_Once, repr=False, compare=False)
    _dataset: _Once[Dataset] = field(default_factory=_Once, repr=False, compare=False)
    _own_properties: _Once[frozenset[URIRef]] = field(
        default_factory=_Once, repr=False, compare=False
    )

    def named_graphs(self) -> dict[URIRef, Graph]:
        """Graph IRI -> its triples: each ontology file's, the asserted union, the inferred."""
        graphs = dict(self.ontology.graphs)
        graphs[self.asserted_graph_iri] = self.asserted
        graphs[self.inferred_graph_iri] = self.inferred
        return graphs

    @property
    def dataset(self) -> Dataset:
        """The named graphs as one Dataset (default graph: their union); made on first use."""
        return self._dataset.get(lambda: _dataset_of(self))

    @property
    def version(self) -> str:
        """The bundled ontology's content version, then the change log's version number."""
        return versioned(self.ontology.version, self.revision)

    @property
    def asserted_count(self) -> int:
        return len(self.asserted)

    @property
    def inferred_count(self) -> int:
        return len(self.inferred)

    @property
    def asserted_graph_iri(self) -> URIRef:
        return URIRef(f"{self.ontology.base_iri}graph/asserted")

    @property
    def inferred_graph_iri(self) -> URIRef:
        return URIRef(f"{self.ontology.base_iri}graph/inferred")

    def holds(self, triple: Triple) -> bool:
        """True if `triple` is asserted or in the served closure."""
        return triple in self.asserted or closure.normalize(triple) in self.inferred

    def prepare(self) -> None:
        """Compute now what explanations and classification would compute on first use (the
        closure's derivations, about half a second; which file holds each triple), for a
        server that forks its app processes after it, so that they share the result."""
        self.derivations()
        self.ontology.graphs.prepare()

    def derivations(self) -> Derivations:
        """The closure's derivations: from the build on a cold start, else computed on first
        call (about a second), once."""
        return self._derivations.get(lambda: derive(self.asserted))

    def own_properties(self) -> frozenset[URIRef]:
        """The graph's own (virt:) properties: declared, or used as predicates; computed once."""

        def compute() -> frozenset[URIRef]:
            namespace = f"{self.ontology.base_iri}ontology/"
            found = {
                s
                for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property)
                for s in self.asserted.subjects(RDF.type, kind)
            }
            found |= set(self.asserted.predicates(unique=True))
            return frozenset(
                p for p in found if isinstance(p, URIRef) and str(p).startswith(namespace)
            )

        return self._own_properties.get(compute)


def versioned(base: str, revision: int) -> str:
    """A graph's version: its bundled data's, then (after the first change) the change log's
    version number — the one rule for the graph's and the query store's versions."""
    return base if revision == 0 else f"{base}.{revision}"


def statement_records(graph: Graph, base_iri: str) -> frozenset[Node]:
    """The nodes that record what a source says: statements and timeline entries.

    They are provenance, not things of the domain: reasoning about a new individual and the
    drawing scopes of the exports leave them out.
    """
    virt = ontology_namespace(base_iri)
    return frozenset(
        record
        for cls in (virt.SourcedStatement, virt.CapabilityStatement, virt.TimelineEntry)
        for record in graph.subjects(RDF.type, cls)
    )


def build_knowledge_graph(settings: Settings, *, use_cache: bool = True) -> KnowledgeGraph:
    """Load the ontology, then reuse the cached closure or reason and cache it.

    Raises OntologyLoadError for unreadable files. A cache directory that cannot be written is
    logged and skipped: the graph is still served, only the next start is cold again.
    """
    with collector_paused():  # (kgapi.processes) what is built here lives as long as the graph
        ontology = load_ontology(settings.ontology_dir, base_iri=settings.base_iri)
        return knowledge_graph_of(ontology, cache_dir=settings.cache_dir if use_cache else None)


def knowledge_graph_of(ontology: LoadedOntology, *, cache_dir: Path | None) -> KnowledgeGraph:
    """Build the knowledge graph of an already loaded ontology (`cache_dir=None`: no cache)."""
    asserted = ontology.asserted
    key = cache_key(ontology)
    path = cache_dir / f"closure-{key}.nt" if cache_dir is not None else None
    cached = _read_cache(path, key) if path is not None else None
    derivations: Derivations | None = None
    if cached is not None:
        inferred, header = cached
        report = ConsistencyReport.from_dict(header["consistency"])
        seconds = float(header["closure_seconds"])
        hit = True
    else:
        computed = closure.compute_closure(asserted)
        inferred, seconds = computed.inferred, computed.seconds
        derivations = computed.derivations

        def files_of(triple: Triple) -> tuple[str, ...]:
            return tuple(path.name for path in ontology.source_files_of(triple))

        report = consistency_report(derivations, names=asserted, files_of=files_of)
        hit = False
        if path is not None:
            _write_cache(path, key, inferred, report, seconds)
    for prefix, namespace in asserted.namespaces():
        inferred.bind(prefix, namespace, override=True)
    kg = KnowledgeGraph(ontology, asserted, inferred, report, seconds, hit)
    if derivations is not None:
        kg._derivations.seed(derivations)
    return kg


def cache_key(ontology: LoadedOntology) -> str:
    """Names the closure: the ontology's content version and every library shaping it."""
    parts = [
        CACHE_FORMAT,
        ontology.version,
        ontology.base_iri,
        f"rdflib {rdflib.__version__}",
        f"kgapi {__version__}",
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


def _dataset_of(kg: KnowledgeGraph) -> Dataset:
    dataset = Dataset(default_union=True)
    for prefix, namespace in kg.asserted.namespaces():
        dataset.bind(prefix, namespace, override=True)
    for iri, graph in kg.named_graphs().items():
        target = dataset.graph(iri)
        for triple in graph:
            target.add(triple)
    return dataset


def _read_cache(path: Path, key: str) -> tuple[Graph, dict[str, Any]] | None:
    """The cached closure and header, or None (with a log line) if absent, stale or corrupt."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        log.warning("cannot read closure cache %s (%s); reasoning again", path, error)
        return None
    first, _, body = raw.partition(b"\n")
    try:
        text = first.decode("utf-8")
        if not text.startswith(_HEADER_PREFIX):
            raise ValueError("no kgapi-closure header")
        header = json.loads(text[len(_HEADER_PREFIX) :])
        if header.get("format") != CACHE_FORMAT or header.get("key") != key:
            raise ValueError("written for another ontology or library version")
        if header.get("sha256") != hashlib.sha256(body).hexdigest():
            raise ValueError("checksum mismatch")
        graph = Graph()
        made: dict[object, Node] = {}  # one rdflib term per term, as the loader makes them
        for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
            s, p, o = quad.subject, quad.predicate, quad.object
            graph.add((_made(made, s), _made(made, p), _made(made, o)))
        if len(graph) != header.get("triples"):
            raise ValueError("triple count mismatch")
    except (ValueError, SyntaxError) as error:  # JSON and Unicode errors are ValueErrors
        log.warning("closure cache %s is unusable (%s); reasoning again", path, error)
        return None
    return graph, header


def _made(made: dict[object, Node], term: object) -> Node:
    found = made.get(term)
    if found is None:
        found = made[term] = rdflib_term(term)
    return found


def _write_cache(
    path: Path,
    key: str,
    inferred: Graph,
    report: ConsistencyReport,
    seconds: float,
) -> None:
    lines = sorted(inferred.serialize(format="nt", encoding="utf-8").splitlines())
    body = b"".join(line + b"\n" for line in lines if line.strip())
    header = {
        "format": CACHE_FORMAT,
        "key": key,
        "sha256": hashlib.sha256(body).hexdigest(),
        "triples": len(inferred),
        "closure_seconds": seconds,
        "consistency": report.to_dict(),
    }
    data = (_HEADER_PREFIX + json.dumps(header, ensure_ascii=False) + "\n").encode() + body
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename: a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".closure-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
    except OSError as error:
        log.warning("cannot write closure cache %s (%s); the next start reasons again", path, error)
