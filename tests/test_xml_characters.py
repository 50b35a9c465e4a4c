"""Answers in an XML format whose data holds a character XML 1.0 cannot (§2.2: C0 controls but
tab, LF and CR; U+FFFE, U+FFFF). pyoxigraph wrote them raw, so SPARQL XML results and RDF/XML
were not well-formed (SPARQLWrapper reads XML by default), and the GraphML and GEXF exports
were a 500. No escape helps: a character reference must name an XML character too. Such an
answer is 406, naming the character and the formats that can hold it; and a CONSTRUCT export
that builds triple terms, which its parser read as N-Triples and failed on (a 500 in every
format), is 400."""

from __future__ import annotations

import re
import xml.dom.minidom

import pytest
from flask.testing import FlaskClient

from kgapi.graph.documents import NotWritable, check_xml

SELECT = 'SELECT ?x WHERE { BIND("a\\u0001b" AS ?x) }'
CONSTRUCT = 'CONSTRUCT { <urn:a> <urn:p> "a\\u0001b" } WHERE {}'
CONSTRUCT_TRIPLE_TERM = "CONSTRUCT { <urn:a> <urn:p> <<( <urn:a> <urn:b> <urn:c> )>> } WHERE {}"
# A string with a base direction (RDF 1.2), which rdflib would hold without its direction.
CONSTRUCT_DIRECTION = (
    'CONSTRUCT { <urn:a> <urn:p> ?x } WHERE { BIND (STRLANGDIR("x", "en", "rtl") AS ?x) }'
)


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (SELECT, "application/sparql-results+xml"),
        (CONSTRUCT, "application/rdf+xml"),
    ],
)
def test_an_xml_answer_that_cannot_hold_the_data_is_406(
    client: FlaskClient, query: str, accept: str
) -> None:
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406 and response.mimetype == "text/plain"
    message = response.get_data(as_text=True)
    assert "U+0001" in message
    # The formats it names are for this query's form, and each of them answers it.
    named = message.partition("ask for one of ")[2].strip().split(", ")
    assert len(named) >= 2 and accept not in named
    for media_type in named:
        answered = client.get(
            "/sparql", query_string={"query": query}, headers={"Accept": media_type}
        )
        assert answered.status_code == 200, media_type
        assert answered.mimetype == media_type


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (SELECT, "application/sparql-results+json"),
        (CONSTRUCT, "text/turtle"),
        ('SELECT ?x WHERE { BIND("tab\\tline\\ncr\\r" AS ?x) }', "application/sparql-results+xml"),
    ],
)
def test_formats_that_hold_the_data_answer_as_before(
    client: FlaskClient, query: str, accept: str
) -> None:
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    if accept.endswith("xml"):
        xml.dom.minidom.parseString(response.get_data())  # well-formed


@pytest.mark.parametrize("export_format", ["graphml", "gexf", "rdfxml"])
def test_an_xml_export_that_cannot_hold_the_data_is_406(
    client: FlaskClient, export_format: str
) -> None:
    params = {"scope": "construct", "format": export_format, "query": CONSTRUCT}
    response = client.get("/export", query_string=params)
    assert response.status_code == 406 and response.mimetype == "application/problem+json"
    assert "U+0001" in response.get_json()["detail"]


@pytest.mark.parametrize(
    "query", [CONSTRUCT_TRIPLE_TERM, CONSTRUCT_DIRECTION], ids=["triple term", "base direction"]
)
@pytest.mark.parametrize("export_format", ["turtle", "nodelink", "graphml"])
def test_an_export_whose_query_builds_rdf_1_2_terms_is_400(
    client: FlaskClient, export_format: str, query: str
) -> None:
    params = {"scope": "construct", "format": export_format, "query": query}
    response = client.get("/export", query_string=params)
    assert response.status_code == 400 and response.get_json()["parameter"] == "query"
    assert "RDF 1.2 terms" in response.get_json()["detail"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("plain\ttab\nline\rcr", None),
        ("nul\x00", "U+0000"),
        ("bell\x07", "U+0007"),
        ("unit separator\x1f", "U+001F"),
        ("not a character \ufffe", "U+FFFE"),
        ("nor \uffff", "U+FFFF"),
        ("中文 and é and \U0001f600", None),
    ],
)
@pytest.mark.parametrize("encoded", [False, True])
def test_the_characters_xml_cannot_hold(text: str, found: str | None, encoded: bool) -> None:
    document: str | bytes = f"<a>{text}</a>"
    if encoded:
        document = document.encode()
    if found is None:
        assert check_xml(document, "XML") is document
    else:
        with pytest.raises(NotWritable, match=re.escape(found)):
            check_xml(document, "XML")
