"""The live server: `kgapi serve` (Granian in front, 2 app processes) on 127.0.0.1 and a free
port, once per session, with the W3C protocol tests' data loaded as named graphs when present.
"""

from __future__ import annotations

from collections.abc import Iterator

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

from kgapi.settings import Settings


@pytest.fixture(scope="session")
def live_server(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
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
