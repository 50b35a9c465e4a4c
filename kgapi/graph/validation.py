"""Quality gates of the ontology: its SHACL shapes and its `*-violation.rq` queries."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kgapi.graph.loading import LoadedOntology, OntologyLoadError
from kgapi.settings import CANONICAL_BASE_IRI

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query


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
    return ViolationQuery.read(query_path, base_iri).violations(store, default_graph=default_graph)


@dataclass(frozen=True)
class ViolationQuery:
    """A `*-violation.rq` query, read once. Its first variable names the node at fault: a
    check of a few nodes binds it to each (the engine's substitutions, never query text)."""

    name: str
    text: str
    path: Path
    focus_variable: ox.Variable

    @classmethod
    def read(cls, path: Path, base_iri: str) -> ViolationQuery:
        """Raises OntologyLoadError for a query that is not a SELECT with variables."""
        text = path.read_text(encoding="utf-8").replace(CANONICAL_BASE_IRI, base_iri)
        try:
            solutions = ox.Store().query(text)  # over nothing: only to read its variables
        except SyntaxError as error:
            raise OntologyLoadError(path, f"not a SPARQL query: {error}") from error
        if not isinstance(solutions, ox.QuerySolutions) or not solutions.variables:
            raise OntologyLoadError(path, "a violation query must be a SELECT query")
        return cls(path.stem, text, path, solutions.variables[0])

    def violations(
        self,
        store: ox.Store,
        *,
        default_graph: ox.NamedNode | None = None,
        focus: Iterable[ox.NamedNode] | None = None,
    ) -> list[Violation]:
        """The rows over the whole graph, or (with `focus`) those about the nodes given."""
        if focus is None:
            return self._rows(self._run(store, default_graph, None))
        found: list[Violation] = []
        for node in focus:
            found += self._rows(self._run(store, default_graph, {self.focus_variable: node}))
        return found

    def _run(
        self,
        store: ox.Store,
        default_graph: ox.NamedNode | None,
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]
        | None,
    ) -> ox.QuerySolutions:
        solutions = store.query(self.text, default_graph=default_graph, substitutions=substitutions)
        assert isinstance(solutions, ox.QuerySolutions)  # checked when read
        return solutions

    def _rows(self, solutions: ox.QuerySolutions) -> list[Violation]:
        names = [variable.value for variable in solutions.variables]
        violations = []
        for solution in solutions:
            values = {name: solution[name] for name in names if solution[name] is not None}
            texts = {name: getattr(term, "value", str(term)) for name, term in values.items()}
            focus = next(iter(texts.values()), "")
            details = ", ".join(f"{name}={value}" for name, value in texts.items())
            violations.append(Violation(self.name, focus, details))
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


def shacl_violations(data: Graph, shapes: Graph) -> tuple[list[Violation], int]:
    """The shapes' violations in `data` and how many nodes the class-targeted shapes select.
    `data` is not changed. To validate some nodes alone, give `ShapeTargets.focused` shapes."""
    import pyshacl  # (here: 0.1 s of imports that a server without writes never needs)

    _conforms, results, _text = pyshacl.validate(
        _PreparedQueries.over(data),
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
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
    return sorted(violations, key=lambda v: (v.focus, v.check)), _count_focus_nodes(data, shapes)


_TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)


@dataclass(frozen=True)
class ShapeTarget:
    """What one shape selects as focus nodes (SHACL §2.1.3)."""

    classes: frozenset[Node]
    subjects_of: frozenset[Node]
    objects_of: frozenset[Node]
    nodes: frozenset[Node]

    def selects(self, node: Node, types: frozenset[Node], data: Graph) -> bool:
        return (
            node in self.nodes
            or not self.classes.isdisjoint(types)
            or any(True for p in self.subjects_of for _ in data.objects(node, p))
            or any(True for p in self.objects_of for _ in data.subjects(p, node))
        )


@dataclass(frozen=True)
class ShapeTargets:
    """What each shape of a shapes graph selects, to validate a change's nodes alone: the
    shapes graph is rewritten so that each shape targets exactly the nodes of the change it
    would select (`sh:targetNode`), and the validator runs on the whole data graph.

    Not pySHACL's `focus_nodes`: it filters the focus nodes of every shape it evaluates,
    nested ones included, so a shape inside `sh:or` (or `sh:node`, `sh:not`...) evaluated on
    a value that is not one of them, a literal always, passed unchecked (pySHACL 0.40.1).
    `unknown` marks targets this does not read (SPARQL-based ones): then the whole graph is
    validated."""

    by_shape: dict[Node, ShapeTarget]
    unknown: bool
    shapes: Graph

    @classmethod
    def of(cls, shapes: Graph) -> ShapeTargets:
        implicit = {  # a shape that is also a class targets its instances (§2.1.3.3)
            shape
            for shape in shapes.subjects(RDF.type, SH.NodeShape)
            if (shape, RDF.type, RDFS.Class) in shapes
        }
        targeted = {s for p in _TARGETS for s in shapes.subjects(p, None)} | implicit

        def objects(shape: Node, predicate: URIRef) -> frozenset[Node]:
            return frozenset(shapes.objects(shape, predicate))

        by_shape = {
            shape: ShapeTarget(
                classes=objects(shape, SH.targetClass) | ({shape} if shape in implicit else set()),
                subjects_of=objects(shape, SH.targetSubjectsOf),
                objects_of=objects(shape, SH.targetObjectsOf),
                nodes=objects(shape, SH.targetNode),
            )
            for shape in targeted
        }
        untargeted = _with_namespaces_of(shapes, Graph())
        for triple in shapes:
            shape, predicate, _ = triple
            if shape in targeted and (
                predicate in _TARGETS or (shape in implicit and triple[2] == RDFS.Class)
            ):
                continue
            untargeted.add(triple)
        unknown = any(True for _ in shapes.objects(None, SH.target))
        return cls(by_shape, unknown, untargeted)

    def focused(
        self,
        nodes: Iterable[URIRef],
        *,
        types: Callable[[Node], Iterable[Node]],
        data: Graph,
        whole: Graph,
    ) -> tuple[Graph | None, int]:
        """The shapes to validate `nodes` with (`whole`, the shapes graph these targets were
        read from, when a target is unknown), and how many of `nodes` a shape selects; None
        when no shape selects any. `types` gives a node's classes, inferred ones included, so
        that subclasses count."""
        if self.unknown:
            return whole, len(list(nodes))
        chosen: dict[Node, list[Node]] = {}
        selected: set[Node] = set()
        for node in nodes:
            node_types = frozenset(types(node))
            for shape, target in self.by_shape.items():
                if target.selects(node, node_types, data):
                    chosen.setdefault(shape, []).append(node)
                    selected.add(node)
        if not chosen:
            return None, 0
        shapes = _with_namespaces_of(self.shapes, Graph())
        shapes += self.shapes
        for shape, focus in chosen.items():
            for focus_node in focus:
                shapes.add((shape, SH.targetNode, focus_node))
        return shapes, len(selected)


def _with_namespaces_of(source: Graph, graph: Graph) -> Graph:
    for prefix, namespace in source.namespaces():
        graph.bind(prefix, namespace, override=True)
    return graph


class _PreparedQueries(Graph):
    """`data`'s triples (the same store, no copy) with each SPARQL text parsed once: pySHACL
    sends its SPARQL constraints as text on every validation, and rdflib parses text each time
    (most of a focused validation's time)."""

    _parsed: ClassVar[dict[tuple[str, tuple[tuple[str, str], ...]], Query]] = {}
    _parsed_lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def over(cls, data: Graph) -> Graph:
        view = cls(store=data.store, identifier=data.identifier)
        view.namespace_manager = data.namespace_manager
        return view

    def query(
        self,
        query_object: Any,
        processor: Any = "sparql",
        result: Any = "sparql",
        initNs: Any = None,
        initBindings: Any = None,
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Any:
        if isinstance(query_object, str):
            namespaces = tuple(sorted((str(k), str(v)) for k, v in (initNs or {}).items()))
            with self._parsed_lock:
                prepared = self._parsed.get((query_object, namespaces))
                if prepared is None:
                    from rdflib.plugins.sparql import prepareQuery

                    prepared = prepareQuery(query_object, initNs=initNs)
                    self._parsed[(query_object, namespaces)] = prepared
            query_object = prepared
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


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
