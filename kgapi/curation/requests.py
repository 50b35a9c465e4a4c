"""What a write request asks for, as a change: a SPARQL Update, or a Graph Store Protocol call.

**SPARQL Update** runs on the engine itself, over the live graph's update view (default graph:
the served union of bundled, user and inferred triples; named graphs: the user graphs, so an
update that names a bundled graph is refused, 409, rather than reading it as empty), and the
change is what it did there — read back as the difference of the view before and after, then
undone there (the view moves only when a version is applied). A triple the update adds to the
default graph lands in the curated graph (`{base}graph/curated`); one it removes from the
default graph is removed from every user graph that holds it, and refused (409) if the bundled
graph asserts it or it is only inferred. LOAD (it would fetch a URL) and SERVICE (a remote
query) are refused before the engine sees the text.

**Graph Store Protocol** calls name their graph; `default` is the curated graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox

from kgapi.curation.live import LiveGraph
from kgapi.curation.patch import Change
from kgapi.curation.transaction import PROPOSE_UPSTREAM, WriteRefused, bundled_graph_refused
from kgapi.graph.terms import rdflib_term
from kgapi.processes import ChildEnded, in_a_child
from kgapi.sparql.executor import nests_shallowly
from kgapi.sparql.text import DataOperation, data_operations, named_graphs, read_query_text


def sparql_update(text: str, *, base_iri: str | None = None) -> Callable[[LiveGraph], Change]:
    """The change function of the SPARQL Update `text` (checked for LOAD and SERVICE now)."""
    reading = read_query_text(text)
    if reading.uses_load:
        if _only_silent_loads(text):
            # LOAD SILENT of a document that cannot be fetched succeeds and changes nothing
            # (Update §3.1.4), and no document can be fetched from here.
            return lambda live: Change.of((), ())
        raise WriteRefused(
            403,
            "LOAD is refused: this server makes no outbound requests; send the data itself "
            "(INSERT DATA, or PUT/POST to /store)",
        )
    if reading.uses_service:
        raise WriteRefused(
            403,
            "SERVICE is refused in updates: this server makes no outbound requests",
        )

    operations = data_operations(text)

    named = named_graphs(text)

    def change(live: LiveGraph) -> Change:
        bundled = sorted(graph for graph in named if live.is_base_graph(graph))
        if bundled:
            raise bundled_graph_refused(
                bundled[0],
                "An update's named graphs are the user graphs; the bundled triples are in its "
                "default graph, with the inferred and the user ones. ",
            )
        if operations is not None:
            quick = _data_change(live, operations, base_iri)
            if quick is not None:
                return quick
        return _engine_change(live, text, base_iri)

    return change


def _engine_change(live: LiveGraph, text: str, base_iri: str | None) -> Change:
    """The change the engine makes running `text` on the update view, read back as the view's
    difference. An update that may nest deep enough to overflow the engine's stack (a SIGSEGV
    of the writer) runs in a child, on the child's copy of the view, as such a query does
    (kgapi.sparql.executor), and the child's death is the client's 400."""
    view = live.view
    try:
        if nests_shallowly(text):
            added, removed = _engine_difference(view, text, base_iri)
            # Undone: a version moves the view only once it is accepted.
            for quad in added:
                view.remove(quad)
            for quad in removed:
                view.add(quad)
        else:
            added, removed = in_a_child(lambda: _engine_difference(view, text, base_iri))
    except ChildEnded as ended:
        raise WriteRefused(
            400,
            "the update nests too deeply for the engine (brackets, calls, operators, or a long "
            "chain of UNION or of path steps)",
        ) from ended
    except SyntaxError as error:
        raise WriteRefused(400, f"invalid SPARQL Update: {error}") from error
    except (OSError, RuntimeError) as error:  # it cannot apply to this state (a missing graph)
        raise WriteRefused(409, f"the update cannot be applied: {error}") from error
    return _as_user_change(live, added, removed)


def _engine_difference(
    view: ox.Store, text: str, base_iri: str | None
) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """The quads the engine adds to and removes from `view` running `text` (left applied)."""
    before = view.dump(format=ox.RdfFormat.N_QUADS)
    view.update(text, base_iri=base_iri)
    after = view.dump(format=ox.RdfFormat.N_QUADS)
    assert before is not None and after is not None  # no file given: the dump is returned
    return _difference(before, after)


def _only_silent_loads(text: str) -> bool:
    """Whether `text` is made of LOAD SILENT operations alone; raises WriteRefused (400) for
    text that is not an update at all. Read with rdflib's parser, which only parses: the engine
    would fetch the document while it reads the update."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        operations = translateUpdate(parseUpdate(text)).algebra
    except (ParseException, ValueError) as error:
        raise WriteRefused(400, f"invalid SPARQL Update: {error}") from error
    return bool(operations) and all(op.name == "Load" and "silent" in dict(op) for op in operations)


def _data_change(
    live: LiveGraph, operations: list[DataOperation], base_iri: str | None
) -> Change | None:
    """The change of INSERT DATA / DELETE DATA operations, read as data and folded in order over
    the update view — what the engine would do, without running it over the whole view. None
    where the engine must decide (data that is not TriG as written, blank nodes to delete)."""
    added: set[ox.Quad] = set()
    removed: set[ox.Quad] = set()
    view = live.view
    for operation in operations:
        try:
            quads = list(
                ox.parse(operation.trig.encode(), format=ox.RdfFormat.TRIG, base_iri=base_iri)
            )
        except (SyntaxError, ValueError):
            return None
        if operation.keyword == "INSERT":
            fresh: dict[ox.BlankNode, ox.BlankNode] = {}  # each operation's blank nodes are new
            quads = [_renamed(quad, fresh) for quad in quads]
        elif any(isinstance(term, ox.BlankNode) for q in quads for term in (q.subject, q.object)):
            return None
        # As the store holds them (it writes some literals in a canonical datatype).
        held = ox.Store()
        held.extend(quads)
        quads = list(held)
        for quad in quads:
            present = quad in added or (quad in view and quad not in removed)
            if operation.keyword == "INSERT" and not present:
                if quad in removed:
                    removed.discard(quad)
                else:
                    added.add(quad)
            elif operation.keyword == "DELETE" and present:
                if quad in added:
                    added.discard(quad)
                else:
                    removed.add(quad)
    return _as_user_change(live, list(added), list(removed))


def _renamed(quad: ox.Quad, fresh: dict[ox.BlankNode, ox.BlankNode]) -> ox.Quad:
    def term(node: Any) -> Any:
        if isinstance(node, ox.BlankNode):
            return fresh.setdefault(node, ox.BlankNode())
        return node

    return ox.Quad(term(quad.subject), quad.predicate, term(quad.object), quad.graph_name)


def replace_graph(graph: str | None, quads: Iterable[ox.Quad]) -> Callable[[LiveGraph], Change]:
    """PUT: the graph (None: the curated graph) holds exactly `quads`' triples."""

    def change(live: LiveGraph) -> Change:
        target = _target(live, graph)
        new = {_in(quad, target) for quad in quads}
        return Change.of(new, live.graph_quads(target.value))

    return change


def add_to_graph(graph: str | None, quads: Iterable[ox.Quad]) -> Callable[[LiveGraph], Change]:
    """POST: `quads`' triples are added to the graph (None: the curated graph)."""

    def change(live: LiveGraph) -> Change:
        target = _target(live, graph)
        return Change.of({_in(quad, target) for quad in quads}, ())

    return change


def delete_graph(graph: str | None) -> Callable[[LiveGraph], Change]:
    """DELETE: the graph (None: the curated graph) is emptied, and so is no more."""

    def change(live: LiveGraph) -> Change:
        return Change.of((), live.graph_quads(_target(live, graph).value))

    return change


def _target(live: LiveGraph, graph: str | None) -> ox.NamedNode:
    # A bundled graph named here is refused by the curator (409), as for any change.
    return ox.NamedNode(graph if graph is not None else live.curated_graph)


def _in(quad: ox.Quad, graph: ox.NamedNode) -> ox.Quad:
    return ox.Quad(quad.subject, quad.predicate, quad.object, graph)


def _difference(before: bytes, after: bytes) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """The quads of `after` not in `before`, and the other way round (N-Quads dumps of one
    store, whose blank node labels are stable)."""
    old, new = set(before.splitlines()), set(after.splitlines())
    return _parsed(new - old), _parsed(old - new)


def _parsed(lines: set[bytes]) -> list[ox.Quad]:
    if not lines:
        return []
    return list(ox.parse(b"\n".join(lines) + b"\n", format=ox.RdfFormat.N_QUADS))


def _as_user_change(live: LiveGraph, added: list[ox.Quad], removed: list[ox.Quad]) -> Change:
    """The view's difference as a change of the user graphs (see the module docstring)."""
    curated = ox.NamedNode(live.curated_graph)
    adds: set[ox.Quad] = set()
    removes: set[ox.Quad] = set()
    refused: list[str] = []
    inferred_only: list[str] = []
    for quad in added:
        adds.add(_in(quad, curated) if isinstance(quad.graph_name, ox.DefaultGraph) else quad)
    for quad in removed:
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            removes.add(quad)
            continue
        triple = (rdflib_term(quad.subject), rdflib_term(quad.predicate), rdflib_term(quad.object))
        if live.in_base(triple):
            refused.append(_text(quad))
            continue
        holders = [
            found
            for found in live.store.quads_for_pattern(quad.subject, quad.predicate, quad.object)
            if isinstance(found.graph_name, ox.NamedNode)
            and found.graph_name.value in live.user_graph_names
        ]
        if not holders:
            inferred_only.append(_text(quad))
        removes.update(holders)
    if refused:
        raise WriteRefused(
            409,
            f"the update would remove {len(refused)} triple(s) of the bundled graph, which is "
            f"read-only (first: {refused[0]}). " + PROPOSE_UPSTREAM,
            [
                {"check": "read-only", "focus": text, "message": "asserted by the bundled graph"}
                for text in sorted(refused)[:100]
            ],
        )
    if inferred_only:
        raise WriteRefused(
            409,
            f"the update would remove {len(inferred_only)} inferred triple(s) (first: "
            f"{inferred_only[0]}); an inference goes only with what it follows from: remove "
            "its premises (GET /api/explain shows them)",
            [
                {"check": "inferred", "focus": text, "message": "inferred, not asserted"}
                for text in sorted(inferred_only)[:100]
            ],
        )
    return Change.of(adds, removes)


def _text(quad: ox.Quad) -> str:
    return f"{quad.subject} {quad.predicate} {quad.object}"
