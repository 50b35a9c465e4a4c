"""A write: all or nothing, valid or refused, durable before it is acknowledged.

`Curator.write` takes the writers' lock, brings the live graph to the log's latest version,
turns the request into a change (a function of the graph it will apply to), refuses a write whose
preconditions fail (412: a stale `If-Match`, say), changes to the bundled graph (409) and
statements the graph cannot hold (422: an RDF 1.2 term, a character XML cannot hold), applies
the change with its reasoning delta, and checks the graph after it: the SHACL shapes on every
node the change touched, every `*-violation.rq` quality query, and OWL 2 RL consistency. Any
violation undoes the change and is reported (422) with what failed where — an inconsistency with
its proof. Otherwise the version is appended to the log and `fsync`ed, and only then
acknowledged.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, Graph, URIRef
from rdflib.term import Node

from kgapi.curation.changelog import ChangeLogError, Version
from kgapi.curation.live import Effect, LiveGraph
from kgapi.curation.patch import Change
from kgapi.curation.preconditions import NO_PRECONDITIONS, Preconditions, statements_not_held
from kgapi.graph.documents import xml_lacks
from kgapi.graph.validation import ShapeTargets, ViolationQuery, load_shapes, shacl_violations
from kgapi.reasoning.rule_language import Triple
from kgapi.sparql.reads import changed_keys


class WriteRefused(Exception):
    """A write that was not made: its HTTP status, a sentence, the problems, and a title where
    the status's own (which the web layer gives) would not say enough."""

    def __init__(
        self,
        status: int,
        detail: str,
        problems: list[dict[str, Any]] | None = None,
        *,
        retry_after: int | None = None,
        title: str | None = None,
    ) -> None:
        self.status, self.title, self.detail = status, title, detail
        self.problems = problems or []
        self.retry_after = retry_after  # seconds, for a 503 the client may try again after
        super().__init__(detail)


@dataclass(frozen=True)
class Receipt:
    """An acknowledged write: the version it made (None when it changed nothing) and a summary
    of what it made true."""

    version: Version | None
    summary: dict[str, Any] = field(default_factory=dict)


MakeChange = Callable[[LiveGraph], Change]


class Curator:
    """Makes writes to `live` as transactions (see the module docstring)."""

    def __init__(self, live: LiveGraph, *, shapes_dir: Path, queries_dir: Path) -> None:
        self.live = live
        self.shapes_dir = shapes_dir
        base_iri = live.base.ontology.base_iri
        self.queries = [
            ViolationQuery.read(path, base_iri)
            for path in sorted(queries_dir.glob("*-violation.rq"))
        ]
        self._shapes: Graph | None = None
        self._targets: ShapeTargets | None = None

    def write(
        self,
        author: str,
        make_change: MakeChange,
        *,
        message: str = "",
        preconditions: Preconditions = NO_PRECONDITIONS,
        may_write: Callable[[str], bool] = lambda graph: True,
        reverts: int | None = None,
    ) -> Receipt:
        """Make the change `make_change` computes, or raise WriteRefused (nothing changed)."""
        lacking = xml_lacks(message)  # text of the history, which its JSON and pages show
        if lacking is not None:
            raise WriteRefused(
                400, f"the change message holds the character {lacking}, which text may not"
            )
        try:
            return self._write(author, make_change, message, preconditions, may_write, reverts)
        except ChangeLogError as error:  # the log cannot be read or written: nothing was
            raise WriteRefused(
                503,
                f"the change could not be stored: {error}",
                retry_after=5,
            ) from error

    def _write(
        self,
        author: str,
        make_change: MakeChange,
        message: str,
        preconditions: Preconditions,
        may_write: Callable[[str], bool],
        reverts: int | None,
    ) -> Receipt:
        live = self.live
        applied: Change | None = None
        try:
            with live.log.exclusive():
                live.catch_up()
                current = live.query_store.version
                failed = preconditions.failed(live, current)
                if failed is not None:
                    raise WriteRefused(412, failed)
                change = live.effective(make_change(live))
                self._check_graphs(change, may_write)
                if not change:
                    return Receipt(None, {"version": current, "changed": False})
                unheld = statements_not_held(change)
                if unheld:
                    raise WriteRefused(
                        422,
                        f"the change holds {len(unheld)} statement(s) the graph cannot hold; "
                        "nothing was changed",
                        unheld,
                    )
                effect = live.apply(change)
                applied = change
                problems = self._problems(change, effect)
                if problems:
                    raise WriteRefused(
                        422,
                        f"the change would leave the graph invalid ({len(problems)} "
                        "problem(s)); nothing was changed",
                        problems,
                    )
                version = self._version(author, change, message, reverts, effect)
                offset = live.log.append(version, after=live.offset)
            # Acknowledged only now: the log has it (a database's transaction is committed).
            applied = None
        finally:
            if applied is not None:  # refused, or the log failed: undo it here too
                live.apply(applied.inverse())
        live.advanced(version, offset)
        return Receipt(
            version,
            {"version": live.query_store.version, "id": version.id, **summarize(change, effect)},
        )

    def _version(
        self, author: str, change: Change, message: str, reverts: int | None, effect: Effect
    ) -> Version:
        live = self.live
        return Version(
            id=live.version + 1,
            parent=live.version,
            time=datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
            author=author,
            change=change,
            message=message,
            reverts=reverts,
            counts={
                "asserted": len(live.knowledge.asserted),
                "inferred": len(live.knowledge.inferred),
            },
            changed=changed_keys(
                chain(
                    effect.asserted_added,
                    effect.asserted_removed,
                    effect.inferred_added,
                    effect.inferred_removed,
                )
            ),
        )

    def check(self, make_change: MakeChange) -> dict[str, Any]:
        """What the change would do and whether it would be accepted, changing nothing: the
        write's own checks on the graph as it would be, then undone. Raises WriteRefused for
        what is refused before any check (a bundled graph, a malformed update)."""
        live = self.live
        live.catch_up()
        change = live.effective(make_change(live))
        self._check_graphs(change, lambda graph: True)
        if not change:
            return {"valid": True, "problems": [], "changed": False}
        unheld = statements_not_held(change)
        if unheld:  # never applied, so what it would infer is not known
            return {
                "valid": False,
                "problems": unheld,
                "changed": True,
                "added": len(change.added),
                "removed": len(change.removed),
                "graphs": sorted(change.graphs()),
            }
        effect = live.apply(change)
        try:
            problems = self._problems(change, effect)
        finally:
            live.apply(change.inverse())
        return {"valid": not problems, "problems": problems, **summarize(change, effect)}

    def _check_graphs(self, change: Change, may_write: Callable[[str], bool]) -> None:
        live = self.live
        for graph in sorted(change.graphs()):
            if live.is_base_graph(graph):
                raise bundled_graph_refused(graph)
            if not may_write(graph):
                raise WriteRefused(403, f"this token may not write to the graph <{graph}>")
        if any(isinstance(q.graph_name, ox.DefaultGraph) for q in change.added | change.removed):
            raise WriteRefused(500, "a change reached the default graph")

    def _problems(self, change: Change, effect: Effect) -> list[dict[str, Any]]:
        live = self.live
        problems: list[dict[str, Any]] = []
        asserted, inferred = live.knowledge.asserted, live.knowledge.inferred

        def types(node: Node) -> Iterable[Node]:
            return chain(asserted.objects(node, RDF.type), inferred.objects(node, RDF.type))

        shapes, _selected = self.targets.focused(
            _focus_nodes(live, effect), types=types, data=asserted, whole=self.shapes
        )
        if shapes is not None:
            violations, _count = shacl_violations(asserted, shapes)
            problems += [_violation(v) for v in violations]
        asserted_graph = ox.NamedNode(live.query_store.asserted_graph)
        # A row a change can add is about a node it can put at fault (a violation query's
        # first variable names the node at fault), so the queries run for those nodes alone.
        touched = _touched_iris(live, effect)
        for query in self.queries:
            found = query.violations(live.store, default_graph=asserted_graph, focus=touched)
            problems += [_violation(v) for v in found]
        if effect.new_clashes:
            report = live.consistency()
            problems += [
                {
                    "check": f"owl2rl:{issue.rule}",
                    "focus": issue.resources[0] if issue.resources else "",
                    "message": issue.message,
                    "resources": list(issue.resources),
                    "proof": [premise.to_dict() for premise in issue.proof],
                }
                for issue in report.issues
            ]
        return problems

    @property
    def shapes(self) -> Graph:
        if self._shapes is None:
            self._shapes = load_shapes(self.shapes_dir, self.live.base.ontology.base_iri)
            self._targets = ShapeTargets.of(self._shapes)
        return self._shapes

    @property
    def targets(self) -> ShapeTargets:
        """What the shapes select: nodes no shape selects need no validator run."""
        if self._targets is None:
            _ = self.shapes
        assert self._targets is not None
        return self._targets


PROPOSE_UPSTREAM = (
    "To change what it says, propose it: as a contested claim (a virt:ContestedClaim with the "
    "positions and their sources) in a user graph, or as a patch to the ontology's Turtle files."
)


def bundled_graph_refused(graph: str, why: str = "") -> WriteRefused:
    """The refusal of a write to (or an update naming) `graph`, one of the bundled graphs;
    `why` adds a sentence after the first."""
    return WriteRefused(
        409, f"<{graph}> is part of the bundled graph, which is read-only. {why}{PROPOSE_UPSTREAM}"
    )


def summarize(change: Change, effect: Effect) -> dict[str, Any]:
    """What a change makes true: counts, and the new inferred types of the subjects it touched."""
    touched = {s for s, _, _ in effect.asserted_added | effect.asserted_removed}
    new_types: dict[str, list[str]] = {}
    for s, p, o in sorted(effect.inferred_added, key=str):
        if p == RDF.type and s in touched and isinstance(o, URIRef):
            new_types.setdefault(str(s), []).append(str(o))
    return {
        "changed": True,
        "added": len(change.added),
        "removed": len(change.removed),
        "inferred_added": len(effect.inferred_added),
        "inferred_removed": len(effect.inferred_removed),
        "new_inferred_types": new_types,
        "graphs": sorted(change.graphs()),
    }


def _focus_nodes(live: LiveGraph, effect: Effect) -> list[URIRef]:
    """The nodes whose shapes a change can break: the subjects of every triple asserted or
    retracted, and — where a node's type changed — the nodes pointing at it (sh:class on their
    values). Blank nodes are reached through the IRIs that hold them."""
    nodes: set[URIRef] = set()
    asserted = live.knowledge.asserted
    for s, p, _o in effect.asserted_added | effect.asserted_removed:
        if isinstance(s, URIRef):
            nodes.add(s)
        if p == RDF.type:
            nodes.update(n for n in asserted.subjects(None, s) if isinstance(n, URIRef))
    return sorted(nodes, key=str)


def _touched_iris(live: LiveGraph, effect: Effect) -> list[ox.NamedNode]:
    """The IRIs a change can put at fault, in order: the subjects of the triples it asserted or
    retracted; the objects of those it retracted (a class that lost its last subclass); and the
    IRIs it uses first (a term used but never declared). An IRI the graph already used or
    described, merely pointed at once more, was and stays as it was: the graph before the
    change passed the same checks. (Checking every use again made each write cost in proportion
    to how often its predicate was used before.)"""
    asserted = live.knowledge.asserted
    added, removed = effect.asserted_added, effect.asserted_removed
    iris = {s for s, _, _ in added | removed} | {o for _, _, o in removed}
    iris |= {
        term
        for _, p, o in added
        for term in (p, o)
        if isinstance(term, URIRef) and _first_used(asserted, term, added)
    }
    return [ox.NamedNode(str(iri)) for iri in sorted(iris, key=str) if isinstance(iri, URIRef)]


def _first_used(asserted: Graph, term: URIRef, added: AbstractSet[Triple]) -> bool:
    """True if no asserted triple but the change's own (`added`) has `term` anywhere: looking
    stops at the first other one, so at most len(added) triples are read."""
    for pattern in ((term, None, None), (None, term, None), (None, None, term)):
        for triple in asserted.triples(pattern):
            if triple not in added:
                return False
    return True


def _violation(violation: Any) -> dict[str, Any]:
    found = {"check": violation.check, "focus": violation.focus, "message": violation.message}
    if violation.path:
        found["path"] = violation.path
    if violation.value:
        found["value"] = violation.value
    return found
