"""Load the ontology directory: one rdflib graph per file, their union, and a content version."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from kgapi.graph.terms import oxigraph_term, rdflib_term
from kgapi.settings import CANONICAL_BASE_IRI


class OntologyLoadError(Exception):
    """A file of the ontology could not be read; names the file and, for syntax errors, the line."""

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


class FileGraphs(Mapping[URIRef, Graph]):
    """Each file's triples as an rdflib graph of its own, made on first use from what the parser
    gave (with the same terms as the union's). Most starts never ask for one: the union serves
    reasoning and reading, and the query store is filled from the parser's triples."""

    def __init__(
        self,
        parsed: dict[URIRef, list[ox.Quad]],
        prefixes: dict[URIRef, dict[str, str]],
        terms: _Terms,
    ) -> None:
        self._parsed, self._prefixes, self._terms = parsed, prefixes, terms
        self._made: dict[URIRef, Graph] = {}
        self._triples: dict[URIRef, set[ox.Triple]] | None = None
        self._lock = threading.Lock()

    def __getitem__(self, iri: URIRef) -> Graph:
        with self._lock:
            graph = self._made.get(iri)
            if graph is None:
                quads = self._parsed[iri]  # KeyError for a graph that is not a file's
                graph = Graph()
                of = self._terms.of
                for quad in quads:
                    graph.add((of(quad.subject), of(quad.predicate), of(quad.object)))
                for prefix, namespace in self._prefixes[iri].items():
                    graph.bind(prefix, namespace, override=True)
                self._made[iri] = graph
            return graph

    def files_holding(self, triple: tuple[Node, Node, Node]) -> list[URIRef]:
        """The files' graphs that hold `triple` (from sets of the parser's triples, made on
        first use: cheaper than making every file's rdflib graph to ask it)."""
        try:
            wanted = ox.Triple(*(oxigraph_term(term) for term in triple))  # type: ignore[arg-type]
        except (TypeError, ValueError):  # not a triple pyoxigraph can hold: none holds it
            return []
        return [iri for iri, triples in self._triple_sets().items() if wanted in triples]

    def _triple_sets(self) -> dict[URIRef, set[ox.Triple]]:
        with self._lock:
            if self._triples is None:
                self._triples = {
                    iri: {quad.triple for quad in quads} for iri, quads in self._parsed.items()
                }
            return self._triples

    def prepare(self) -> None:
        """Make now what `files_holding` would make on first use (0.07 s): the server does,
        before it forks its app processes, so that they share it."""
        self._triple_sets()

    def __iter__(self) -> Iterator[URIRef]:
        return iter(self._parsed)

    def __len__(self) -> int:
        return len(self._parsed)


@dataclass(frozen=True)
class LoadedOntology:
    """The asserted knowledge: one graph per file, their union, and the content version."""

    graphs: FileGraphs
    asserted: Graph
    version: str
    base_iri: str
    files: dict[URIRef, Path]
    # Each file's triples as pyoxigraph parsed them (the terms of `graphs` are made from these,
    # blank nodes included): the query store is filled from them without writing rdflib's
    # graphs out as text and parsing that again.
    parsed: dict[URIRef, list[ox.Quad]] = field(default_factory=dict)
    # How many triples `asserted` held as loaded: a live graph adds user triples to it in place
    # (and never removes a bundled one), so the same size means the same triples.
    loaded_size: int = 0

    def asserted_graph(self) -> Graph:
        """A copy of all asserted triples in one plain graph, for callers that change it."""
        copy = Graph()
        for prefix, namespace in self.asserted.namespaces():
            copy.bind(prefix, namespace, override=True)
        for triple in self.asserted:
            copy.add(triple)
        return copy

    def graph_of(self, file_stem: str) -> Graph:
        """The named graph loaded from `<file_stem>.ttl`."""
        return self.graphs[file_graph_iri(self.base_iri, file_stem)]

    def source_files_of(self, triple: tuple[Node, Node, Node]) -> list[Path]:
        """The files that assert `triple` (empty if it is not asserted)."""
        if triple not in self.asserted:
            return []
        return [self.files[iri] for iri in self.graphs.files_holding(triple)]


def file_graph_iri(base_iri: str, file_stem: str) -> URIRef:
    return URIRef(f"{base_iri}graph/{file_stem}")


def ontology_files(directory: Path) -> list[Path]:
    """The Turtle files that make up the graph, in a stable order (SHACL shapes live apart)."""
    if not directory.is_dir():
        raise OntologyLoadError(directory, "ontology directory does not exist")
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise OntologyLoadError(directory, "no .ttl files in the ontology directory")
    return files


def load_ontology(
    directory: Path,
    *,
    base_iri: str = CANONICAL_BASE_IRI,
    extra_files: Iterable[Path] = (),
) -> LoadedOntology:
    """Parse every `*.ttl` under `directory` (plus `extra_files`) into its own named graph.

    The bundled files are written against the canonical base IRI; another `base_iri` rebases every
    IRI at load time so that the served IRIs can be dereferenced where the server runs.
    Raises OntologyLoadError naming the file and line of the first syntax error.
    """
    paths = [*ontology_files(directory), *extra_files]
    parsed: dict[URIRef, list[ox.Quad]] = {}
    prefixes: dict[URIRef, dict[str, str]] = {}
    asserted = Graph()
    files: dict[URIRef, Path] = {}
    digest = hashlib.sha256(base_iri.encode())
    terms = _Terms()
    for path in paths:
        text = _read(path)
        digest.update(path.name.encode() + b"\0" + text.encode() + b"\0")
        if base_iri != CANONICAL_BASE_IRI:
            text = text.replace(CANONICAL_BASE_IRI, base_iri)
        graph_iri = file_graph_iri(base_iri, path.stem)
        if graph_iri in files:
            raise OntologyLoadError(path, f"two files named {path.stem}.ttl")
        parsed[graph_iri], prefixes[graph_iri] = _parse(text, path, terms, into=asserted)
        files[graph_iri] = path
    graphs = FileGraphs(parsed, prefixes, terms)
    version = digest.hexdigest()[:16]
    return LoadedOntology(graphs, asserted, version, base_iri, files, parsed, len(asserted))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise OntologyLoadError(path, f"not UTF-8 text ({error.reason})") from error
    except OSError as error:
        raise OntologyLoadError(path, error.strerror or str(error)) from error


def _parse(
    text: str, path: Path, terms: _Terms, *, into: Graph
) -> tuple[list[ox.Quad], dict[str, str]]:
    """The file's triples as pyoxigraph parses them, and its prefixes; each triple is added to
    `into` as rdflib terms.

    Parsed by pyoxigraph (Rust, three times rdflib's Turtle parser here), then made rdflib terms:
    rdflib is what the reasoner, the validation and the read model work on.
    """
    quads: list[ox.Quad] = []
    try:
        parser = ox.parse(
            text,
            format=ox.RdfFormat.TURTLE,
            base_iri=path.resolve().as_uri(),
            rename_blank_nodes=True,
        )
        of = terms.of
        for quad in parser:
            into.add((of(quad.subject), of(quad.predicate), of(quad.object)))
            quads.append(quad)
    except SyntaxError as error:
        raise OntologyLoadError(path, f"Turtle syntax error: {error.msg}", error.lineno) from error
    for prefix, namespace in parser.prefixes.items():
        into.bind(prefix, namespace, override=False)
    return quads, dict(parser.prefixes)


class _Terms:
    """rdflib terms for pyoxigraph's, made once each (a term recurs in many triples)."""

    def __init__(self) -> None:
        self._made: dict[object, Node] = {}

    def of(self, term: object) -> Node:
        made = self._made.get(term)
        if made is None:
            made = self._made[term] = _rdflib_term(term)
        return made


def _rdflib_term(term: object) -> Node:
    try:
        return rdflib_term(term)
    except TypeError as error:
        raise OntologyLoadError(Path(), f"unexpected term {term!r}") from error
