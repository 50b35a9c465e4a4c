"""Reading a query's text before evaluation: SERVICE, updates, FROM and the query form."""

from __future__ import annotations

import pytest

from kgapi.sparql.text import named_graphs, read_query_text


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


@pytest.mark.parametrize(
    ("query", "names_graphs"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", False),
        ("SELECT * WHERE { ?s <urn:graph> 'GRAPH' } # GRAPH", False),  # an IRI, a string, a note
        ("PREFIX graph: <urn:g#> SELECT * WHERE { ?s graph:p ?o }", False),  # a name
        ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", True),
        ("select * where { graph <urn:g> { ?s ?p ?o } }", True),
        ("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }", True),
        ("SELECT * FROM NAMED <urn:g> WHERE { ?s ?p ?o }", True),
        ("SELECT * WHERE { ?s ?p ?o } trueGRAPH", True),  # a word containing it counts
        ("SELECT * WHERE { \\u0047RAPH ?g { ?s ?p ?o } }", True),  # read with escapes replaced
    ],
)
def test_a_query_that_may_read_a_named_graph_is_told_apart(query: str, names_graphs: bool) -> None:
    assert read_query_text(query).names_graphs is names_graphs


@pytest.mark.parametrize(
    ("update", "graphs"),
    [
        ("DROP GRAPH <http://g/a>", {"http://g/a"}),
        ("DROP SILENT GRAPH <http://g/a>", {"http://g/a"}),
        ("CLEAR GRAPH ex:a", {"http://example.org/a"}),
        ("COPY <http://g/a> TO <http://g/b>", {"http://g/a", "http://g/b"}),
        ("ADD SILENT GRAPH <http://g/a> TO DEFAULT", {"http://g/a"}),
        ("MOVE DEFAULT TO ex:b\\#c", {"http://example.org/b#c"}),
        ("WITH <http://g/a> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", {"http://g/a"}),
        (
            "INSERT { GRAPH <http://g/b> { ?s ?p ?o } } USING NAMED <http://g/a> "
            "WHERE { GRAPH ?g { ?s ?p ?o } }",
            {"http://g/a", "http://g/b"},
        ),
        ("INSERT DATA { GRAPH <http://g/a> { <http://s> <http://p> 1 } }", {"http://g/a"}),
        ("INSERT { ?s ?p ?o } WHERE { GRAPH <http://g/\\u0061> { ?s ?p ?o } }", {"http://g/a"}),
        # an IRI that is no graph: a subject, a value, in a string, in a comment
        (
            'INSERT DATA { <http://g/a> <http://p> "GRAPH <http://g/x>" } # GRAPH <http://g/y>',
            set(),
        ),
        ("DELETE WHERE { GRAPH ?g { <http://g/a> ?p ?o } }", set()),
        ("BASE <http://g/> DROP GRAPH <a>", {"http://g/a"}),
    ],
)
def test_the_graphs_an_update_names_are_read_from_its_terminals(
    update: str, graphs: set[str]
) -> None:
    assert named_graphs("PREFIX ex: <http://example.org/>\n" + update) == graphs
