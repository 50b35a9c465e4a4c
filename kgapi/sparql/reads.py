"""What a SPARQL query reads, and what a graph version changed, in keys that can be compared: so
that a kept answer outlives the versions that changed nothing it reads.

A query's answer depends only on the triples its patterns match. A pattern whose predicate is
an IRI matches only triples with that predicate, and one of `rdf:type` with a class IRI only the
type triples of that class. So the keys a query reads are its patterns' predicates (for
`rdf:type` with a class, the class's key instead), and the keys a version changed are those of
every triple it added or removed, asserted or inferred (a type triple has both keys). If none
is in both, none of the query's patterns matches anything it did not before, and the answer is
the same. A query the analysis cannot bound reads everything (`None`): a variable predicate, a
property path, GRAPH, SERVICE, a dataset of its own (FROM), DESCRIBE, an IRI the engine reads
otherwise than rdflib writes it (relative, or an escaped local name), or text rdflib's parser
does not read (pyoxigraph, which answers, reads more than it does).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, URIRef
from rdflib.paths import Path as PropertyPath
from rdflib.term import Node

from kgapi.sparql.text import kept_for_short_texts

# Longer queries read everything: rdflib's parser is pure Python, and this runs on the
# answering path (a long or deeply nested query would cost more than a kept answer saves).
MAX_ANALYSED_CHARS = 4_000
_TYPE = str(RDF.type)
# Algebra nodes (and, inside EXISTS, which rdflib leaves as parsed, parse-tree nodes) whose
# reads the keys cannot bound.
_UNBOUNDED = frozenset({"Graph", "GraphGraphPattern", "ServiceGraphPattern", "DescribeQuery"})
# Nodes holding triple patterns: the algebra's, and the parse tree's (flat lists of terms).
_PATTERNS = frozenset({"BGP", "TriplesBlock"})


def type_key(cls: object) -> str:
    return f"{_TYPE}>{cls}"  # ">" is in no IRI: a key never contains a space either


def keys_text(keys: frozenset[str] | None) -> str:
    """Keys as one line (a header's value): space-separated, "*" for every key."""
    return "*" if keys is None else " ".join(sorted(keys))


def keys_of_text(text: str) -> frozenset[str] | None:
    return None if text.strip() == "*" else frozenset(text.split())


def changed_keys(triples: Iterable[tuple[Node, Node, Node]]) -> frozenset[str]:
    """The keys of the triples a version added or removed (asserted and inferred)."""
    keys: set[str] = set()
    for _, predicate, obj in triples:
        keys.add(str(predicate))
        if predicate == RDF.type:
            keys.add(type_key(obj))
    return frozenset(keys)


@kept_for_short_texts
def read_keys(text: str) -> frozenset[str] | None:
    """The keys the query `text` reads, or None for everything (see the module docstring)."""
    if len(text) > MAX_ANALYSED_CHARS:
        return None
    # Imported here: rdflib's SPARQL grammar takes 60 ms to import, which only a server with
    # writes on needs (it calls this once before forking its app processes).
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        query = translateQuery(parseQuery(text))
        keys: set[str] = set()
        bounded = _collect(query.algebra, keys)
    # rdflib's parser and translator raise their own errors (pyparsing's, ValueErrors, and more
    # for what pyoxigraph reads and they do not): any of them means the reads are not known.
    except Exception:
        return None
    return frozenset(keys) if bounded else None


def _collect(node: Any, keys: set[str]) -> bool:
    """Add the keys of every pattern under `node`; False if something reads everything."""
    if isinstance(node, PropertyPath):
        return False
    if isinstance(node, dict):
        # rdflib's algebra and parse-tree nodes are dicts that carry a name (CompValue); its
        # get() answers a missing key with the key itself, so dict's own methods are used.
        name = getattr(node, "name", None)
        if name in _UNBOUNDED or dict.get(node, "datasetClause"):
            return False
        if name in _PATTERNS and not all(
            _pattern_keys(pattern, keys) for pattern in _patterns(dict.get(node, "triples", ()))
        ):
            return False
        return all(_collect(value, keys) for value in dict.values(node))
    if isinstance(node, list | tuple | set | frozenset):
        return all(_collect(value, keys) for value in node)
    return True


def _patterns(triples: Iterable[Any]) -> Iterable[tuple[Any, ...]]:
    """Each pattern of a node's triples: (s, p, o) tuples, or flat lists of several."""
    for item in triples:
        terms = tuple(item)
        for start in range(0, len(terms), 3):
            yield terms[start : start + 3]


def _pattern_keys(pattern: tuple[Any, ...], keys: set[str]) -> bool:
    if len(pattern) != 3:
        return False
    _, predicate, obj = pattern
    if not isinstance(predicate, URIRef) or not _as_the_engine_reads(predicate):
        return False  # a variable (or a path: see _collect), or an IRI read otherwise
    if predicate == RDF.type and isinstance(obj, URIRef):
        if not _as_the_engine_reads(obj):
            return False
        keys.add(type_key(obj))
    else:
        keys.add(str(predicate))
    return True


def _as_the_engine_reads(iri: URIRef) -> bool:
    """Whether the engine reads the IRI as rdflib's parser wrote it: an absolute IRI. rdflib
    leaves a relative one unresolved (the engine resolves it against BASE or the endpoint's
    URL) and keeps the backslash of an escaped local name (`p:x\\-y`, the engine's `x-y`)."""
    try:
        ox.NamedNode(str(iri))
    except ValueError:
        return False
    return True


def unchanged(reads: frozenset[str] | None, changed: Iterable[frozenset[str] | None]) -> bool:
    """True if no version of `changed` (None: one whose changes are not known) changed a key
    the query reads (`reads`, None: every key)."""
    if reads is None:
        return False
    return all(keys is not None and keys.isdisjoint(reads) for keys in changed)
