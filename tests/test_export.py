"""Graph exports (issue 5): scopes, node and edge attributes, and every format's round trip.

Most checks run on a tiny hand-made graph (tests/data/export: asserted.ttl and the inferred
triples a reasoner would add); the bundled ontology is used for the taxonomy acceptance checks.
"""

from __future__ import annotations

import gc
import io
import json
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
from networkx.readwrite import json_graph
from rdflib import OWL, RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kgapi.export import (
    EXPORT_FORMATS,
    FORMAT_NAMES,
    NODE_KINDS,
    SCOPES,
    ExportError,
    ExportRequest,
    ExportSource,
    GraphvizMissing,
    RenderingError,
    export,
    jsonld_context_document,
    select,
    to_networkx,
)
from kgapi.export.writers import write_nodelink
from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.graph.namespaces import VIRT, VR
from kgapi.read.names import AmbiguousName, UnknownName

DATA = Path(__file__).parent / "data" / "export"
GRAPH_FORMATS = ("graphml", "gexf", "cytoscape", "nodelink")
RDF_FORMATS = ("turtle", "jsonld", "ntriples", "rdfxml")
HYPERVISOR_AXIS = "classification-by-hypervisor-layer"
NEEDS_DOT = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's `dot` is not installed (apt-get install graphviz; .ci/run installs it)",
)
# rdflib 7.6's JSON-LD parser builds a ConjunctiveGraph internally and warns about it.
JSONLD_PARSER_WARNING = "ignore:ConjunctiveGraph is deprecated:DeprecationWarning"


@pytest.fixture(scope="module")
def tiny() -> ExportSource:
    asserted, inferred = Graph(), Graph()
    asserted.parse(DATA / "asserted.ttl")
    inferred.parse(DATA / "inferred.ttl")
    return ExportSource(asserted, inferred)


@pytest.fixture(scope="module")
def bundled(knowledge: KnowledgeGraph) -> ExportSource:
    return ExportSource.of(knowledge)


def drawn(source: ExportSource, **options: Any) -> nx.MultiDiGraph:
    lang = options.pop("lang", "en")
    literal_nodes = options.pop("literal_nodes", False)
    return to_networkx(
        source, select(source, **options), lang=lang, literals_as_nodes=literal_nodes
    )


def content(source: ExportSource, **options: Any) -> bytes:
    return export(source, ExportRequest(**options)).content


# --- nodes and edges ---------------------------------------------------------------------------


def test_node_attributes_carry_iri_slug_label_kind_axis(tiny: ExportSource) -> None:
    graph = drawn(tiny)
    crimson = graph.nodes[str(VIRT.Crimson)]
    assert crimson["iri"] == str(VIRT.Crimson)
    assert crimson["slug"] == "Crimson"
    assert crimson["label"] == "crimson"
    assert crimson["kind"] == "concept"
    assert crimson["axis"] == "classification-by-colour"
    assert crimson["inferred"] is False
    assert graph.nodes[str(VR["classification-by-colour"])]["kind"] == "scheme"
    assert graph.nodes[str(VR.hammer)]["kind"] == "product"
    assert graph.nodes[str(VR.acme)]["kind"] == "organisation"
    assert graph.nodes[str(VIRT.Software)]["kind"] == "class"
    assert "axis" not in graph.nodes[str(VR.hammer)]
    assert {data["kind"] for _, data in graph.nodes(data=True)} <= set(NODE_KINDS)


@pytest.mark.parametrize("scope", ["all", "products", "taxonomy"])
def test_conversion_builds_the_graph_networkx_itself_would(tiny: ExportSource, scope: str) -> None:
    # to_networkx fills the MultiDiGraph's dicts directly; networkx's own API must agree.
    graph = drawn(tiny, scope=scope)
    rebuilt = nx.MultiDiGraph(**graph.graph)
    rebuilt.add_nodes_from(graph.nodes(data=True))
    rebuilt.add_edges_from(graph.edges(keys=True, data=True))
    assert nx.utils.graphs_equal(graph, rebuilt)
    assert graph.pred == rebuilt.pred
    # networkx's add_edge extends one key dict that successors and predecessors share.
    for subject, target in set(graph.edges()):
        graph.add_edge(subject, target, key="test:added")
        assert "test:added" in graph.pred[target][subject]


def test_export_leaves_the_garbage_collector_as_it_found_it(tiny: ExportSource) -> None:
    assert gc.isenabled()
    export(tiny, ExportRequest(scope="all", format="nodelink"))
    assert gc.isenabled()
    with pytest.raises(UnknownName):
        export(tiny, ExportRequest(scope="neighbourhood", focus="no-such-entity"))
    assert gc.isenabled()
    gc.disable()
    try:
        export(tiny, ExportRequest(scope="all", format="graphml"))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_literals_become_attributes_in_the_chosen_language(tiny: ExportSource) -> None:
    english, chinese = drawn(tiny), drawn(tiny, lang="zh")
    hammer = str(VR.hammer)
    assert english.nodes[hammer]["label"] == "Hammer"
    assert chinese.nodes[hammer]["label"] == "锤子"
    assert english.nodes[hammer]["rdfs:label"] == "Hammer"
    assert english.nodes[hammer]["virt:firstRelease"] == "2001-02-03"
    # No Chinese label: fall back to the English one.
    assert chinese.nodes[str(VR.anvil)]["label"] == "Anvil"
    assert not any(isinstance(node, str) and node.startswith('"') for node in english)


def test_literal_nodes_switch_draws_literals_as_nodes(tiny: ExportSource) -> None:
    graph = drawn(tiny, literal_nodes=True)
    literals = [node for node, data in graph.nodes(data=True) if data["kind"] == "literal"]
    assert '"Hammer"@en' in literals
    assert graph.has_edge(str(VR.hammer), '"Hammer"@en', key="rdfs:label")


def test_edges_carry_predicate_label_and_inferred_flag(tiny: ExportSource) -> None:
    graph = drawn(tiny, lang="zh")
    edge = graph.edges[str(VR.hammer), str(VR.acme), "virt:developer"]
    assert edge == {"predicate": str(VIRT.developer), "label": "开发者", "inferred": False}
    inferred = graph.edges[str(VR.anvil), str(VIRT.Crimson), "virt:colour"]
    assert inferred["inferred"] is True


def test_node_only_in_inferred_triples_is_marked_inferred(tiny: ExportSource) -> None:
    graph = drawn(tiny)
    assert graph.nodes[str(VR.smithy)]["inferred"] is True
    assert graph.nodes[str(VR.hammer)]["inferred"] is False


def test_no_inferred_option_leaves_inferred_triples_out(tiny: ExportSource) -> None:
    graph = drawn(tiny, inferred=False)
    assert str(VR.smithy) not in graph
    assert not any(data["inferred"] for _, _, data in graph.edges(data=True))


def test_trivial_type_edges_hidden_by_default(tiny: ExportSource) -> None:
    hidden, shown = drawn(tiny), drawn(tiny, trivial_types=True)
    assert str(OWL.Class) not in hidden
    assert shown.has_edge(str(VIRT.Software), str(OWL.Class), key="rdf:type")
    assert hidden.has_edge(str(VR.hammer), str(VIRT.SoftwareProduct), key="rdf:type")


def test_blank_nodes_dropped_unless_asked(tiny: ExportSource) -> None:
    dropped, kept = drawn(tiny), drawn(tiny, blank_nodes=True)
    assert not any(str(node).startswith("_:") for node in dropped)
    restrictions = [n for n, data in kept.nodes(data=True) if data["kind"] == "restriction"]
    assert len(restrictions) == 1
    assert kept.nodes[restrictions[0]]["label"] == "(virt:colour some virt:Red)"


# --- scopes ------------------------------------------------------------------------------------


def test_scope_all_holds_every_admitted_triple(tiny: ExportSource) -> None:
    selection = select(tiny, scope="all", trivial_types=True, blank_nodes=True)
    only_inferred = len(set(tiny.inferred) - set(tiny.asserted))
    assert len(selection) == len(tiny.asserted) + only_inferred


def test_scope_all_reads_the_store_as_iterating_the_graph_does(tiny: ExportSource) -> None:
    # select() reads a Memory store's own triple set for speed; it must be what iteration gives,
    # and any other graph kind must still be iterated.
    selection = select(tiny, scope="all", inferred=False, trivial_types=True, blank_nodes=True)
    assert [triple for triple, _ in selection.pairs] == list(tiny.asserted)
    dataset = Dataset()
    named = dataset.graph(URIRef("urn:x-test:asserted"))
    for triple in tiny.asserted:
        named.add(triple)
    in_dataset = ExportSource(named, Graph())
    selected = select(in_dataset, scope="all", inferred=False, trivial_types=True, blank_nodes=True)
    assert {triple for triple, _ in selected.pairs} == set(tiny.asserted)


def test_taxonomy_scope_holds_trees_only(tiny: ExportSource) -> None:
    selection = select(tiny, scope="taxonomy")
    links = {p for (_, p, o), _ in selection.pairs if not isinstance(o, Literal)}
    assert links == {RDFS.subClassOf, SKOS.broader, SKOS.topConceptOf}
    graph = drawn(tiny, scope="taxonomy")
    assert graph.has_edge(str(VIRT.Crimson), str(VIRT.Colour), key="rdfs:subClassOf")
    assert graph.edges[str(VIRT.Crimson), str(VIRT.Colour), "rdfs:subClassOf"]["inferred"]


@pytest.mark.parametrize(
    "name",
    [
        "classification-by-colour",
        "colour-axis",
        "colour",
        "按颜色分类",
        "vr:classification-by-colour",
    ],
)
def test_axis_scope_accepts_slug_short_slug_and_names(tiny: ExportSource, name: str) -> None:
    if name == "colour-axis":
        with pytest.raises(ExportError) as error:
            select(tiny, scope="axis", axis=name)
        assert error.value.choices == ("classification-by-colour",)
        return
    selection = select(tiny, scope="axis", axis=name)
    assert selection.axis == VR["classification-by-colour"]
    graph = drawn(tiny, scope="axis", axis=name)
    assert graph.has_edge(str(VIRT.Red), str(VR["classification-by-colour"]))
    assert graph.has_edge(str(VR.hammer), str(VIRT.Crimson), key="virt:colour")
    assert str(VIRT.Software) not in graph


def test_products_scope_holds_classifications_and_product_links(tiny: ExportSource) -> None:
    graph = drawn(tiny, scope="products")
    assert graph.has_edge(str(VR.anvil), str(VR.hammer), key="virt:basedOn")
    assert graph.has_edge(str(VR.hammer), str(VIRT.Crimson), key="virt:colour")
    assert str(VR.acme) not in graph  # developers are not classifications


def test_neighbourhood_follows_links_both_ways(tiny: ExportSource) -> None:
    graph = drawn(tiny, scope="neighbourhood", focus="锤子", depth=1)
    assert {str(VR.acme), str(VR.anvil), str(VIRT.Crimson)} <= set(graph)
    assert str(VIRT.Colour) not in graph
    # Links between two nodes at the rim count, as in networkx's ego_graph.
    assert graph.has_edge(str(VIRT.Crimson), str(VIRT.Red), key="skos:broader")
    deeper = drawn(tiny, scope="neighbourhood", focus="hammer", depth=2)
    assert str(VIRT.Colour) in deeper
    alone = drawn(tiny, scope="neighbourhood", focus="vr:hammer", depth=0)
    assert list(alone) == [str(VR.hammer)]


def test_construct_scope_draws_the_query_graph(tiny: ExportSource) -> None:
    query = "CONSTRUCT { ?product virt:madeBy ?org } WHERE { ?product virt:developer ?org }"
    graph = drawn(tiny, scope="construct", query=query)
    assert list(graph.edges(keys=True)) == [(str(VR.hammer), str(VR.acme), "virt:madeBy")]
    inferred = drawn(tiny, scope="construct", query="CONSTRUCT WHERE { ?s virt:usedBy ?o }")
    assert inferred.edges[str(VR.hammer), str(VR.smithy), "virt:usedBy"]["inferred"] is True
    asserted_only = select(
        tiny, scope="construct", query="CONSTRUCT WHERE { ?s virt:usedBy ?o }", inferred=False
    )
    assert len(asserted_only) == 0


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "parameter", "choices"),
    [
        ({"scope": "everything"}, "scope", SCOPES),
        ({"format": "png"}, "format", FORMAT_NAMES),
        ({"lang": "fr"}, "lang", ("en", "zh")),
        ({"scope": "axis", "axis": "flavour"}, "axis", ("classification-by-colour",)),
        ({"scope": "axis"}, "axis", ()),
        ({"scope": "neighbourhood"}, "focus", ()),
        ({"scope": "neighbourhood", "focus": "hammer", "depth": 9}, "depth", ()),
        ({"scope": "construct"}, "query", ()),
        ({"scope": "construct", "query": "SELECT * WHERE { ?s ?p ?o }"}, "query", ()),
        ({"scope": "construct", "query": "ASK { ?s ?p ?o }"}, "query", ()),
        ({"scope": "construct", "query": "CONSTRUCT { ?s ?p ?o } WHERE {"}, "query", ()),
        ({"scope": "construct", "query": "CONSTRUCT WHERE { ?s nope:p ?o }"}, "query", ()),
        ({"scope": "construct", "query": "INSERT DATA { <a:b> <a:c> <a:d> }"}, "query", ()),
        (
            {"scope": "construct", "query": "CONSTRUCT WHERE { SERVICE <http://x/> { ?s ?p ?o } }"},
            "query",
            (),
        ),
        (
            {
                "scope": "construct",
                "query": "CONSTRUCT { ?s ?p ?o } FROM <http://x/> WHERE { ?s ?p ?o }",
            },
            "query",
            (),
        ),
    ],
)
def test_bad_request_names_parameter_and_choices(
    tiny: ExportSource, options: dict[str, Any], parameter: str, choices: tuple[str, ...]
) -> None:
    with pytest.raises(ExportError) as error:
        export(tiny, ExportRequest(**options))
    assert error.value.parameter == parameter
    assert error.value.choices == tuple(choices)
    for choice in choices:
        assert choice in str(error.value)


def test_construct_refuses_select_by_its_algebra_too(tiny: ExportSource) -> None:
    # The keyword scan sees CONSTRUCT inside the IRI-free text; the parsed algebra decides.
    with pytest.raises(ExportError, match="CONSTRUCT query, not DESCRIBE"):
        select(tiny, scope="construct", query="DESCRIBE <https://w3id.org/kgapi/resource/hammer>")


def test_construct_nested_300_deep_is_answered(tiny: ExportSource) -> None:
    deep = "CONSTRUCT { ?s ?p ?o } WHERE " + "{" * 300 + " ?s ?p ?o " + "}" * 300
    assert len(select(tiny, scope="construct", query=deep)) == len(tiny.asserted + tiny.inferred)


def test_construct_nested_past_the_engines_stack_is_a_bad_query(tiny: ExportSource) -> None:
    # Deep enough to overflow pyoxigraph's stack: it runs in a child, which dies, not this process.
    deep = "CONSTRUCT { ?s ?p ?o } WHERE " + "{" * 20_000 + " ?s ?p ?o " + "}" * 20_000
    with pytest.raises(ExportError, match="nests too deeply") as error:
        select(tiny, scope="construct", query=deep)
    assert error.value.parameter == "query"


def test_unknown_focus_has_candidates(tiny: ExportSource) -> None:
    with pytest.raises(UnknownName) as error:
        export(tiny, ExportRequest(scope="neighbourhood", focus="hamer"))
    assert VR.hammer in error.value.candidates


def test_ambiguous_focus_lists_both_terms(tiny: ExportSource) -> None:
    with pytest.raises(AmbiguousName) as error:
        export(tiny, ExportRequest(scope="neighbourhood", focus="colour"))
    assert set(error.value.candidates) == {VIRT.Colour, VIRT.colour}


@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"inferred": "maybe"}, "inferred"), ({"depth": "two"}, "depth")],
)
def test_from_params_rejects_unreadable_values(params: dict[str, str], parameter: str) -> None:
    with pytest.raises(ExportError) as error:
        ExportRequest.from_params(params)
    assert error.value.parameter == parameter


def test_parameters_a_scope_does_not_use_are_ignored(tiny: ExportSource) -> None:
    # As the API describes them: focus= belongs to scope=neighbourhood, axis= to scope=axis.
    plain = export(tiny, ExportRequest(scope="taxonomy", format="nodelink")).content
    extra = ExportRequest(scope="taxonomy", format="nodelink", focus="hammer", axis="nothing")
    assert export(tiny, extra).content == plain


def test_from_params_reads_strings() -> None:
    request = ExportRequest.from_params(
        {"scope": "neighbourhood", "focus": " xen ", "depth": "2", "inferred": "false", "x": "1"}
    )
    assert request == ExportRequest(scope="neighbourhood", focus="xen", depth=2, inferred=False)


def test_filename_names_scope_and_focus() -> None:
    assert ExportRequest(scope="taxonomy", format="gexf").filename() == "kgapi-taxonomy.gexf"
    request = ExportRequest(scope="neighbourhood", focus="vr:xen", format="cytoscape")
    assert request.filename() == "kgapi-neighbourhood-xen.cyjs"
    named = ExportRequest(scope="axis", axis="按VMM实现技术分类", format="dot")
    resolved = "https://w3id.org/kgapi/resource/classification-by-implementation-technique"
    assert named.filename(resolved) == ("kgapi-axis-classification-by-implementation-technique.gv")


# --- formats round-trip ------------------------------------------------------------------------


def read_back(name: str, data: bytes) -> nx.MultiDiGraph:
    if name == "graphml":
        return nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    if name == "gexf":
        return nx.read_gexf(io.BytesIO(data))
    if name == "cytoscape":
        return json_graph.cytoscape_graph(json.loads(data))
    return json_graph.node_link_graph(json.loads(data), edges="links")


def assert_same_graph(original: nx.MultiDiGraph, copy: nx.MultiDiGraph) -> None:
    assert copy.is_directed() and copy.is_multigraph()
    assert copy.number_of_nodes() == original.number_of_nodes()
    assert copy.number_of_edges() == original.number_of_edges()
    for node, data in original.nodes(data=True):
        read = copy.nodes[node]
        assert {key: read.get(key) for key in data} == data, node
    originals = sorted(
        (u, v, data["predicate"], data["label"], data["inferred"])
        for u, v, data in original.edges(data=True)
    )
    copies = sorted(
        (u, v, data["predicate"], data["label"], data["inferred"])
        for u, v, data in copy.edges(data=True)
    )
    assert copies == originals


@pytest.mark.parametrize("name", GRAPH_FORMATS)
@pytest.mark.parametrize(
    "options",
    [{}, {"blank_nodes": True, "literal_nodes": True, "lang": "zh"}],
    ids=["plain", "all-switches"],
)
def test_graph_format_round_trips(tiny: ExportSource, name: str, options: dict[str, Any]) -> None:
    original = drawn(tiny, **{k: v for k, v in options.items()})
    request_options = {k: v for k, v in options.items()}
    data = content(tiny, format=name, **request_options)
    assert_same_graph(original, read_back(name, data))


@pytest.mark.parametrize("name", GRAPH_FORMATS)
def test_graph_format_round_trips_bundled_taxonomy(bundled: ExportSource, name: str) -> None:
    original = drawn(bundled, scope="taxonomy", lang="zh")
    data = content(bundled, scope="taxonomy", format=name, lang="zh")
    assert_same_graph(original, read_back(name, data))


def dot_statements(data: bytes) -> tuple[int, int]:
    pydot = pytest.importorskip("pydot", reason="pydot parses the DOT output")
    (graph,) = pydot.graph_from_dot_data(data.decode("utf-8"))
    nodes = [n for n in graph.get_nodes() if n.get_name() not in ("graph", "node", "edge")]
    return len(nodes), len(graph.get_edges())


# pydot 4's parser still calls pyparsing's pre-3.0 names, which pyparsing 3.3 deprecates.
@pytest.mark.filterwarnings("ignore:.*deprecated - use:DeprecationWarning")
def test_dot_parses_with_one_statement_per_node_and_edge(tiny: ExportSource) -> None:
    original = drawn(tiny, blank_nodes=True, literal_nodes=True)
    data = content(tiny, format="dot", blank_nodes=True, literal_nodes=True)
    assert dot_statements(data) == (original.number_of_nodes(), original.number_of_edges())
    assert '\\"quoted\\"' in data.decode() and "C:\\\\path" in data.decode()


@NEEDS_DOT
def test_dot_is_accepted_by_graphviz(tiny: ExportSource) -> None:
    data = content(tiny, format="dot", blank_nodes=True, literal_nodes=True)
    finished = subprocess.run(["dot", "-Tcanon"], input=data, capture_output=True, check=False)
    assert finished.returncode == 0, finished.stderr


def svg_nodes(data: bytes) -> int:
    root = ElementTree.fromstring(data)
    return sum(1 for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "node")


@NEEDS_DOT
@pytest.mark.parametrize("scope", ["all", "taxonomy"])
def test_svg_is_xml_with_one_node_group_per_node(tiny: ExportSource, scope: str) -> None:
    original = drawn(tiny, scope=scope, literal_nodes=True)
    data = content(tiny, scope=scope, format="svg", literal_nodes=True)
    assert svg_nodes(data) == original.number_of_nodes()


@NEEDS_DOT
def test_svg_of_bundled_axis(bundled: ExportSource) -> None:
    original = drawn(bundled, scope="axis", axis="hypervisor-layer", lang="zh")
    data = content(bundled, scope="axis", axis="hypervisor-layer", format="svg", lang="zh")
    assert svg_nodes(data) == original.number_of_nodes()
    assert "类型1 Hypervisor" in data.decode("utf-8")


def test_svg_without_graphviz_says_how_to_get_it(
    tiny: ExportSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shutil.which", lambda program: None)
    with pytest.raises(GraphvizMissing, match="apt-get install graphviz"):
        export(tiny, ExportRequest(format="svg"))
    assert content(tiny, format="dot").startswith(b"digraph")


def test_svg_timeout_is_a_rendering_error(
    tiny: ExportSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow(*args: Any, **kwargs: Any) -> None:
        raise subprocess.TimeoutExpired(args[0], kwargs["timeout"])

    monkeypatch.setattr("shutil.which", lambda program: "/usr/bin/dot")
    monkeypatch.setattr("subprocess.run", slow)
    with pytest.raises(RenderingError, match=r"longer than 0\.5 s"):
        export(tiny, ExportRequest(format="svg"), svg_timeout=0.5)


def parse_rdf(name: str, data: bytes) -> Graph:
    rdflib_format = {"turtle": "turtle", "jsonld": "json-ld", "ntriples": "nt", "rdfxml": "xml"}
    return Graph().parse(data=data, format=rdflib_format[name])


@pytest.mark.filterwarnings(JSONLD_PARSER_WARNING)
@pytest.mark.parametrize("name", RDF_FORMATS)
@pytest.mark.parametrize("scope", ["all", "taxonomy", "products"])
def test_rdf_format_round_trips(tiny: ExportSource, name: str, scope: str) -> None:
    expected = set(select(tiny, scope=scope).graph(tiny))
    assert expected
    assert set(parse_rdf(name, content(tiny, scope=scope, format=name))) == expected


@pytest.mark.filterwarnings(JSONLD_PARSER_WARNING)
def test_rdf_round_trips_bundled_neighbourhood(bundled: ExportSource) -> None:
    options: dict[str, Any] = {"scope": "neighbourhood", "focus": "Xen", "depth": 1}
    expected = set(select(bundled, **options).graph(bundled))
    for name in RDF_FORMATS:
        assert set(parse_rdf(name, content(bundled, format=name, **options))) == expected, name


@pytest.mark.filterwarnings(JSONLD_PARSER_WARNING)
def test_jsonld_refers_to_the_published_context(tiny: ExportSource) -> None:
    url = "https://example.org/export/context.jsonld"
    request = ExportRequest(scope="products", format="jsonld")
    document = json.loads(export(tiny, request, context_url=url).content)
    assert document["@context"] == url
    published = json.loads(jsonld_context_document(tiny.jsonld_context))
    assert published["@context"]["virt"] == str(VIRT)
    assert published["@context"]["vr"] == str(VR)
    document["@context"] = published["@context"]
    parsed = Graph().parse(data=json.dumps(document), format="json-ld")
    assert set(parsed) == set(select(tiny, scope="products").graph(tiny))


@pytest.mark.parametrize("name", [*GRAPH_FORMATS, "dot"])
def test_a_graph_export_is_the_same_bytes_on_any_day(
    tiny: ExportSource, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An export's ETag is made of the graph's version and the request: the same tag must mean
    # the same bytes, whichever day and app process wrote them. networkx stamps GEXF with the
    # day it was written.
    import networkx.readwrite.gexf

    request = ExportRequest(scope="products", format=name)
    written = []
    for day in ("2026-01-01", "2026-12-31"):
        monkeypatch.setattr(networkx.readwrite.gexf.time, "strftime", lambda *_, day=day: day)
        written.append(export(tiny, request).content)
    assert written[0] == written[1]


def test_formats_table_is_complete() -> None:
    assert FORMAT_NAMES == (
        "graphml",
        "gexf",
        "nodelink",
        "cytoscape",
        "dot",
        "svg",
        "turtle",
        "jsonld",
        "ntriples",
        "rdfxml",
    )
    assert len({spec.extension for spec in EXPORT_FORMATS}) == len(EXPORT_FORMATS)
    # One media type each, but for the two JSON graph formats: neither has a registered type of
    # its own, so both are application/json and `format=` tells them apart.
    shared = [spec.name for spec in EXPORT_FORMATS if spec.media_type == "application/json"]
    assert shared == ["nodelink", "cytoscape"]
    assert len({spec.media_type for spec in EXPORT_FORMATS}) == len(EXPORT_FORMATS) - 1
    assert len({spec.extension for spec in EXPORT_FORMATS}) == len(EXPORT_FORMATS)
    # Every RDF export is a format the one RDF writer writes.
    rdf = [spec for spec in EXPORT_FORMATS if spec.family == "rdf"]
    assert all(ox.RdfFormat.from_media_type(spec.media_type) for spec in rdf)


# --- the bundled ontology: the taxonomy in English and Chinese ---------------------------------


@pytest.mark.parametrize(
    ("lang", "type1", "type2", "axis_label"),
    [
        ("en", "Type-1 hypervisor", "Type-2 hypervisor", "classification by hypervisor layer"),
        ("zh", "类型1 Hypervisor", "类型2 Hypervisor", "根据Hypervisor虚拟层架构分类"),
    ],
)
def test_taxonomy_shows_five_axes_with_type1_type2_under_hypervisor_layer(
    bundled: ExportSource, lang: str, type1: str, type2: str, axis_label: str
) -> None:
    graph = drawn(bundled, scope="taxonomy", lang=lang)
    schemes = {node: data for node, data in graph.nodes(data=True) if data["kind"] == "scheme"}
    assert len(schemes) == 5
    axis = str(VR[HYPERVISOR_AXIS])
    assert schemes[axis]["label"] == axis_label
    tops = {u for u, v, key in graph.in_edges(axis, keys=True) if key == "skos:topConceptOf"}
    assert {graph.nodes[top]["label"] for top in tops} == {type1, type2}
    for top in tops:
        assert graph.nodes[top]["axis"] == HYPERVISOR_AXIS
        assert graph.nodes[top]["kind"] == "concept"
    for scheme in schemes:
        assert any(key == "skos:topConceptOf" for _, _, key in graph.in_edges(scheme, keys=True))


def test_taxonomy_marks_the_reasoners_subclass_edges(
    bundled: ExportSource, knowledge: KnowledgeGraph
) -> None:
    type1, hypervisor, software = VIRT.Type1Hypervisor, VIRT.Hypervisor, VIRT.Software
    assert (type1, RDFS.subClassOf, software) in knowledge.inferred
    assert (type1, RDFS.subClassOf, software) not in knowledge.asserted
    graph = drawn(bundled, scope="taxonomy")
    assert graph.edges[str(type1), str(software), "rdfs:subClassOf"]["inferred"] is True
    assert graph.edges[str(type1), str(hypervisor), "rdfs:subClassOf"]["inferred"] is False
    asserted_only = drawn(bundled, scope="taxonomy", inferred=False)
    assert not asserted_only.has_edge(str(type1), str(software))
    assert not any(data["inferred"] for _, _, data in asserted_only.edges(data=True))


def test_bundled_products_scope_has_every_product(bundled: ExportSource) -> None:
    products = set(bundled.asserted.subjects(RDF.type, VIRT.SoftwareProduct))
    graph = drawn(bundled, scope="products")
    assert {str(p) for p in products} <= set(graph)
    assert graph.has_edge(
        str(VR["vmware-vsphere"]), str(VR["vmware-esxi"]), key="virt:hasComponent"
    )
    assert graph.has_edge(
        str(VR["vmware-esxi"]), str(VIRT.Type1Hypervisor), key="virt:hypervisorType"
    )
    assert isinstance(next(iter(products)), URIRef)


def test_json_writers_match_the_standard_library_and_take_what_orjson_refuses(
    bundled: ExportSource,
) -> None:
    graph = drawn(bundled, scope="taxonomy", lang="zh")
    standard = json.dumps(
        json_graph.node_link_data(graph, edges="links"), ensure_ascii=False, separators=(",", ":")
    )
    assert write_nodelink(graph) == standard.encode("utf-8")
    huge = nx.MultiDiGraph()
    huge.add_node("n", weight=2**70)  # past orjson's 64-bit integers
    assert json.loads(write_nodelink(huge))["nodes"][0]["weight"] == 2**70


def test_svg_of_more_edges_than_graphviz_lays_out_in_time_is_refused_at_once(
    bundled: ExportSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole graph (some 32,000 edges) drew for the time limit and was then dropped (30 s of
    Graphviz without one, 10 s and a 503 with the default): each such request cost seconds of
    CPU and gave nothing. It is a 400 at once, naming the formats that serve it; Graphviz is
    never started."""

    def started(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("Graphviz was started")

    monkeypatch.setattr("subprocess.run", started)
    with pytest.raises(ExportError, match="edges") as refused:
        export(bundled, ExportRequest(format="svg"))
    assert refused.value.parameter == "format" and "dot" in refused.value.choices
