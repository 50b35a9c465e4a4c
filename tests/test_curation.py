"""The core of curated updates: the change log's framing and recovery, RDF Patch, tokens, and
the live graph's incremental reasoning held equal to reasoning from scratch."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, RDFS, BNode, Graph, URIRef
from rdflib import Literal as rdflib_literal

from kgapi.curation.changelog import ChangeLog, Version
from kgapi.curation.live import LiveGraph
from kgapi.curation.patch import Change, read_patch, write_patch
from kgapi.curation.tokens import TokenError, TokenStore
from kgapi.graph.knowledge import KnowledgeGraph, build_knowledge_graph
from kgapi.reasoning.closure import materialize
from kgapi.settings import Settings
from kgapi.sparql.store import build_query_store

G = ox.NamedNode("https://example.org/g")
DATA = Path(__file__).parent / "data"


def quad(
    s: str, p: str, o: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple, g: ox.NamedNode = G
) -> ox.Quad:
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, g)


def version(number: int, change: Change) -> Version:
    return Version(number, number - 1, "2026-11-30T00:00:00Z", "tester", change, message="m")


def test_rdf_patch_round_trips_literals_languages_and_blank_nodes() -> None:
    change = Change.of(
        [
            quad("urn:a", "urn:p", ox.Literal('x y " \n', language="en")),
            quad(
                "urn:a",
                "urn:p",
                ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
            ),
            quad("urn:a", "urn:q", ox.BlankNode("b7")),
        ],
        [quad("urn:a", "urn:r", ox.NamedNode("urn:old"))],
    )
    text = write_patch(change, {"id": "3", "message": 'say "hi"\nnext'})
    header, read = read_patch(text)
    assert read == change and header == {"id": "3", "message": 'say "hi"\nnext'}
    assert text.index("\nD ") < text.index("\nA ")  # deletions first, as RDF Patch reads them


def test_the_log_keeps_whole_versions_and_cuts_a_torn_tail(tmp_path: Path) -> None:
    log = ChangeLog(tmp_path)
    first = version(1, Change.of([quad("urn:a", "urn:p", ox.Literal("1"))], []))
    with log.exclusive():
        end = log.append(first, after=0)
    # A crash mid-append leaves half a frame: readers stop before it ...
    with log.path.open("ab") as stream:
        stream.write(b"#kgapi-version 2 999 abc\nA <urn:half")
    versions, offset = log.read_from(0)
    assert [v.id for v in versions] == [1] and offset == end
    assert versions[0].change == first.change and versions[0].message == "m"
    # ... and the next writer cuts it off.
    second = version(2, Change.of([quad("urn:b", "urn:p", ox.Literal("2"))], []))
    with log.exclusive():
        log.append(second, after=offset)
    assert [v.id for v in log.read_from(0)[0]] == [1, 2]
    # A frame whose bytes were changed is not read either.
    data = bytearray(log.path.read_bytes())
    data[-5] ^= 1
    log.path.write_bytes(bytes(data))
    assert [v.id for v in log.read_from(0)[0]] == [1]


def test_tokens_are_stored_hashed_scoped_and_revocable(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    secret = store.create("alice", "write", graphs=("https://example.org/g",))
    assert secret.startswith("kgapi_") and len(secret) > 40
    assert secret not in (tmp_path / "tokens.json").read_text()
    token = store.verify(secret)
    assert token is not None and token.name == "alice"
    assert token.may_write("https://example.org/g") and not token.may_write("https://example.org/h")
    assert store.verify(secret + "x") is None and store.verify("") is None
    with pytest.raises(TokenError):
        store.create("alice", "read")
    with pytest.raises(TokenError):
        store.create("bob", "root")
    store.revoke("alice")
    assert store.verify(secret) is None
    assert json.loads((tmp_path / "tokens.json").read_text()) == {"tokens": []}


@pytest.fixture(scope="module")
def fixture_kg(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    cache = tmp_path_factory.mktemp("live-cache")
    return build_knowledge_graph(Settings(ontology_dir=DATA / "reasoning", cache_dir=cache))


def candidate_triples(kg: KnowledgeGraph) -> list[tuple[URIRef, URIRef, URIRef]]:
    """Triples a user could add: typings and subclass axioms among the fixture's own terms."""
    classes = sorted({o for o in kg.asserted.objects(None, RDF.type) if isinstance(o, URIRef)})[:8]
    individuals = sorted(
        {s for s in kg.asserted.subjects(RDF.type, None) if isinstance(s, URIRef)}
    )[:8]
    new = [URIRef(f"https://example.org/new/{i}") for i in range(3)]
    triples = [(i, RDF.type, c) for i in individuals[:4] + new for c in classes]
    triples += [(a, RDFS.subClassOf, b) for a in classes[:4] for b in classes[4:]]
    return triples


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_live_closure_equals_reasoning_from_scratch_after_every_step(
    fixture_kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    kg = build_knowledge_graph(
        Settings(ontology_dir=DATA / "reasoning", cache_dir=tmp_path_factory.mktemp("c"))
    )
    base = set(kg.asserted)  # before the live graph changes it in place
    live = LiveGraph(kg, build_query_store(kg), ChangeLog(tmp_path_factory.mktemp("log")))
    pool = candidate_triples(fixture_kg)
    user: set[tuple[URIRef, URIRef, URIRef]] = set()
    for _ in range(data.draw(st.integers(1, 5))):
        adds = set(data.draw(st.lists(st.sampled_from(pool), max_size=4)))
        removes = (
            set(data.draw(st.lists(st.sampled_from(sorted(user)), max_size=3))) if user else set()
        )
        change = Change.of(
            [ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o), G) for s, p, o in adds],
            [ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o), G) for s, p, o in removes],
        )
        live.apply(live.effective(change))
        user = (user - removes) | adds
        expected_asserted = Graph()
        for triple in base:
            expected_asserted.add(triple)
        for triple in user:
            expected_asserted.add(triple)
        assert set(live.knowledge.asserted) == set(expected_asserted)
        assert set(live.knowledge.inferred) == set(materialize(expected_asserted))
        # The store serves the same: its inferred graph and its default graph.
        inferred_graph = ox.NamedNode(live.query_store.inferred_graph)
        served = sum(1 for _ in live.store.quads_for_pattern(None, None, None, inferred_graph))
        assert served == len(live.knowledge.inferred)
        default = set(live.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        assert len(default) == len(set(live.knowledge.asserted) | set(live.knowledge.inferred))
        assert set(live.query_store.default_store) == default  # the default graph's own store


def test_a_change_the_live_graph_cannot_hold_moves_nothing(
    fixture_kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The curator refuses RDF 1.2 terms before applying; should one reach the live graph all
    the same, it raises before any store or index has moved, rather than halfway through."""
    kg = build_knowledge_graph(
        Settings(ontology_dir=DATA / "reasoning", cache_dir=tmp_path_factory.mktemp("c"))
    )
    live = LiveGraph(kg, build_query_store(kg), ChangeLog(tmp_path_factory.mktemp("log")))
    held, asserted = len(live.store), len(live.knowledge.asserted)
    term = ox.Triple(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.NamedNode("urn:b"))
    change = Change.of(
        [quad("urn:a", "urn:p", ox.Literal("fine")), quad("urn:a", "urn:q", term)], []
    )
    with pytest.raises(TypeError):
        live.apply(live.effective(change))
    assert len(live.store) == held and len(live.knowledge.asserted) == asserted
    assert live.user_graph_names == set()


def test_a_change_that_fails_halfway_ends_the_process_once_it_has_answered(
    fixture_kg: KnowledgeGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Out of memory after the user graphs moved and before the inferences did: the graph is
    half moved, and the curator cannot undo what it does not know was done. The writer that
    held it answered and went on serving; the process is marked to end once it has answered."""
    from kgapi import processes

    monkeypatch.setattr(processes, "_end_reason", None)
    live = fixture_live(tmp_path)

    def exhausted(*_args: object) -> None:
        raise MemoryError

    monkeypatch.setattr(live, "_move_inferred", exhausted)
    change = Change.of([quad("urn:a", "urn:p", ox.Literal("x"))], [])
    with pytest.raises(MemoryError):
        live.apply(change)
    assert processes.end_reason() == "a change failed halfway through the live graph"


DATA_UPDATES = [
    "INSERT DATA { <urn:a> <urn:p> 'x'@en , 1 , true . GRAPH <urn:g> { <urn:a> a <urn:C> } . }",
    'PREFIX ex: <urn:ex:> INSERT DATA { GRAPH <urn:g> { ex:a ex:p "}" } ex:b ex:p ex:c }',
    "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> 1 } } ;"
    " DELETE DATA { GRAPH <urn:g> { <urn:a> <urn:p> 1 } }",
    'INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:p> "1"^^<http://www.w3.org/2001/XMLSchema#int> } }',
    "# a comment { with braces }\nINSERT DATA { <urn:d> <urn:p> <urn:e> } ;"
    " INSERT DATA { GRAPH <urn:h> { <urn:d> <urn:p> <urn:e> } }",
]


@pytest.mark.parametrize("text", DATA_UPDATES)
def test_data_updates_read_as_data_change_what_the_engine_would(
    fixture_kg: KnowledgeGraph, tmp_path: Path, text: str
) -> None:
    from kgapi.curation.requests import _data_change, _engine_change
    from kgapi.sparql.text import data_operations

    kg = build_knowledge_graph(
        Settings(ontology_dir=DATA / "reasoning", cache_dir=tmp_path / "cache")
    )
    live = LiveGraph(kg, build_query_store(kg), ChangeLog(tmp_path / "log"))
    operations = data_operations(text)
    assert operations is not None
    quick = _data_change(live, operations, None)
    assert quick is not None and quick == _engine_change(live, text, None)


def test_only_data_operations_are_read_as_data() -> None:
    from kgapi.sparql.text import data_operations

    for text in (
        "DELETE WHERE { ?s ?p ?o }",
        "INSERT { <urn:a> <urn:b> ?o } WHERE { ?s ?p ?o }",
        "INSERT DATA { <urn:a> <urn:b> <urn:c> } ; CLEAR ALL",
        "INSERT DATA { <urn:a> <urn:b> \\u003curn:c> }",
        "WITH <urn:g> INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    ):
        assert data_operations(text) is None, text


def test_the_protocols_update_dataset_becomes_using_clauses_of_each_modify() -> None:
    from kgapi.sparql.text import DatasetConflict, with_update_dataset

    text = (
        "CLEAR ALL ; INSERT DATA { <urn:a> <urn:b> <urn:c> } ;"
        " INSERT { ?s a <urn:K> } WHERE { ?s a <urn:D> } ;"
        " DELETE WHERE { ?s ?p 'where' } ; DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"
    )
    rewritten = with_update_dataset(text, ["urn:g1"], ["urn:n"])
    assert rewritten.count("USING <urn:g1> USING NAMED <urn:n> WHERE") == 2
    assert "DELETE WHERE { ?s ?p 'where' }" in rewritten  # the shorthand takes no dataset
    with pytest.raises(DatasetConflict):
        with_update_dataset("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", ["urn:g1"], [])
    assert with_update_dataset(text, [], []) == text


@pytest.mark.parametrize(
    ("method", "path", "content_type", "body", "write"),
    [
        ("POST", "/update", "application/sparql-update", b"INSERT DATA {}", True),
        ("PUT", "/store", "text/turtle", b"", True),
        ("DELETE", "/store/people/1", "", b"", True),
        ("POST", "/api/history/3/revert", "", b"", True),
        ("POST", "/sparql", "application/sparql-update; charset=utf-8", b"CLEAR ALL", True),
        ("POST", "/sparql", "application/x-www-form-urlencoded", b"update=CLEAR+ALL", True),
        ("POST", "/sparql", "application/x-www-form-urlencoded", b"query=ASK%7B%7D", False),
        ("POST", "/sparql", "application/sparql-query", b"ASK {}", False),
        ("GET", "/store", "", b"", False),
        ("GET", "/api/history", "", b"", False),
        ("POST", "/api/classify", "text/turtle", b"", False),
    ],
)
def test_the_front_sends_writes_and_only_writes_to_the_writer(
    method: str, path: str, content_type: str, body: bytes, write: bool
) -> None:
    from kgapi.web.front import is_write

    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "CONTENT_TYPE": content_type}
    assert is_write(environ, body) is write


def test_shape_targets_select_what_the_shapes_would_validate(
    settings: Settings, knowledge: KnowledgeGraph
) -> None:
    from rdflib import Graph as RdfGraph
    from rdflib.namespace import SH

    from kgapi.graph.validation import ShapeTargets, load_shapes

    shapes = load_shapes(settings.shapes_dir, settings.base_iri)
    targets = ShapeTargets.of(shapes)
    asserted, inferred = knowledge.asserted, knowledge.inferred

    def types(node: object) -> list[object]:
        return [*asserted.objects(node, RDF.type), *inferred.objects(node, RDF.type)]

    kvm = URIRef("https://w3id.org/kgapi/resource/kvm")  # a catalogued product
    stranger = URIRef("urn:kgapi-test:nothing")
    focused, selected = targets.focused([kvm, stranger], types=types, data=asserted, whole=shapes)
    assert focused is not None and selected == 1
    # Each shape that selects kvm targets it alone; no shape keeps a target of its own.
    product_shape = URIRef("https://w3id.org/kgapi/shapes/ProductShape")
    assert set(focused.subject_objects(SH.targetNode)) == {(product_shape, kvm)}
    assert not any(True for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
                   for _ in focused.subjects(p, None))  # fmt: skip
    assert targets.focused([stranger], types=types, data=asserted, whole=shapes) == (None, 0)
    # A target this does not read (SPARQL-based): the whole shapes graph validates.
    sparql_target = RdfGraph()
    sparql_target.add((URIRef("urn:s"), SH.target, URIRef("urn:t")))
    whole = ShapeTargets.of(sparql_target).focused(
        [stranger], types=types, data=asserted, whole=sparql_target
    )
    assert whole == (sparql_target, 1)


def fixture_live(tmp_path: Path) -> LiveGraph:
    """A process's live graph of the reasoning fixture, on the change log in `tmp_path/log`
    (each call loads the fixture afresh, as another process would)."""
    kg = build_knowledge_graph(
        Settings(ontology_dir=DATA / "reasoning", cache_dir=tmp_path / "cache")
    )
    return LiveGraph(kg, build_query_store(kg), ChangeLog(tmp_path / "log"))


def test_a_process_started_from_a_snapshot_serves_what_a_full_replay_serves(
    fixture_kg: KnowledgeGraph, tmp_path: Path
) -> None:
    from kgapi.cli import main

    writer = fixture_live(tmp_path)
    pool = candidate_triples(fixture_kg)
    log = writer.log
    for number, (s, p, o) in enumerate(pool[:6], start=1):
        change = Change.of([ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o), G)], [])
        with log.exclusive():
            writer.catch_up()
            version = Version(number, number - 1, "2026-11-30T00:00:00+00:00", "t", change)
            offset = log.append(version, after=writer.offset)
        writer.apply(change)
        writer.advanced(version, offset)
        if number == 4:
            assert main(["snapshot", "--data-dir", str(tmp_path / "log")]) == 0
    started = fixture_live(tmp_path)
    started.catch_up()
    snapshot = started.log.snapshot()
    assert snapshot is not None and snapshot.version == 4
    assert started.version == 6
    assert started.start is not None and started.start.version == 4  # replayed 5 and 6 only
    assert [v.id for v in started.history()] == [1, 2, 3, 4, 5, 6]  # the log's whole history
    for number in range(7):  # and the user graphs as of each version, as the writer has them
        assert started.user_quads_at(number) == writer.user_quads_at(number), number

    def named(graph: Graph) -> set[tuple[object, ...]]:  # blank nodes are renamed per load
        return {t for t in graph if not any(isinstance(term, BNode) for term in t)}

    assert named(started.knowledge.asserted) == named(writer.knowledge.asserted)
    assert set(started.knowledge.inferred) == set(writer.knowledge.inferred)


@pytest.mark.parametrize("from_snapshot", [False, True], ids=["replayed", "from a snapshot"])
def test_a_log_from_before_rdf_1_2_terms_were_refused_is_still_followed(
    tmp_path: Path, from_snapshot: bool
) -> None:
    """Writes took strings with a base direction until they were refused; a log holding one
    must not stop every process from starting. It is read as the default graph served it: the
    string in its language, without the direction."""
    from kgapi.cli import main

    directed = ox.Literal("KVM", language="en", direction=ox.BaseDirection.LTR)
    change = Change.of([quad("urn:a", "urn:label", directed)], [])
    log = ChangeLog(tmp_path / "log")
    with log.exclusive():
        log.append(version(1, change), after=0)
    if from_snapshot:
        assert main(["snapshot", "--data-dir", str(tmp_path / "log")]) == 0
    live = fixture_live(tmp_path)
    assert live.catch_up() and live.version == 1
    plain = quad("urn:a", "urn:label", ox.Literal("KVM", language="en"))
    assert plain in live.store and live.user_graph_names == {G.value}
    assert (URIRef("urn:a"), URIRef("urn:label"), rdflib_literal("KVM", lang="en")) in (
        live.knowledge.asserted
    )


def test_a_follower_several_versions_behind_applies_them_as_one_and_ends_where_the_writer_did(
    fixture_kg: KnowledgeGraph, tmp_path: Path
) -> None:
    writer, follower = fixture_live(tmp_path), fixture_live(tmp_path)
    a, b, c, d = (
        ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o), G)
        for s, p, o in candidate_triples(fixture_kg)[:4]
    )
    # Quads added, removed and added again across versions, one in two graphs.
    other = ox.Quad(a.subject, a.predicate, a.object, ox.NamedNode("https://example.org/h"))
    changes = [
        Change.of([a, b, other], []),
        Change.of([c], [a]),
        Change.of([a, d], [b]),
        Change.of([], [other, c]),
    ]
    for number, change in enumerate(changes, start=1):
        with writer.log.exclusive():
            writer.catch_up()
            version = Version(number, number - 1, "2026-11-30T00:00:00+00:00", "t", change)
            offset = writer.log.append(version, after=writer.offset)
        writer.apply(writer.effective(change))
        writer.advanced(version, offset)
    follower.catch_up()  # four versions behind: one change
    assert follower.version == writer.version == 4
    assert [v.id for v in follower.history()] == [1, 2, 3, 4]
    assert set(follower.graph_quads(G.value)) == set(writer.graph_quads(G.value)) == {a, d}

    def named(triples: Iterable[tuple[object, ...]]) -> set[tuple[object, ...]]:
        # blank nodes are named afresh per load
        return {t for t in triples if not any(isinstance(term, BNode) for term in t)}

    assert named(follower.knowledge.asserted) == named(writer.knowledge.asserted)
    assert named(follower.knowledge.inferred) == named(writer.knowledge.inferred)
    assert follower.user_graph_names == writer.user_graph_names == {G.value}


@pytest.fixture(scope="module")
def refusals(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str], list[dict[str, Any]]]]:
    """What the bundled graph's curator finds wrong with an update it must refuse (the update's
    text after the prefixes virt:, vr: and skos:); each test asserts nothing was written."""
    from kgapi.curation.requests import sparql_update
    from kgapi.curation.transaction import Curator, WriteRefused

    kg = build_knowledge_graph(settings)  # its own: the live graph changes it in place
    live = LiveGraph(kg, build_query_store(kg), ChangeLog(tmp_path_factory.mktemp("log")))
    curator = Curator(live, shapes_dir=settings.shapes_dir, queries_dir=settings.queries_dir)
    prefixes = (
        "PREFIX virt: <https://w3id.org/kgapi/ontology/> "
        "PREFIX vr: <https://w3id.org/kgapi/resource/> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    )

    def problems(body: str) -> list[dict[str, Any]]:
        held = len(live.store)
        with pytest.raises(WriteRefused) as refused:
            curator.write("t", sparql_update(prefixes + body))
        assert live.version == 0 and len(live.store) == held  # nothing was written, or kept
        return list(refused.value.problems)

    yield problems


def test_the_quality_queries_catch_what_a_write_puts_at_fault(
    refusals: Callable[[str], list[dict[str, Any]]],
) -> None:
    def refused_checks(body: str) -> set[str]:
        return {problem["check"] for problem in refusals(body)}

    graph = "GRAPH <https://example.org/g>"
    # An object nothing describes, in the graph's namespace: a term used but never declared.
    assert "undefined-term-violation" in refused_checks(
        f"INSERT DATA {{ {graph} {{ vr:kvm virt:derivedFrom vr:no-such-thing }} }}"
    )
    # Used first by two triples of one change, or first as a predicate: caught the same.
    assert "undefined-term-violation" in refused_checks(
        f"INSERT DATA {{ {graph} {{ vr:kvm virt:derivedFrom vr:no-such-thing . "
        "vr:xen virt:derivedFrom vr:no-such-thing } }"
    )
    assert "undefined-term-violation" in refused_checks(
        f"INSERT DATA {{ {graph} {{ vr:kvm virt:noSuchProperty vr:xen }} }}"
    )
    # A name another term already has: caught on the new subject.
    assert "duplicate-label-violation" in refused_checks(
        f'INSERT DATA {{ {graph} {{ vr:kvm-twin a virt:Organisation ; skos:prefLabel "KVM"@en,'
        ' "KVM 双胞胎"@zh ; skos:definition "a"@en, "甲"@zh } }'
    )


def test_a_value_holding_a_backslash_is_reported_not_a_crash(
    refusals: Callable[[str], list[dict[str, Any]]],
) -> None:
    """pySHACL (0.40) writes a SPARQL constraint's selected values into its message with
    `re.sub`, reading each value as a replacement template: a value holding `\\s` raised
    re.error, and the write was a 500. Copying the default graph into a user graph found it
    (some labels are Windows paths)."""
    found = refusals(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> INSERT DATA { "
        "GRAPH <https://example.org/g> { vr:a-driver "
        'rdfs:label "C:\\\\drivers\\\\sys"@en ; skos:prefLabel "C:\\\\drivers\\\\sys"@en } }'
    )
    assert ("shacl:LabelShape", "https://w3id.org/kgapi/resource/a-driver") in {
        (p["check"], p["focus"]) for p in found
    }


def test_a_write_is_held_to_the_shapes_nested_in_its_shapes(
    refusals: Callable[[str], list[dict[str, Any]]],
) -> None:
    """A constraint inside another (here the `sh:or` of a property shape, evaluated on the
    value, a literal) holds for a write as for the whole graph. pySHACL's focus-node filter
    (0.40) drops the value from the nested shape's evaluation, so that the `sh:or` passed."""
    found = refusals(
        'INSERT DATA { GRAPH <https://example.org/g> { vr:86box virt:firstRelease "2007" } }'
    )
    assert [(p["focus"], p["path"], p["value"]) for p in found] == [
        ("https://w3id.org/kgapi/resource/86box", "https://w3id.org/kgapi/ontology/firstRelease",
         "2007")
    ], found  # fmt: skip
    assert "first release is one typed date" in found[0]["message"]


def test_a_value_xml_cannot_hold_is_refused(
    refusals: Callable[[str], list[dict[str, Any]]],
) -> None:
    """The graph is published in XML formats (RDF/XML, GraphML, the default export, GEXF): a
    label holding a character XML 1.0 has no place for made each of those a 406 for everyone
    after the write, so the write is refused."""
    found = refusals(
        'INSERT DATA { GRAPH <https://example.org/g> { vr:kvm skos:altLabel "bell\\u0007"@en } }'
    )
    assert [(problem["check"], problem["focus"]) for problem in found] == [
        ("xml-character", "https://w3id.org/kgapi/resource/kvm")
    ]
    assert "U+0007" in found[0]["message"]


@pytest.mark.parametrize(
    "body",
    [
        "INSERT DATA { GRAPH <https://example.org/g> { vr:kvm virt:p <<( vr:kvm virt:q vr:xen )>> }"
        " }",
        "INSERT DATA { vr:kvm virt:p <<( vr:kvm virt:q vr:xen )>> }",  # the curated graph
        "INSERT DATA { GRAPH <https://example.org/g> { << vr:kvm virt:q vr:xen >> virt:r 1 } }",
        "INSERT { GRAPH <https://example.org/g> { ?s virt:p <<( ?s ?s ?s )>> } } "
        "WHERE { BIND (vr:kvm AS ?s) }",
        'INSERT DATA { GRAPH <https://example.org/g> { vr:kvm skos:altLabel "KVM"@en--ltr } }',
    ],
    ids=["triple term", "in the curated graph", "reifier", "from a pattern", "base direction"],
)
def test_an_rdf_1_2_term_is_refused_and_leaves_nothing_behind(
    refusals: Callable[[str], list[dict[str, Any]]], body: str
) -> None:
    """The engine reads RDF 1.2; the reasoner, the read model and the exports hold RDF 1.1
    terms alone. A triple term was a 500 that left its quad in the writer's store (so that the
    same write again "changed nothing"), and a string's base direction was dropped from the
    served default graph while its user graph kept it."""
    found = refusals(body)
    assert {problem["check"] for problem in found} == {"rdf-1.2-term"}, found
    assert "RDF 1.2" in found[0]["message"]
