"""`kgapi export` (issue 5): output files, formats from extensions, and clear errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph

from kgapi.cli import main
from kgapi.export import FORMAT_NAMES
from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.graph.namespaces import VR
from kgapi.settings import Settings

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(settings: Settings, knowledge: KnowledgeGraph, capsys: pytest.CaptureFixture[str]) -> Run:
    """kgapi with the session's closure cache (the `knowledge` fixture has filled it)."""

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--cache-dir", str(settings.cache_dir), "export", *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_writes_the_file_and_reports_counts(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "taxonomy.json"
    code, _, err = run(
        "--scope", "taxonomy", "--format", "nodelink", "--lang", "zh", "-o", str(target)
    )
    assert code == 0
    data = json.loads(target.read_text(encoding="utf-8"))
    assert {node["kind"] for node in data["nodes"]} >= {"scheme", "concept", "class"}
    assert "wrote nodelink:" in err and "nodes" in err


def test_format_follows_the_output_extension(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "xen.ttl"
    code, _, _ = run(
        "--scope", "neighbourhood", "--focus", "Xen", "--no-inferred", "-o", str(target)
    )
    assert code == 0
    assert (VR.xen, None, None) in Graph().parse(target, format="turtle")


def test_stdout_without_output(run: Run) -> None:
    code, out, _ = run("--scope", "axis", "--axis", "hypervisor-layer", "--format", "dot")
    assert code == 0
    # named by the axis's IRI, not the short name it was asked by
    assert out.startswith('digraph "kgapi-axis-classification-by-hypervisor-layer"')


def test_bad_axis_names_the_axes(run: Run) -> None:
    code, _, err = run("--scope", "axis", "--axis", "colour")
    assert code == 2
    assert "classification-by-hypervisor-layer" in err


def test_unknown_focus_lists_candidates(run: Run) -> None:
    code, _, err = run("--scope", "neighbourhood", "--focus", "xenn")
    assert code == 2
    assert "candidates:" in err and str(VR.xen) in err


def test_non_construct_query_is_refused(run: Run) -> None:
    code, _, err = run("--scope", "construct", "--query", "SELECT * WHERE { ?s ?p ?o }")
    assert code == 2
    assert "CONSTRUCT" in err


@pytest.mark.parametrize(
    ("flag", "value", "choices"),
    [("--scope", "everything", ("all", "taxonomy")), ("--format", "png", FORMAT_NAMES)],
)
def test_bad_choice_lists_the_valid_ones(
    run: Run,
    capsys: pytest.CaptureFixture[str],
    flag: str,
    value: str,
    choices: tuple[str, ...],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        run(flag, value)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"invalid choice: '{value}'" in err
    assert all(choice in err for choice in choices)
