"""Entity descriptions (kgapi.read.entities) and `GET /api/entities/{id}`."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from rdflib import RDF, Graph, URIRef

from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.graph.namespaces import VIRT, VR
from kgapi.read.entities import describe_entity, entity_graph
from kgapi.read.facts import FactReader


@pytest.fixture(scope="module")
def reader(knowledge: KnowledgeGraph) -> FactReader:
    return FactReader(knowledge)


def test_types_are_split_into_asserted_and_inferred(reader: FactReader) -> None:
    types = {entry["curie"]: entry["status"] for entry in describe_entity(reader, VR.xen).types}
    assert types["virt:Hypervisor"] == "asserted"
    assert types["virt:Type1Hypervisor"] == "inferred"
    assert types["virt:OpenSourceSoftware"] == "inferred"


def test_labels_aliases_and_definitions_in_both_languages(reader: FactReader) -> None:
    described = describe_entity(reader, VIRT.Paravirtualization)
    assert described.labels == {"en": ["paravirtualization"], "zh": ["泛虚拟化"]}
    assert "半虚拟化" in described.aliases["zh"]
    assert described.definitions["en"] and described.definitions["zh"]
    assert described.kind == "concept"


def test_statements_go_both_ways_and_are_marked(reader: FactReader) -> None:
    described = describe_entity(reader, VR.kvm).to_dict()
    outgoing = {
        (s["predicate"]["curie"], s["object"].get("curie")): s["status"]
        for s in described["statements"]["outgoing"]
    }
    incoming = {
        (s["predicate"]["curie"], s["subject"].get("curie"))
        for s in described["statements"]["incoming"]
    }
    assert outgoing[("virt:license", "spdx:GPL-2.0-only")] == "asserted"
    assert outgoing[("virt:hypervisorRing", "vr:ring-minus-1")] == "inferred"
    assert ("virt:basedOn", "vr:red-hat-virtualization") in incoming


def test_contested_claims_carry_every_position_and_its_sources(reader: FactReader) -> None:
    claims = {c.iri: c for c in describe_entity(reader, VR.kvm).contested}
    claim = claims[str(VR["claim-kvm-hypervisor-type"])]
    values = {position.value.get("curie") for position in claim.positions}
    assert {"virt:Type1Hypervisor", "virt:Type2Hypervisor"} <= values
    assert all(position.sources for position in claim.positions)
    assert {s.identifier for p in claim.positions for s in p.sources} >= {"seed", "S12"}


def test_sources_are_described(reader: FactReader) -> None:
    sources = describe_entity(reader, VR.xen).sources
    assert sources[0].identifier == "seed"
    assert any(source.urls for source in sources)


def test_entity_graph_holds_outgoing_inferred_and_incoming(reader: FactReader) -> None:
    graph = entity_graph(reader, VR.kvm)
    assert (VR.kvm, RDF.type, VIRT.OpenSourceSoftware) in graph
    assert (VR["red-hat-virtualization"], VIRT.basedOn, VR.kvm) in graph


# --- HTTP ----------------------------------------------------------------------------------------


def test_what_kind_of_hypervisor_is_xen_and_why(client: FlaskClient) -> None:
    response = client.get("/api/entities/xen?explain=true")
    assert response.status_code == 200
    data = response.get_json()
    type1 = next(t for t in data["types"] if t["curie"] == "virt:Type1Hypervisor")
    assert type1["status"] == "inferred"
    proof = type1["explanation"]["proof"]

    def leaves(node: dict) -> list[str]:
        if node["status"] == "asserted":
            return [node["text"]]
        return [text for premise in node.get("premises", []) for text in leaves(premise)]

    assert "vr:xen virt:hypervisorType virt:Type1Hypervisor" in leaves(proof)


@pytest.mark.parametrize(
    "name",
    [
        "xen",
        "vr:xen",
        "Xen",
        "XEN",
        "Xen 虚拟机监控器",
        "Xen 虛擬機監控器",  # in Traditional characters, as a reader in Taiwan writes it
        "Xen Project",
        "https://w3id.org/kgapi/resource/xen",
    ],
)
def test_every_kind_of_name_finds_the_entity(client: FlaskClient, name: str) -> None:
    response = client.get("/api/entities", query_string={"id": name})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["iri"] == str(VR.xen)


def test_what_is_泛虚拟化(client: FlaskClient) -> None:
    response = client.get("/api/entities/泛虚拟化?lang=zh")
    data = response.get_json()
    assert data["iri"] == str(VIRT.Paravirtualization)
    assert data["label"] == "泛虚拟化"
    assert "Hypercall" in data["definitions"]["zh"][0]
    predicates = {s["predicate"]["curie"] for s in data["statements"]["outgoing"]}
    assert {"virt:usesMechanism", "virt:guestKernelRing", "virt:requiresModifiedGuestKernel"} <= (
        predicates
    )


def test_turtle_clients_get_turtle(client: FlaskClient) -> None:
    response = client.get("/api/entities/kvm", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert (URIRef(str(VR.kvm)), RDF.type, URIRef(str(VIRT.Hypervisor))) in graph
    assert (URIRef(str(VR.kvm)), RDF.type, URIRef(str(VIRT.OpenSourceSoftware))) in graph


def test_json_ld_clients_get_json_ld(client: FlaskClient) -> None:
    response = client.get("/api/entities/kvm", headers={"Accept": "application/ld+json"})
    assert response.mimetype == "application/ld+json"
    nodes = json.loads(response.get_data(as_text=True))
    kvm = next(node for node in nodes if node["@id"] == str(VR.kvm))
    assert str(VIRT.Hypervisor) in kvm["@type"]


def test_json_is_the_default_and_links_to_exports(client: FlaskClient) -> None:
    response = client.get("/api/entities/kvm", headers={"Accept": "*/*"})
    assert response.mimetype == "application/json"
    links = response.get_json()["links"]
    assert "focus=vr%3Akvm" in links["exports"]["graphml"]


def test_unknown_name_is_404_with_candidates(client: FlaskClient) -> None:
    response = client.get("/api/entities/kvmm")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    problem = json.loads(response.get_data(as_text=True))
    assert str(VR.kvm) in {candidate["iri"] for candidate in problem["candidates"]}


def test_ambiguous_name_is_400_with_candidates(client: FlaskClient) -> None:
    # "dom0" is an alias of Xen's control domain and of the privileged-VM concept alike.
    response = client.get("/api/entities", query_string={"id": "dom0"})
    assert response.status_code == 400
    candidates = {c["iri"] for c in response.get_json()["candidates"]}
    assert candidates == {str(VIRT.PrivilegedVM), str(VR["xen-dom0"])}


def test_unacceptable_format_is_406_listing_offers(client: FlaskClient) -> None:
    response = client.get("/api/entities/kvm", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_json()["offered"]


def test_the_api_and_the_iri_give_one_rdf_description(client: FlaskClient) -> None:
    """`/api/entities/{id}` in an RDF format is the document the entity's IRI dereferences to:
    the same bytes, the same ETag."""
    for media_type in ("text/turtle", "application/ld+json", "application/n-triples"):
        api = client.get("/api/entities/kvm", headers={"Accept": media_type})
        iri = client.get("/resource/kvm", headers={"Accept": media_type})
        assert api.status_code == iri.status_code == 200
        assert api.get_data() == iri.get_data() and api.headers["ETag"] == iri.headers["ETag"]
