"""Quality gates of the ontology: its SHACL shapes and its `*-violation.rq` queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from kgapi.graph.loading import LoadedOntology, OntologyLoadError
from kgapi.settings import CANONICAL_BASE_IRI


@dataclass(frozen=True)
class Violation:
    """One problem found: which check, on which focus node, and what is wrong."""

    check: str
    focus: str
    message: str
    path: str | None = None
    value: str | None = None

    def to_text(self) -> str:
        where = f" {self.path}" if self.path else ""
        value = f" (value {self.value})" if self.value else ""
        return f"[{self.check}] {self.focus}{where}: {self.message}{value}"


@dataclass(frozen=True)
class ValidationReport:
    """What every quality check found; `conforms` only if all of them found nothing."""

    shapes_checked: int
    focus_nodes_checked: int
    queries_checked: list[str]
    violations: list[Violation] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.violations

    def to_text(self) -> str:
        head = (
            f"SHACL: {self.shapes_checked} shapes over {self.focus_nodes_checked} focus nodes; "
            f"quality queries: {', '.join(self.queries_checked)}"
        )
        if self.conforms:
            return f"{head}\nconforms: no violations"
        lines = [head, f"{len(self.violations)} violation(s):"]
        lines += [f"  {violation.to_text()}" for violation in self.violations]
        return "\n".join(lines)


def validate_ontology(
    ontology: LoadedOntology, *, shapes_dir: Path, queries_dir: Path
) -> ValidationReport:
    """Run the SHACL shapes and every `*-violation.rq` query over the asserted graph.

    Raises OntologyLoadError when there is nothing to check with (no shapes or no queries),
    because a check over nothing would pass and prove nothing.
    """
    data = ontology.asserted
    shapes = load_shapes(shapes_dir, ontology.base_iri)
    violations, focus_count = shacl_violations(data, shapes)
    queries = sorted(queries_dir.glob("*-violation.rq"))
    if not queries:
        raise OntologyLoadError(queries_dir, "no *-violation.rq quality queries found")
    store = graph_store(data)
    for query_path in queries:
        violations += run_violation_query(store, query_path, base_iri=ontology.base_iri)
    shape_count = len(set(shapes.subjects(predicate=None, object=SH.NodeShape)))
    return ValidationReport(shape_count, focus_count, [path.stem for path in queries], violations)


def graph_store(data: Graph) -> ox.Store:
    """`data` in the SPARQL engine's store (its default graph), to run quality queries on."""
    store = ox.Store()
    store.load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def run_violation_query(
    data: Graph | ox.Store,
    query_path: Path,
    *,
    base_iri: str,
    default_graph: ox.NamedNode | None = None,
) -> list[Violation]:
    """Each row a violation query returns is one violation, described by its bound values.

    The query runs on the one SPARQL engine; give a store (`graph_store`) to run several, and
    `default_graph` to check one of its graphs.
    """
    store = data if isinstance(data, ox.Store) else graph_store(data)
    text = query_path.read_text(encoding="utf-8").replace(CANONICAL_BASE_IRI, base_iri)
    solutions = store.query(text, default_graph=default_graph)
    if not isinstance(solutions, ox.QuerySolutions):
        raise OntologyLoadError(query_path, "a violation query must be a SELECT query")
    names = [variable.value for variable in solutions.variables]
    violations = []
    for solution in solutions:
        values = {name: solution[name] for name in names if solution[name] is not None}
        texts = {name: getattr(term, "value", str(term)) for name, term in values.items()}
        focus = next(iter(texts.values()), "")
        details = ", ".join(f"{name}={value}" for name, value in texts.items())
        violations.append(Violation(query_path.stem, focus, details))
    return violations


def load_shapes(shapes_dir: Path, base_iri: str) -> Graph:
    shapes = Graph()
    paths = sorted(shapes_dir.glob("*.ttl")) if shapes_dir.is_dir() else []
    if not paths:
        raise OntologyLoadError(shapes_dir, "no SHACL shapes (*.ttl) found")
    for path in paths:
        text = path.read_text(encoding="utf-8").replace(CANONICAL_BASE_IRI, base_iri)
        shapes.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    return shapes


def shacl_violations(
    data: Graph, shapes: Graph, *, focus_nodes: list[str | URIRef] | None = None
) -> tuple[list[Violation], int]:
    """The shapes' violations in `data` (of `focus_nodes` alone, when given) and how many nodes
    the class-targeted shapes select. `data` is not changed."""
    _conforms, results, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        focus_nodes=focus_nodes,
        inplace=True,  # no inference is asked for, so nothing is written: spare the copy
    )
    assert isinstance(results, Graph)
    violations = []
    for result in results.subjects(predicate=None, object=SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        violations.append(
            Violation(
                check=f"shacl:{_local(results.value(result, SH.sourceShape))}",
                focus=str(focus),
                message=str(results.value(result, SH.resultMessage) or "violates its shape"),
                path=_text_or_none(results.value(result, SH.resultPath)),
                value=_text_or_none(results.value(result, SH.value)),
            )
        )
    selected = len(focus_nodes) if focus_nodes is not None else _count_focus_nodes(data, shapes)
    return sorted(violations, key=lambda v: (v.focus, v.check)), selected


def _count_focus_nodes(data: Graph, shapes: Graph) -> int:
    """How many nodes the class-targeted shapes select — proof the shapes found their input."""
    from rdflib import RDF

    targets = set(shapes.objects(predicate=SH.targetClass))
    return len({node for target in targets for node in data.subjects(RDF.type, target)})


def _local(term: object) -> str:
    text = str(term)
    return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1] if isinstance(term, URIRef) else "shape"


def _text_or_none(term: object) -> str | None:
    if term is None:
        return None
    return str(term) if isinstance(term, URIRef | Literal) else "(blank node)"
