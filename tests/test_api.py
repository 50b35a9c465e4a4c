"""The REST API end to end through Flask's test client: the questions of issue #6, one request
each and no SPARQL; reasoning routes; stored queries over HTTP; one error shape everywhere."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from flask.testing import FlaskClient

from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.graph.namespaces import VIRT, VR
from kgapi.settings import Settings
from kgapi.web import create_app

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def bindings(response: Any) -> list[dict[str, str]]:
    data = json.loads(response.get_data(as_text=True))
    return [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]


# --- issue #6, done when: one request each, no SPARQL ------------------------------------------


def test_what_kind_of_hypervisor_is_xen_and_why(client: FlaskClient) -> None:
    response = client.get("/api/explain", query_string={"s": "Xen", "p": "a", "o": "Type-1"})
    data = response.get_json()
    assert data["holds"] is True and data["status"] == "inferred"
    assert data["proof"]["rule"]
    assert "virt:hypervisorType" in json.dumps(data["proof"])


def test_how_do_kvm_xen_and_esxi_differ(client: FlaskClient) -> None:
    response = client.get(
        "/api/compare", query_string={"ids": "kvm,xen,vmware-esxi"}, headers={"Accept": "text/csv"}
    )
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(response.get_data(as_text=True)))}
    assert rows["technique"][:3] == [
        "hardware-assisted virtualization",
        "paravirtualization",
        "hardware-assisted virtualization",
    ]
    assert rows["licence"][3] == "differs"


def test_which_type1_hypervisors_are_open_source(client: FlaskClient) -> None:
    response = client.get("/api/queries/open-source-type1-hypervisors")
    assert response.status_code == 200
    found = {row["hypervisor"] for row in bindings(response)}
    assert str(VR.xen) in found and str(VR["vmware-esxi"]) not in found


def test_what_is_泛虚拟化(client: FlaskClient) -> None:
    data = client.get("/api/entities/泛虚拟化").get_json()
    assert data["iri"] == str(VIRT.Paravirtualization)
    assert "hypercall" in data["definitions"]["en"][0]


def test_which_products_are_based_on_kvm(client: FlaskClient) -> None:
    response = client.get("/api/queries/products-based-on", query_string={"product": "KVM"})
    found = {row["derived"] for row in bindings(response)}
    assert {str(VR["red-hat-virtualization"]), str(VR["nutanix-ahv"])} <= found


# --- reasoning routes --------------------------------------------------------------------------


def test_explain_an_asserted_triple_names_its_file_and_sources(client: FlaskClient) -> None:
    data = client.get(
        "/api/explain", query_string={"s": "vr:kvm", "p": "virt:license", "o": "spdx:GPL-2.0-only"}
    ).get_json()
    assert data["status"] == "asserted"
    assert data["proof"]["files"] == ["products.ttl"]
    assert data["sources"]


def test_explain_a_literal_object(client: FlaskClient) -> None:
    data = client.get(
        "/api/explain",
        query_string={
            "s": "docker",
            "p": "virt:sharesHostKernel",
            "o": '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>',
        },
    ).get_json()
    assert data["holds"] is True and data["status"] == "inferred"


def test_explain_what_does_not_hold(client: FlaskClient) -> None:
    data = client.get(
        "/api/explain", query_string={"s": "kvm", "p": "a", "o": "Type-1 hypervisor"}
    ).get_json()
    assert data["holds"] is False and data["status"] == "does-not-hold"


def test_classify_a_described_product(client: FlaskClient) -> None:
    response = client.post("/api/classify", json={"label": "MyXenBox", "basedOn": ["xen"]})
    assert response.status_code == 200
    classes = {fact["triple"][2] for fact in response.get_json()["classes"]}
    assert f"<{VIRT.Type1Hypervisor}>" in classes


def test_classify_turtle(client: FlaskClient) -> None:
    body = "vr:my-kvm-box a virt:SoftwareProduct ; virt:basedOn vr:kvm ."
    response = client.post("/api/classify", data=body, content_type="text/turtle")
    assert response.status_code == 200
    values = {fact["triple"][1] for fact in response.get_json()["values"]}
    assert f"<{VIRT.requiresCPUExtension}>" in values


def test_consistency_report(client: FlaskClient) -> None:
    data = client.get("/api/consistency").get_json()
    assert data["consistent"] is True and data["issues"] == []


def test_a_contradiction_is_reported_with_its_proof(client: FlaskClient) -> None:
    """A product said to be both Type-1 and Type-2: the issue names the rule, and proves each
    premise down to where it is asserted — the shape the OpenAPI description gives."""
    from jsonschema import Draft202012Validator

    body = {"label": "Both", "hypervisorType": ["Type1Hypervisor", "Type2Hypervisor"]}
    report = client.post("/api/classify", json=body).get_json()["consistency"]
    assert report["consistent"] is False
    (disjoint,) = [issue for issue in report["issues"] if issue["rule"] == "cax-dw"]
    premises = {node["text"]: node for node in disjoint["proof"]}
    assert "virt:Type1Hypervisor owl:disjointWith virt:Type2Hypervisor" in premises
    assert premises["virt:Type1Hypervisor owl:disjointWith virt:Type2Hypervisor"]["files"] == [
        "axes.ttl"
    ]
    components = client.get("/openapi.json").get_json()["components"]
    consistency = components["schemas"]["Consistency"]
    assert consistency["properties"]["issues"]["items"] == {
        "$ref": "#/components/schemas/ConsistencyIssue"
    }
    schema = {"$ref": "#/components/schemas/Consistency", "components": components}
    assert list(Draft202012Validator(schema).iter_errors(report)) == []


# --- stored queries over HTTP ------------------------------------------------------------------


def test_query_list_has_typed_parameters(client: FlaskClient) -> None:
    queries = {q["name"]: q for q in client.get("/api/queries").get_json()["queries"]}
    parameters = {p["name"]: p for p in queries["products-released-since"]["parameters"]}
    assert parameters["year"] == {
        "name": "year",
        "type": "integer",
        "description": "The earliest year of first release.",
        "default": "2005",
        "required": False,
    }
    tagged = client.get("/api/queries?tag=quality").get_json()["queries"]
    assert tagged and all("quality" in q["tags"] for q in tagged)


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
    ],
)
def test_query_answers_are_negotiated_like_sparql(
    client: FlaskClient, accept: str, media_type: str
) -> None:
    response = client.get("/api/queries/cpu-extension-flags", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "vmx" in response.get_data(as_text=True)


def test_query_answers_carry_etags(client: FlaskClient) -> None:
    first = client.get("/api/queries/axis-taxonomy")
    again = client.get(
        "/api/queries/axis-taxonomy", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    "url",
    [
        "/api/entities/kvm",
        "/api/entities?id=kvm&lang=zh",
        "/api/search?q=kvm",
        "/api/compare?ids=kvm,xen",
        "/api/explain?s=xen&p=a&o=Type-1",
        "/api/consistency",
        "/api/queries",
        "/openapi.json",
    ],
)
def test_lookups_carry_etags_and_answer_304_to_a_client_that_has_them(
    client: FlaskClient, url: str
) -> None:
    """Agents ask the same lookups again and again: like the SPARQL answers, exports and RDF
    views, the JSON lookups are validated by ETag and may be kept by shared caches (and the
    front) for a minute. They had neither ETag nor Cache-Control."""
    first = client.get(url)
    assert first.status_code == 200 and first.headers["Cache-Control"].startswith("public")
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert client.get(url, headers={"If-None-Match": '"other"'}).get_data() == first.get_data()


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/search?q=kvm&q=xen", "q"),
        ("/api/search?q=kvm&limit=1&limit=2", "limit"),
        ("/api/entities/kvm?lang=en&lang=zh", "lang"),
        ("/api/entities?id=kvm&id=xen", "id"),
        ("/api/explain?s=kvm&s=xen&p=a&o=Hypervisor", "s"),
        ("/export?scope=products&format=dot&format=svg", "format"),
        ("/api/queries/products-based-on?product=kvm&product=xen", "product"),
    ],
)
def test_a_parameter_given_twice_is_400_naming_it(
    client: FlaskClient, url: str, parameter: str
) -> None:
    """Which of two values was meant is not the API's to guess: the stored queries and the
    SPARQL endpoint refused a repeated parameter, the other routes took the first one."""
    response = client.get(url)
    problem = response.get_json()
    assert response.status_code == 400 and problem["parameter"] == parameter, problem
    assert "more than once" in problem["detail"]


def test_the_ids_of_a_comparison_may_be_given_one_by_one(client: FlaskClient) -> None:
    together = client.get("/api/compare?ids=kvm,xen").get_json()
    assert client.get("/api/compare?ids=kvm&ids=xen").get_json() == together


def test_injection_through_a_parameter_is_harmless(client: FlaskClient) -> None:
    attack = '") } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o . FILTER("" = "'
    response = client.get("/api/queries/labels-containing", query_string={"text": attack})
    assert response.status_code == 200
    assert bindings(response) == []
    name_attack = client.get(
        "/api/queries/products-based-on",
        query_string={"product": "vr:kvm> } UNION { ?derived ?p ?o"},
    )
    assert name_attack.status_code == 404
    still = client.get("/api/queries/products-based-on", query_string={"product": "kvm"})
    assert len(bindings(still)) >= 2


def test_wrong_type_is_400_naming_the_parameter(client: FlaskClient) -> None:
    response = client.get("/api/queries/products-released-since", query_string={"year": "MMV"})
    assert response.status_code == 400
    problem = response.get_json()
    assert problem["parameter"] == "year"
    assert "integer" in problem["detail"]


# --- one error shape across every route -------------------------------------------------------

ERRORS = [
    ("GET", "/api/entities/nosuchthing", {}, 404),
    ("GET", "/api/entities?id=dom0", {}, 400),
    ("GET", "/api/entities", {}, 400),
    ("GET", "/api/entities/kvm?format=png", {}, 400),
    ("GET", "/api/entities/kvm?explain=perhaps", {}, 400),
    ("GET", "/api/search", {}, 400),
    ("GET", "/api/search?q=x&limit=1000", {}, 400),
    ("GET", "/api/search?q=x&limit=%C2%B2", {}, 400),  # a superscript two: isdigit() but no int
    ("GET", "/api/search?q=x&type=nosuchclass", {}, 404),
    ("GET", "/api/compare?ids=kvm", {}, 400),
    ("GET", "/api/compare?ids=kvm,nosuchthing", {}, 404),
    ("GET", "/api/compare?ids=kvm,xen&format=pdf", {}, 400),
    ("GET", "/api/explain?s=xen&p=a", {}, 400),
    ("GET", "/api/explain?s=xen&p=a&o=%22unterminated", {}, 400),
    ("GET", "/api/explain?s=nosuchthing&p=a&o=xen", {}, 404),
    ("POST", "/api/classify", {"data": "{", "content_type": "application/json"}, 400),
    ("POST", "/api/classify", {"data": "x", "content_type": "text/plain"}, 415),
    ("POST", "/api/classify", {"json": {"label": "x", "colour": "red"}}, 400),
    ("GET", "/api/queries/nosuchquery", {}, 404),
    ("GET", "/api/queries/products-based-on?product=nosuchthing", {}, 404),
    ("GET", "/api/queries/products-based-on?colour=red", {}, 400),
    ("GET", "/api/queries/labels-containing", {}, 400),
    ("GET", "/api/queries/axis-taxonomy?format=turtle", {}, 400),
    ("GET", "/api/queries/axis-taxonomy?lang=en&lang=zh", {}, 400),
    ("GET", "/api/nosuchroute", {}, 404),
    ("POST", "/api/search", {}, 405),
    ("GET", "/api/classify", {}, 405),
]


@pytest.mark.parametrize(("method", "path", "options", "status"), ERRORS)
def test_every_error_has_one_shape(
    client: FlaskClient, method: str, path: str, options: dict[str, Any], status: int
) -> None:
    response = client.open(path, method=method, **options)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = json.loads(response.get_data(as_text=True))
    assert set(problem) >= PROBLEM_KEYS
    assert problem["status"] == status
    assert all(isinstance(problem[key], str) for key in ("type", "title", "detail"))


def test_name_errors_carry_candidates(client: FlaskClient) -> None:
    for path in (
        "/api/entities/kvmm",
        "/api/compare?ids=kvm,xenn",
        "/api/explain?s=xenn&p=a&o=xen",
        "/api/queries/products-based-on?product=kvmm",
    ):
        problem = client.get(path).get_json()
        assert problem["candidates"], path
        assert {"iri", "label"} <= set(problem["candidates"][0])


def test_a_stored_query_with_a_sparql_1_2_pattern_runs(
    settings: Settings, knowledge: KnowledgeGraph, tmp_path: Path
) -> None:
    # One engine checks a file at load and runs it, so what loads, runs.
    (tmp_path / "star.rq").write_text("#+ summary: x\nSELECT * WHERE { << ?s ?p ?o >> ?q ?r }\n")
    app = create_app(replace(settings, query_timeout=0, queries_dir=tmp_path), knowledge=knowledge)
    response = app.test_client().get("/api/queries/star")
    assert response.status_code == 200
    assert response.get_json()["results"]["bindings"] == []


@pytest.mark.parametrize("answer_format", ["xml", "json", "csv", "tsv"])
def test_stored_query_with_unbound_values_in_every_results_format(
    client: FlaskClient, answer_format: str
) -> None:
    # Issue 11: rdflib's XML writer failed on the unbound cells of contested-claims (a 500).
    response = client.get(f"/api/queries/contested-claims?format={answer_format}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert b"claim" in response.get_data()


# --- issue 12, finding 8: the smaller ones ------------------------------------------------------


def test_turtle_answers_declare_only_the_prefixes_they_use(client: FlaskClient) -> None:
    query = "CONSTRUCT { ?s a ?o } WHERE { ?s a ?o } LIMIT 20"
    response = client.get(
        "/sparql", query_string={"query": query}, headers={"Accept": "text/turtle"}
    )
    text = response.get_data(as_text=True)
    declared = [line.split()[1] for line in text.splitlines() if line.startswith("@prefix")]
    assert declared and "wgs:" not in declared and "brick:" not in declared
    body = "\n".join(line for line in text.splitlines() if not line.startswith("@prefix"))
    # rdf: is used by rdf:type, which Turtle writes as `a`
    assert all(prefix in body for prefix in declared if prefix != "rdf:")


def test_ntriples_answers_say_their_charset(client: FlaskClient) -> None:
    query = "CONSTRUCT WHERE { ?s a ?o } LIMIT 2"
    response = client.get(
        "/sparql", query_string={"query": query}, headers={"Accept": "application/n-triples"}
    )
    assert response.headers["Content-Type"] == "application/n-triples; charset=utf-8"


def test_jsonld_export_lists_nodes_in_a_stable_order(client: FlaskClient) -> None:
    response = client.get("/export?scope=products&format=jsonld")
    ids = [node["@id"] for node in response.get_json()["@graph"]]
    assert len(ids) > 10 and ids == sorted(ids)


def test_entities_follow_accept_language(client: FlaskClient) -> None:
    response = client.get(
        "/api/entities/paravirtualization", headers={"Accept-Language": "zh-CN,zh;q=0.9"}
    )
    assert response.get_json()["label"] == "泛虚拟化"
    assert "Accept-Language" in response.headers["Vary"]
    assert client.get("/api/entities/paravirtualization").get_json()["label"] != "泛虚拟化"
    explicit = client.get(
        "/api/entities/paravirtualization?lang=en", headers={"Accept-Language": "zh"}
    )
    assert explicit.get_json()["label"] == "paravirtualization"


@pytest.mark.parametrize(
    ("accepted", "label"),
    [
        ("en-US,zh;q=0.5", "paravirtualization"),  # English first, if only as en-US
        ("zh-TW,en;q=0.5", "泛虚拟化"),
        ("de, zh;q=0.1", "泛虚拟化"),  # German is not written; Chinese will do
        ("fr", "paravirtualization"),
        ("*", "paravirtualization"),
        ("zh;q=0, en-GB;q=0.1", "paravirtualization"),
        ("ZH-hant", "泛虚拟化"),
    ],
)
def test_accept_language_is_read_in_the_order_of_preference(
    client: FlaskClient, accepted: str, label: str
) -> None:
    # Each range in the client's order, as `lang=` reads a tag: werkzeug took an exact match
    # of any quality (zh;q=0.5) over a preferred language named with its region (en-US).
    page = client.get(
        "/ontology/Paravirtualization",
        headers={"Accept-Language": accepted, "Accept": "text/html"},
    )
    assert f"<h1>{label}</h1>" in page.get_data(as_text=True)
    answer = client.get(
        "/api/entities/paravirtualization", headers={"Accept-Language": accepted}
    ).get_json()
    assert answer["label"] == label


@pytest.mark.parametrize("answer_format", ["text", "markdown", "csv", "html"])
def test_chinese_comparison_has_no_english_words_around_the_values(
    client: FlaskClient, answer_format: str
) -> None:
    response = client.get(f"/api/compare?ids=kvm,xen,esxi&lang=zh&format={answer_format}")
    text = response.get_data(as_text=True)
    if answer_format == "html":  # what a reader sees, not the style sheet and CSS classes
        document = lxml.html.fromstring(text)
        for style in document.iter("style"):
            style.drop_tree()
        text = document.text_content()
    english_words = ("agreement", "shared", "differs", "inferred", "contested", "supported")
    for english in (*english_words, "true", "false"):
        assert english not in text, english
    assert "异同" in text and "不同" in text
    assert "推理得出" in response.get_data(as_text=True)  # in HTML, the title of inferred values


def test_explain_as_text_and_with_a_bare_value_of_the_range(client: FlaskClient) -> None:
    response = client.get("/api/explain?s=docker&p=virt:sharesHostKernel&o=true")
    assert response.status_code == 200 and response.get_json()["holds"] is True
    bad = client.get("/api/explain?s=docker&p=virt:sharesHostKernel&o=maybe")
    assert bad.status_code == 400 and "xsd:boolean" in bad.get_json()["detail"]
    text = client.get("/api/explain?s=xenserver&p=a&o=virt:Type1Hypervisor&format=text")
    assert text.mimetype == "text/plain"
    assert text.get_data(as_text=True).startswith("vr:xenserver rdf:type virt:Type1Hypervisor")


@pytest.mark.parametrize(
    ("host", "path", "resolved"),
    [
        ("localhost", "/sparql", "http://localhost/thing"),
        ("kg.example:8080", "/sparql", "http://kg.example:8080/thing"),
        ("kg.example", "/sparql/asserted", "http://kg.example/sparql/thing"),
    ],
)
def test_a_relative_iri_in_a_query_resolves_against_the_endpoint(
    client: FlaskClient, host: str, path: str, resolved: str
) -> None:
    """The base IRI is the URL the query was sent to (as on Oxigraph's server), its Host's."""
    response = client.get(
        path,
        query_string={"query": "SELECT ?b WHERE { BIND(<thing> AS ?b) }"},
        headers={"Host": host, "Accept": "application/sparql-results+json"},
    )
    assert response.get_json()["results"]["bindings"][0]["b"]["value"] == resolved


def test_a_json_ld_export_names_the_context_of_the_host_it_was_asked_of(
    client: FlaskClient,
) -> None:
    """Its @context is this server's URL as the client named it: kept for one Host (a client can
    name any), it must not be given to another, nor share its ETag."""
    answers = {}
    for host in ("attacker.example", "kg.example:8080"):
        response = client.get("/export?scope=products&format=jsonld", headers={"Host": host})
        assert response.get_json()["@context"] == f"http://{host}/export/context.jsonld"
        answers[host] = response.headers["ETag"]
    assert len(set(answers.values())) == 2


UNKNOWN_FUNCTION = "SELECT ?x WHERE { BIND(<urn:kgapi:no-such-function>(1) AS ?x) }"


def test_a_query_calling_a_function_the_engine_lacks_is_400(client: FlaskClient) -> None:
    """The engine parses a call of any IRI but evaluates only the functions it has; the others
    were a 500."""
    # (a long query is evaluated in a child process of its own: the refusal crosses back)
    for query in (UNKNOWN_FUNCTION, f"# {'-' * 5_000}\n{UNKNOWN_FUNCTION}"):
        response = client.get("/sparql", query_string={"query": query})
        assert response.status_code == 400 and response.mimetype == "text/plain"
        assert "urn:kgapi:no-such-function" in response.get_data(as_text=True)
    construct = UNKNOWN_FUNCTION.replace("SELECT ?x", "CONSTRUCT { <urn:a> <urn:b> ?x }")
    exported = client.get("/export", query_string={"scope": "construct", "query": construct})
    assert exported.status_code == 400 and exported.mimetype == "application/problem+json"
    assert exported.get_json()["parameter"] == "query"


LANGUAGE_ROUTES = [
    "/api/entities/paravirtualization",
    "/api/search?q=paravirtualization",
    "/api/compare?ids=kvm,xen",
    "/export?scope=taxonomy&format=nodelink",
]


@pytest.mark.parametrize("route", LANGUAGE_ROUTES)
@pytest.mark.parametrize(
    ("tag", "language"),
    [("EN", "en"), ("en-US", "en"), ("en-gb", "en"), ("ZH", "zh"), ("zh-CN", "zh"),
     ("zh-Hans-CN", "zh"), ("zh-TW", "zh")],
)  # fmt: skip
def test_lang_takes_a_language_tag_as_accept_language_does(
    client: FlaskClient, route: str, tag: str, language: str
) -> None:
    # Language tags are case-insensitive and a region or script narrows one (RFC 5646, RFC
    # 4647 lookup): an agent passing its locale gets the language the graph is written in.
    separator = "&" if "?" in route else "?"
    tagged = client.get(f"{route}{separator}lang={tag}")
    plain = client.get(f"{route}{separator}lang={language}")
    assert tagged.status_code == plain.status_code == 200
    # The same answer, down to the language a search echoes: the one it answered in.
    assert tagged.get_json() == plain.get_json()


@pytest.mark.parametrize("route", LANGUAGE_ROUTES)
@pytest.mark.parametrize(
    "tag", ["", "xx", "english", "*", "en_US", "en-", "-en", "en-toolongsubtag"]
)
def test_a_lang_naming_no_language_of_the_graph_is_one_problem_everywhere(
    client: FlaskClient, route: str, tag: str
) -> None:
    separator = "&" if "?" in route else "?"
    response = client.get(f"{route}{separator}lang={tag}")
    assert response.status_code == 400
    problem = response.get_json()
    assert problem["type"].endswith("/invalid-parameter") and problem["parameter"] == "lang"
    assert problem["choices"] == ["en", "zh"]
