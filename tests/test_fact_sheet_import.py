"""The sources of the curated product statements, generated from the research brief's rows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef

from kgapi.graph.namespaces import VIRT, VR
from kgapi.settings import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "tools" / "import_fact_sheet_sources.py"
FACTS = Path(
    os.environ.get("KGAPI_DOMAIN_FACTS", PROJECT_ROOT.parent / "shared/reference/domain-facts.md")
)
pytestmark = pytest.mark.skipif(
    not FACTS.is_file(), reason=f"the research brief is not at {FACTS} (set KGAPI_DOMAIN_FACTS)"
)


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--facts", str(FACTS), *arguments],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_checked_in_file_is_what_the_brief_gives() -> None:
    result = run("--check")
    assert result.returncode == 0, result.stderr


def test_a_changed_file_is_caught(tmp_path: Path) -> None:
    out = tmp_path / "fact-sheet.ttl"
    out.write_text("# stale\n", encoding="utf-8")
    assert run("--out", str(out), "--check").returncode == 1
    assert run("--out", str(out)).returncode == 0
    assert out.read_text(encoding="utf-8") == (PROJECT_ROOT / "ontology/fact-sheet.ttl").read_text(
        encoding="utf-8"
    )


def statements() -> Graph:
    return Graph().parse(PROJECT_ROOT / "ontology" / "fact-sheet.ttl")


def test_every_statement_is_a_curated_fact_with_one_source_of_its_row() -> None:
    curated = Graph().parse(PROJECT_ROOT / "ontology" / "products.ttl")
    graph = statements()
    records = list(graph.subjects(RDF.type, VIRT.SourcedStatement))
    assert len(records) > 500
    for record in records:
        triple = tuple(graph.value(record, p) for p in (RDF.subject, RDF.predicate, RDF.object))
        assert triple in curated, record  # never a fact the curated module does not state
        (source,) = graph.objects(record, URIRef("http://purl.org/dc/terms/source"))
        assert str(source).startswith(str(VR["source-"])), record


def test_which_sources_back_xenservers_base() -> None:
    """Table C's row "XenServer basedOn Xen" cites S28 alone: the one source of that fact."""
    graph = statements()
    found = {
        (
            str(graph.value(record, VIRT.factSheetRow)),
            str(graph.value(record, URIRef("http://purl.org/dc/terms/source"))),
        )
        for record in graph.subjects(RDF.subject, VR.xenserver)
        if graph.value(record, RDF.predicate) == VIRT.basedOn
    }
    assert found == {("C XenServer basedOn", str(VR["source-s28"]))}
