"""The HTTP layer: `create_app()` builds the Flask app; one blueprint per endpoint family.

Nothing happens at import: settings and the knowledge graph are passed in (or built from the
environment inside `create_app`). Views parse, call the core, negotiate and serialize. The
blueprints are imported inside the functions so that `kgapi.web.server` can configure
prometheus_client (multiprocess mode) before anything imports it.
"""

from __future__ import annotations

import os

from flask import Blueprint, Flask

from kgapi.graph.knowledge import KnowledgeGraph, build_knowledge_graph
from kgapi.processes import collector_paused
from kgapi.settings import Settings
from kgapi.sparql.executor import QueryExecutor
from kgapi.sparql.store import build_query_store, parse_graph_options


def blueprints() -> list[Blueprint]:
    """Every endpoint family the app serves; a new family is one more line here."""
    from kgapi.web import (
        compare_api,
        crawlers,
        curate_ui,
        entity_api,
        export_api,
        graph_store_api,
        health,
        identify_api,
        metrics,
        openapi,
        query_api,
        reasoning_api,
        sparql_endpoint,
        ui,
        write_api,
    )

    return [
        sparql_endpoint.blueprint,
        health.blueprint,
        metrics.blueprint,
        ui.blueprint,
        entity_api.blueprint,
        compare_api.blueprint,
        reasoning_api.blueprint,
        query_api.blueprint,
        openapi.blueprint,
        export_api.blueprint,
        identify_api.blueprint,
        write_api.blueprint,
        graph_store_api.blueprint,
        curate_ui.blueprint,
        crawlers.blueprint,
    ]


def create_app(
    settings: Settings | None = None, *, knowledge: KnowledgeGraph | None = None
) -> Flask:
    """Build the app: the knowledge graph (unless given), the query store, then the routes.

    `settings` defaults to flags-free `Settings.from_sources()` (KGAPI_* variables). Raises
    OntologyLoadError or ExtraGraphError when the data cannot be loaded.
    """
    with collector_paused():  # all of it lives as long as the app
        return _app(settings, knowledge)


def _app(settings: Settings | None, knowledge: KnowledgeGraph | None) -> Flask:
    from kgapi.web import (
        credentials,
        delivery,
        intake,
        metrics,
        sparql_endpoint,
        ui,
        write_api,
    )
    from kgapi.web.problems import register_error_handlers
    from kgapi.web.state import EXTENSION_KEY, ResponseCache, Services

    settings = settings if settings is not None else Settings.from_sources()
    knowledge = knowledge if knowledge is not None else build_knowledge_graph(settings)
    query_store = build_query_store(knowledge, extra_graphs=parse_graph_options(settings.graphs))
    app = Flask("kgapi", static_folder=None)  # assets are served by the ui blueprint
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    state = Services(
        settings=settings,
        knowledge=knowledge,
        query_store=query_store,
        executor=QueryExecutor(query_store, timeout=settings.query_timeout),
        cache=ResponseCache(settings.result_cache_entries, settings.result_cache_mb << 20),
    )
    app.extensions[EXTENSION_KEY] = state
    if settings.writes:
        write_api.enable(app, state)
    credentials.install(app, state)
    register_error_handlers(
        app,
        plain_text_paths=(sparql_endpoint.PATH, sparql_endpoint.ASSERTED_PATH),
        unknown_url_page=ui.unknown_url_page,
    )
    intake.install(app, max_request_bytes=settings.max_request_bytes)
    delivery.install(app, cors_origins=settings.cors_origins, writes=settings.writes)
    # prometheus_client chose its storage from this variable when it was imported.
    metrics.init_app(app, multiprocess_mode="PROMETHEUS_MULTIPROC_DIR" in os.environ)
    for blueprint in blueprints():
        app.register_blueprint(blueprint)
    return app
