"""What a query reads and what a version changed (kgapi.sparql.reads), and the front's feed of
the versions' changed keys (kgapi.curation.changelog.ChangedKeys)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, URIRef

from kgapi.curation.changelog import ChangedKeys, ChangeLog, Version
from kgapi.curation.patch import Change
from kgapi.sparql.reads import changed_keys, read_keys, type_key, unchanged
from kgapi.sparql.text import read_query_text

TYPE = str(RDF.type)


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("SELECT ?p WHERE { ?p a <urn:C> }", {type_key("urn:C")}),
        ("SELECT ?p WHERE { ?p a ?c }", {TYPE}),
        ("ASK {}", set()),
        ("CONSTRUCT { ?x <urn:made> ?y } WHERE { ?x <urn:p> ?y }", {"urn:p"}),  # not the template
        (
            "PREFIX v: <urn:v:> SELECT ?x WHERE { ?x v:a ?y OPTIONAL { ?x v:o ?z } "
            "FILTER NOT EXISTS { ?x v:b [ v:c 1 ] } MINUS { ?x v:m 1 } }",
            {"urn:v:a", "urn:v:o", "urn:v:b", "urn:v:c", "urn:v:m"},
        ),
        (
            "SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?x WHERE { ?x <urn:p> ?y } } "
            "FILTER EXISTS { { SELECT ?x WHERE { ?x <urn:e> ?z } } } }",
            {"urn:p", "urn:e"},
        ),
    ],
)
def test_the_keys_a_query_reads(query: str, keys: set[str]) -> None:
    assert read_keys(query) == frozenset(keys)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o }",  # a variable predicate
        "SELECT ?x WHERE { VALUES ?p { <urn:a> } ?x ?p ?y }",
        "SELECT ?x WHERE { ?x <urn:p>+ ?y }",  # property paths
        "SELECT ?x WHERE { ?x <urn:p>/<urn:q> ?y }",
        "SELECT ?x WHERE { ?x <urn:p> ?y FILTER NOT EXISTS { ?y <urn:q>* ?z } }",
        "SELECT ?x WHERE { GRAPH ?g { ?x <urn:p> ?y } }",  # named graphs
        "SELECT ?x WHERE { ?x <urn:p> ?y FILTER NOT EXISTS { GRAPH <urn:g> { ?y <urn:q> ?z } } }",
        "SELECT ?x FROM <urn:g> WHERE { ?x <urn:p> ?y }",  # a dataset of its own
        "SELECT ?x WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?x <urn:p> ?y } }",
        "DESCRIBE <urn:x>",
        "SELECT ?x WHERE { ?x <urn:p> ?y } " + " " * 5_000,  # too long to analyse
        "SELECT WHERE nothing",  # not read by rdflib's parser
        # IRIs the engine reads otherwise than rdflib's parser writes them: relative ones,
        # which the engine resolves against BASE or the endpoint's URL, and escaped local names,
        # whose backslash rdflib keeps (both kept their answers past writes that changed them).
        "BASE <urn:b/> SELECT ?o WHERE { <urn:s> <rel> ?o }",
        "SELECT ?o WHERE { <urn:s> <rel> ?o }",
        "PREFIX p: <urn:a#> SELECT ?o WHERE { <urn:s> p:x\\-y ?o }",
        "PREFIX p: <rel/> SELECT ?o WHERE { <urn:s> p:x ?o }",
        "SELECT ?x WHERE { ?x a <RelativeClass> }",
    ],
)
def test_what_cannot_be_bounded_reads_everything(query: str) -> None:
    assert read_keys(query) is None


def test_a_version_changes_its_triples_keys_and_a_query_holds_only_if_none_is_read() -> None:
    changed = changed_keys([(URIRef("urn:s"), RDF.type, URIRef("urn:C"))])
    assert changed == {TYPE, type_key("urn:C")}
    assert not unchanged(read_keys("SELECT ?s WHERE { ?s a <urn:C> }"), [changed])
    assert not unchanged(read_keys("SELECT ?s WHERE { ?s a ?any }"), [changed])
    assert unchanged(read_keys("SELECT ?s WHERE { ?s a <urn:D> }"), [changed])
    assert not unchanged(read_keys("SELECT ?s WHERE { ?s a <urn:D> }"), [changed, None])
    assert not unchanged(None, [])


def test_the_feed_reads_each_versions_changed_keys_from_the_log(tmp_path: Path) -> None:
    log = ChangeLog(tmp_path)
    feed = ChangedKeys(log.path, keep=2)
    feed.refresh()
    assert feed.version == 0 and list(feed.changed_after(0)) == []
    s, p, g = ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.NamedNode("urn:g")
    change = Change.of([ox.Quad(s, p, ox.Literal("1"), g)], [])
    end = 0
    for number, changed in enumerate([frozenset({"urn:p"}), None, frozenset({"urn:q"})], 1):
        time = "2026-11-30T00:00:00+00:00"
        version = Version(number, number - 1, time, "t", change, changed=changed)
        with log.exclusive():
            end = log.append(version, after=end)
    feed.refresh()
    assert feed.version == 3
    # Version 1 is past what the feed keeps (2): not known, as version 2's never was.
    assert list(feed.changed_after(0)) == [None, None, frozenset({"urn:q"})]
    assert Version.from_patch(log.read_from(0)[0][0].patch_text()).changed == {"urn:p"}


@pytest.mark.parametrize("read", [read_keys, read_query_text], ids=["read_keys", "read_query_text"])
def test_a_long_query_text_is_read_but_not_kept(read: Callable[[str], object]) -> None:
    """What a request's text is read as is kept for the next request with the same text, but
    only for short texts: a client sending many distinct megabyte queries must not fill an app
    process's memory with them."""
    short = "SELECT ?s WHERE { ?s a <urn:x:C> }"
    assert read(short) is read(short)  # kept: the second request reads nothing again
    long = short + " " * 1_000_000
    tracemalloc.start()
    try:
        for n in range(20):
            read(long + "#" * n)
        kept, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert kept < 1_000_000  # not one of the twenty megabyte texts is held
