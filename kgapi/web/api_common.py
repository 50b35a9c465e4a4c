"""What the `/api` blueprints share: per-app lookup objects, name parameters, problems, formats.

The lookups (fact reader, name index, search index, prepared stored queries and the graph they
run on) are built once per app, when the first API blueprint is registered (or on first use),
never per request. Errors are raised as exceptions and rendered from one table (`PROBLEM_KINDS`)
as `application/problem+json` with the shape of kgapi.web.problems plus extension members
(`parameter`, `candidates`, `offered`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, overload

from flask import Blueprint, Response, g, request
from flask.blueprints import BlueprintSetupState
from rdflib import URIRef

from kgapi.read.comparison import ComparisonError
from kgapi.read.labels import LANGUAGES, no_such_language, preferred_language, reader_language
from kgapi.read.lookups import Lookups
from kgapi.read.names import AmbiguousName, NameResolutionError
from kgapi.read.search import SearchError
from kgapi.read.stored_queries import (
    ParameterError,
    ParameterNameError,
)
from kgapi.reasoning.classification import DescriptionError
from kgapi.web.delivery import Representation, respond
from kgapi.web.negotiation import Format, NotAcceptable, negotiate
from kgapi.web.problems import problem
from kgapi.web.state import EXTENSION_KEY, Services, services

# Formats of the API's own documents (the SPARQL ones are in kgapi.web.negotiation.FORMATS).
API_JSON = Format("json", "application/json", "json", "api")
CSV = Format("csv", "text/csv", "csv", "table")
MARKDOWN = Format("markdown", "text/markdown", "md", "table")
HTML = Format("html", "text/html", "html", "table")
TEXT = Format("text", "text/plain", "txt", "table")


class ApiProblem(Exception):
    """A request the API refuses: rendered as problem+json with `status` and extension members."""

    def __init__(
        self, status: int, detail: str, *, title: str | None = None, **members: Any
    ) -> None:
        self.status = status
        self.title = title  # None: the status's own
        self.detail = detail
        self.members = members
        super().__init__(detail)


class NameProblem(Exception):
    """A name parameter that names nothing (404) or several things (400)."""

    def __init__(self, parameter: str, error: NameResolutionError) -> None:
        self.parameter = parameter
        self.error = error
        super().__init__(str(error))


def prepare(setup: BlueprintSetupState) -> None:
    """`Blueprint.record_once` hook: build the lookups when the app is being created."""
    state: Services | None = setup.app.extensions.get(EXTENSION_KEY)
    if state is None:
        raise RuntimeError("create_app must set up the services before the API blueprints")
    state.lookups  # noqa: B018  # built now, not on the first request


def lookups() -> Lookups:
    """The current app's lookups (inside a request or app context)."""
    return services().lookups


# --- request helpers ---------------------------------------------------------------------------


@overload
def argument(name: str) -> str | None: ...
@overload
def argument(name: str, default: str) -> str: ...
def argument(name: str, default: str | None = None) -> str | None:
    """The query parameter `name` (`default` without it). One given more than once is a 400
    naming it: which value was meant is not the API's to guess (the SPARQL endpoint refuses two
    `query` parameters alike)."""
    values = request.args.getlist(name)
    if len(values) > 1:
        raise _given_twice(name)
    return values[0] if values else default


def arguments() -> dict[str, str]:
    """Every query parameter, for routes that read them all (an export, a stored query's
    bindings); a 400 naming one given more than once."""
    for name in request.args:
        if len(request.args.getlist(name)) > 1:
            raise _given_twice(name)
    return request.args.to_dict()


def _given_twice(name: str) -> ApiProblem:
    return ApiProblem(
        400,
        f"parameter {name!r} is given more than once",
        slug="invalid-parameter",
        parameter=name,
    )


def resolve(parameter: str, name: str) -> URIRef:
    """The term `name` denotes; raises NameProblem (404 unknown, 400 ambiguous) with candidates."""
    try:
        return lookups().names.resolve(name)
    except NameResolutionError as error:
        raise NameProblem(parameter, error) from error


def language() -> str:
    """The language the `lang` parameter names (a tag such as en, zh or en-US); without it,
    the best of Accept-Language (default en). Raises ApiProblem for another value."""
    lang = argument("lang")
    if lang is None:
        g.kgapi_vary_language = True  # the answer depends on Accept-Language
        return preferred_language(request.accept_languages)
    chosen = reader_language(lang)
    if chosen is None:
        raise ApiProblem(
            400,
            no_such_language(lang),
            slug="invalid-parameter",
            parameter="lang",
            choices=list(LANGUAGES),
        )
    return chosen


def choose(offered: Sequence[Format]) -> Format:
    """The offered format the request asks for: `format=` names one exactly (400 listing the
    names otherwise, as the API describes them), else Accept decides (406 if nothing offered
    is acceptable)."""
    requested = argument("format")
    if requested is not None:
        for item in offered:
            if requested == item.name:
                return item
        names = [item.name for item in offered]
        raise ApiProblem(
            400,
            f"unknown format {requested!r}; valid choices: {', '.join(names)}",
            slug="invalid-parameter",
            parameter="format",
            choices=names,
        )
    return negotiate(request.headers.get("Accept"), offered)


def require_media_type(accepted: Sequence[str], what: str) -> str:
    """The request body's media type when it is one of `accepted`; a 415 problem otherwise."""
    if request.mimetype not in accepted:
        raise ApiProblem(
            415,
            f"send {what} as {' or '.join(accepted)}, "
            f"not {request.mimetype or 'no Content-Type'!r}",
        )
    return request.mimetype


def json_response(data: Any, *, status: int = 200) -> Response:
    """`data` as JSON. A 200 to a GET (a lookup) goes out as every cacheable answer does
    (kgapi.web.delivery.respond): an ETag of its bytes, `Cache-Control: public`, 304 to a
    client that holds it, gzip; and so the front keeps it."""
    body = json.dumps(data, ensure_ascii=False, indent=None).encode()
    if status == 200 and request.method in ("GET", "HEAD"):
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        return respond(Representation(body, "application/json", etag))
    response = Response(body, status=status, mimetype="application/json")
    response.vary.add("Accept")
    return response


@dataclass(frozen=True)
class ProblemKind:
    """How one kind of refused request is answered: status, problem type, and the extension
    members taken from the exception (the title is the status's)."""

    status: int
    slug: str | None
    members: Callable[[Any], dict[str, Any]] = lambda _: {}
    detail: Callable[[Any], str] = str


def _not_acceptable_detail(error: NotAcceptable) -> str:
    offered = ", ".join(item.media_type for item in error.offered)
    return f"cannot answer in {error.asked!r}; offered: {offered}"


# The one table of the API's errors. Names that resolve to nothing or to several things
# (NameProblem, ParameterNameError) are answered by `name_problem`, with their candidates.
PROBLEM_KINDS: dict[type[Exception], ProblemKind] = {
    ParameterError: ProblemKind(400, "invalid-parameter", lambda e: {"parameter": e.parameter}),
    SearchError: ProblemKind(400, "invalid-parameter", lambda e: {"parameter": e.parameter}),
    ComparisonError: ProblemKind(400, "invalid-parameter", lambda _: {"parameter": "ids"}),
    DescriptionError: ProblemKind(400, "invalid-description"),
    NotAcceptable: ProblemKind(
        406,
        None,
        lambda e: {"offered": [item.media_type for item in e.offered]},
        _not_acceptable_detail,
    ),
}


def install_problem_handlers(blueprint: Blueprint) -> None:
    """Render the API's errors on `blueprint`'s routes as problem documents."""

    @blueprint.errorhandler(ApiProblem)
    def render_api_problem(error: ApiProblem) -> Response:
        return problem_response(error.status, error.detail, title=error.title, **error.members)

    @blueprint.errorhandler(NameProblem)
    def render_name_problem(error: NameProblem) -> Response:
        return name_problem(error.parameter, error.error)

    @blueprint.errorhandler(ParameterNameError)
    def render_parameter_name(error: ParameterNameError) -> Response:
        return name_problem(error.parameter, error.resolution)

    for exception, kind in PROBLEM_KINDS.items():
        blueprint.register_error_handler(exception, _renderer(kind))


def _renderer(kind: ProblemKind) -> Callable[[Exception], Response]:
    def render(error: Exception) -> Response:
        return problem_response(
            kind.status, kind.detail(error), slug=kind.slug, **kind.members(error)
        )

    return render


def problem_response(
    status: int, detail: str, *, title: str | None = None, slug: str | None = None, **members: Any
) -> Response:
    """kgapi.web.problems.problem() with extension members added to the document."""
    response = problem(status, detail, title=title, slug=slug)
    if members:
        body = json.loads(response.get_data(as_text=True))
        body.update(members)
        response.set_data(json.dumps(body, ensure_ascii=False))
    return response


def name_problem(parameter: str, error: NameResolutionError) -> Response:
    """404 for an unknown name, 400 for an ambiguous one; both list candidates."""
    reader = lookups().reader
    candidates = [reader.term(candidate) for candidate in error.candidates]
    status, title, slug = (
        (400, "Ambiguous Name", "ambiguous-name")
        if isinstance(error, AmbiguousName)
        else (404, "Unknown Name", "unknown-name")
    )
    return problem_response(
        status,
        str(error),
        title=title,
        slug=slug,
        parameter=parameter,
        name=error.name,
        candidates=candidates,
    )


def register(blueprint: Blueprint) -> Blueprint:
    """Give an API blueprint its problem handlers and the build-lookups-at-startup hook."""
    install_problem_handlers(blueprint)
    blueprint.record_once(prepare)
    return blueprint
