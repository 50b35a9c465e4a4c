"""The live graph of one process: the bundled graph, the user graphs, and their closure, kept at
the change log's latest version.

The bundled knowledge graph is the read-only base. User graphs are named graphs of their own,
in the store and in the default (union) graph; their triples are asserted as the base's are, so
they are reasoned over, validated and explained alike. `apply` moves everything a reader sees —
the rdflib graphs the read model uses, the query store, the update view, the closure and its
consistency — to the next version in place, with only the change's reasoning delta (semi-naive
insertion, DRed retraction: `kgapi.reasoning.retraction`).

In place is safe because a serving process answers one request at a time (kgapi.web.workers)
and applies versions only between requests, and because a process that is stopped mid-way is
discarded, never reused: each replacement catches up from the log it forked with.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from itertools import islice

import pyoxigraph as ox
from rdflib.term import Node

from kgapi.curation.changelog import (
    ChangeLogError,
    Snapshot,
    Version,
    VersionLog,
    snapshot_quads,
    user_quads_at,
)
from kgapi.curation.patch import Change
from kgapi.graph.knowledge import KnowledgeGraph, versioned
from kgapi.graph.terms import oxigraph_term, rdflib_term
from kgapi.processes import end_when_answered
from kgapi.reasoning import closure
from kgapi.reasoning.consistency import ConsistencyReport, consistency_report
from kgapi.reasoning.inference import Derivations
from kgapi.reasoning.retraction import insert, retract
from kgapi.reasoning.rule_language import Triple
from kgapi.reasoning.triple_index import TripleIndex
from kgapi.sparql.store import QueryStore

log = logging.getLogger(__name__)

HeldQuad = tuple[ox.Quad, Triple]  # a quad of the store, and its triple as rdflib holds it


@dataclass(frozen=True)
class Effect:
    """What applying a change did: triples newly asserted and retracted, inferences gained and
    lost (as served), and whether the consistency report changed."""

    asserted_added: frozenset[Triple]
    asserted_removed: frozenset[Triple]
    inferred_added: frozenset[Triple]
    inferred_removed: frozenset[Triple]
    new_clashes: int


class LiveGraph:
    """The served graph at a version of the log; see the module docstring."""

    def __init__(self, knowledge: KnowledgeGraph, query_store: QueryStore, log: VersionLog) -> None:
        self.base = knowledge
        self.knowledge = knowledge
        self.query_store = query_store
        self.log = log
        self.version = 0
        self.offset = 0
        self.curated_graph = f"{knowledge.ontology.base_iri}graph/curated"
        self.base_graphs = frozenset(query_store.graph_sizes)
        self.base_version = query_store.version
        self._sizes = dict(query_store.graph_sizes)
        self._holders: Counter[Triple] = Counter()  # user graphs holding each asserted triple
        self._closure: Derivations | None = None
        self._view: ox.Store | None = None
        self._history: list[Version] = []
        self.start: Snapshot | None = None  # the snapshot this process started from
        self._earlier_read = False

    # --- reading the state -------------------------------------------------------------

    @property
    def store(self) -> ox.Store:
        return self.query_store.store

    @property
    def view(self) -> ox.Store:
        """What a SPARQL Update sees: the served default graph and the user graphs but the
        curated one, which is the default graph's own part, not a named graph (made on first
        use, then kept in step with every version)."""
        if self._view is None:
            view = ox.Store()
            view.extend(self.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
            for graph in self.user_graph_names - {self.curated_graph}:
                node = ox.NamedNode(graph)
                view.extend(self.store.quads_for_pattern(None, None, None, node))
            self._view = view
        return self._view

    @property
    def closure(self) -> Derivations:
        """The closure of base + user triples, with derivations (made on first use)."""
        if self._closure is None:
            # A copy: the base graph's derivations are its explanations, and stay as they are.
            self._closure = _owned_copy(self.base.derivations())
        return self._closure

    @property
    def user_graph_names(self) -> frozenset[str]:
        """The IRIs of the user graphs that hold triples (an emptied graph is no more)."""
        return frozenset(self._sizes) - self.base_graphs

    def is_base_graph(self, graph: str) -> bool:
        return graph in self.base_graphs

    def in_base(self, triple: Triple) -> bool:
        """True if a bundled file asserts `triple`."""
        return bool(self.base.ontology.source_files_of(triple))

    def graph_quads(self, graph: str) -> list[ox.Quad]:
        return list(self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    # --- following the log -------------------------------------------------------------

    def prepare(self) -> None:
        """Do now what the first write would (closure with derivations, update view), so that
        processes forked after this share it."""
        _ = self.closure, self.view

    def follow(self) -> bool:
        """`catch_up` if the log says it may have something new (cheaply: a `stat`, or the
        notifications PostgreSQL sent); True if any version was applied."""
        return self.log.changed_since(self.offset) and self.catch_up()

    def catch_up(self) -> bool:
        """Apply the versions the log has past this one's; True if any were applied."""
        if self.log.size() == self.offset:
            return False
        started = self.offset == 0 and self._start_from_snapshot()
        versions, offset = self.log.read_from(self.offset)
        if versions and versions[0].parent != self.version:
            raise ChangeLogError(
                f"the log goes on from version {versions[0].parent}, not {self.version}: "
                "the versions between are archived, and no snapshot covers them"
            )
        if versions:
            # Several versions behind (a busy follower usually is): one change, one reasoning
            # delta and one set of wrappers for all of them, not one each.
            self.apply(self.effective(Change.then(version.change for version in versions)))
            self._history.extend(versions[:-1])
            self._advance(versions[-1])
        self.offset = offset
        return bool(versions) or started

    def _start_from_snapshot(self) -> bool:
        """At the first catch-up, start from the newest snapshot (the user graphs as one change:
        one reasoning delta instead of one per version). True if there was one."""
        snapshot = self.log.snapshot()
        if snapshot is None or snapshot.version == 0:
            return False
        self.apply(Change.of(snapshot_quads(snapshot), ()))
        self.version, self.offset = snapshot.version, snapshot.position
        self.start = snapshot
        self._rewrap()
        return True

    def pending(self) -> int:
        """How many versions the log has that this graph has not applied yet."""
        return len(self.log.read_from(self.offset)[0])

    def history(self) -> list[Version]:
        """The log's versions, oldest first: those applied here and — when this process
        started from a snapshot — those before it that are not archived (read on first use)."""
        if self.start is not None and not self._earlier_read:
            earlier = [v for v in self.log.read_from(0)[0] if v.id <= self.start.version]
            self._history[:0] = earlier
            self._earlier_read = True
        return list(self._history)

    def user_quads_at(self, number: int) -> set[ox.Quad]:
        """The user graphs after version `number` (0: before the first); LookupError for a
        version that is archived."""
        history = self.history()
        if (history and history[0].parent == 0) or self.start is None:
            return user_quads_at(history, number)
        if number < self.start.version:
            raise LookupError(f"version {number} is archived")
        after = [version for version in history if version.id > self.start.version]
        return user_quads_at(after, number, start=snapshot_quads(self.start))

    def _advance(self, version: Version) -> None:
        self._history.append(version)
        self.version = version.id
        self._rewrap()

    def advanced(self, version: Version, offset: int) -> None:
        """Record that `version`, already applied here, is in the log up to `offset`."""
        self.offset = offset
        self._advance(version)

    # --- changing the state ------------------------------------------------------------

    def effective(self, change: Change) -> Change:
        """`change` less what would change nothing: additions already present in their graph,
        removals of quads that are not."""
        store = self.store
        return Change(
            frozenset(quad for quad in change.added if quad not in store),
            frozenset(quad for quad in change.removed if quad in store),
        )

    def apply(self, change: Change) -> Effect:
        """Move the graph by `change` (user-graph quads only; see `effective`), in place. One
        that fails on the way (out of memory, say) may leave the graph half moved, which no
        request may see: the process ends once it has answered (kgapi.processes)."""
        # Every quad's triple first: a term rdflib cannot hold raises before anything moved.
        removals = [(quad, _triple(quad)) for quad in change.removed]
        additions = [(quad, _triple(quad)) for quad in change.added]
        try:
            return self._move(removals, additions)
        except BaseException:
            end_when_answered("a change failed halfway through the live graph")
            raise

    def _move(self, removals: list[HeldQuad], additions: list[HeldQuad]) -> Effect:
        derivations = self.closure  # before anything changes: it is made from the base
        asserted_added, asserted_removed = self._move_user_graphs(removals, additions)
        clashes_before = len(derivations.clashes)
        candidates = asserted_added | asserted_removed  # and what the closure gained or lost:
        if asserted_removed:
            before = set(derivations.first)  # a retraction removes and re-derives anywhere
            derivations = retract(derivations, asserted_removed)
            candidates |= before ^ derivations.first.keys()
        if asserted_added:
            first = derivations.first
            kept = len(first) - sum(1 for triple in asserted_added if triple in first)
            derivations = insert(derivations, asserted_added)
            # insert() drops the newly asserted triples from the derivations and appends what
            # it derives; a dict keeps insertion order, so what it derived is the tail past
            # the keys it kept (no copy of the whole closure per write).
            grown = derivations.first
            assert isinstance(grown, dict)  # a closure that updates are applied to is a dict
            candidates |= set(islice(reversed(grown), len(grown) - kept))
        self._closure = derivations
        inferred_added, inferred_removed = self._move_inferred(candidates, derivations.first)
        self._move_default_graph(
            asserted_added | inferred_added, asserted_removed | inferred_removed
        )
        return Effect(
            frozenset(asserted_added),
            frozenset(asserted_removed),
            frozenset(inferred_added),
            frozenset(inferred_removed),
            max(0, len(derivations.clashes) - clashes_before),
        )

    def _move_user_graphs(
        self, removals: list[HeldQuad], additions: list[HeldQuad]
    ) -> tuple[set[Triple], set[Triple]]:
        """Change the user graphs; returns the triples that became and ceased to be asserted."""
        asserted = self.knowledge.asserted
        curated = ox.NamedNode(self.curated_graph)
        added: set[Triple] = set()
        removed: set[Triple] = set()
        for quad, triple in removals:
            self._count(quad.graph_name, -1)
            self.store.remove(quad)
            if quad.graph_name != curated:
                self.view.remove(quad)
            self._holders[triple] -= 1
            if self._holders[triple] <= 0:
                del self._holders[triple]
                if not self.in_base(triple):
                    asserted.remove(triple)
                    removed.add(triple)
        for quad, triple in additions:
            self._count(quad.graph_name, 1)
            self.store.add(quad)
            if quad.graph_name != curated:
                self.view.add(quad)
            self._holders[triple] += 1
            if self._holders[triple] == 1 and triple not in asserted:
                asserted.add(triple)
                added.add(triple)
        for graph in [graph for graph, size in self._sizes.items() if size <= 0]:
            if graph not in self.base_graphs:
                del self._sizes[graph]  # an emptied user graph is no more
        self._move_graph(self.query_store.asserted_graph, added, removed)
        return added - removed, removed - added

    def _move_inferred(
        self, candidates: Iterable[Triple], derived: Mapping[Triple, object]
    ) -> tuple[set[Triple], set[Triple]]:
        """Bring the served inferred graph in line with the closure (`derived`: its derived
        triples) for `candidates`."""
        asserted, inferred = self.knowledge.asserted, self.knowledge.inferred
        added: set[Triple] = set()
        removed: set[Triple] = set()
        for triple in candidates:
            served = closure.normalize(triple)
            wanted = triple in derived and served not in asserted and not closure.is_trivial(served)
            present = served in inferred
            if wanted and not present:
                inferred.add(served)
                added.add(served)
            elif present and not wanted:
                inferred.remove(served)
                removed.add(served)
        self._move_graph(self.query_store.inferred_graph, added, removed)
        return added, removed

    def _move_default_graph(self, added: set[Triple], removed: set[Triple]) -> None:
        """The default graph is asserted + inferred: a triple leaves it only when in neither."""
        asserted, inferred = self.knowledge.asserted, self.knowledge.inferred
        gone = {t for t in removed if t not in asserted and t not in inferred}
        alone = self.query_store.default_store
        for quad in _quads(added, ox.DefaultGraph()):
            self.store.add(quad)
            alone.add(quad)
            self.view.add(quad)
        for quad in _quads(gone, ox.DefaultGraph()):
            self.store.remove(quad)
            alone.remove(quad)
            self.view.remove(quad)

    def _count(self, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph, step: int) -> None:
        if isinstance(graph, ox.NamedNode):
            self._sizes[graph.value] = self._sizes.get(graph.value, 0) + step

    def _move_graph(self, graph: str, added: set[Triple], removed: set[Triple]) -> None:
        self._sizes[graph] = self._sizes.get(graph, 0) + len(added) - len(removed)
        node = ox.NamedNode(graph)
        for quad in _quads(added, node):
            self.store.add(quad)
        for quad in _quads(removed, node):
            self.store.remove(quad)

    def consistency(self) -> ConsistencyReport:
        """The consistency report of the graph as it is now, each clash with its proof."""
        base = self.base.ontology

        def files_of(triple: Triple) -> tuple[str, ...]:
            return tuple(path.name for path in base.source_files_of(triple))

        return consistency_report(self.closure, names=self.knowledge.asserted, files_of=files_of)

    def _rewrap(self) -> None:
        """New read-model and store wrappers for the version: what was built lazily from the
        last one (indexes, datasets) is built again on first use."""
        knowledge = self.knowledge
        derivations = self.closure
        report = knowledge.consistency
        if derivations.clashes or not report.consistent:
            report = self.consistency()
        self.knowledge = KnowledgeGraph(
            knowledge.ontology,
            knowledge.asserted,
            knowledge.inferred,
            report,
            knowledge.closure_seconds,
            knowledge.cache_hit,
            revision=self.version,
        )
        self.knowledge._derivations.seed(derivations)
        self.query_store = replace(
            self.query_store,
            version=versioned(self.base_version, self.version),
            graph_sizes=dict(sorted(self._sizes.items())),
        )


def _triple(quad: ox.Quad) -> Triple:
    return (rdflib_term(quad.subject), rdflib_term(quad.predicate), rdflib_term(quad.object))


def _quads(
    triples: Iterable[tuple[Node, Node, Node]], graph: ox.NamedNode | ox.DefaultGraph
) -> list[ox.Quad]:
    quads = []
    for s, p, o in triples:
        subject, predicate, obj = oxigraph_term(s), oxigraph_term(p), oxigraph_term(o)
        if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
            continue  # a generalized triple of the closure, which RDF cannot hold
        quads.append(ox.Quad(subject, predicate, obj, graph))
    return quads


def _owned_copy(derivations: Derivations) -> Derivations:
    """A copy of `derivations` that updates can change in place."""
    index = TripleIndex(derivations.index)
    return Derivations(
        index,
        set(derivations.asserted),
        dict(derivations.first),
        derivations.rounds,
        list(derivations.clashes),
        derivations.rules,
        dict(derivations.terms),
    )
