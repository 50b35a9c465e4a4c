"""The knowledge graph: named graphs, counts, and the on-disk closure cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import RDF, Namespace, URIRef

from kgapi.graph.knowledge import build_knowledge_graph, cache_key
from kgapi.reasoning import closure
from kgapi.settings import Settings

DATA = Path(__file__).parent / "data" / "reasoning"
VIRT = Namespace("https://w3id.org/kgapi/ontology/")
VR = Namespace("https://w3id.org/kgapi/resource/")
BASE = "https://w3id.org/kgapi/"


@pytest.fixture
def small_settings(tmp_path: Path) -> Settings:
    """Settings over a private copy of the small reasoning fixture."""
    ontology = tmp_path / "ontology"
    shutil.copytree(DATA, ontology)
    return Settings(ontology_dir=ontology, cache_dir=tmp_path / "cache")


def refuse_to_reason(*args: object, **kwargs: object) -> closure.Closure:
    raise AssertionError("a warm start must not reason")


def test_cold_start_reasons_and_writes_the_cache(small_settings: Settings) -> None:
    kg = build_knowledge_graph(small_settings)
    assert not kg.cache_hit
    assert kg.inferred_count > 20 and kg.asserted_count > 100
    assert kg.closure_seconds > 0
    assert list(small_settings.cache_dir.glob("closure-*.nt"))


def test_warm_start_skips_reasoning(
    small_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = build_knowledge_graph(small_settings)
    monkeypatch.setattr(closure, "compute_closure", refuse_to_reason)
    monkeypatch.setattr(closure, "materialize", refuse_to_reason)
    monkeypatch.setattr(closure, "derive", refuse_to_reason)
    warm = build_knowledge_graph(small_settings)
    assert warm.cache_hit
    assert set(warm.inferred) == set(cold.inferred)
    assert warm.consistency == cold.consistency
    assert warm.closure_seconds == pytest.approx(cold.closure_seconds)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[:-40], id="truncated"),
        pytest.param(lambda b: b.replace(b"xenserver", b"xenservex", 1), id="edited-body"),
        pytest.param(lambda b: b"garbage\n" + b, id="no-header"),
        pytest.param(lambda b: b"", id="empty"),
        pytest.param(lambda b: b.replace(b'"key": "', b'"key": "0', 1), id="stale-key"),
    ],
)
def test_corrupt_or_stale_cache_is_rebuilt_not_served(
    small_settings: Settings, damage: object
) -> None:
    build_knowledge_graph(small_settings)
    (path,) = small_settings.cache_dir.glob("closure-*.nt")
    assert callable(damage)
    path.write_bytes(damage(path.read_bytes()))
    kg = build_knowledge_graph(small_settings)
    assert not kg.cache_hit
    assert (VR.xenserver, RDF.type, VIRT.Type1Hypervisor) in kg.inferred
    assert build_knowledge_graph(small_settings).cache_hit  # and the rebuilt file is good again


def test_changed_ontology_gets_a_new_cache_key(small_settings: Settings) -> None:
    first = build_knowledge_graph(small_settings)
    products = small_settings.ontology_dir / "products.ttl"
    products.write_text(products.read_text() + "\nvr:new-thing virt:basedOn vr:xen .\n")
    second = build_knowledge_graph(small_settings)
    assert not second.cache_hit
    assert cache_key(first.ontology) != cache_key(second.ontology)
    assert (VR["new-thing"], VIRT.vmmStructure, VIRT.HybridModelVMM) in second.inferred


def test_unwritable_cache_dir_still_serves(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    kg = build_knowledge_graph(Settings(ontology_dir=DATA, cache_dir=blocker / "cache"))
    assert kg.inferred_count > 20


def test_dataset_has_file_asserted_and_inferred_graphs(small_settings: Settings) -> None:
    kg = build_knowledge_graph(small_settings)
    graphs = {g.identifier for g in kg.dataset.graphs()}
    expected = {
        URIRef(f"{BASE}graph/{name}") for name in ("core", "products", "asserted", "inferred")
    }
    assert expected <= graphs
    assert len(kg.dataset.graph(kg.asserted_graph_iri)) == kg.asserted_count
    assert len(kg.dataset.graph(kg.inferred_graph_iri)) == kg.inferred_count


# rdflib 7.6 itself reads its deprecated Dataset.default_context on every union query.
@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
def test_default_graph_is_asserted_plus_inferred(small_settings: Settings) -> None:
    kg = build_knowledge_graph(small_settings)
    rows = kg.dataset.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    (count,) = next(iter(rows))  # type: ignore[misc]
    assert int(count) == kg.asserted_count + kg.inferred_count
    inferred_only = (VR.xenserver, VIRT.vmmStructure, VIRT.HybridModelVMM)
    assert kg.dataset.query(
        "ASK { ?s ?p ?o }", initBindings=dict(zip("spo", inferred_only, strict=True))
    ).askAnswer


def test_version_is_the_ontology_version(small_settings: Settings) -> None:
    kg = build_knowledge_graph(small_settings)
    assert kg.version == kg.ontology.version and len(kg.version) == 16


def test_a_cold_build_seeds_the_explainer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    kg = build_knowledge_graph(Settings(ontology_dir=DATA, cache_dir=tmp_path))
    monkeypatch.setattr("kgapi.graph.knowledge.derive", refuse_to_reason)
    assert kg.derivations().first  # reused from the build, not derived again
