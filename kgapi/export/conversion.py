"""RDF → networkx: one node per resource, one edge per triple between two resources.

Node attributes: `iri`, `slug`, `label` (by the one label policy, kgapi.read.labels), `kind` (see
kgapi.read.kinds.NODE_KINDS), `axis` (the scheme slug of a classification concept or scheme; absent
otherwise), `inferred` (True when only inferred triples mention the node), and one attribute per
literal-valued predicate, named by its prefixed name (`skos:definition`), values in the chosen
language joined with " | ". Edge attributes: `predicate` (IRI), `label` (the predicate's label)
and `inferred`; the edge key is the predicate's prefixed name, so parallel edges stay apart in
the MultiDiGraph.
"""

from __future__ import annotations

from typing import Any, cast

import networkx as nx
from rdflib import Literal, URIRef
from rdflib.term import Node

from kgapi.export.selection import Selection
from kgapi.export.source import ExportSource
from kgapi.read.labels import LANGUAGES

VALUE_SEPARATOR = " | "


def to_networkx(
    source: ExportSource, selection: Selection, *, lang: str = "en", literals_as_nodes: bool = False
) -> nx.MultiDiGraph:
    """The selection as a networkx MultiDiGraph (see the module docstring for its attributes).

    Labels, kinds and axes come from the whole source, so a taxonomy export still knows that a
    class is a classification concept even though it holds no rdf:type triples. They are read
    once per source (`ExportSource.descriptions`) and reused by every export of it.
    """
    # Nodes are keyed by plain strings from the start: rdflib terms hash in Python, and a large
    # export would spend most of its time hashing them. One pass over the selection collects
    # the nodes, their literal values and the edges; the graph is then built in bulk.
    describer = source.descriptions
    node_id = describer.node_id
    terms: dict[str, Node] = {}
    asserted_nodes: set[str] = set()
    literal_values: dict[str, dict[str, list[Literal]]] = {}
    predicates: dict[str, Node] = {}
    edges: list[tuple[str, str, str, bool]] = []
    uri, literal = URIRef, Literal
    for (s, p, o), only_inferred in selection.pairs:
        subject = str(s) if type(s) is uri else node_id(s)
        predicate = str(p)
        if subject not in terms:
            terms[subject] = s
        if predicate not in predicates:
            predicates[predicate] = p
        if not only_inferred:
            asserted_nodes.add(subject)
        kind = type(o)
        # Exact types first: rdflib's term classes check isinstance through an ABC, slowly.
        if (kind is literal or (kind is not uri and isinstance(o, literal))) and not (
            literals_as_nodes
        ):
            value = cast(Literal, o)
            values = literal_values.get(subject)
            if values is None:
                literal_values[subject] = {predicate: [value]}
            else:
                found = values.get(predicate)
                if found is None:
                    values[predicate] = [value]
                else:
                    found.append(value)
            continue
        target = str(o) if kind is uri else node_id(o)
        if target not in terms:
            terms[target] = o
        if not only_inferred:
            asserted_nodes.add(target)
        edges.append((subject, target, predicate, only_inferred))
    if selection.focus is not None:
        focus = node_id(selection.focus)
        terms.setdefault(focus, selection.focus)
        asserted_nodes.add(focus)

    names = {predicate: describer.curie(term) for predicate, term in predicates.items()}
    edge_data = {
        (predicate, flag): {
            "predicate": predicate,
            "label": describer.label(term, lang),
            "inferred": flag,
        }
        for predicate, term in predicates.items()
        for flag in (False, True)
    }

    # Nodes in the order the edges first reach them (as networkx's add_edge would add them),
    # then the nodes no edge reaches.
    order: dict[str, None] = {}
    for subject, target, _, _ in edges:
        if subject not in order:
            order[subject] = None
        if target not in order:
            order[target] = None
    order.update(dict.fromkeys(terms))

    def node_attributes(key: str) -> dict[str, Any]:
        attributes = describer.describe(key, terms[key], lang)
        attributes["inferred"] = key not in asserted_nodes
        values = literal_values.get(key)
        if values is not None:
            for predicate, found in values.items():
                attributes[names[predicate]] = _pick(found, lang)
        return attributes

    # Filled in place, as add_nodes_from and add_edges_from would (successor and predecessor
    # sharing each key dict) at a fifth of their cost per edge: nothing else holds the graph yet.
    graph = nx.MultiDiGraph()
    node_store, successors, predecessors = graph._node, graph._succ, graph._pred
    for key in order:
        node_store[key] = node_attributes(key)
        successors[key] = {}
        predecessors[key] = {}
    for subject, target, predicate, flag in edges:
        out = successors[subject]
        keys = out.get(target)
        if keys is None:
            keys = out[target] = {}
            predecessors[target][subject] = keys
        keys[names[predicate]] = edge_data[predicate, flag].copy()
    graph.graph["scope"] = selection.scope
    graph.graph["lang"] = lang
    return graph


def _pick(values: list[Literal], lang: str) -> str:
    """The values worth showing in `lang`: its own and untagged ones, else the other language's."""
    if len(values) == 1:
        return str(values[0])
    chosen = [v for v in values if v.language in (lang, None)]
    if not chosen:
        chosen = [v for v in values if v.language in LANGUAGES] or values
    return VALUE_SEPARATOR.join(sorted({str(v) for v in chosen}))
