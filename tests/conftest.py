"""Shared fixtures: settings for the bundled ontology, and the graph loaded once per session.

The knowledge graph is immutable, so session scope is safe; tests that change data build their own.
A test that starts the real server asks for `serves_live` (directly or through its fixtures) and
is thereby marked `live`: the README's command runs those apart, so each part's time is its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import serving
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph

from kgapi.graph.knowledge import KnowledgeGraph, build_knowledge_graph
from kgapi.graph.loading import LoadedOntology, load_ontology
from kgapi.graph.namespaces import VIRT, VR
from kgapi.read.names import NameIndex
from kgapi.settings import PROJECT_ROOT, Settings
from kgapi.web import create_app

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def serves_live() -> None:
    """Asked for by every fixture and test that starts `kgapi serve` (`serving.kgapi_server`)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "serves_live" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.live)


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Session fixtures start their server in the setup of the first test that needs them.
    serving.may_start_servers = item.get_closest_marker("live") is not None


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings.from_sources(
        environ={}, overrides={"cache_dir": tmp_path_factory.mktemp("cache")}
    )


@pytest.fixture(scope="session")
def ontology(settings: Settings) -> LoadedOntology:
    return load_ontology(settings.ontology_dir, base_iri=settings.base_iri)


@pytest.fixture(scope="session")
def asserted(ontology: LoadedOntology) -> Graph:
    return ontology.asserted_graph()


@pytest.fixture(scope="session")
def names(asserted: Graph) -> NameIndex:
    return NameIndex.build(asserted, local_namespaces=(str(VIRT), str(VR)))


@pytest.fixture
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def knowledge(settings: Settings) -> KnowledgeGraph:
    """The bundled ontology, reasoned once for the whole session (cold: no cache shared)."""
    return build_knowledge_graph(settings)


@pytest.fixture(scope="session")
def app(settings: Settings, knowledge: KnowledgeGraph) -> Flask:
    """The Flask app over the session's graph; queries run in-process (no executor child)."""
    return create_app(replace(settings, query_timeout=0), knowledge=knowledge)


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as client:
        yield client


@pytest.fixture(scope="session")
def small_kg(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    """The small reasoning fixture (tests/data/reasoning), reasoned once for the session."""
    cache = tmp_path_factory.mktemp("small-cache")
    return build_knowledge_graph(Settings(ontology_dir=DATA / "reasoning", cache_dir=cache))
