"""The HTTP layer: `create_app()` builds the Flask app; one blueprint per endpoint family.

Nothing happens at import: settings and the knowledge graph are passed in (or built from the
environment inside `create_app`). Views parse, call the core, negotiate and serialize. The
blueprints are imported inside the functions so that `kgapi.web.server` can configure
prometheus_client (multiprocess mode) before anything imports it.
"""

from __future__ import annotations

import os

from flask import Blueprint, Flask

from kgapi.knowledge import KnowledgeGraph, build_knowledge_graph
from kgapi.query_executor import QueryExecutor
from kgapi.query_store import build_query_store, parse_graph_options
from kgapi.settings import Settings


def blueprints() -> list[Blueprint]:
    """Every endpoint family the app serves; a new family is one more line here."""
    from kgapi.web import compare as api_compare
    from kgapi.web import entities as api_entities
    from kgapi.web import exports as api_exports
    from kgapi.web import health, metrics, sparql, ui
    from kgapi.web import identify as api_identify
    from kgapi.web import openapi as api_openapi
    from kgapi.web import queries as api_queries
    from kgapi.web import reasoning as api_reasoning

    return [
        sparql.blueprint,
        health.blueprint,
        metrics.blueprint,
        ui.blueprint,
        api_entities.blueprint,
        api_compare.blueprint,
        api_reasoning.blueprint,
        api_queries.blueprint,
        api_openapi.blueprint,
        api_exports.blueprint,
        api_identify.blueprint,
    ]


def create_app(
    settings: Settings | None = None, *, knowledge: KnowledgeGraph | None = None
) -> Flask:
    """Build the app: the knowledge graph (unless given), the query store, then the routes.

    `settings` defaults to flags-free `Settings.from_sources()` (KGAPI_* variables). Raises
    OntologyLoadError or ExtraGraphError when the data cannot be loaded.
    """
    from kgapi.web import delivery, intake, metrics, sparql
    from kgapi.web.problems import register_error_handlers
    from kgapi.web.state import EXTENSION_KEY, ResponseCache, Services

    settings = settings if settings is not None else Settings.from_sources()
    knowledge = knowledge if knowledge is not None else build_knowledge_graph(settings)
    query_store = build_query_store(knowledge, extra_graphs=parse_graph_options(settings.graphs))
    app = Flask("kgapi", static_folder=None)  # assets are served by the ui blueprint
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.extensions[EXTENSION_KEY] = Services(
        settings=settings,
        knowledge=knowledge,
        query_store=query_store,
        executor=QueryExecutor(query_store, timeout=settings.query_timeout),
        cache=ResponseCache(settings.result_cache_entries),
    )
    register_error_handlers(app, plain_text_paths=(sparql.PATH, sparql.ASSERTED_PATH))
    intake.install(app, max_request_bytes=settings.max_request_bytes)
    delivery.install(app, cors_origins=settings.cors_origins)
    # prometheus_client chose its storage from this variable when it was imported.
    metrics.init_app(app, multiprocess_mode="PROMETHEUS_MULTIPROC_DIR" in os.environ)
    for blueprint in blueprints():
        app.register_blueprint(blueprint)
    return app
