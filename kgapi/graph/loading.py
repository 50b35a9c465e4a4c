"""Load the ontology directory into an rdflib Dataset, one named graph per file, and version it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from kgapi.settings import CANONICAL_BASE_IRI


class OntologyLoadError(Exception):
    """A file of the ontology could not be read; names the file and, for syntax errors, the line."""

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class LoadedOntology:
    """The asserted knowledge: a Dataset with one named graph per file, and its content version."""

    dataset: Dataset
    version: str
    base_iri: str
    files: dict[URIRef, Path]

    def asserted_graph(self) -> Graph:
        """All asserted triples in one plain graph (what the reasoner starts from)."""
        union = Graph()
        for prefix, namespace in self.dataset.namespaces():
            union.bind(prefix, namespace, override=True)
        for graph_iri in self.files:
            for triple in self.dataset.graph(graph_iri):
                union.add(triple)
        return union

    def graph_of(self, file_stem: str) -> Graph:
        """The named graph loaded from `<file_stem>.ttl`."""
        return self.dataset.graph(file_graph_iri(self.base_iri, file_stem))

    def source_files_of(self, triple: tuple[Node, Node, Node]) -> list[Path]:
        """The files that assert `triple` (empty if it is not asserted)."""
        return [path for iri, path in self.files.items() if triple in self.dataset.graph(iri)]


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
    dataset = Dataset()
    files: dict[URIRef, Path] = {}
    digest = hashlib.sha256(base_iri.encode())
    for path in paths:
        text = _read(path)
        digest.update(path.name.encode() + b"\0" + text.encode() + b"\0")
        if base_iri != CANONICAL_BASE_IRI:
            text = text.replace(CANONICAL_BASE_IRI, base_iri)
        graph_iri = file_graph_iri(base_iri, path.stem)
        if graph_iri in files:
            raise OntologyLoadError(path, f"two files named {path.stem}.ttl")
        _parse_into(dataset.graph(graph_iri), text, path)
        for prefix, namespace in dataset.graph(graph_iri).namespaces():
            dataset.bind(prefix, namespace, override=False)
        files[graph_iri] = path
    return LoadedOntology(dataset, digest.hexdigest()[:16], base_iri, files)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise OntologyLoadError(path, f"not UTF-8 text ({error.reason})") from error
    except OSError as error:
        raise OntologyLoadError(path, error.strerror or str(error)) from error


def _parse_into(graph: Graph, text: str, path: Path) -> None:
    public_id = path.resolve().as_uri()
    try:
        graph.parse(data=text, format="turtle", publicID=public_id)
    except BadSyntax as error:
        # rdflib counts lines from zero and keeps the reason in a private field.
        reason = getattr(error, "_why", None) or str(error)
        raise OntologyLoadError(path, f"Turtle syntax error: {reason}", error.lines + 1) from error
    except ValueError as error:  # rdflib's term constructors reject some malformed IRIs/literals
        raise OntologyLoadError(path, f"cannot parse Turtle: {error}") from error
