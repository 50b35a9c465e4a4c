"""Issue 2: loading the ontology directory into a Dataset, one named graph per file, versioned."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from kgapi.graph.loading import LoadedOntology, OntologyLoadError, file_graph_iri, load_ontology
from kgapi.graph.namespaces import VR
from kgapi.settings import CANONICAL_BASE_IRI, Settings

QUALITY = Path(__file__).parent / "data" / "quality"
EXPECTED_FILES = {
    "core", "axes", "cpu", "products", "organisations", "platforms", "sources", "contested",
    "alignments", "capabilities", "catalogue", "wikipedia", "environments", "detection",
    "fact-sheet",
}  # fmt: skip


def test_one_named_graph_per_ontology_file(ontology: LoadedOntology) -> None:
    stems = {path.stem for path in ontology.files.values()}
    assert stems == EXPECTED_FILES
    for graph_iri, path in ontology.files.items():
        assert graph_iri == file_graph_iri(CANONICAL_BASE_IRI, path.stem)
        assert len(ontology.graphs[graph_iri]) > 0, path


def test_shapes_are_not_served_as_data(ontology: LoadedOntology) -> None:
    shacl = URIRef("http://www.w3.org/ns/shacl#NodeShape")
    assert not list(ontology.asserted_graph().subjects(None, shacl))


def test_version_is_stable_and_follows_content(settings: Settings, tmp_path: Path) -> None:
    first = load_ontology(settings.ontology_dir).version
    assert load_ontology(settings.ontology_dir).version == first
    copy = tmp_path / "ontology"
    shutil.copytree(settings.ontology_dir, copy, ignore=shutil.ignore_patterns("shapes"))
    assert load_ontology(copy).version == first
    with (copy / "core.ttl").open("a", encoding="utf-8") as handle:
        handle.write('\n<urn:x:a> <urn:x:b> "changed" .\n')
    assert load_ontology(copy).version != first


def test_rebasing_moves_every_iri_to_the_configured_base(settings: Settings) -> None:
    rebased = load_ontology(settings.ontology_dir, base_iri="http://localhost:8080/")
    graph = rebased.asserted_graph()
    kvm = URIRef("http://localhost:8080/resource/kvm")
    assert (kvm, SKOS.prefLabel, Literal("KVM", lang="en")) in graph
    assert not list(graph.triples((VR.kvm, None, None)))
    assert not any(CANONICAL_BASE_IRI in str(term) for triple in graph for term in triple)


def test_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    shutil.copy(QUALITY / "syntax-error.ttl", tmp_path / "broken.ttl")
    with pytest.raises(OntologyLoadError) as raised:
        load_ontology(tmp_path)
    assert raised.value.path.name == "broken.ttl"
    assert raised.value.line == 5
    assert "syntax error" in str(raised.value)


def test_missing_or_empty_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(OntologyLoadError, match="does not exist"):
        load_ontology(tmp_path / "absent")
    with pytest.raises(OntologyLoadError, match=r"no \.ttl files"):
        load_ontology(tmp_path)


def test_non_utf8_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "latin1.ttl").write_bytes('<urn:a> <urn:b> "caf\xe9" .'.encode("latin-1"))
    with pytest.raises(OntologyLoadError, match="not UTF-8"):
        load_ontology(tmp_path)
