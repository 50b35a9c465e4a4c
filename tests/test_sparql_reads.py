"""What a query reads and what a version changed (kgapi.sparql.reads), and the front's feed of
the versions' changed keys (kgapi.curation.changelog.ChangedKeys)."""

from __future__ import annotations

import itertools
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


# Query forms, each in the ways SPARQL lets one write it; the engine is the oracle.
BOUNDED_FORMS = [
    "SELECT ?o WHERE { <urn:s> <urn:p> ?o }",
    "SELECT ?o WHERE { <urn:s> <urn:\\u0070> ?o }",
    "PREFIX p: <urn:> SELECT ?o WHERE { <urn:s> p:p ?o }",
    "PREFIX p: <urn:> SELECT ?o WHERE { <urn:s> p:x%2Dy ?o }",
    "PREFIX p: <urn:> SELECT ?o WHERE { <urn:s> p:p#comment\n ?o }",
    "PREFIX : <urn:> SELECT ?o WHERE { <urn:s> : ?o }",
    "PREFIX p: <urn:> PREFIX p: <urn:x/> SELECT ?o WHERE { <urn:s> p:p ?o }",
    "SELECT ?o WHERE { <urn:s> a ?o }",
    "SELECT ?s WHERE { ?s a <urn:C>, <urn:D> ; <urn:p> ?o }",
    f"SELECT ?s WHERE {{ ?s <{TYPE}> <urn:C> }}",
    "SELECT ?s WHERE { ?s <urn:p> [ a <urn:C> ] }",
    "SELECT ?s WHERE { ?s <urn:p> ( <urn:a> <urn:b> ) }",
    "SELECT ?s WHERE { ?s <urn:p> ?o OPTIONAL { ?o <urn:q> ?z } MINUS { ?o <urn:r> ?z } }",
    "SELECT ?s WHERE { ?s <urn:p> ?o FILTER (EXISTS { ?o <urn:q> ?z } || false) }",
    "SELECT ?s WHERE { ?s <urn:p> ?o BIND (EXISTS { ?s <urn:q> ?z } AS ?e) FILTER (?e) }",
    "ASK { <urn:s> <urn:p> ?o }",
    "CONSTRUCT { ?s <urn:r> ?o } WHERE { ?s <urn:p> ?o }",
    "SELECT * WHERE { { SELECT ?s WHERE { ?s <urn:p> ?o } } ?s <urn:q> ?z }",
    "SELECT * WHERE { ?s <urn:p> ?o } VALUES ?s { <urn:s> }",
    "BASE <http://x/y/> PREFIX p: <q/> SELECT ?o WHERE { <urn:s> p:r ?o }",
    "SELECT ?o WHERE { <urn:s> <URN:P> ?o }",
]
# Forms whose reads are not bounded: rdflib does not parse them, or the engine reads their IRIs
# otherwise than rdflib writes them (an escaped local name, a relative IRI).
UNBOUNDED_FORMS = [
    "PREFIX p: <urn:> SELECT ?o WHERE { <urn:s> p:x\\-y ?o }",
    "SELECT ?s (EXISTS { ?s <urn:q> ?z } AS ?e) WHERE { ?s <urn:p> ?o }",
    "SELECT ?s WHERE { ?s <urn:p> ?o } ORDER BY (EXISTS { ?s <urn:q> ?z })",
    "SELECT ?s WHERE { ?s <urn:p> ?o } GROUP BY ?s HAVING (EXISTS { ?s <urn:q> ?z })",
    "SELECT * WHERE { ?s <urn:p> ?o {| <urn:q> ?z |} }",
    "SELECT ?o WHERE { <urn:s> <rel> ?o }",
    "BASE <urn:b/> SELECT ?o WHERE { <urn:s> <rel> ?o }",
    "SELECT * WHERE { ?s <urn:p> ?o LATERAL { ?o <urn:q> ?z } }",
]
# The properties a triple may have: those the forms name, in every form the engine reads them.
PROPERTIES = ["urn:p", "urn:q", "urn:r", "urn:x-y", "urn:x%2Dy", "urn:x/p", "urn:", "URN:P",
              "http://endpoint.test/rel", "urn:b/rel", "http://x/y/q/r", TYPE]  # fmt: skip
NODES = ["urn:s", "urn:a", "urn:b", "urn:C", "urn:D"]


@pytest.mark.parametrize(
    ("query", "bounded"),
    [(form, True) for form in BOUNDED_FORMS] + [(form, False) for form in UNBOUNDED_FORMS],
)
def test_a_triple_whose_keys_a_query_does_not_read_never_changes_its_answer(
    query: str, bounded: bool
) -> None:
    """The property kept answers rest on, with the engine as the oracle: rdflib's parse and the
    engine's must agree on what a query reads. (They did not on escaped local names and
    relative IRIs, whose answers were kept past writes that changed them.) A form that reads
    everything has its answer discarded by any change."""
    keys = read_keys(query)
    assert (keys is not None) == bounded, keys
    if keys is None:
        return

    def answer(extra: tuple[str, str, str] | None) -> object:
        store = ox.Store()
        for s, p, o in itertools.product(NODES[:2], ["urn:p", "urn:q", "urn:r"], NODES[:3]):
            store.add(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)))
        store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode(TYPE), ox.NamedNode("urn:C")))
        if extra is not None:
            store.add(ox.Quad(*(ox.NamedNode(term) for term in extra)))
        found = store.query(query, base_iri="http://endpoint.test/sparql")
        if isinstance(found, ox.QueryBoolean):
            return bool(found)
        if isinstance(found, ox.QueryTriples):
            return sorted(map(str, found))
        return sorted(str(list(solution)) for solution in found)

    before = answer(None)
    for s, p, o in itertools.product(NODES, PROPERTIES, NODES):
        if not changed_keys([(URIRef(s), URIRef(p), URIRef(o))]) & keys:
            assert answer((s, p, o)) == before, (s, p, o, sorted(keys))


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
