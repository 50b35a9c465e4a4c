"""Issue 2 quality gates: SHACL conforms, every violation query returns zero rows on the bundled
ontology, and each check demonstrably fails on a fixture built to break it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph

from kgapi.cli import main
from kgapi.graph.loading import LoadedOntology, load_ontology
from kgapi.graph.namespaces import VIRT, VR
from kgapi.graph.validation import ValidationReport, run_violation_query, validate_ontology
from kgapi.settings import CANONICAL_BASE_IRI, Settings

QUALITY = Path(__file__).parent / "data" / "quality"

# query stem -> (fixture that breaks it, the term the violation must name)
BROKEN_BY = {
    "missing-label-violation": ("missing-label.ttl", VIRT.HalfLabelled),
    "missing-definition-violation": ("missing-definition.ttl", VR["undefined-concept"]),
    "undefined-term-violation": ("undefined-term.ttl", VR.nobody),
    "orphan-class-violation": ("orphan-class.ttl", VIRT.Lonely),
    "missing-translation-violation": ("missing-translation.ttl", VR.kvm),
    "duplicate-label-violation": ("duplicate-label.ttl", VR["another-kvm"]),
}


def violation_queries(settings: Settings) -> list[Path]:
    return sorted(settings.queries_dir.glob("*-violation.rq"))


def test_every_violation_query_has_a_fixture_that_breaks_it(settings: Settings) -> None:
    assert {path.stem for path in violation_queries(settings)} == set(BROKEN_BY)


@pytest.mark.parametrize("stem", sorted(BROKEN_BY))
def test_violation_query_returns_no_rows_on_the_bundled_ontology(
    settings: Settings, asserted: Graph, stem: str
) -> None:
    rows = run_violation_query(
        asserted, settings.queries_dir / f"{stem}.rq", base_iri=CANONICAL_BASE_IRI
    )
    assert rows == [], "\n".join(v.to_text() for v in rows)


@pytest.mark.parametrize("stem", sorted(BROKEN_BY))
def test_violation_query_fails_on_its_broken_fixture(
    settings: Settings, asserted: Graph, stem: str
) -> None:
    fixture, culprit = BROKEN_BY[stem]
    broken = Graph()
    for triple in asserted:
        broken.add(triple)
    broken.parse(QUALITY / fixture)
    rows = run_violation_query(
        broken, settings.queries_dir / f"{stem}.rq", base_iri=CANONICAL_BASE_IRI
    )
    assert str(culprit) in {v.focus for v in rows}


@pytest.fixture(scope="module")
def bundled_report(settings: Settings, ontology: LoadedOntology) -> ValidationReport:
    """The bundled ontology's validation, computed once (it takes seconds)."""
    return validate_ontology(
        ontology, shapes_dir=settings.shapes_dir, queries_dir=settings.queries_dir
    )


@pytest.fixture(scope="module")
def broken_report(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> ValidationReport:
    """The validation of the bundled ontology plus a product that breaks the product shape."""
    directory = tmp_path_factory.mktemp("broken") / "ontology"
    shutil.copytree(settings.ontology_dir, directory, ignore=shutil.ignore_patterns("shapes"))
    shutil.copy(QUALITY / "product-without-developer.ttl", directory / "zz-broken.ttl")
    return validate_ontology(
        load_ontology(directory), shapes_dir=settings.shapes_dir, queries_dir=settings.queries_dir
    )


def test_bundled_ontology_conforms_to_its_shapes_and_queries(
    bundled_report: ValidationReport,
) -> None:
    assert bundled_report.conforms, bundled_report.to_text()
    # The check found its input: shapes, the nodes they target, and all six queries.
    assert bundled_report.shapes_checked >= 8
    assert bundled_report.focus_nodes_checked >= 100
    assert len(bundled_report.queries_checked) == 6


def test_shacl_names_the_product_that_breaks_the_product_shape(
    broken_report: ValidationReport,
) -> None:
    assert not broken_report.conforms
    culprit = str(VR["nameless-hypervisor"])
    messages = {v.message for v in broken_report.violations if v.focus == culprit}
    assert any("developer" in m for m in messages)
    assert any("licence" in m for m in messages)
    assert any("classification" in m for m in messages)
    assert {v.focus for v in broken_report.violations} == {culprit}


def test_cli_validate_prints_the_report_and_exits_by_it(
    bundled_report: ValidationReport,
    broken_report: ValidationReport,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The command's own part: it prints the report and exits 0 or 1 by it (the reports above
    are the validations the command runs, computed once for the module)."""
    from kgapi.graph import validation

    monkeypatch.setattr(validation, "validate_ontology", lambda *a, **k: bundled_report)
    assert main(["validate"]) == 0
    assert "conforms" in capsys.readouterr().out
    monkeypatch.setattr(validation, "validate_ontology", lambda *a, **k: broken_report)
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert "nameless-hypervisor" in out and "a product needs a developer" in out


def test_cli_validate_names_file_and_line_of_a_syntax_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(QUALITY / "syntax-error.ttl", tmp_path / "broken.ttl")
    assert main(["--ontology-dir", str(tmp_path), "validate"]) == 2
    err = capsys.readouterr().err
    assert "broken.ttl:5" in err
    assert "syntax error" in err


# SHACL node shape -> the node its fixture, tests/data/quality/shapes/<shape>.ttl, breaks it with
SHAPE_BROKEN_BY = {
    "ProductShape": VR["nameless-hypervisor"],
    "ComponentShape": VR["half-component"],
    "AgentShape": VR["faceless-company"],
    "ConceptShape": VR["vague-concept"],
    "CategoryShape": VR["stray-category"],
    "SchemeShape": VR["thin-scheme"],
    "ClaimShape": VR["lonely-claim"],
    "PositionShape": VR["baseless-position"],
    "CapabilityStatementShape": VR["cap-bad"],
    "SourcedStatementShape": VR["says-bad"],
    "LabelShape": VR["twice-named"],
}


def test_every_shape_has_a_fixture_that_breaks_it(settings: Settings) -> None:
    from rdflib import RDF
    from rdflib.namespace import SH

    shapes = Graph()
    for path in settings.shapes_dir.glob("*.ttl"):
        shapes.parse(path)
    node_shapes = {str(s).rsplit("/", 1)[-1] for s in shapes.subjects(RDF.type, SH.NodeShape)}
    assert node_shapes == set(SHAPE_BROKEN_BY)


@pytest.mark.parametrize("shape", sorted(SHAPE_BROKEN_BY))
def test_shape_fails_on_its_broken_fixture(settings: Settings, tmp_path: Path, shape: str) -> None:
    shutil.copy(QUALITY / "shapes" / f"{shape}.ttl", tmp_path / "fixture.ttl")
    report = validate_ontology(
        load_ontology(tmp_path), shapes_dir=settings.shapes_dir, queries_dir=settings.queries_dir
    )
    culprit = str(SHAPE_BROKEN_BY[shape])
    found = [v for v in report.violations if v.focus == culprit and v.check.startswith("shacl:")]
    assert found, report.to_text()


def test_the_sparql_constraints_select_the_focus_node_alone(settings: Settings) -> None:
    """pySHACL (0.40) writes each value a SPARQL constraint selects into its message through
    `re.sub`, reading the value as a replacement template: a selected literal holding a
    backslash (a Windows path in a label) raised re.error, and the write was a 500. So the
    bundled constraints select `$this` alone (read by the SPARQL parser, not by pattern)."""
    from rdflib.namespace import SH
    from rdflib.plugins.sparql import prepareQuery

    from kgapi.graph.validation import load_shapes

    shapes = load_shapes(settings.shapes_dir, settings.base_iri)
    declared = {
        str(shapes.value(declaration, SH.prefix)): str(shapes.value(declaration, SH.namespace))
        for declaration in shapes.objects(None, SH.declare)
    }
    selects = [str(text) for text in shapes.objects(None, SH.select)]
    assert selects
    for text in selects:
        query = prepareQuery(text.replace("$this", "?this"), initNs=declared)
        projected = query.algebra["PV"]
        assert [str(variable) for variable in projected] == ["this"], text
