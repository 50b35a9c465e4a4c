"""Graph exports for visualization tools and RDF clients: choose a subgraph, then a format.

    source = ExportSource.of(kg)            # once per knowledge graph
    result = export(source, ExportRequest(scope="taxonomy", format="graphml", lang="zh"))
    result.content, result.format.media_type, result.filename

Pure core: the CLI and the HTTP layer parse their parameters into an ExportRequest (strings via
`ExportRequest.from_params`) and map ExportError (bad input, with the valid choices),
kgapi.read.names' UnknownName/AmbiguousName (with candidates) and RenderingError to their own
errors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from kgapi.export.conversion import to_networkx
from kgapi.export.formats import EXPORT_FORMATS, FORMAT_NAMES, ExportFormat, export_format
from kgapi.export.selection import (
    MAX_DEPTH,
    SCOPES,
    ExportError,
    Selection,
    check_parameters,
    resolve_axis,
    select,
)
from kgapi.export.source import ExportSource
from kgapi.export.writers import (
    DEFAULT_SVG_TIMEOUT,
    GraphvizMissing,
    RenderingError,
    jsonld_context_document,
    render_svg,
    write_cytoscape,
    write_dot,
    write_gexf,
    write_graphml,
    write_nodelink,
    write_rdf,
)
from kgapi.parameters import parse_boolean, parse_integer
from kgapi.processes import collector_paused
from kgapi.read.kinds import NODE_KINDS
from kgapi.read.labels import LANGUAGES, no_such_language, reader_language

if TYPE_CHECKING:
    from kgapi.graph.knowledge import KnowledgeGraph

__all__ = [
    "EXPORT_FORMATS",
    "FORMAT_NAMES",
    "LANGUAGES",
    "MAX_DEPTH",
    "MAX_DRAWN_EDGES",
    "NODE_KINDS",
    "SCOPES",
    "Export",
    "ExportError",
    "ExportFormat",
    "ExportRequest",
    "ExportSource",
    "GraphvizMissing",
    "RenderingError",
    "Selection",
    "export",
    "export_format",
    "jsonld_context_document",
    "render_svg",
    "resolve_axis",
    "select",
    "to_networkx",
]

_GRAPH_WRITERS = {
    "graphml": write_graphml,
    "gexf": write_gexf,
    "cytoscape": write_cytoscape,
    "nodelink": write_nodelink,
}


@dataclass(frozen=True)
class ExportRequest:
    """What to export and how. `focus` and `axis` accept any name kgapi.read.names resolves.

    `literal_nodes` draws literals as nodes instead of node attributes; `blank_nodes` keeps
    triples through blank nodes (OWL restrictions); `trivial_types` keeps rdf:type links to
    owl:Class, owl:ObjectProperty, skos:Concept and the like.
    """

    scope: str = "all"
    format: str = "graphml"
    focus: str | None = None
    depth: int = 1
    axis: str | None = None
    query: str | None = None
    inferred: bool = True
    lang: str = "en"
    literal_nodes: bool = False
    blank_nodes: bool = False
    trivial_types: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ExportRequest:
        """A request from string parameters (a query string), named as the fields are.

        Unknown keys are ignored. A value given is read as given: an empty `scope=` is an unknown
        scope, not the default one. Raises ExportError.
        """
        values: dict[str, object] = {}
        for spec in fields(cls):
            raw = params.get(spec.name)
            if raw is None:
                continue
            default = spec.default
            if isinstance(default, bool):
                values[spec.name] = _boolean(spec.name, raw)
            elif isinstance(default, int):
                try:
                    values[spec.name] = parse_integer(raw)
                except ValueError:
                    message = f"{spec.name} must be a whole number from 0 to {MAX_DEPTH}"
                    raise ExportError(spec.name, message) from None
            elif spec.name in ("focus", "axis"):
                values[spec.name] = raw.strip()  # names: spaces around them mean nothing
            elif spec.name == "lang":
                values[spec.name] = reader_language(raw) or raw  # en-US is English
            else:
                values[spec.name] = raw
        return cls(**values)  # type: ignore[arg-type]

    def export_format(self) -> ExportFormat:
        found = export_format(self.format)
        if found is None:
            raise ExportError("format", f"unknown format {self.format!r}", FORMAT_NAMES)
        return found

    def check(self) -> ExportFormat:
        """Raise ExportError for any bad parameter; the format when all are good."""
        found = self.export_format()
        check_parameters(
            scope=self.scope, focus=self.focus, axis=self.axis, query=self.query, depth=self.depth
        )
        if self.lang not in LANGUAGES:
            raise ExportError("lang", no_such_language(self.lang), LANGUAGES)
        return found

    def filename(self, resolved: str | None = None) -> str:
        """A download name such as `kgapi-neighbourhood-xen.graphml`: the local name of the
        focus's or the axis's IRI, `resolved` (else of the name given, which a label in Chinese
        or in several words names poorly)."""
        parts = ["kgapi", self.scope]
        named = resolved or (self.focus if self.scope == "neighbourhood" else self.axis)
        if self.scope in ("neighbourhood", "axis") and named:
            local = re.split(r"[/#:]", named.rstrip("/#"))[-1]
            slug = re.sub(r"[^A-Za-z0-9._-]+", "-", local)
            if slug.strip("-."):
                parts.append(slug.strip("-."))
        return "-".join(parts) + "." + self.export_format().extension


@dataclass(frozen=True)
class Export:
    """A written export. `nodes`/`edges` count the drawn graph (None for RDF formats)."""

    content: bytes
    format: ExportFormat
    filename: str
    triples: int
    nodes: int | None = None
    edges: int | None = None

    @property
    def media_type(self) -> str:
        return self.format.media_type


# The most edges drawn as SVG: Graphviz's dot lays out 10,000 in 6 s on 2 cores (the
# neighbourhood of KVM at depth 4, 9,000 edges, in 3 s), and 15,000 take it past 10 s.
MAX_DRAWN_EDGES = 10_000


def export(
    source: ExportSource | KnowledgeGraph,
    request: ExportRequest,
    *,
    context_url: str | None = None,
    svg_timeout: float = DEFAULT_SVG_TIMEOUT,
) -> Export:
    """Select the request's subgraph and write it in the request's format.

    `context_url` makes JSON-LD refer to the published @context (see `jsonld_context_document`)
    instead of embedding it. Raises ExportError, UnknownName/AmbiguousName (focus) and, for SVG,
    GraphvizMissing or RenderingError.
    """
    if not isinstance(source, ExportSource):
        source = ExportSource.of(source)
    spec = request.check()
    with collector_paused():
        selection = select(
            source,
            scope=request.scope,
            focus=request.focus,
            depth=request.depth,
            axis=request.axis,
            query=request.query,
            inferred=request.inferred,
            blank_nodes=request.blank_nodes,
            trivial_types=request.trivial_types,
        )
        named = selection.focus if request.scope == "neighbourhood" else selection.axis
        filename = request.filename(str(named) if named is not None else None)
        if spec.family == "rdf":
            content = write_rdf(
                selection.graph(source),
                spec.media_type,
                context=source.jsonld_context,
                context_url=context_url,
            )
            return Export(content, spec, filename, len(selection))
        graph = to_networkx(
            source, selection, lang=request.lang, literals_as_nodes=request.literal_nodes
        )
        if spec.name == "svg" and len(graph.edges) > MAX_DRAWN_EDGES:
            raise ExportError(
                "format",
                f"the selection has {len(graph.edges):,} edges, and SVG is drawn for at most "
                f"{MAX_DRAWN_EDGES:,} (more take Graphviz past the time limit): narrow the scope,"
                " or ask for another format and lay it out yourself",
                [name for name in FORMAT_NAMES if name != "svg"],
            )
        if spec.name in _GRAPH_WRITERS:
            content = _GRAPH_WRITERS[spec.name](graph)
        else:
            content = write_dot(graph, name=filename.rsplit(".", 1)[0])
        # len(edges) counts what number_of_edges() does, without its pass over the degrees.
        triples, nodes, edges = len(selection), graph.number_of_nodes(), len(graph.edges)
        # Freed now, by reference counting, rather than scanned by the collector once it is back.
        del graph, selection
    if spec.name == "svg":
        content = render_svg(content, timeout=svg_timeout)
    return Export(content, spec, filename, triples, nodes, edges)


def _boolean(name: str, raw: str) -> bool:
    try:
        return parse_boolean(raw)
    except ValueError as error:
        raise ExportError(name, f"{name}: {error}, not {raw!r}", ("true", "false")) from error
