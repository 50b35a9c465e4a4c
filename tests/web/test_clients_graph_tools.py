"""Graph exports read by the tools people draw them with, each with its defaults: networkx and
python-igraph (GraphML, GEXF, node-link), the GEXF XSD (Gephi's contract), D3's idiom for
node-link, Cytoscape.js's document shape, Graphviz (DOT: its own parser, through `gc`), an XML
parser (SVG). For each scope the formats agree on the number of nodes and edges."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import igraph
import networkx as nx
import pytest
from livesupport import LiveServer
from lxml import etree
from networkx.readwrite import json_graph

from kgapi.settings import PROJECT_ROOT

SCOPES = ["taxonomy", "products", "neighbourhood&focus=kvm&depth=2"]
GEXF_SCHEMA = PROJECT_ROOT.parent / "shared" / "reference" / "gexf-schema" / "1.2draft" / "gexf.xsd"


def fetch(server: LiveServer, scope: str, export_format: str) -> bytes:
    path = f"/export?scope={scope}&{urlencode({'format': export_format})}"
    status, _, body = server.request("GET", path)
    assert status == 200, (path, body[:300])
    return body


def graphviz_counts(dot: bytes) -> tuple[int, int]:
    """Nodes and edges as Graphviz reads a DOT document (`gc -n -e`, Graphviz's graph counter;
    pydot's pure-Python parser took 20 s over the largest export)."""
    counter = shutil.which("gc")
    if counter is None:
        pytest.skip("Graphviz's gc was not found: apt-get install graphviz (.ci/run does)")
    done = subprocess.run([counter, "-n", "-e"], input=dot, capture_output=True, check=True)
    nodes, edges, *_ = done.stdout.split()
    return int(nodes), int(edges)


@pytest.mark.parametrize("scope", SCOPES)
def test_every_graph_format_reads_back_with_the_same_counts(
    live_server: LiveServer, scope: str
) -> None:
    graphml = nx.read_graphml(io.BytesIO(fetch(live_server, scope, "graphml")))
    gexf = nx.read_gexf(io.BytesIO(fetch(live_server, scope, "gexf")))
    nodelink = json_graph.node_link_graph(
        json.loads(fetch(live_server, scope, "nodelink")), edges="links"
    )
    cytoscape = json_graph.cytoscape_graph(json.loads(fetch(live_server, scope, "cytoscape")))
    counts = {
        "graphml": (graphml.number_of_nodes(), graphml.number_of_edges()),
        "gexf": (gexf.number_of_nodes(), gexf.number_of_edges()),
        "nodelink": (nodelink.number_of_nodes(), nodelink.number_of_edges()),
        "cytoscape": (cytoscape.number_of_nodes(), cytoscape.number_of_edges()),
        "dot": graphviz_counts(fetch(live_server, scope, "dot")),
    }
    assert counts["graphml"][0] > 5 and counts["graphml"][1] > 5
    assert len(set(counts.values())) == 1, counts


@pytest.mark.parametrize("scope", SCOPES)
def test_graphml_reads_in_igraph_with_typed_booleans_and_unique_edge_ids(
    live_server: LiveServer, scope: str, tmp_path: Path
) -> None:
    body = fetch(live_server, scope, "graphml")
    path = tmp_path / "export.graphml"
    path.write_bytes(body)
    graph = igraph.Graph.Read_GraphML(str(path))
    assert graph.vcount() > 5
    assert {type(value) for value in graph.es["inferred"]} == {bool}
    namespace = "{http://graphml.graphdrawing.org/xmlns}"
    tree = etree.fromstring(body)
    ids = [edge.get("id") for edge in tree.iter(f"{namespace}edge")]
    assert len(ids) == len(set(ids)) == graph.ecount()
    boolean_keys = {
        key.get("id") for key in tree.iter(f"{namespace}key") if key.get("attr.type") == "boolean"
    }
    assert boolean_keys
    values = {d.text for d in tree.iter(f"{namespace}data") if d.get("key") in boolean_keys}
    assert values <= {"true", "false"}


@pytest.mark.skipif(not GEXF_SCHEMA.is_file(), reason=f"GEXF schemas not found at {GEXF_SCHEMA}")
@pytest.mark.parametrize("scope", SCOPES)
def test_gexf_is_valid_against_the_official_schema(live_server: LiveServer, scope: str) -> None:
    schema = etree.XMLSchema(etree.parse(str(GEXF_SCHEMA)))
    document = etree.fromstring(fetch(live_server, scope, "gexf"))
    assert schema.validate(document), schema.error_log
    assert igraph is not None  # python-igraph reads GraphML above; GEXF is Gephi's


@pytest.mark.parametrize("scope", SCOPES)
def test_d3_force_link_idiom_resolves_every_link(live_server: LiveServer, scope: str) -> None:
    # d3.forceLink(data.links).id(d => d.id): every link's ends must be node ids.
    data = json.loads(fetch(live_server, scope, "nodelink"))
    ids = {node["id"] for node in data["nodes"]}
    assert data["links"]
    assert all(link["source"] in ids and link["target"] in ids for link in data["links"])


@pytest.mark.parametrize("scope", SCOPES)
def test_cytoscape_document_loads_whole(live_server: LiveServer, scope: str) -> None:
    # cy.json(document) reads `data` as an object and needs an id on every element.
    document = json.loads(fetch(live_server, scope, "cytoscape"))
    assert isinstance(document["data"], dict) and document["data"]["scope"]
    nodes, edges = document["elements"]["nodes"], document["elements"]["edges"]
    node_ids = [node["data"]["id"] for node in nodes]
    edge_ids = [edge["data"]["id"] for edge in edges]
    assert len(set(node_ids)) == len(node_ids) and len(set(edge_ids)) == len(edge_ids)
    assert not set(node_ids) & set(edge_ids)
    assert all(e["data"]["source"] in node_ids and e["data"]["target"] in node_ids for e in edges)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed")
def test_graphviz_draws_the_dot_export_and_svg_parses(live_server: LiveServer) -> None:
    dot = fetch(live_server, "taxonomy", "dot")
    drawn = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, check=True)
    assert etree.fromstring(drawn.stdout).tag.endswith("svg")
    assert etree.fromstring(fetch(live_server, "taxonomy", "svg")).tag.endswith("svg")
