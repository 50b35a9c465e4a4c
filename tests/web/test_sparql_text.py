"""Reading a query's text before evaluation: SERVICE, updates, FROM and the query form."""

from __future__ import annotations

import pytest

from kgapi.sparql.text import read_query_text


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }",
        "select * { service silent <http://x/> { ?s ?p ?o } }",
        "SELECT * { ?a ?b ?c .SERVICE <http://x/> { ?s ?p ?o } }",
        "SELECT * { \\u0053ERVICE <http://x/> { ?s ?p ?o } }",
        "PREFIX s: <http://x/> SELECT * { SERVICE ?endpoint { ?s ?p ?o } }",
    ],
)
def test_service_is_found(query: str) -> None:
    assert read_query_text(query).uses_service


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * { ?s ?p "SERVICE" }',
        "SELECT * { ?s <http://x/SERVICE> ?service }",
        "SELECT * { ?s ex:SERVICE ?o } # SERVICE in a comment",
        "SELECT ?SERVICE { ?s service:x ?SERVICE }",
    ],
)
def test_service_in_strings_iris_names_and_comments_is_not_a_keyword(query: str) -> None:
    assert not read_query_text(query).uses_service


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("PREFIX a: <http://x/> SELECT * {}", "SELECT"),
        ("BASE <http://x/> ASK {}", "ASK"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://x/>", "DESCRIBE"),
        ("ASK {", "ASK"),
        ("garbage", None),
    ],
)
def test_query_form(query: str, form: str | None) -> None:
    assert read_query_text(query).form == form


@pytest.mark.parametrize(
    "update",
    ["INSERT DATA { <a> <b> <c> }", "PREFIX x: <http://x/> DELETE WHERE { ?s ?p ?o }", "CLEAR ALL"],
)
def test_updates_are_recognised(update: str) -> None:
    assert read_query_text(update).is_update


def test_from_declares_a_dataset() -> None:
    assert read_query_text("SELECT * FROM <http://g/> { ?s ?p ?o }").declares_dataset
    assert not read_query_text("SELECT * { ?s <http://x/from> ?o }").declares_dataset
