"""The live server: `kgapi serve` (Granian in front, 2 app processes) on 127.0.0.1 and a free
port, once per session, with the W3C protocol tests' data loaded as named graphs when present.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from livesupport import (
    MAX_REQUEST_BYTES,
    MAX_RESULT_ROWS,
    QUERY_TIMEOUT_SECONDS,
    LiveServer,
    started_server,
    w3c_graph_options,
    w3c_protocol_dir,
)
from serving import create_token

from kgapi.settings import Settings


@pytest.fixture(scope="session")
def live_server(
    serves_live: None, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    arguments = [
        "--max-result-rows", str(MAX_RESULT_ROWS), "--max-request-bytes", str(MAX_REQUEST_BYTES),
    ]  # fmt: skip
    w3c = w3c_protocol_dir()
    for option in w3c_graph_options(w3c) if w3c else []:
        arguments += ["--graph", option]
    with started_server(
        cache_dir=settings.cache_dir,
        log_dir=tmp_path_factory.mktemp("server"),
        query_timeout=QUERY_TIMEOUT_SECONDS,
        arguments=arguments,
    ) as server:
        yield server


@dataclass(frozen=True)
class WritableServer:
    """A live server with writes on over an ontology without triples (what the W3C update and
    Graph Store Protocol suites start from), and a write token for it."""

    server: LiveServer
    token: str

    @property
    def authorization(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="session")
def writable_server(
    serves_live: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WritableServer]:
    root = tmp_path_factory.mktemp("writable")
    ontology = root / "ontology"
    ontology.mkdir()
    (ontology / "empty.ttl").write_text("@prefix ex: <http://example.org/> .\n")
    data = root / "data"
    token = create_token(data, "w3c")
    with started_server(
        cache_dir=root / "cache",
        log_dir=root,
        query_timeout=QUERY_TIMEOUT_SECONDS * 10,
        writes_to=data,
        environment={"KGAPI_ONTOLOGY_DIR": str(ontology)},
    ) as server:
        yield WritableServer(server, token)
