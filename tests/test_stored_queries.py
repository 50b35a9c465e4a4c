"""Stored queries (kgapi.read.stored_queries): headers, typed binding, injection, shipped files."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from rdflib import Literal, URIRef, Variable
from rdflib.term import Node

from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.graph.namespaces import VIRT, VR
from kgapi.read.names import NameIndex, UnknownName
from kgapi.read.stored_queries import (
    ParameterError,
    ParameterNameError,
    QueryFileError,
    StoredQuery,
    load_stored_queries,
    parse_query_file,
)
from kgapi.settings import PROJECT_ROOT
from kgapi.sparql.evaluation import (
    RESULTS_CSV,
    RESULTS_JSON,
    RESULTS_TSV,
    QueryAnswer,
    evaluate,
)
from kgapi.sparql.store import QueryStore, build_query_store

QUERIES_DIR = PROJECT_ROOT / "queries"
TURTLE = "text/turtle"
INJECTION = '") } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o . FILTER("" = "'


@pytest.fixture(scope="module")
def namespaces(knowledge: KnowledgeGraph) -> dict[str, str]:
    return {prefix: str(namespace) for prefix, namespace in knowledge.asserted.namespaces()}


@pytest.fixture(scope="module")
def queries(namespaces: dict[str, str]) -> dict[str, StoredQuery]:
    return load_stored_queries(QUERIES_DIR, namespaces=namespaces)


@pytest.fixture(scope="module")
def served(knowledge: KnowledgeGraph) -> QueryStore:
    return build_query_store(knowledge)


def answer(
    query: StoredQuery,
    served: QueryStore,
    bindings: Mapping[Variable, Node],
    media_type: str = RESULTS_JSON,
) -> QueryAnswer:
    job = query.job(
        bindings, results_media_type=media_type, graph_media_type=TURTLE, max_rows=100_000
    )
    return evaluate(served, job)


def run(
    query: StoredQuery,
    served: QueryStore,
    names: NameIndex,
    namespaces: dict[str, str],
    **values: str,
) -> list[dict[str, str]]:
    bindings = query.bind(values, resolve=names.resolve, namespaces=namespaces)
    document = json.loads(answer(query, served, bindings).body)
    return [
        {name: cell["value"] for name, cell in row.items()}
        for row in document["results"]["bindings"]
    ]


def write(tmp_path: Path, text: str, name: str = "sample.rq") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the header ------------------------------------------------------------------------------


def test_header_fields_continuations_and_parameters(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "#+ summary: Things of a kind.\n"
        "#+ description: First line\n"
        "#+   and its continuation.\n"
        "#+ tags: one, two\n"
        "#+ param kind: entity = virt:Hypervisor\n"
        "#+   The kind.\n"
        "#+ param since: integer\n"
        "#+ param flag: boolean?\n"
        "SELECT ?x ?kind ?since ?flag WHERE { ?x a ?kind . FILTER(?since > 0 || ?flag) }\n",
    )
    query = parse_query_file(path, namespaces={})
    assert query.name == "sample"
    assert query.summary == "Things of a kind."
    assert query.description == "First line and its continuation."
    assert query.tags == ("one", "two")
    assert query.form == "SELECT"
    kind, since, flag = query.parameters
    assert (kind.type, kind.default, kind.required, kind.description) == (
        "entity",
        "virt:Hypervisor",
        False,
        "The kind.",
    )
    assert (since.type, since.required) == ("integer", True)
    assert (flag.type, flag.default, flag.required) == ("boolean", None, False)


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("SELECT * WHERE { ?s ?p ?o }\n", "summary"),
        (
            "#+ summary: x\n#+ param a: colour\nSELECT ?a WHERE { ?a ?p ?o }\n",
            "unknown parameter type",
        ),
        ("#+ summary: x\n#+ param unused: string\nSELECT * WHERE { ?s ?p ?o }\n", "not a variable"),
        (
            "#+ summary: x\n#+ param format: string\nSELECT ?format WHERE { ?format ?p ?o }\n",
            "reserved",
        ),
        ("#+ summary: x\n#+ colour: red\nSELECT * WHERE { ?s ?p ?o }\n", "unknown header field"),
        ("#+ summary: x\nSELECT * WHERE { ?s ?p \n", "syntax"),
        (
            "#+ summary: x\n#+ param thing: iri\nSELECT ?p WHERE { ?thing ?p ?o }\n",
            "must be projected",
        ),
    ],
)
def test_malformed_files_are_refused_with_the_reason(
    tmp_path: Path, text: str, complaint: str
) -> None:
    with pytest.raises(QueryFileError, match=complaint):
        parse_query_file(write(tmp_path, text), namespaces={})


# --- the shipped queries ---------------------------------------------------------------------


def test_at_least_fifteen_useful_queries_ship(queries: dict[str, StoredQuery]) -> None:
    useful = [name for name in queries if not name.endswith("-violation")]
    assert len(useful) >= 15
    for required in (
        "hypervisors-by-type",
        "open-source-type1-hypervisors",
        "products-requiring-hardware-support",
        "products-based-on",
        "product-classification",
        "axis-taxonomy",
        "contested-claims",
        "products-by-developer",
        "products-by-technique",
    ):
        assert required in queries
    assert all(query.summary for query in queries.values())


def test_a_sparql_1_2_pattern_the_engine_parses_loads_and_runs(
    tmp_path: Path, served: QueryStore
) -> None:
    # One engine checks the file at load and runs it: what loads, runs.
    path = write(tmp_path, "#+ summary: x\nSELECT * WHERE { << ?s ?p ?o >> ?q ?r }\n")
    query = parse_query_file(path, namespaces={})
    assert answer(query, served, {}).kind == "results"


def test_every_query_runs_with_its_defaults(
    queries: dict[str, StoredQuery],
    served: QueryStore,
    names: NameIndex,
    namespaces: dict[str, str],
) -> None:
    ran = 0
    for query in queries.values():
        if query.name.endswith("-violation"):
            continue
        required = {p.name: "virt" for p in query.parameters if p.required}
        bindings = query.bind(required, resolve=names.resolve, namespaces=namespaces)
        assert answer(query, served, bindings).rows > 0, query.name
        ran += 1
    assert ran >= 15


def test_violation_queries_parse_and_return_zero_rows(
    queries: dict[str, StoredQuery], served: QueryStore
) -> None:
    violations = [query for name, query in queries.items() if name.endswith("-violation")]
    assert len(violations) >= 4
    for query in violations:
        assert "quality" in query.tags
        assert answer(query, served, {}).rows == 0, query.name


def test_which_type1_hypervisors_are_open_source(
    queries: dict[str, StoredQuery],
    served: QueryStore,
    names: NameIndex,
    namespaces: dict[str, str],
) -> None:
    rows = run(queries["open-source-type1-hypervisors"], served, names, namespaces)
    found = {row["hypervisor"] for row in rows}
    assert str(VR.xen) in found
    assert str(VR["vmware-esxi"]) not in found


def test_which_products_are_based_on_kvm(
    queries: dict[str, StoredQuery],
    served: QueryStore,
    names: NameIndex,
    namespaces: dict[str, str],
) -> None:
    rows = run(
        queries["products-based-on"],
        served,
        names,
        namespaces,
        product="Kernel-based Virtual Machine",
    )
    found = {row["derived"] for row in rows}
    assert {str(VR["red-hat-virtualization"]), str(VR["nutanix-ahv"])} <= found


def test_hypervisors_by_type_uses_inferred_types(
    queries: dict[str, StoredQuery],
    served: QueryStore,
    names: NameIndex,
    namespaces: dict[str, str],
) -> None:
    type2 = {
        r["hypervisor"]
        for r in run(
            queries["hypervisors-by-type"], served, names, namespaces, type="Type-2 hypervisor"
        )
    }
    assert str(VR["vmware-workstation"]) in type2
    type1 = {
        r["hypervisor"] for r in run(queries["hypervisors-by-type"], served, names, namespaces)
    }
    assert str(VR.xen) in type1 and str(VR.kvm) not in type1  # KVM's type is contested


# --- typed binding ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query_name", "values", "parameter"),
    [
        ("products-released-since", {"year": "twenty"}, "year"),
        ("products-released-since", {"year": "1e9"}, "year"),
        ("products-by-host-os-need", {"needs": "maybe"}, "needs"),
        ("hypervisors-by-type", {"lang": "en; DROP"}, "lang"),
        ("hypervisors-by-type", {"colour": "red"}, "colour"),
        ("labels-containing", {}, "text"),
        ("labels-containing", {"text": "x" * 1001}, "text"),
    ],
)
def test_wrong_values_name_the_parameter(
    queries: dict[str, StoredQuery],
    names: NameIndex,
    namespaces: dict[str, str],
    query_name: str,
    values: dict[str, str],
    parameter: str,
) -> None:
    with pytest.raises(ParameterError) as caught:
        queries[query_name].bind(values, resolve=names.resolve, namespaces=namespaces)
    assert caught.value.parameter == parameter
    assert parameter in str(caught.value)


def test_values_are_bound_as_typed_terms(
    queries: dict[str, StoredQuery], names: NameIndex, namespaces: dict[str, str]
) -> None:
    bindings = queries["products-released-since"].bind(
        {"year": "2008"}, resolve=names.resolve, namespaces=namespaces
    )
    assert bindings[Variable("year")] == Literal(2008)
    assert bindings[Variable("lang")] == Literal("en")
    bound = queries["products-by-developer"].bind(
        {"developer": "红帽"}, resolve=names.resolve, namespaces=namespaces
    )
    assert bound[Variable("developer")] == URIRef(str(VR["red-hat"]))


@pytest.mark.parametrize(
    ("given", "bound"), [("zh-CN", "zh"), ("EN", "en"), ("en-GB", "en"), ("de", "de")]
)
def test_a_language_parameter_takes_a_tag_as_lang_does_everywhere(
    queries: dict[str, StoredQuery],
    names: NameIndex,
    namespaces: dict[str, str],
    given: str,
    bound: str,
) -> None:
    # The queries compare a label's language with it: zh-CN bound as itself matched no label
    # (the graph's Chinese is tagged zh), and answered nothing, silently. A tag naming one of
    # the graph's languages is read as the API's `lang=` reads it; any other stays as given.
    bindings = queries["labels-containing"].bind(
        {"text": "kvm", "lang": given}, resolve=names.resolve, namespaces=namespaces
    )
    assert bindings[Variable("lang")] == Literal(bound)


def test_unknown_entity_carries_candidates(
    queries: dict[str, StoredQuery], names: NameIndex, namespaces: dict[str, str]
) -> None:
    with pytest.raises(ParameterNameError) as caught:
        queries["products-based-on"].bind(
            {"product": "kvmm"}, resolve=names.resolve, namespaces=namespaces
        )
    assert isinstance(caught.value.resolution, UnknownName)
    assert URIRef(str(VR.kvm)) in caught.value.resolution.candidates


# --- injection -------------------------------------------------------------------------------


def test_injection_through_a_string_parameter_is_just_a_string(
    queries: dict[str, StoredQuery],
    served: QueryStore,
    names: NameIndex,
    namespaces: dict[str, str],
) -> None:
    before = len(served.store)
    rows = run(queries["labels-containing"], served, names, namespaces, text=INJECTION)
    assert rows == []
    assert len(served.store) == before
    # the same query finds what it should, so the empty answer above means something
    assert run(queries["labels-containing"], served, names, namespaces, text="hyper-v")


def test_injection_through_a_name_parameter_names_nothing(
    queries: dict[str, StoredQuery], names: NameIndex, namespaces: dict[str, str]
) -> None:
    with pytest.raises(ParameterNameError):
        queries["products-based-on"].bind(
            {"product": "vr:kvm> } ; DROP ALL #"}, resolve=names.resolve, namespaces=namespaces
        )


def test_iri_parameters_refuse_characters_that_end_an_iri(tmp_path: Path) -> None:
    query = parse_query_file(
        write(tmp_path, "#+ summary: x\n#+ param thing: iri\nASK { ?thing ?p ?o }\n"),
        namespaces={"virt": str(VIRT)},
    )
    bound = query.bind(
        {"thing": "virt:Hypervisor"}, resolve=lambda n: URIRef(n), namespaces={"virt": str(VIRT)}
    )
    assert bound[Variable("thing")] == URIRef(str(VIRT.Hypervisor))
    with pytest.raises(ParameterError, match="absolute IRI"):
        query.bind({"thing": "http://x/> } DROP ALL {"}, resolve=lambda n: URIRef(n), namespaces={})


def test_tsv_and_csv_answers(
    queries: dict[str, StoredQuery],
    served: QueryStore,
    names: NameIndex,
    namespaces: dict[str, str],
) -> None:
    query = queries["cpu-extension-flags"]
    bindings = query.bind({}, resolve=names.resolve, namespaces=namespaces)
    tsv = answer(query, served, bindings, RESULTS_TSV).body.decode()
    assert tsv.splitlines()[0] == "?product\t?label\t?extension\t?extensionLabel\t?flag\t?lang"
    assert '"vmx"' in tsv
    csv_text = answer(query, served, bindings, RESULTS_CSV).body.decode()
    assert csv_text.startswith("product,label,extension,extensionLabel,flag")
