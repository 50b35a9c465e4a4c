"""What a write is checked against before it is applied: the client's conditions on the graph's
version (HTTP's If-Match and If-None-Match), and whether the graph can hold its statements at
all. Both are decided on the change as asked, before the live graph moves (see
kgapi.curation.transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kgapi.curation.live import LiveGraph
from kgapi.curation.patch import Change
from kgapi.graph.documents import xml_lacks
from kgapi.graph.terms import is_rdf_1_2

ANY_VERSION = "*"  # in a precondition's versions: whatever the version, if the target exists


@dataclass(frozen=True)
class Preconditions:
    """What a write asks of the graph before it is made: HTTP's If-Match and If-None-Match (RFC
    9110 §13.1.1-2) over the graph's version, the ETag every read carries. `match`: versions the
    graph must be at one of (None: any); `none_match`: versions it must be at none of.
    ANY_VERSION among them stands for a current representation: the target exists. The target
    is `graph` (a Graph Store Protocol graph) or, None, the dataset, which always exists. Held
    under the writers' lock, against the version the write would be made on."""

    match: frozenset[str] | None = None
    none_match: frozenset[str] = frozenset()
    graph: str | None = None

    def failed(self, live: LiveGraph, version: str) -> str | None:
        """Why the write may not be made on `live` at `version`; None if it may."""
        exists = (
            self.graph is None
            or self.graph == live.curated_graph  # the default graph: always there
            or self.graph in live.user_graph_names
            or live.is_base_graph(self.graph)
        )
        target = "the dataset" if self.graph is None else f"<{self.graph}>"
        if self.match is not None:
            if ANY_VERSION in self.match:
                if not exists:
                    return f"If-Match: * asks that {target} exist, and it does not"
            elif version not in self.match:
                return (
                    f"the graph is at version {version}, not {' or '.join(sorted(self.match))}:"
                    " read it again and retry the change against the current version"
                )
        if ANY_VERSION in self.none_match and exists:
            return f"If-None-Match: * asks that {target} not exist, and it does"
        if version in self.none_match:
            return f"the graph is at version {version}, which If-None-Match names"
        return None


def statements_not_held(change: Change) -> list[dict[str, Any]]:
    """The added statements the graph cannot hold, as problems: one with an RDF 1.2 term (a
    triple term, a string with a base direction), which the engine reads but the reasoner, the
    read model and the exports (RDF 1.1 all) cannot; one holding a character XML 1.0 has no
    place for, as the graph is published in XML formats (RDF/XML, GraphML, GEXF), which could not
    be written after it. Found before the change is applied: the live graph cannot hold them
    even for the time of the checks."""
    problems = []
    for quad in sorted(change.added, key=str):
        terms = (quad.subject, quad.predicate, quad.object)
        focus = quad.subject.value if isinstance(quad.subject, ox.NamedNode) else ""
        if any(is_rdf_1_2(term) for term in terms):
            problems.append(
                {
                    "check": "rdf-1.2-term",
                    "focus": focus,
                    "message": "the statement holds an RDF 1.2 term (a triple term, or a string "
                    "with a base direction), which this graph, RDF 1.1, cannot hold",
                }
            )
            continue
        lacking = xml_lacks(" ".join(t.value for t in terms if not isinstance(t, ox.Triple)))
        if lacking is not None:
            problems.append(
                {
                    "check": "xml-character",
                    "focus": focus,
                    "message": f"the statement holds the character {lacking}, which XML 1.0 "
                    "cannot: the graph is published in RDF/XML, GraphML and GEXF",
                }
            )
    return problems


NO_PRECONDITIONS = Preconditions()
