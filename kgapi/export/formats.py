"""The one table of export formats: name, media type, file extension, family and rdflib format.

The HTTP layer negotiates over this table and the CLI offers its names; nothing else lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Family = Literal["graph", "picture", "rdf"]


@dataclass(frozen=True)
class ExportFormat:
    """One way to write an export.

    `family` says how it is made: "graph" formats come from networkx, "picture" ones from
    Graphviz, "rdf" ones from the RDF writer.
    """

    name: str
    media_type: str
    extension: str
    family: Family
    summary: str = ""


EXPORT_FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat(
        "graphml",
        "application/graphml+xml",
        "graphml",
        "graph",
        "GraphML (Gephi, yEd, Cytoscape)",
    ),
    ExportFormat("gexf", "application/gexf+xml", "gexf", "graph", "GEXF 1.2 (Gephi)"),
    # Both JSON formats are application/json (no other type is registered for either): `Accept`
    # alone gets node-link, `format=cytoscape` the other.
    ExportFormat("nodelink", "application/json", "json", "graph", "node-link JSON (D3, networkx)"),
    ExportFormat("cytoscape", "application/json", "cyjs", "graph", "Cytoscape.js JSON"),
    ExportFormat("dot", "text/vnd.graphviz", "gv", "picture", "Graphviz DOT"),
    ExportFormat("svg", "image/svg+xml", "svg", "picture", "SVG drawn by Graphviz dot"),
    ExportFormat("turtle", "text/turtle", "ttl", "rdf", "RDF Turtle"),
    ExportFormat("jsonld", "application/ld+json", "jsonld", "rdf", "RDF JSON-LD"),
    ExportFormat("ntriples", "application/n-triples", "nt", "rdf", "RDF N-Triples"),
    ExportFormat("rdfxml", "application/rdf+xml", "rdf", "rdf", "RDF/XML"),
)
FORMAT_NAMES: tuple[str, ...] = tuple(spec.name for spec in EXPORT_FORMATS)
_BY_NAME = {spec.name: spec for spec in EXPORT_FORMATS}


def export_format(name: str) -> ExportFormat | None:
    """The format called exactly `name`, or None."""
    return _BY_NAME.get(name)
