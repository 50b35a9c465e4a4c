"""`GET /export`: graph exports by scope and format; `GET /export/context.jsonld`: the @context.

Parameters are kgapi.export.ExportRequest's fields (`scope`, `focus`, `depth`, `axis`, `query`,
`inferred`, `lang`, `literal_nodes`, `blank_nodes`, `trivial_types`); the format comes from
`format=` or the Accept header. The response names a download file and carries an ETag made of
the graph version and the parameters, so a repeated request is answered from the cache or 304.
"""

from __future__ import annotations

from flask import Blueprint, Response, url_for

from kgapi.export import (
    EXPORT_FORMATS,
    ExportError,
    ExportRequest,
    ExportSource,
    GraphvizMissing,
    RenderingError,
    export,
    jsonld_context_document,
)
from kgapi.graph.documents import NotWritable
from kgapi.read.names import NameResolutionError
from kgapi.sparql.executor import QueryTimeout
from kgapi.web.api_common import ApiProblem, NameProblem, arguments, choose, register
from kgapi.web.delivery import Representation, entity_tag, gzip_variant, not_modified, respond
from kgapi.web.negotiation import FORMATS, RDF, Format
from kgapi.web.problems import stopped_detail
from kgapi.web.state import services

blueprint = register(Blueprint("exports", __name__))

PATH = "/export"
CONTEXT_PATH = "/export/context.jsonld"
EXPORT_KIND = "export"


def offered_formats() -> tuple[Format, ...]:
    """The export formats, in kgapi.export's order, as negotiation formats.

    The RDF ones are the service's own rows of kgapi.web.negotiation.FORMATS (with their aliases),
    so that one table says how the service writes Turtle, whoever asks.
    """
    service_rdf = {item.name: item for item in FORMATS if item.kind == RDF}
    return tuple(
        service_rdf.get(spec.name)
        or Format(spec.name, spec.media_type, spec.extension, EXPORT_KIND)
        for spec in EXPORT_FORMATS
    )


OFFERED = offered_formats()


def export_source() -> ExportSource:
    """The app's ExportSource (see Services.export_source)."""
    return services().export_source


@blueprint.get(PATH)
def export_graph() -> Response:
    """One subgraph in one format; 400 names the bad parameter and its valid choices."""
    chosen = _chosen_format()
    params = {key: value for key, value in arguments().items() if key != "format"}
    try:
        export_request = ExportRequest.from_params({**params, "format": chosen.name})
        export_request.check()
    except ExportError as error:
        raise _invalid(error) from error
    knowledge = services().knowledge
    # JSON-LD names its context by this server's URL as the client named it (its Host), so the
    # URL is part of that answer: one made for another Host is another answer. No other format
    # names it, and is the same answer whatever the Host.
    context_url = url_for("exports.context", _external=True)
    names_context = context_url if chosen.name == "jsonld" else None
    etag = entity_tag(knowledge.version, PATH, chosen.name, sorted(params.items()), names_context)
    if not_modified((etag, gzip_variant(etag))):
        response = Response(status=304)
        response.headers["ETag"] = etag
        return response
    cache = services().cache
    representation = cache.get(etag)
    if representation is None:
        try:
            # (Graphviz draws SVG in a process of its own, under its own limit: render_svg.)
            content = export(export_source(), export_request, context_url=context_url).content
        except ExportError as error:
            raise _invalid(error) from error
        except NameResolutionError as error:
            raise NameProblem(error_parameter(export_request), error) from error
        except QueryTimeout as error:
            raise ApiProblem(503, stopped_detail(error.seconds), slug="time-limit") from error
        except NotWritable as error:
            raise ApiProblem(406, f"{error}; ask for another format") from error
        except GraphvizMissing as error:
            raise ApiProblem(501, str(error), slug="graphviz-missing") from error
        except RenderingError as error:
            raise ApiProblem(503, str(error), slug="rendering") from error
        media_type = f"{chosen.media_type}; charset=utf-8"  # every export is UTF-8 text
        representation = Representation(content, media_type, etag)
        cache.put(etag, representation, len(content))
    response = respond(representation)
    disposition = "inline" if chosen.name == "svg" else "attachment"
    name = export_request.filename(_resolved(export_request))
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


def _resolved(export_request: ExportRequest) -> str | None:
    """The IRI of the focus or axis the request names (it is valid: it was exported)."""
    name = {"neighbourhood": export_request.focus, "axis": export_request.axis}.get(
        export_request.scope
    )
    if not name:
        return None
    try:
        return str(export_source().names.resolve(name))
    except NameResolutionError:
        return None


@blueprint.get(CONTEXT_PATH)
def context() -> Response:
    """The JSON-LD context JSON-LD exports refer to: the graph's prefixes."""
    source = export_source()
    etag = entity_tag(services().knowledge.version, CONTEXT_PATH)
    body = jsonld_context_document(source.jsonld_context)
    return respond(Representation(body, "application/ld+json", etag))


def error_parameter(export_request: ExportRequest) -> str:
    """The parameter a name error is about: only `focus` is resolved as a name."""
    return "focus" if export_request.scope == "neighbourhood" else "axis"


def _chosen_format() -> Format:
    return choose(OFFERED)


def _invalid(error: ExportError) -> ApiProblem:
    return ApiProblem(
        400,
        str(error),
        slug="invalid-parameter",
        parameter=error.parameter,
        choices=list(error.choices),
    )
