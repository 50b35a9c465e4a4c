"""A typed client generated from /openapi.json by openapi-python-client, with its defaults:
generated without a warning, then used for search, an entity, a comparison, a stored query, an
export and /healthz against the live server."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from livesupport import LiveServer

GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture(scope="module")
def generated(
    live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ModuleType, str]]:
    if not GENERATOR.is_file():
        pytest.skip(f"openapi-python-client is not installed beside {sys.executable}")
    directory = tmp_path_factory.mktemp("client")
    spec = directory / "openapi.json"
    status, _, body = live_server.request("GET", "/openapi.json")
    assert status == 200
    spec.write_bytes(body)
    # Its post-generation hook formats the code with ruff, found on PATH (the test venv's).
    environ = {**os.environ, "PATH": f"{GENERATOR.parent}:{os.environ.get('PATH', '')}"}
    finished = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(spec), "--output-path", str(directory / "out")],
        capture_output=True,
        text=True,
        env=environ,
    )
    output = finished.stdout + finished.stderr
    assert finished.returncode == 0, output
    sys.path.insert(0, str(directory / "out"))
    try:
        yield importlib.import_module("kgapi_client"), output
    finally:
        sys.path.remove(str(directory / "out"))
        for name in [name for name in sys.modules if name.startswith("kgapi_client")]:
            del sys.modules[name]


def test_the_client_generates_without_a_warning(generated: tuple[ModuleType, str]) -> None:
    _, output = generated
    assert "Generating" in output
    assert "warning" not in output.lower(), output


def test_the_generated_client_calls_the_api(
    generated: tuple[ModuleType, str], live_server: LiveServer
) -> None:
    package, _ = generated
    client = package.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    api = "kgapi_client.api"
    search = importlib.import_module(f"{api}.entities.search")
    entity = importlib.import_module(f"{api}.entities.get_entity_by_id")
    compare = importlib.import_module(f"{api}.comparison.compare")
    based_on = importlib.import_module(f"{api}.queries.query_products_based_on")
    export = importlib.import_module(f"{api}.exports.export")
    healthz = importlib.import_module(f"{api}.meta.healthz")
    models = importlib.import_module("kgapi_client.models")

    found = search.sync(client=client, q="xen")
    assert found.results[0].label == "Xen"
    kvm = entity.sync(client=client, id="kvm")
    assert kvm.curie == "vr:kvm"
    table = compare.sync(client=client, ids="kvm,xen")
    assert [e.label for e in table.entities] == ["KVM", "Xen"]
    rows = based_on.sync(client=client, product="kvm")
    assert rows.results.bindings
    graphml = export.sync(
        client=client, scope=models.ExportScope.TAXONOMY, format_=models.ExportFormat.GRAPHML
    )
    assert isinstance(graphml, str) and graphml.startswith("<?xml")
    health = healthz.sync(client=client)
    assert health.status == "ok" and health.asserted_triples > 1000
