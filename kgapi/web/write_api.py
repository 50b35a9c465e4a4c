"""Curated updates over HTTP: SPARQL Update (`POST /update`, and `POST /sparql` with an update)
and the history (`GET /api/history`, `GET /api/history/{id}`); `write()` makes any write (the
Graph Store Protocol's too, kgapi.web.graph_store_api).

Writes are on only with the setting `writes`, and need a bearer token whose scope covers the
graphs written. Every write is a transaction (kgapi.curation.transaction): its errors are
problem+json — 400 malformed, 401/403 credentials, 409 the bundled graph, 412 a stale
`If-Match`, 415 a body format not read, 422 a graph the change would leave invalid (with a
`problems` list). A write answers 200 (201 when a Graph Store call creates its graph) with a
summary of what it made true, and the new graph version as `ETag`.
"""

from __future__ import annotations

import pyexpat
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, request
from werkzeug.datastructures import FileStorage

from kgapi.curation.changelog import Version
from kgapi.curation.history import find, revert
from kgapi.curation.live import LiveGraph
from kgapi.curation.preconditions import ANY_VERSION, Preconditions
from kgapi.curation.requests import add_to_graph, sparql_update
from kgapi.curation.stores import change_log_for
from kgapi.curation.transaction import Curator, MakeChange, WriteRefused
from kgapi.graph.documents import NotWritable, write_rdf
from kgapi.parameters import parse_integer
from kgapi.sparql.reads import read_keys
from kgapi.sparql.text import DatasetConflict, with_update_dataset
from kgapi.web.api_common import (
    ApiProblem,
    argument,
    install_problem_handlers,
    json_response,
    problem_response,
)
from kgapi.web.credentials import Unauthorized, presented_token
from kgapi.web.intake import UNTYPED, body_text, without_bom
from kgapi.web.negotiation import RDF, Format, NotAcceptable, formats_of, negotiate
from kgapi.web.state import Services, services

blueprint = Blueprint("writes", __name__)
install_problem_handlers(blueprint)  # (a parameter given twice, kgapi.web.api_common)

UPDATE_PATH = "/update"
HISTORY_PATH = "/api/history"
MAX_COUNT = 999_999_999  # the history's `limit` and `offset`
CHECK_PATH = "/api/check"
FORM = "application/x-www-form-urlencoded"
UPDATE_MEDIA_TYPE = "application/sparql-update"
PATCH_MEDIA_TYPE = "application/rdf-patch"


def enable(app: Flask, state: Services) -> None:
    """Turn writes on for `app`: its live graph follows the change log before every request."""
    settings = state.settings
    live = LiveGraph(state.knowledge, state.query_store, change_log_for(settings))
    live.prepare()
    state.live = live
    state.curator = Curator(live, shapes_dir=settings.shapes_dir, queries_dir=settings.queries_dir)
    state.follow()
    read_keys("ASK {}")  # rdflib's SPARQL grammar, loaded once here rather than in each process
    app.before_request(state.follow)
    app.before_request(_wait_for_asked_version)
    app.after_request(_name_the_version)


# A client that wrote through one instance and reads through another asks for at least the
# version its write made (the `id` of the write's answer, the header below of any answer).
MIN_VERSION_HEADER = "Kgapi-Min-Version"
VERSION_HEADER = "Kgapi-Version"
_POLL_SECONDS = 0.05


def _wait_for_asked_version() -> None:
    """Hold a request that asks for a version this instance has not applied until it has it
    (following the log), for at most `min_version_wait` seconds; 503 with Retry-After then."""
    asked = request.headers.get(MIN_VERSION_HEADER)
    if asked is None:
        return
    if not asked.strip().isdigit():
        raise WriteRefused(400, f"{MIN_VERSION_HEADER} is a version number")
    state = services()
    live = live_graph(state)
    deadline = time.monotonic() + state.settings.min_version_wait
    while live.version < int(asked):
        if time.monotonic() >= deadline:
            raise WriteRefused(
                503,
                f"this instance has version {live.version}, not yet {asked}: try again",
                retry_after=1,
            )
        time.sleep(_POLL_SECONDS)
        state.follow()


def _name_the_version(response: Response) -> Response:
    """Every answer names the version of the change log it was computed on."""
    live = services().live
    if live is not None:
        response.headers[VERSION_HEADER] = str(live.version)
    return response


@blueprint.app_errorhandler(WriteRefused)  # also for updates POSTed to /sparql
def render_refused(error: WriteRefused) -> Response:
    members: dict[str, Any] = {"problems": error.problems} if error.problems else {}
    response = problem_response(error.status, error.detail, title=error.title, **members)
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


# --- SPARQL Update ---------------------------------------------------------------------------


@blueprint.post(UPDATE_PATH)
def update() -> Response:
    """SPARQL 1.1 Update: `update=` (form) or an application/sparql-update body."""
    return run_update()


def run_update() -> Response:
    """Read the update operation from the request (also for `POST /sparql`) and make it."""
    parameters: Any  # (kgapi.web.intake has refused a charset other than UTF-8)
    if request.mimetype == FORM:
        texts = request.form.getlist("update")
        parameters = request.form
    elif request.mimetype == UPDATE_MEDIA_TYPE:
        texts = [body_text("the update")]
        parameters = request.args
    else:
        raise WriteRefused(
            415,
            f"POST an update as {FORM} (update=…) or as {UPDATE_MEDIA_TYPE}",
        )
    if len(texts) != 1:
        raise WriteRefused(400, f"{len(texts)} 'update' parameters; send exactly one")
    using, using_named = (
        [*dict.fromkeys([*request.args.getlist(name), *_form_values(parameters, name)])]
        for name in ("using-graph-uri", "using-named-graph-uri")
    )
    for iri in (*using, *using_named):
        try:
            ox.NamedNode(iri)
        except ValueError as error:
            raise WriteRefused(400, f"{iri!r} is not an absolute IRI") from error
    try:
        text = with_update_dataset(texts[0], using, using_named)
    except DatasetConflict as error:
        raise WriteRefused(400, str(error)) from error
    # The service's base IRI for relative IRIs is the endpoint's URL (Protocol §2.2.3 allows it).
    return write(sparql_update(text, base_iri=request.base_url))


def _form_values(parameters: Any, name: str) -> list[str]:
    return list(parameters.getlist(name)) if parameters is not request.args else []


@blueprint.post(CHECK_PATH)
def check() -> Response:
    """Whether a write would be accepted, and what it would make true, changing nothing: an
    update (application/sparql-update), or RDF to add to `graph=IRI` (default: the curated
    graph). 200 with `valid` and the `problems` a write would be refused for (no token needed:
    nothing is written)."""
    state = services()
    curator = state.curator
    if curator is None:
        live_graph(state)  # refuses: writes are off
    assert curator is not None
    if request.mimetype == UPDATE_MEDIA_TYPE:
        text = body_text("the update")
        make = sparql_update(text, base_iri=request.base_url)
    else:
        graph = argument("graph")
        target = graph if graph is not None else curator.live.curated_graph
        make = add_to_graph(graph, body_quads(target))
    return _json(curator.check(make))


# --- history ---------------------------------------------------------------------------------


@blueprint.get(HISTORY_PATH)
def history() -> Response:
    """The versions, newest first (`limit`, `offset`)."""
    live = live_graph(services())
    limit = _count("limit", 100)
    skip = _count("offset", 0)
    versions = list(reversed(live.history()))[skip : skip + limit]
    return _json(
        {
            "version": live.query_store.version,
            "total": len(live.history()),
            "versions": [_version_summary(version) for version in versions],
        }
    )


@blueprint.get(f"{HISTORY_PATH}/<int:id>")
def history_version(id: int) -> Response:
    """One version: its summary and its change, as JSON or RDF Patch (`application/rdf-patch`)."""
    found = find(live_graph(services()).history(), id)
    accept = request.headers.get("Accept", "")
    if PATCH_MEDIA_TYPE in accept or argument("format") == "rdf-patch":
        return Response(found.patch_text(), mimetype=PATCH_MEDIA_TYPE)
    body = _version_summary(found)
    body["patch"] = found.patch_text()
    return _json(body)


@blueprint.post(f"{HISTORY_PATH}/<int:id>/revert")
def revert_version(id: int) -> Response:
    """Undo a version, as a new version (validated as any write; `message=` says why)."""
    version = find(live_graph(services()).history(), id)
    return write(revert(version), reverts=version.id, default_message=f"revert of version {id}")


@blueprint.get(f"{HISTORY_PATH}/<int:id>/graph")
def graph_at(id: int) -> Response:
    """The user graphs as they were after version `id` (0: before the first), as TriG or
    N-Quads; with `graph=IRI`, that graph alone as Turtle or N-Triples. The bundled graph,
    which no version changes, is not repeated."""
    live = live_graph(services())
    if id != 0:
        find(live.history(), id)
    try:
        quads = sorted(live.user_quads_at(id), key=str)
    except LookupError as error:
        raise WriteRefused(
            404,
            f"{error}: the snapshot it is in starts at "
            f"version {live.start.version if live.start else 0}",
        ) from error
    graph = argument("graph")
    if graph is None:
        offered = _formats("trig", "nquads")
        data: list[Any] = quads
    else:
        offered = _formats("turtle", "ntriples")
        data = [
            q.triple
            for q in quads
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == graph
        ]
        if not data:  # a user graph is its triples: one that held none was not there
            raise WriteRefused(404, f"there was no user graph <{graph}> after version {id}")
    return rdf_answer(data, offered, prefixes=services().query_store.prefixes)


def rdf_answer(data: list[Any], offered: list[Format], *, prefixes: Mapping[str, str]) -> Response:
    """`data` (triples or quads) in the format the request's Accept picks from `offered`
    (the first by default); 406 in the problem shape when none is acceptable."""
    try:
        chosen = negotiate(request.headers.get("Accept"), offered)
    except NotAcceptable as error:
        media_types = ", ".join(f.media_type for f in offered)
        raise WriteRefused(406, f"offered: {media_types}") from error
    try:
        body = write_rdf(data, chosen.media_type, prefixes)
    except NotWritable as error:
        raise WriteRefused(406, str(error)) from error
    response = Response(body, mimetype=chosen.media_type)
    response.vary.add("Accept")
    return response


def _formats(*names: str) -> list[Format]:
    """The RDF formats named, in that order (the first is the default)."""
    return [f for name in names for f in formats_of(RDF) if f.name == name]


def _version_summary(version: Version) -> dict[str, Any]:
    return {
        "id": version.id,
        "parent": version.parent,
        "time": version.time,
        "author": version.author,
        "message": version.message,
        "added": len(version.change.added),
        "removed": len(version.change.removed),
        "graphs": sorted(version.change.graphs()),
        **({"reverts": version.reverts} if version.reverts is not None else {}),
    }


def _count(name: str, default: int) -> int:
    raw = argument(name)
    if raw is None:
        return default
    try:
        return parse_integer(raw, minimum=0, maximum=MAX_COUNT)
    except ValueError as error:
        raise ApiProblem(
            400, f"{name}: {error}, not {raw!r}", slug="invalid-parameter", parameter=name
        ) from error


def _message_header() -> str | None:
    """X-Change-Message, percent-decoded: HTTP field values are ASCII in practice, and the HTTP
    layer (Granian) drops a non-ASCII one whole, so other scripts come UTF-8 percent-encoded
    (a `%` that starts no escape is kept as it is)."""
    raw = request.headers.get("X-Change-Message")
    if raw is None:
        return None
    try:
        return unquote(raw, errors="strict")
    except UnicodeDecodeError as error:
        raise WriteRefused(
            400,
            "X-Change-Message is not UTF-8 once its %-escapes are read: percent-encode each "
            "byte of a character, or send the message as message=",
        ) from error


# --- shared ---


READABLE = "text/turtle, application/n-triples, application/rdf+xml"


def body_quads(base: str) -> list[ox.Quad]:
    """The request's RDF (relative IRIs against the graph's IRI); 415 or 400 if unreadable."""
    if request.mimetype == "multipart/form-data":
        parts = [
            (_part_format(part), part.mimetype, without_bom(part.read()))
            for _, part in request.files.items(multi=True)  # a field may hold several files
        ]
        if not parts:
            raise WriteRefused(
                400,
                "the multipart body holds no file part (or is not multipart: it needs the "
                "boundary its Content-Type names): send each graph as a file part",
            )
    else:
        media_type = request.mimetype or ""
        parts = [
            (ox.RdfFormat.from_media_type(media_type), media_type, without_bom(request.get_data()))
        ]
    quads: list[ox.Quad] = []
    for rdf_format, media_type, data in parts:
        if rdf_format is None or rdf_format.supports_datasets:
            raise WriteRefused(
                415,
                f"send the graph as one of {READABLE}, not {media_type or 'no Content-Type'!r}",
            )
        if rdf_format == ox.RdfFormat.RDF_XML and _expands_manyfold(data):
            raise WriteRefused(
                413,
                "the RDF/XML body's entities expand it past the XML parser's bound on "
                "amplification (a hundredfold once past 8 MiB): send it with its entities "
                "written out",
            )
        try:
            quads += ox.parse(data, format=rdf_format, base_iri=base)
        except (SyntaxError, ValueError) as error:
            raise WriteRefused(400, f"the body is not valid RDF: {error}") from error
    return quads


def _part_format(part: FileStorage) -> ox.RdfFormat | None:
    """A part's format by its type or, untyped, by its file name's extension, as Fuseki reads it."""
    if part.mimetype not in UNTYPED:
        return ox.RdfFormat.from_media_type(part.mimetype)
    extension = (part.filename or "").rpartition(".")[2]
    return ox.RdfFormat.from_extension(extension) if extension else None


def _expands_manyfold(data: bytes) -> bool:
    """Whether expat refuses the XML `data` for expanding its entities too far. The engine's
    RDF/XML parser expands them without bound (656 bytes became 10**9 characters), so expat
    (2.4 and later: the standard library's, with its defence against entity bombs) reads the
    body first; any other error of the XML is left for the engine to report."""
    parser = pyexpat.ParserCreate()
    try:
        parser.Parse(data, True)
    except pyexpat.ExpatError as error:
        return (
            error.code == pyexpat.errors.codes[pyexpat.errors.XML_ERROR_AMPLIFICATION_LIMIT_BREACH]
        )
    return False


def live_graph(state: Services) -> LiveGraph:
    if state.live is None:
        raise WriteRefused(
            404 if request.method == "GET" else 403,
            "writes are turned off on this server (setting writes), so it has no history "
            "and takes no updates",
        )
    return state.live


def write(
    make_change: MakeChange,
    *,
    reverts: int | None = None,
    default_message: str = "",
    graph: str | None = None,
) -> Response:
    """Make the change as the request's token holder, or refuse it (see the module docstring).
    `graph`: the Graph Store Protocol graph it writes, the target of the request's conditions
    (None: the dataset)."""
    state = services()
    live_graph(state)
    assert state.curator is not None
    token = presented_token(state, required=True)
    assert token is not None
    if not (token.may_administer() or token.scope == "write"):
        raise Unauthorized(
            403, f"the token {token.name!r} may only read", error="insufficient_scope"
        )
    message = argument("message") or _message_header() or default_message
    receipt = state.curator.write(
        token.name,
        make_change,
        message=message[:1000],
        preconditions=_preconditions(graph),
        may_write=token.may_write,
        reverts=reverts,
    )
    state.adopt()
    response = _json(receipt.summary)
    response.headers["ETag"] = f'"{state.query_store.version}"'
    return response


def _preconditions(graph: str | None) -> Preconditions:
    """The request's If-Match and If-None-Match over the graph's version (its ETag)."""
    match, none_match = request.if_match, request.if_none_match
    return Preconditions(
        # If-Match compares strongly: a weak tag matches nothing (RFC 9110 §13.1.1).
        match=None if not match else _versions(match.star_tag, match.as_set()),
        none_match=_versions(none_match.star_tag, none_match.as_set(include_weak=True)),
        graph=graph,
    )


def _versions(star: bool, tags: set[str]) -> frozenset[str]:
    return frozenset({ANY_VERSION} if star else tags)


def _json(body: dict[str, Any]) -> Response:
    response = json_response(body)
    response.headers["Cache-Control"] = "no-store"  # a version's state, gone with the next write
    return response
