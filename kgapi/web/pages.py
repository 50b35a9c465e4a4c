"""How every page of the UI is made: in the reader's language, from its template, with the words
its scripts need, and held by a Content-Security-Policy to this server's own assets.

Pages come in English or Chinese: `?lang=en|zh` chooses and is remembered in a cookie (and in
localStorage by the page's script); without either, Accept-Language decides.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, render_template, request

from kgapi.read.labels import LANGUAGES, preferred_language, reader_language
from kgapi.web.state import services
from kgapi.web.ui_text import DEFAULT_LANGUAGE, translate

LANGUAGE_COOKIE = "kgapi_lang"
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600
# Only this server: scripts, styles, fonts, images and fetches. Styles may be inline because
# YASGUI and Cytoscape.js set style attributes; scripts may not.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


def page_language() -> str:
    """`?lang=` (a language tag such as zh or zh-CN), else the remembered cookie, else the
    best of Accept-Language, else English."""
    asked = reader_language(request.args.get("lang", ""))
    if asked is not None:
        return asked
    remembered = reader_language(request.cookies.get(LANGUAGE_COOKIE, ""))
    if remembered is not None:
        return remembered
    return preferred_language(request.accept_languages, DEFAULT_LANGUAGE)


def language_url(language: str) -> str:
    """The current page in `language`."""
    arguments = {key: value for key, value in request.args.items() if key != "lang"}
    arguments["lang"] = language
    return f"{request.path}?{urlencode(arguments)}"


def render_page(template: str, *, status: int = 200, **context: Any) -> Response:
    """Render a page in the request's language, with the words its scripts need."""
    language = page_language()
    knowledge = services().knowledge
    page_data = {
        "lang": language,
        "base": knowledge.ontology.base_iri,
        "messages": {
            key: translate(language, key)
            for key in (
                "graph.loading",
                "graph.failed",
                "graph.nodes",
                "graph.edges",
                "compare.failed",
                "compare.empty",
                "compare.sources",
                "compare.property",
                "editor.graph_tab",
                "editor.examples",
                "entity.inferred",
            )
        },
        **context.pop("page_data", {}),
    }
    body = render_template(
        f"ui/{template}",
        lang=language,
        t=lambda key: translate(language, key),
        language_url=language_url,
        languages=LANGUAGES,
        graph_version=knowledge.version,
        writes=services().live is not None,
        triple_count=knowledge.asserted_count + knowledge.inferred_count,
        page_data=page_data,
        **context,
    )
    response = Response(body, status=status, mimetype="text/html")
    if reader_language(request.args.get("lang", "")) is not None:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=LANGUAGE_COOKIE_SECONDS,
            samesite="Lax",
            httponly=False,
        )
    response.vary.update(("Cookie", "Accept-Language"))
    return response


def hold_to_this_server(response: Response) -> Response:
    """The pages' policy (an after-request hook of the blueprints that serve pages)."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response
