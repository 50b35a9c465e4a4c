"""`kgapi reason`, `kgapi explain` and `kgapi classify`."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph

from kgapi.cli import main

DATA = Path(__file__).parent / "data" / "reasoning"


@pytest.fixture
def options(tmp_path: Path) -> list[str]:
    return ["--ontology-dir", str(DATA), "--cache-dir", str(tmp_path / "cache")]


def test_reason_reports_counts_cache_and_consistency(
    options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*options, "reason", "--check"]) == 0
    cold = capsys.readouterr().out
    assert "cache: miss" in cold and "inferred triples:" in cold and "consistent" in cold
    assert main([*options, "reason"]) == 0
    assert "cache: hit" in capsys.readouterr().out


def test_reason_writes_the_inferred_triples(options: list[str], tmp_path: Path) -> None:
    output = tmp_path / "inferred.nt"
    assert main([*options, "reason", "--output", str(output), "--format", "nt"]) == 0
    assert len(Graph().parse(output, format="nt")) > 20
    trivia = tmp_path / "all.ttl"
    assert (
        main([*options, "reason", "--include-trivia", "--output", str(trivia), "--format", "ttl"])
        == 0
    )
    assert len(Graph().parse(trivia, format="turtle")) > len(Graph().parse(output, format="nt"))


def test_reason_check_fails_on_an_inconsistent_graph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ontology = tmp_path / "ontology"
    shutil.copytree(DATA, ontology)
    (ontology / "bad.ttl").write_text(
        "@prefix virt: <https://w3id.org/kgapi/ontology/> .\n"
        "<https://w3id.org/kgapi/resource/bad> a virt:Type1Hypervisor , virt:Type2Hypervisor .\n"
    )
    args = ["--ontology-dir", str(ontology), "--cache-dir", str(tmp_path / "c"), "reason"]
    assert main([*args, "--check"]) == 1
    assert "[cax-dw]" in capsys.readouterr().out
    assert main(args) == 0


def test_explain_prints_the_proof(options: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main([*options, "explain", "vr:xenserver", "virt:vmmStructure", "virt:HybridModelVMM"]) == 0
    )
    out = capsys.readouterr().out
    assert "prp-spo2" in out and "asserted in products.ttl" in out


def test_explain_exits_1_when_the_triple_does_not_hold(
    options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*options, "explain", "vr:kvm", "a", "virt:Type1Hypervisor"]) == 1
    assert "does not hold" in capsys.readouterr().out


def test_explain_accepts_full_iris_and_literals(options: list[str]) -> None:
    args = [
        "<https://w3id.org/kgapi/resource/xen>",
        "https://w3id.org/kgapi/ontology/note",
        '"Xen hypervisor"',
    ]
    assert main([*options, "explain", *args]) == 0


def test_explain_rejects_an_unknown_name_with_candidates(
    options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*options, "explain", "nope:xen", "a", "virt:Hypervisor"]) == 2
    err = capsys.readouterr().err
    assert "no term is named 'nope:xen'" in err
    assert "did you mean: vr:xen" in err


def test_explain_accepts_labels_in_either_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundled = ["--cache-dir", str(tmp_path / "cache")]
    assert main([*bundled, "explain", "Xen", "a", "混合模型"]) == 0
    assert "cls-hv2" in capsys.readouterr().out


def test_classify_reads_a_file_or_stdin(
    options: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    description = tmp_path / "my.json"
    description.write_text(json.dumps({"label": "MyHV", "basedOn": ["xen"]}))
    assert main([*options, "classify", str(description)]) == 0
    assert "virt:Type1Hypervisor" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO('{"label": "X", "nope": 1}'))
    assert main([*options, "classify", "-"]) == 2
    assert "unknown property" in capsys.readouterr().err


def test_verify_recomputes_with_the_reference_engine(
    options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*options, "reason", "--verify"]) == 0
    out = capsys.readouterr().out
    assert "verified against owlrl" in out
    assert "the closures are identical" in out


def test_verify_reports_a_difference_and_fails(
    options: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from rdflib import URIRef

    from kgapi.reasoning import closure

    real = closure.reference_closure

    def reference_with_one_more(asserted: Graph) -> closure.ReferenceClosure:
        reference = real(asserted)
        reference.inferred.add((URIRef("urn:x:a"), URIRef("urn:x:p"), URIRef("urn:x:b")))
        return reference

    monkeypatch.setattr(closure, "reference_closure", reference_with_one_more)
    assert main([*options, "reason", "--verify"]) == 1
    out = capsys.readouterr().out
    assert "only in owlrl: <urn:x:a> <urn:x:p> <urn:x:b>" in out
    assert "the closures differ" in out
