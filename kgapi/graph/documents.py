"""RDF documents, written by one writer: pyoxigraph's.

Every RDF answer (a CONSTRUCT, the ontology and its graphs, an entity's description, the service
description, the Graph Store Protocol's reads) is written here, sorted; documents of curated
graphs also get canonical blank node labels (`canonical`). The whole bundled ontology takes
0.13-0.28 s in any format where rdflib's writers took 0.1-2.1 s (TriG 2.1 s: the first request
for it came near a 3 s time limit); `bench/documents.py` measures it. rdflib stays for what
pyoxigraph does not write (JSON-LD compacted against a context, in the exports).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, AnyStr

import orjson
import pyoxigraph as ox
from rdflib import RDF, Graph

from kgapi.graph.terms import oxigraph_term

Statement = ox.Triple | ox.Quad
RDF_TYPE = str(RDF.type)

# The formats whose documents declare prefixes (the line formats write every IRI in full).
_PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML, ox.RdfFormat.N3)


class NotWritable(ValueError):
    """The statements cannot be written in the format asked for (JSON-LD has no triple terms,
    for one): the client may ask for another."""


# The characters XML 1.0 has no place for (§2.2, Char): the C0 controls but tab, LF and CR, and
# U+FFFE and U+FFFF. No escape helps: a character reference must name a Char too. (In UTF-8 the
# controls are their own bytes, which no other character's encoding holds.)
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_IN_XML_UTF8 = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def xml_lacks(document: str | bytes) -> str | None:
    """The first character of `document` (text, or its UTF-8) that XML has no place for, as
    "U+0001", or None."""
    if isinstance(document, str):
        found = _NOT_IN_XML.search(document)
        character = found.group() if found else ""
    else:
        found_bytes = _NOT_IN_XML_UTF8.search(document)
        character = found_bytes.group().decode() if found_bytes else ""
    return f"U+{ord(character):04X}" if character else None


def check_xml(document: AnyStr, format_name: str) -> AnyStr:
    """`document`, if XML can hold every character of it; NotWritable naming the first that it
    cannot. pyoxigraph writes such characters as they are, which makes a document no XML parser
    reads."""
    lacking = xml_lacks(document)
    if lacking is not None:
        raise NotWritable(f"{format_name} (XML 1.0) cannot hold the character {lacking} here")
    return document


def write_rdf(
    statements: Iterable[Statement], media_type: str, prefixes: Mapping[str, str]
) -> bytes:
    """`statements` in the RDF format of `media_type`, declaring those of `prefixes` (prefix →
    namespace) that the statements use, sorted (the same statements are the same document).
    Triples go to a dataset format's default graph. Raises ValueError for a media type that
    is no RDF format, NotWritable for statements the format cannot hold."""
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    if rdf_format is None:
        raise ValueError(f"no RDF format for {media_type}")
    if not rdf_format.supports_datasets:
        statements = (s.triple if isinstance(s, ox.Quad) else s for s in statements)
    statements = _sorted(statements)
    declared = used_prefixes(statements, prefixes) if rdf_format in _PREFIXED else None
    try:
        # A caller gives triples or quads, never both: pyoxigraph refuses a mixed list.
        body = ox.serialize(statements, format=rdf_format, prefixes=declared) or b""  # type: ignore[arg-type]
    except (OSError, ValueError) as error:
        raise NotWritable(f"{rdf_format.name} cannot hold this answer: {error}") from error
    if rdf_format == ox.RdfFormat.RDF_XML:
        return check_xml(body, rdf_format.name)
    return _types_as_keyword(body) if rdf_format == ox.RdfFormat.JSON_LD else body


def canonical(statements: Iterable[Statement]) -> list[Statement]:
    """`statements` with their blank nodes labelled by RDFC-1.0 (`c14n0`, `c14n1`...): as
    `write_rdf` sorts what it writes, the same graph is then the same bytes in every format,
    whichever process wrote it and however often the files were parsed (a parse labels blank
    nodes at random), so a strong ETag holds and two versions' documents diff line by line.
    Only the statements that hold a blank node are canonicalized: the others cannot change a
    label (RDFC-1.0 hashes a blank node from the statements it is in). A graph whose blank
    nodes are too much alike is left as it is (`_few_ties`): RDFC-1.0 is exponential on such
    graphs, and a writer could make one. A query's answer is not canonicalized at all."""
    plain: list[Statement] = []
    blank: list[ox.Quad] = []
    quads_given = False
    for statement in statements:
        quads_given = isinstance(statement, ox.Quad)
        if not _holds_blank_node(statement):
            plain.append(statement)
        elif isinstance(statement, ox.Quad):
            blank.append(statement)
        else:
            blank.append(ox.Quad(statement.subject, statement.predicate, statement.object))
    if blank and not _few_ties(blank):
        # Blank nodes alike at first sight make RDFC-1.0 compare ever more of the graph (a
        # complete graph of 8 took 2.3 s, of 16 longer than anyone waits): such a graph, which
        # only a write can bring, is written with the labels it has.
        plain += blank if quads_given else [quad.triple for quad in blank]
    elif blank:
        dataset = ox.Dataset(blank)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        plain += list(dataset) if quads_given else [quad.triple for quad in dataset]
    return plain


MAX_TIED_BLANK_NODES = 2


def _few_ties(quads: list[ox.Quad]) -> bool:
    """Whether no more than MAX_TIED_BLANK_NODES blank nodes share a first-degree hash (RDFC-1.0
    §4.6: a node's statements with itself as `_:a` and every other blank node as `_:z`). Ties
    are what RDFC-1.0 resolves by comparing further, at a cost that grows with the size of the
    groups of tied nodes: the bundled ontology's 64 blank nodes tie in 2 pairs."""
    statements: dict[ox.BlankNode, list[ox.Quad]] = {}
    for quad in quads:
        if isinstance(quad.object, ox.Triple):  # its blank nodes are not counted below
            return False
        for term in {quad.subject, quad.object, quad.graph_name}:
            if isinstance(term, ox.BlankNode):
                statements.setdefault(term, []).append(quad)

    def first_degree(node: ox.BlankNode, around: list[ox.Quad]) -> tuple[str, ...]:
        def name(term: object) -> str:
            if isinstance(term, ox.BlankNode):
                return "_:a" if term == node else "_:z"
            return str(term)

        return tuple(
            sorted(
                " ".join(name(t) for t in (q.subject, q.predicate, q.object, q.graph_name))
                for q in around
            )
        )

    tied = Counter(first_degree(node, around) for node, around in statements.items())
    return max(tied.values(), default=0) <= MAX_TIED_BLANK_NODES


def _holds_blank_node(statement: ox.Quad | ox.Triple) -> bool:
    for term in (statement.subject, statement.object):
        if isinstance(term, ox.BlankNode) or (
            isinstance(term, ox.Triple) and _holds_blank_node(term)
        ):
            return True
    return False


def _sorted(statements: Iterable[Statement]) -> list[Statement]:
    """`statements` sorted by graph, subject, property and object: the writers group only
    consecutive statements, so a store's or a query's order would write a description in
    pieces (in JSON-LD, a node object a piece); sorted, the same statements are the same
    document. Keys are strings: Python compares them far faster than pyoxigraph's terms."""
    return sorted(
        statements,
        key=lambda s: (
            str(s.graph_name) if isinstance(s, ox.Quad) else "",
            str(s.subject),
            s.predicate.value,
            str(s.object),
        ),
    )


def _types_as_keyword(document: bytes) -> bytes:
    """pyoxigraph's JSON-LD writes rdf:type as a property; JSON-LD's own conversion from RDF
    (`useRdfType` false, its default) and rdflib write the node's `@type`, which is what
    clients that read JSON-LD as plain JSON look for. A literal object stays a property."""
    nodes = [_typed(node) for node in orjson.loads(document)]
    for node in nodes:
        if "@graph" in node:
            node["@graph"] = [_typed(inner) for inner in node["@graph"]]
    return orjson.dumps(nodes)


def _typed(node: dict[str, Any]) -> dict[str, Any]:
    values = node.pop(RDF_TYPE, [])
    types = [value["@id"] for value in values if "@id" in value]
    literals = [value for value in values if "@id" not in value]
    head = {"@id": node.pop("@id")} if "@id" in node else {}
    return {**head, **({"@type": types} if types else {}), **node} | (
        {RDF_TYPE: literals} if literals else {}
    )


def used_prefixes(statements: Iterable[Statement], prefixes: Mapping[str, str]) -> dict[str, str]:
    """The `prefixes` whose namespace an IRI of `statements` (or a literal's datatype) is in:
    a document declares only what it uses (rdflib binds some thirty namespaces by default)."""
    iris: set[str] = set()
    for statement in statements:
        obj = statement.object
        iris.add(statement.predicate.value)
        if isinstance(statement.subject, ox.NamedNode):
            iris.add(statement.subject.value)
        if isinstance(obj, ox.NamedNode):
            iris.add(obj.value)
        elif isinstance(obj, ox.Literal):
            iris.add(obj.datatype.value)
    namespaces = {iri[: max(iri.rfind("#"), iri.rfind("/")) + 1] for iri in iris}
    return {prefix: ns for prefix, ns in sorted(prefixes.items()) if ns in namespaces}


def triples_of(graph: Graph) -> list[ox.Triple]:
    """An rdflib graph's triples as the writer's (for the small graphs built with rdflib)."""
    return [
        ox.Triple(oxigraph_term(s), oxigraph_term(p), oxigraph_term(o))  # type: ignore[arg-type]
        for s, p, o in graph
    ]


def prefixes_of(graph: Graph) -> dict[str, str]:
    """The prefixes an rdflib graph binds (prefix → namespace)."""
    return {prefix: str(namespace) for prefix, namespace in graph.namespaces()}
