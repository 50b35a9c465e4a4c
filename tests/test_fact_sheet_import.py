"""The sources of the curated product statements, generated from the research brief's rows."""

from __future__ import annotations

import csv
import importlib
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Node

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
    curated = Graph()
    for module in ("products", "organisations", "cpu", "axes", "core"):
        curated.parse(PROJECT_ROOT / "ontology" / f"{module}.ttl")
    graph = statements()
    records = list(graph.subjects(RDF.type, VIRT.SourcedStatement))
    assert len(records) > 500
    for record in records:
        triple = tuple(graph.value(record, p) for p in (RDF.subject, RDF.predicate, RDF.object))
        assert triple in curated, record  # never a fact the curated modules do not state
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


def curated_facts() -> set[tuple[Node, Node, Node]]:
    """Every fact products.ttl states about a product the brief has a row for: each triple whose
    value is a thing or an untagged literal (the curators' prose, tagged @en/@zh, is not a fact
    a source states; it carries the product's own sources)."""
    curated = Graph().parse(PROJECT_ROOT / "ontology" / "products.ttl")
    with (PROJECT_ROOT / "ontology/import/fact-sheet-products.csv").open(encoding="utf-8") as f:
        products = {VR[row["slug"]] for row in csv.DictReader(f)}
    return {
        (s, p, o)
        for s, p, o in curated
        if s in products
        and str(p).startswith(str(VIRT))
        and not (isinstance(o, Literal) and o.language)
    }


def test_every_curated_fact_has_a_source_of_its_own() -> None:
    graph = statements()
    traced = {
        tuple(graph.value(record, p) for p in (RDF.subject, RDF.predicate, RDF.object))
        for record in graph.subjects(RDF.type, VIRT.SourcedStatement)
    }
    facts = curated_facts()
    assert len(facts) > 500
    assert sorted(facts - traced) == []


def test_the_readme_counts_the_traced_facts() -> None:
    readme = " ".join((PROJECT_ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"all {len(curated_facts())} facts of the" in readme


SEED = PROJECT_ROOT.parent / "shared" / "seed" / "virtualization-intro.zh.md"


@pytest.mark.skipif(
    not SEED.is_file(),
    reason=f"the founding document is not at {SEED}: no seed passage can be checked",
)
def test_a_fact_the_seed_backs_cites_the_seeds_own_words() -> None:
    graph = statements()
    seed = SEED.read_text(encoding="utf-8")
    # (a row of the brief that cites the seed keeps the row's words and names the row)
    cited = [
        record
        for record in graph.subjects(URIRef("http://purl.org/dc/terms/source"), VR["source-seed"])
        if graph.value(record, VIRT.factSheetRow) is None
    ]
    assert {graph.value(record, RDF.predicate) for record in cited} >= {VIRT.usedBy}
    for record in cited:
        assert str(graph.value(record, VIRT.sourceText)) in seed, record


@pytest.fixture
def generator(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(SCRIPT.parent))
    return importlib.import_module(SCRIPT.stem)


def write_cells(path: Path, *rows: str) -> Path:
    header = "subject,property,value,row,column,passage,sources,why"
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("row", "complaint"),
    [
        # a fact products.ttl does not state
        ("vr:kvm,formerName,Kernel VM,A P11,Product,,,", "is not a curated fact"),
        # a fact a relation row already backs: the entry would only repeat it
        ("vr:xenserver,basedOn,vr:xen,C XenServer basedOn,,,,", "already backed by its row"),
        # a timeline event the tables do not have
        ("vr:cp-40,developer,vr:ibm,timeline-999,,,,", "no timeline event timeline-999"),
        # a source the row does not cite
        ("vr:intel-ept,firstRelease,2008,1 C10,,,s4,", "sources its row does not cite"),
    ],
)
def test_a_wrong_entry_of_the_cells_file_stops_the_import(
    generator: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    row: str,
    complaint: str,
) -> None:
    monkeypatch.setattr(generator, "CELLS", write_cells(tmp_path / "cells.csv", row))
    with pytest.raises(SystemExit, match=complaint):
        generator.statements(FACTS)


def test_an_entry_of_the_cells_file_cites_every_source_of_its_row(
    generator: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """PowerVM's row in Table A cites S29 and S3: the fact an entry finds in that row gets one
    statement for each, in the words of the cell the entry names."""
    cells = write_cells(
        tmp_path / "cells.csv",
        "vr:powervm,formerName,Advanced POWER Virtualization,A P08,First release,,,",
    )
    monkeypatch.setattr(generator, "CELLS", cells)
    found = [
        s for s in generator.statements(FACTS) if s.row == "A P08" and "formerName" in s.triple[1]
    ]
    assert [(s.source, s.words.startswith("2004 as")) for s in found] == [
        ("s29", True),
        ("s3", True),
    ]


def sourced(graph: Graph, subject: URIRef, prop: URIRef) -> set[tuple[str, str, str]]:
    """(row, source, words) of each statement of `subject prop …`."""
    source = URIRef("http://purl.org/dc/terms/source")
    return {
        (
            str(graph.value(record, VIRT.factSheetRow)),
            str(graph.value(record, source)).rsplit("/", 1)[-1],
            str(graph.value(record, VIRT.sourceText)),
        )
        for record in graph.subjects(RDF.subject, subject)
        if graph.value(record, RDF.predicate) == prop
    }


def test_a_row_that_sets_two_sources_against_each_other_backs_a_value_by_one() -> None:
    """Section 1's C10 cites S3 ("2005") against S39 (VT-x on 2005-11-13): the day is S39's."""
    found = sourced(statements(), VR["intel-vt-x"], VIRT.firstRelease)
    assert {(row, source) for row, source, _ in found} == {("1 C10", "source-s39")}


def test_a_concept_row_keeps_its_words_whole() -> None:
    """C9 quotes `egrep '(vmx|svm)'` with an unescaped `|`: the words are the whole cell."""
    found = sourced(statements(), VR["amd-v"], VIRT.cpuinfoFlag)
    assert {source for _, source, _ in found} == {"source-s22", "source-s18b"}
    assert all("egrep '(vmx|svm)' /proc/cpuinfo" in words for _, _, words in found)


# Facts of an entity citing several sources that no row or passage names; ontology/README.md
# says why each is left to its entity's sources.
UNTRACED = {
    ("vm-370", "developer"),
    ("vm-370", "successorOf"),
    ("power-hypervisor", "developer"),
    ("power-hypervisor-mode", "developer"),
    ("ibm-z-sie", "developer"),
    ("virtuozzo-product", "developer"),
    ("classification-by-hypervisor-layer", "classificationProperty"),
    ("classification-by-implementation-structure", "classificationProperty"),
}


def test_a_fact_of_an_entity_with_several_sources_says_which() -> None:
    """Where an entity cites one source, that source backs each of its facts; where it cites
    several, each fact of the curated modules has its own statement (but the few above)."""
    curated = Graph()
    for module in ("products", "organisations", "cpu", "axes", "core"):
        curated.parse(PROJECT_ROOT / "ontology" / f"{module}.ttl")
    graph = statements()
    traced = {
        tuple(graph.value(record, p) for p in (RDF.subject, RDF.predicate, RDF.object))
        for record in graph.subjects(RDF.type, VIRT.SourcedStatement)
    }
    source = URIRef("http://purl.org/dc/terms/source")
    unsourced = {
        (str(s).rsplit("/", 1)[-1], str(p).rsplit("/", 1)[-1])
        for s, p, o in curated
        if str(p).startswith(str(VIRT))
        and not (isinstance(o, Literal) and o.language)
        and len(set(curated.objects(s, source))) > 1
        and (s, p, o) not in traced
    }
    assert unsourced == UNTRACED


def test_a_fact_a_timeline_event_states_cites_the_events_source_and_words() -> None:
    found = sourced(statements(), VR["cp-67"], VIRT.successorOf)
    assert found == {
        (
            "None",
            "source-s60",
            "IBM begins work on CP-67, a re-implementation of CP-40 for the S/360-67.",
        )
    }
