"""JavaScript clients from the npm registry under Node.js, with their defaults, against the live
server: fetch-sparql-endpoint (Comunica's fetcher: SELECT with language tags, ASK, CONSTRUCT, the
asserted-only endpoint), Cytoscape.js headless (loading the Cytoscape export with `cy.json` and
running a layout) and d3-force (`forceLink(data.links)` on the node-link export). The clients are
in tests/js (installed by .ci/run with `npm install`); tests/js/clients.mjs runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest
from livesupport import LiveServer

from kgapi.settings import PROJECT_ROOT

CLIENTS = PROJECT_ROOT / "tests" / "js"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="Node.js (node) is not installed"),
    pytest.mark.skipif(
        not (CLIENTS / "node_modules" / "fetch-sparql-endpoint").is_dir(),
        reason="the JavaScript clients are not installed (npm install --prefix tests/js)",
    ),
]


@pytest.fixture(scope="module")
def findings(live_server: LiveServer) -> dict[str, Any]:
    assert NODE is not None
    finished = subprocess.run(
        [NODE, str(CLIENTS / "clients.mjs"), live_server.url],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=CLIENTS,
    )
    assert finished.returncode == 0, finished.stderr
    found: dict[str, Any] = json.loads(finished.stdout)
    return found


def test_fetch_sparql_endpoint_reads_language_tags(findings: dict[str, Any]) -> None:
    labels = {(label["value"], label["language"]) for label in findings["labels"]}
    assert ("paravirtualization", "en") in labels and ("泛虚拟化", "zh") in labels


def test_fetch_sparql_endpoint_ask_construct_and_the_asserted_endpoint(
    findings: dict[str, Any],
) -> None:
    assert findings["ask"] is True
    assert findings["triples"] == 7
    assert findings["asserted_ask"] is False  # XenServer is Type-1 only by inference


def test_cytoscape_loads_the_export_and_lays_it_out(findings: dict[str, Any]) -> None:
    cytoscape = findings["cytoscape"]
    assert cytoscape["nodes"] > 20 and cytoscape["edges"] > 20
    assert cytoscape["data"]["scope"] == "taxonomy"
    assert cytoscape["positioned"] is True


def test_d3_force_resolves_every_link(findings: dict[str, Any]) -> None:
    d3 = findings["d3"]
    assert d3["links"] > 20 and d3["resolved"] is True and d3["finite"] is True
