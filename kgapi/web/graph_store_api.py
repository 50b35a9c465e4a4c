"""The SPARQL 1.1 Graph Store HTTP Protocol at `/store`: a graph named indirectly
(`/store?graph=IRI`, `/store?default`) or directly (`/store/…`, the graph whose IRI is that URL).

GET and HEAD read any graph (`?default`: with writes on, the default graph's own triples, the
curated graph; read-only, the served default graph). PUT, POST and DELETE write user graphs
through `kgapi.web.write_api.write`: a token, a transaction, a version. POST to `/store` itself
creates a graph with a new IRI under `/store/graphs/` and answers 201 with its `Location`.
Bodies: Turtle, N-Triples, RDF/XML, or `multipart/form-data` file parts in those (an untyped
part by its file name's extension).
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, request

from kgapi.curation.requests import add_to_graph, delete_graph, replace_graph
from kgapi.curation.transaction import WriteRefused, bundled_graph_refused
from kgapi.web.api_common import argument, install_problem_handlers
from kgapi.web.negotiation import RDF, formats_of
from kgapi.web.state import services
from kgapi.web.write_api import body_quads, live_graph, rdf_answer, write

blueprint = Blueprint("graph_store", __name__)
install_problem_handlers(blueprint)  # (a parameter given twice, kgapi.web.api_common)

PATH = "/store"
NEW_GRAPHS = "graphs"  # POST /store creates /store/graphs/<uuid>
OFFERED = [f for f in formats_of(RDF) if f.name in ("turtle", "ntriples", "rdfxml")]


@blueprint.route(PATH, methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def indirect() -> Response:
    """A graph named by `?graph=IRI` or `?default`; POST with neither creates one."""
    if request.method == "POST" and "graph" not in request.args and "default" not in request.args:
        return _store(f"{request.url_root}{PATH.lstrip('/')}/{NEW_GRAPHS}/{uuid.uuid4()}")
    return _store(_graph_parameter())


@blueprint.route(f"{PATH}/<path:path>", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def direct(path: str) -> Response:
    """The graph whose IRI is this URL (without its query)."""
    return _store(request.base_url)


def _store(graph: str | None) -> Response:
    if request.method in ("GET", "HEAD"):
        return _read(graph)
    state = services()
    live = live_graph(state)
    target = graph if graph is not None else live.curated_graph
    existed = target in live.user_graph_names
    if request.method == "DELETE":
        if graph is not None and live.is_base_graph(graph):
            raise bundled_graph_refused(graph)
        if graph is not None and not existed:
            raise WriteRefused(404, f"there is no user graph <{graph}>")
        return write(delete_graph(graph), graph=target)
    quads = body_quads(target)
    make = replace_graph(graph, quads) if request.method == "PUT" else add_to_graph(graph, quads)
    response = write(make, graph=target)
    if not existed and target in live_graph(state).user_graph_names:
        response.status_code = 201
        response.headers["Location"] = _location(target, graph is None)
    return response


def _location(graph: str, default: bool) -> str:
    """Where the graph is read: its own IRI when that is a URL of this store (direct
    identification), else the store's URL naming it."""
    if default:
        return f"{PATH}?default"
    if graph.startswith(f"{request.url_root}{PATH.lstrip('/')}/"):
        return graph
    return f"{PATH}?graph={quote(graph, safe='')}"


def _graph_parameter() -> str | None:
    """`?graph=IRI` as the IRI, `?default` as None; 400 for neither or both."""
    has_default = "default" in request.args
    graph = argument("graph")
    if has_default == (graph is not None):
        raise WriteRefused(400, "name one graph: ?graph=IRI or ?default")
    if graph is None:
        return None
    try:
        ox.NamedNode(graph)
    except ValueError as error:
        raise WriteRefused(400, f"graph {graph!r} is not an absolute IRI") from error
    return graph


def _read(graph: str | None) -> Response:
    state = services()
    store = state.query_store
    source: ox.NamedNode | ox.DefaultGraph
    if graph is None:
        live = state.live
        source = ox.NamedNode(live.curated_graph) if live is not None else ox.DefaultGraph()
    elif graph in store.graph_sizes:
        source = ox.NamedNode(graph)
    else:
        raise WriteRefused(404, f"there is no graph <{graph}>")
    quads = store.store.quads_for_pattern(None, None, None, source)
    response = rdf_answer([q.triple for q in quads], OFFERED, prefixes=store.prefixes)
    response.headers["ETag"] = f'"{store.version}"'
    return response
