"""Ranked label search (kgapi.read.search) and `GET /api/search`."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.graph.namespaces import VIRT, VR
from kgapi.read.facts import FactReader
from kgapi.read.search import SearchError, SearchIndex


@pytest.fixture(scope="module")
def index(knowledge: KnowledgeGraph) -> SearchIndex:
    return SearchIndex.build(FactReader(knowledge))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("全虚拟化", VIRT.FullVirtualization),
        ("半虚拟化", VIRT.Paravirtualization),
        ("泛虚拟化", VIRT.Paravirtualization),
        ("硬件辅助虚拟化", VIRT.HardwareAssistedVirtualization),
        ("kvm", VR.kvm),
        ("ＫＶＭ", VR.kvm),  # noqa: RUF001 - full-width letters are normalized
        ("Kernel-based Virtual Machine", VR.kvm),
        # Traditional characters and Taiwan's words find the Simplified labels
        ("全虛擬化", VIRT.FullVirtualization),
        ("硬體輔助虛擬化", VIRT.HardwareAssistedVirtualization),
    ],
)
def test_chinese_and_english_names_find_their_term_first(
    index: SearchIndex, query: str, expected: str
) -> None:
    assert index.search(query)[0].iri == str(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hyperv", VR["hyper-v"]),  # as virt-what prints it
        ("Hyper\u2011V", VR["hyper-v"]),  # a non-breaking hyphen, as web pages write it
        ("Hyper\u2013V", VR["hyper-v"]),  # an en dash
        ("vmwareesxi", VR["vmware-esxi"]),
        ("virtual box", VR.virtualbox),
        ("hypervisor", VIRT.Hypervisor),  # an exact match still comes first
    ],
)
def test_punctuation_and_spaces_do_not_hide_a_name(
    index: SearchIndex, query: str, expected: str
) -> None:
    # When the text itself matches nothing, it is compared without punctuation and spaces.
    assert index.search(query)[0].iri == str(expected)


def test_exact_beats_prefix_beats_substring(index: SearchIndex) -> None:
    results = index.search("xen", limit=50)
    matches = [result.match for result in results]
    assert matches[0] == "exact"
    assert matches == sorted(matches, key=["exact", "prefix", "substring"].index)
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_label_outranks_alias(index: SearchIndex) -> None:
    label = index.search("泛虚拟化")[0]
    alias = index.search("半虚拟化")[0]
    assert label.score > alias.score


def test_language_restricts_matches_and_labels(index: SearchIndex) -> None:
    results = index.search("虚拟化", lang="zh", limit=5)
    assert results and all(result.matched_lang == "zh" for result in results)
    assert index.search("虚拟化", lang="en") == []


def test_kind_and_class_filters(index: SearchIndex) -> None:
    products = index.search("xen", kind="product", limit=50)
    assert products and {r.kind for r in products} == {"product"}
    type1 = index.search("v", of_type=VIRT.Type1Hypervisor, limit=100)
    assert str(VR["vmware-esxi"]) in {r.iri for r in type1}
    assert str(VR["vmware-workstation"]) not in {r.iri for r in type1}


@pytest.mark.parametrize(
    ("arguments", "parameter"),
    [
        ({"query": " "}, "q"),
        ({"query": "x", "kind": "gadget"}, "type"),
        ({"query": "x", "limit": 0}, "limit"),
    ],
)
def test_bad_requests_name_their_parameter(
    index: SearchIndex, arguments: dict, parameter: str
) -> None:
    query = arguments.pop("query")
    with pytest.raises(SearchError) as caught:
        index.search(query, **arguments)
    assert caught.value.parameter == parameter


def test_api_search_answers_the_documented_shape(client: FlaskClient) -> None:
    response = client.get("/api/search", query_string={"q": "全虚拟化", "limit": 3})
    assert response.status_code == 200
    data = response.get_json()
    assert data["query"] == "全虚拟化"
    first = data["results"][0]
    assert {"iri", "label", "kind", "score"} <= set(first)
    assert first["iri"] == str(VIRT.FullVirtualization)
    assert len(data["results"]) <= 3


def test_api_search_type_takes_a_kind_or_a_class(client: FlaskClient) -> None:
    by_kind = client.get("/api/search", query_string={"q": "vmware", "type": "product"})
    assert {r["kind"] for r in by_kind.get_json()["results"]} == {"product"}
    by_class = client.get("/api/search", query_string={"q": "vmware", "type": "Type-2 hypervisor"})
    iris = {r["iri"] for r in by_class.get_json()["results"]}
    assert str(VR["vmware-workstation"]) in iris and str(VR["vmware-esxi"]) not in iris


@pytest.mark.parametrize(
    "query_string", [{"q": ""}, {"q": "x", "limit": "many"}, {"q": "x", "lang": "fr"}]
)
def test_api_search_rejects_bad_parameters(client: FlaskClient, query_string: dict) -> None:
    response = client.get("/api/search", query_string=query_string)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
