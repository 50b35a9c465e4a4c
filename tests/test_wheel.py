"""The package as users install it: a wheel built from the repository, installed in a fresh
virtual environment, serves the bundled ontology from any working directory, its cache in the
user's cache directory (issue 12, finding 10)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest
from serving import free_port, kgapi_server

from kgapi.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(out),
            str(PROJECT_ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("kgapi-*.whl")
    return built


def test_the_wheel_carries_the_ontology_queries_and_assets(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "kgapi/ontology/core.ttl" in names
    assert any(name.startswith("kgapi/ontology/shapes/") for name in names)
    assert "kgapi/queries/products-based-on.rq" in names
    assert "kgapi/web/templates/ui/base.html" in names or any(
        name.startswith("kgapi/web/templates/ui/") for name in names
    )
    assert "kgapi/py.typed" in names


def test_installed_wheel_serves_from_any_directory(
    serves_live: None, wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stderr[-2000:]
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    port = free_port()
    environ = {"HOME": str(home), "PATH": f"{venv / 'bin'}:/usr/bin:/bin"}
    arguments = ["serve", "--port", str(port), "--workers", "1"]
    with kgapi_server(
        arguments,
        port=port,
        log_path=tmp_path / "server.log",
        settings=environ,
        program=[str(venv / "bin" / "kgapi")],
        cwd=elsewhere,
    ):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as reply:
            health = json.load(reply)
        assert health["asserted_triples"] > 1000 and health["consistency"]["consistent"]
        url = f"http://127.0.0.1:{port}/api/queries/products-based-on?product=kvm"
        with urllib.request.urlopen(url, timeout=30) as reply:
            assert json.load(reply)["results"]["bindings"]
    assert list((home / ".cache" / "kgapi").iterdir()), "the closure was not cached there"
