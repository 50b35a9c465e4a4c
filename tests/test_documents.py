"""The one RDF writer (kgapi.graph.documents): every RDF answer of the service is written by it."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kgapi.graph.documents import prefixes_of, triples_of, used_prefixes, write_rdf
from kgapi.graph.loading import LoadedOntology
from kgapi.settings import Settings
from kgapi.web.negotiation import RDF as RDF_KIND
from kgapi.web.negotiation import formats_of

# rdflib's JSON-LD and TriG parsers build a ConjunctiveGraph, which rdflib itself deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
EX = "http://example.org/"
# Every RDF format the service offers, named by media type (rdflib reads them by that name).
MEDIA_TYPES = tuple(item.media_type for item in formats_of(RDF_KIND))
DATASET_TYPES = ("application/trig", "application/n-quads")


def small_graph() -> Graph:
    graph = Graph()
    thing, node = URIRef(EX + "kvm"), BNode()
    graph.add((thing, RDF.type, URIRef(EX + "Hypervisor")))
    graph.add((thing, RDF.type, node))  # a blank node class, as OWL restrictions are
    graph.add((thing, RDFS.label, Literal("KVM", lang="en")))
    graph.add((thing, RDFS.label, Literal("内核虚拟机", lang="zh")))
    graph.add((thing, URIRef(EX + "year"), Literal(2007)))
    graph.add((node, RDFS.comment, Literal('a "quoted"\nline')))
    return graph


def parsed(body: bytes, media_type: str) -> Graph:
    if media_type in DATASET_TYPES:
        dataset = Dataset()
        dataset.parse(data=body, format=media_type)
        return Graph() + dataset.default_graph
    return Graph().parse(data=body, format=media_type)


@pytest.mark.parametrize("media_type", sorted(MEDIA_TYPES))
def test_every_format_reads_back_as_the_same_graph(media_type: str) -> None:
    graph = small_graph()
    body = write_rdf(triples_of(graph), media_type, {"ex": EX, "rdfs": str(RDFS)})
    assert isomorphic(parsed(body, media_type), graph)


def test_the_bundled_ontology_reads_back_in_every_format(ontology: LoadedOntology) -> None:
    triples = triples_of(ontology.asserted)
    for media_type in MEDIA_TYPES:
        body = write_rdf(triples, media_type, prefixes_of(ontology.asserted))
        assert len(parsed(body, media_type)) == len(ontology.asserted), media_type


def test_each_subject_is_written_once_with_all_its_statements() -> None:
    triples = triples_of(small_graph())
    shuffled = sorted(triples, key=lambda t: str(t.predicate))  # subjects interleaved
    nodes = json.loads(write_rdf(shuffled, "application/ld+json", {}))
    identifiers = [node["@id"] for node in nodes]
    assert len(identifiers) == len(set(identifiers)) == 2
    turtle = write_rdf(shuffled, "text/turtle", {"ex": EX}).decode()
    assert turtle.count("ex:kvm ") == 1


def test_a_document_declares_only_the_prefixes_it_uses() -> None:
    body = write_rdf(
        triples_of(small_graph()),
        "text/turtle",
        {"ex": EX, "rdfs": str(RDFS), "owl": "http://www.w3.org/2002/07/owl#"},
    ).decode()
    declared = [line.split()[1] for line in body.splitlines() if line.startswith("@prefix")]
    assert sorted(declared) == ["ex:", "rdfs:", "xsd:"] or sorted(declared) == ["ex:", "rdfs:"]
    assert "owl:" not in body
    assert "ex:kvm" in body


def test_a_literal_datatype_counts_as_a_use_of_its_namespace() -> None:
    year = ox.Triple(
        ox.NamedNode(EX + "kvm"),
        ox.NamedNode(EX + "year"),
        ox.Literal("2007", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")),
    )
    namespaces = {"ex": EX, "xsd": "http://www.w3.org/2001/XMLSchema#", "no": "urn:no:"}
    assert used_prefixes([year], namespaces) == {"ex": EX, "xsd": namespaces["xsd"]}


def test_json_ld_types_are_the_type_keyword_as_json_ld_converts_from_rdf() -> None:
    graph = small_graph()
    graph.add((URIRef(EX + "odd"), RDF.type, Literal("a literal type")))
    nodes = json.loads(write_rdf(triples_of(graph), "application/ld+json", {}))
    kvm = next(node for node in nodes if node.get("@id") == EX + "kvm")
    assert list(kvm)[:2] == ["@id", "@type"]
    assert EX + "Hypervisor" in kvm["@type"]
    assert any(value.startswith("_:") for value in kvm["@type"])
    assert str(RDF.type) not in kvm
    odd = next(node for node in nodes if node.get("@id") == EX + "odd")
    assert "@type" not in odd
    assert odd[str(RDF.type)] == [{"@value": "a literal type"}]


def test_json_ld_types_inside_named_graphs_are_keywords_too() -> None:
    quad = ox.Quad(
        ox.NamedNode(EX + "kvm"),
        ox.NamedNode(str(RDF.type)),
        ox.NamedNode(EX + "Hypervisor"),
        ox.NamedNode(EX + "graph"),
    )
    nodes = json.loads(write_rdf([quad], "application/ld+json", {}))
    graph = next(node for node in nodes if node.get("@id") == EX + "graph")
    assert graph["@graph"] == [{"@id": EX + "kvm", "@type": [EX + "Hypervisor"]}]


def test_quads_written_as_a_triple_format_keep_their_triples() -> None:
    quad = ox.Quad(
        ox.NamedNode(EX + "kvm"), ox.NamedNode(EX + "p"), ox.Literal("x"), ox.NamedNode(EX + "g")
    )
    assert write_rdf([quad], "application/n-triples", {}) == (f'<{EX}kvm> <{EX}p> "x" .\n'.encode())


def test_a_media_type_that_is_no_rdf_format_is_refused() -> None:
    with pytest.raises(ValueError, match="no RDF format"):
        write_rdf([], "text/html", {})


def test_statements_a_format_cannot_hold_are_refused_as_such() -> None:
    from kgapi.graph.documents import NotWritable

    inner = ox.Triple(ox.NamedNode(EX + "kvm"), ox.NamedNode(EX + "p"), ox.Literal("x"))
    says = ox.Triple(ox.NamedNode(EX + "source"), ox.NamedNode(EX + "says"), inner)
    with pytest.raises(NotWritable, match="JSON-LD"):
        write_rdf([says], "application/ld+json", {})
    assert b"<<(" in write_rdf([says], "application/n-triples", {})


TWO_RESTRICTIONS = """
@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix ex: <http://example.org/> .
ex:A owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:p ; owl:someValuesFrom ex:B ] .
ex:C owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:p ; owl:someValuesFrom ex:D ] .
ex:E owl:unionOf ( ex:A ex:C ) .
"""


@pytest.mark.parametrize("media_type", sorted(MEDIA_TYPES))
def test_canonical_documents_are_the_same_bytes_whatever_the_parse(media_type: str) -> None:
    """Each parse labels blank nodes at random; RDFC-1.0 labels and sorting make the bytes
    depend on the graph alone."""
    from kgapi.graph.documents import canonical

    def document() -> bytes:
        triples = list(ox.parse(TWO_RESTRICTIONS.encode(), format=ox.RdfFormat.TURTLE))
        return write_rdf(canonical(reversed(triples)), media_type, {"ex": EX})

    first, second = document(), document()
    assert first == second
    assert b"c14n" in first
    assert isomorphic(parsed(first, media_type), Graph().parse(data=TWO_RESTRICTIONS))


def test_the_bundled_ontology_is_the_same_document_from_any_load(
    ontology: LoadedOntology, settings: Settings
) -> None:
    from kgapi.graph.documents import canonical
    from kgapi.graph.loading import load_ontology

    again = load_ontology(settings.ontology_dir)
    first, second = (
        write_rdf(canonical(triples_of(o.asserted)), "text/turtle", prefixes_of(o.asserted))
        for o in (ontology, again)
    )
    assert first == second


def test_blank_nodes_too_much_alike_are_written_as_they_are_not_canonicalized() -> None:
    """RDFC-1.0 is exponential on graphs whose blank nodes all look alike: a complete graph of
    8 took 2.3 s to canonicalize, of 16 longer than two minutes. A write could bring one into a
    curated graph, so `canonical` leaves such a graph's labels as they are, at once."""
    from kgapi.graph.documents import canonical

    nodes = [ox.BlankNode() for _ in range(16)]
    edge = ox.NamedNode(EX + "p")
    complete = [ox.Triple(a, edge, b) for a in nodes for b in nodes if a != b]
    kept = canonical(complete)
    assert sorted(map(str, kept)) == sorted(map(str, complete))  # not a label changed
    body = write_rdf(kept, "application/n-triples", {})
    assert len(parsed(body, "application/n-triples")) == len(complete)
