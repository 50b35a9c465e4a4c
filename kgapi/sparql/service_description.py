"""The SPARQL 1.1 Service Description of the endpoint, as an rdflib graph.

Says what the endpoint serves: the default entailment regime (OWL 2 RDF-Based semantics, OWL 2
RL profile: the closure is materialized), result and input formats, the named graphs with their
VoID triple counts, and the graph version.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID, XSD

from kgapi import __version__
from kgapi.sparql.store import QueryStore

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
OWL_RDF_BASED = URIRef("http://www.w3.org/ns/entailment/OWL-RDF-Based")
SIMPLE_ENTAILMENT = URIRef("http://www.w3.org/ns/entailment/Simple")
ASSERTED_NOTE = (
    "The same dataset with the asserted triples alone as its default graph: no inferred triple "
    "is in any answer unless a query names the inferred graph."
)
TRIVIA_NOTE = (
    "Answers use the OWL 2 RL closure, materialized once. Inferences that hold of everything are "
    "not served: reflexive rdfs:subClassOf, owl:sameAs and equivalences, owl:Thing and "
    "rdfs:Resource membership, inferred typing of terms as classes or properties, owl:Nothing "
    "subsumptions and other triples about the RDF, RDFS, OWL and XSD vocabularies, and triples "
    "about the ontology's anonymous class expressions."
)
OWL_RL_PROFILE = URIRef("http://www.w3.org/ns/owl-profile/RL")

# W3C format IRIs of the media types the endpoint writes (unknown media types are left out).
_FORMAT_IRIS = {
    "application/sparql-results+json": FORMATS.SPARQL_Results_JSON,
    "application/sparql-results+xml": FORMATS.SPARQL_Results_XML,
    "text/csv": FORMATS.SPARQL_Results_CSV,
    "text/tab-separated-values": FORMATS.SPARQL_Results_TSV,
    "text/turtle": FORMATS.Turtle,
    "application/n-triples": FORMATS["N-Triples"],
    "application/ld+json": FORMATS["JSON-LD"],
    "application/rdf+xml": FORMATS.RDF_XML,
    "application/n-quads": FORMATS["N-Quads"],
    "application/trig": FORMATS.TriG,
}


def describe_service(
    query_store: QueryStore,
    *,
    endpoint: str,
    result_media_types: Iterable[str],
    allow_service: bool,
    inference: bool = True,
    asserted_endpoint: str | None = None,
    update_endpoint: str | None = None,
) -> Graph:
    """The service description of the endpoint at `endpoint` serving `query_store`: with
    `inference` its default graph is asserted + inferred, else the asserted triples alone.
    `asserted_endpoint` names the endpoint whose default graph is the asserted one, listed as
    a service of its own; `update_endpoint`, given when the server takes writes, names the
    endpoint of SPARQL Update, which this endpoint takes too."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("dcterms", DCTERMS)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if update_endpoint is not None:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
        updates = URIRef(update_endpoint)
        graph.add((updates, RDF.type, SD.Service))
        graph.add((updates, SD.endpoint, updates))
        graph.add((updates, SD.supportedLanguage, SD.SPARQL11Update))
    if inference:
        graph.add((service, SD.defaultEntailmentRegime, OWL_RDF_BASED))
        graph.add((service, SD.defaultSupportedEntailmentProfile, OWL_RL_PROFILE))
        # Honest about what "OWL 2 RL" means here: the closure is materialized, trivia dropped.
        graph.add((service, RDFS.comment, Literal(TRIVIA_NOTE, lang="en")))
    else:
        graph.add((service, SD.defaultEntailmentRegime, SIMPLE_ENTAILMENT))
        graph.add((service, RDFS.comment, Literal(ASSERTED_NOTE, lang="en")))
    if asserted_endpoint is not None and asserted_endpoint != endpoint:
        other = URIRef(asserted_endpoint)
        graph.add((service, RDFS.seeAlso, other))
        graph.add((other, RDF.type, SD.Service))
        graph.add((other, SD.endpoint, other))
        graph.add((other, SD.supportedLanguage, SD.SPARQL11Query))
        graph.add((other, SD.defaultEntailmentRegime, SIMPLE_ENTAILMENT))
        graph.add((other, RDFS.comment, Literal(ASSERTED_NOTE, lang="en")))
    graph.add((service, SD.feature, SD.EmptyGraphs))
    if allow_service:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    for media_type in result_media_types:
        if media_type in _FORMAT_IRIS:
            graph.add((service, SD.resultFormat, _FORMAT_IRIS[media_type]))
    graph.add((service, DCTERMS.hasVersion, Literal(query_store.version)))
    graph.add((service, DCTERMS.creator, Literal(f"kgapi {__version__}")))

    dataset = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, RDF.type, VOID.Dataset))
    default_size = (
        len(query_store.store) - sum(query_store.graph_sizes.values())
        if inference
        else query_store.graph_sizes.get(query_store.asserted_graph, 0)
    )
    graph.add((default, VOID.triples, Literal(default_size, datatype=XSD.integer)))
    for iri, size in query_store.graph_sizes.items():
        named, description = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(iri)))
        graph.add((named, SD.graph, description))
        graph.add((description, RDF.type, SD.Graph))
        graph.add((description, RDF.type, VOID.Dataset))
        graph.add((description, VOID.triples, Literal(size, datatype=XSD.integer)))
        if iri == query_store.inferred_graph:
            graph.add((named, SD.entailmentRegime, OWL_RDF_BASED))
            graph.add((named, SD.supportedEntailmentProfile, OWL_RL_PROFILE))
    return graph
