"""Writers: networkx's own for GraphML, GEXF, Cytoscape.js and node-link; DOT written here
(networkx's DOT writers need pydot or pygraphviz, and IRIs as node names trip pydot's quoting);
SVG drawn by Graphviz's `dot`; RDF by rdflib, JSON-LD with the service's published @context.
"""

from __future__ import annotations

import functools
import io
import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from typing import Any

import networkx as nx
import orjson
from lxml import etree
from networkx.readwrite import json_graph
from rdflib import Graph

from kgapi.graph import documents
from kgapi.processes import die_with_parent

DEFAULT_SVG_TIMEOUT = 30.0
JSON_LD = "application/ld+json"
# Past this size `dot`'s layered layout takes minutes; the force-directed `sfdp` takes a second.
LAYERED_LAYOUT_LIMIT = (200, 600)  # nodes, edges

# Shape and fill per node kind, so that a picture tells classes from products at a glance.
_STYLE = {
    "scheme": ("folder", "#f6d78b"),
    "concept": ("box", "#cfe3f7"),
    "class": ("box", "#e4e4e4"),
    "restriction": ("box", "#f2f2f2"),
    "property": ("cds", "#e9dcf5"),
    "product": ("ellipse", "#c9ecc9"),
    "component": ("ellipse", "#e3f4e3"),
    "organisation": ("house", "#f8d2c4"),
    "person": ("egg", "#f8e3c4"),
    "licence": ("note", "#fff6c8"),
    "source": ("note", "#f5f5dc"),
    "claim": ("hexagon", "#f7c6d9"),
    "literal": ("plaintext", "#ffffff"),
    "blank": ("point", "#999999"),
}
_DEFAULT_STYLE = ("ellipse", "#ffffff")


class RenderingError(RuntimeError):
    """Graphviz could not draw the picture (it failed, or took longer than the timeout)."""


class GraphvizMissing(RenderingError):
    """Graphviz's `dot` is not installed; SVG exports need it."""


GRAPHML_NAMESPACE = "{http://graphml.graphdrawing.org/xmlns}"


def write_graphml(graph: nx.MultiDiGraph) -> bytes:
    """GraphML as the spec reads it: networkx writes booleans as Python's `True`/`False` and uses
    a multigraph's edge keys (the predicate, repeated) as edge ids; both are put right here."""
    _check_xml(graph, "GraphML")
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8", prettyprint=False)
    tree = etree.fromstring(buffer.getvalue(), parser=etree.XMLParser(huge_tree=True))
    boolean_keys = {
        key.get("id")
        for key in tree.iter(f"{GRAPHML_NAMESPACE}key")
        if key.get("attr.type") == "boolean"
    }
    for data in tree.iter(f"{GRAPHML_NAMESPACE}data"):
        if data.get("key") in boolean_keys and data.text is not None:
            data.text = data.text.lower()
    for number, edge in enumerate(tree.iter(f"{GRAPHML_NAMESPACE}edge")):
        edge.set("id", f"e{number}")
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="utf-8"))


def write_gexf(graph: nx.MultiDiGraph) -> bytes:
    """GEXF 1.2 that its schema accepts: networkx writes a `name` attribute on `<graph>`, which
    the 1.2draft XSD does not allow (Gephi's validation refuses the file); it is dropped here.
    So is the day networkx stamps on `<meta>` (optional there), and its own name and version
    as the creator: the same graph is the same bytes, as its ETag says, on any day."""
    _check_xml(graph, "GEXF")
    buffer = io.BytesIO()
    nx.write_gexf(graph, buffer, encoding="utf-8", prettyprint=False)
    tree = etree.fromstring(buffer.getvalue(), parser=etree.XMLParser(huge_tree=True))
    for element in tree.iter("{*}graph"):
        element.attrib.pop("name", None)
    for meta in tree.iter("{*}meta"):
        meta.attrib.pop("lastmodifieddate", None)
        for creator in meta.iter("{*}creator"):
            creator.text = "kgapi"
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="utf-8"))


def _check_xml(graph: nx.MultiDiGraph, format_name: str) -> None:
    """NotWritable if a node, an edge key or a value of theirs holds a character XML cannot
    (documents.check_xml); networkx's writers raised a bare ValueError for it."""
    texts = [str(node) for node in graph]
    texts += [str(value) for _node, data in graph.nodes(data=True) for value in data.values()]
    for _source, _target, key, data in graph.edges(keys=True, data=True):
        texts.append(str(key))
        texts += [str(value) for value in data.values()]
    documents.check_xml(" ".join(texts), format_name)


def write_cytoscape(graph: nx.MultiDiGraph) -> bytes:
    """Cytoscape.js JSON that `cy.json(document)` loads whole: graph data as an object (networkx
    writes a list of pairs), each node's `name` its label, and each edge with an id."""
    document = json_graph.cytoscape_data(graph, name="label")
    document["data"] = dict(graph.graph)
    for number, edge in enumerate(document["elements"]["edges"]):
        edge["data"]["id"] = f"e{number}"
    return _json(document)


def write_nodelink(graph: nx.MultiDiGraph) -> bytes:
    """Node-link JSON with its edges under `links`, as D3 (`d3.forceLink(data.links)`) and
    every networkx release read it (`node_link_graph(data, edges="links")`)."""
    return _json(json_graph.node_link_data(graph, edges="links"))


def _json(data: Any) -> bytes:
    """Compact UTF-8 JSON. orjson writes the same bytes as the standard library here, 6-8x
    faster (0.15 of a 0.5 s node-link export of 1e5 triples); what it refuses (integers past
    64 bits, say) falls back to the standard library."""
    try:
        return orjson.dumps(data)
    except TypeError:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_dot(graph: nx.MultiDiGraph, *, name: str = "kgapi") -> bytes:
    """Graphviz DOT: labels for text, tooltips for IRIs, shape and colour by kind, and inferred
    nodes and edges dashed. Trees (taxonomy, axis) are drawn bottom-up, as subclass links point up;
    graphs past LAYERED_LAYOUT_LIMIT ask for the force-directed `sfdp` layout instead of `dot`.
    """
    scope = graph.graph.get("scope", "")
    rankdir = "BT" if scope in ("taxonomy", "axis") else "LR"
    nodes, edges = LAYERED_LAYOUT_LIMIT
    small = graph.number_of_nodes() <= nodes and graph.number_of_edges() <= edges
    layout = "dot" if small else "sfdp"
    lines = [
        f"digraph {_quote(name)} {{",
        f'  graph [layout={layout}, rankdir={rankdir}, charset="UTF-8", overlap=false];',
        '  node [style=filled, fontname="sans-serif", fontsize=10];',
        '  edge [fontname="sans-serif", fontsize=8];',
    ]
    for node, data in graph.nodes(data=True):
        shape, fill = _STYLE.get(str(data.get("kind")), _DEFAULT_STYLE)
        style = "filled,dashed" if data.get("inferred") else "filled"
        attributes = {
            "label": str(data.get("label", node)),
            "tooltip": str(data.get("iri") or node),
            "shape": shape,
            "fillcolor": fill,
            "style": style,
        }
        lines.append(f"  {_quote(str(node))} {_attributes(attributes)};")
    for source, target, data in graph.edges(data=True):
        attributes = {
            "label": str(data.get("label", "")),
            "tooltip": str(data.get("predicate", "")),
        }
        if data.get("inferred"):
            attributes |= {"style": "dashed", "color": "#777777", "fontcolor": "#777777"}
        lines.append(f"  {_quote(str(source))} -> {_quote(str(target))} {_attributes(attributes)};")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _quote(text: str) -> str:
    """A DOT quoted string; backslashes doubled so Graphviz escapes (\\N, \\l) stay text."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'


def _attributes(attributes: Mapping[str, str]) -> str:
    return "[" + ", ".join(f"{key}={_quote(value)}" for key, value in attributes.items()) + "]"


def render_svg(dot: bytes, *, timeout: float = DEFAULT_SVG_TIMEOUT) -> bytes:
    """Draw DOT text as SVG with Graphviz's `dot`; raises GraphvizMissing or RenderingError."""
    program = shutil.which("dot")
    if program is None:
        raise GraphvizMissing(
            "SVG exports need Graphviz's `dot` program, which is not installed "
            "(Debian/Ubuntu: apt-get install graphviz); the dot format works without it"
        )
    try:
        finished = subprocess.run(
            [program, "-Tsvg"],
            input=dot,
            capture_output=True,
            timeout=timeout,
            check=False,
            # If the process asking is killed at the time limit, `dot` must not draw on alone.
            preexec_fn=functools.partial(die_with_parent, os.getpid()),
        )
    except subprocess.TimeoutExpired as error:
        raise RenderingError(
            f"Graphviz took longer than {timeout:g} s; export a smaller scope, or dot, and lay "
            "it out yourself"
        ) from error
    if finished.returncode != 0:
        message = finished.stderr.decode("utf-8", "replace").strip()
        raise RenderingError(f"Graphviz failed (exit {finished.returncode}): {message}")
    return finished.stdout


def write_rdf(
    graph: Graph,
    media_type: str,
    *,
    context: Mapping[str, str] | None = None,
    context_url: str | None = None,
) -> bytes:
    """`graph` in the RDF format of `media_type`, declaring the prefixes of `context`
    (prefix → namespace) it uses. JSON-LD is compacted against `context` (by rdflib: the one
    writer does not compact); with `context_url` the document refers to the published context
    instead of embedding it."""
    if media_type != JSON_LD:
        return documents.write_rdf(documents.triples_of(graph), media_type, context or {})
    text = graph.serialize(format="json-ld", context=dict(context or {}), auto_compact=True)
    document = json.loads(text)
    if not isinstance(document, dict):  # a bare array of nodes
        document = {"@graph": document}
    if isinstance(document.get("@graph"), list):
        # rdflib writes nodes in its store's order, which differs between starts; sorted by @id
        # the same graph is the same document, byte for byte.
        document["@graph"].sort(key=lambda node: str(node.get("@id", "")))
    if context_url is not None:
        document = {
            "@context": context_url,
            **{k: v for k, v in document.items() if k != "@context"},
        }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def jsonld_context_document(context: Mapping[str, str]) -> bytes:
    """The JSON-LD context document the service publishes for its JSON-LD exports."""
    return json.dumps({"@context": dict(context)}, ensure_ascii=False, indent=2).encode("utf-8")
