"""The `reasoner` setting on the bundled ontology: owlrl and kgapi's rules engine serve one closure.

The session `knowledge` fixture is built with owlrl (the default); these tests pay only for the
rules engine (a fraction of a second) on top.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kgapi import reasoning
from kgapi.cli import main
from kgapi.consistency import check_consistency
from kgapi.knowledge import KnowledgeGraph, build_knowledge_graph
from kgapi.settings import Settings

DATA = Path(__file__).parent / "data" / "reasoning"


def refuse_to_reason(*args: object, **kwargs: object) -> reasoning.Closure:
    raise AssertionError("a warm start must not reason")


def test_both_engines_serve_the_identical_closure_of_the_bundled_ontology(
    knowledge: KnowledgeGraph,
) -> None:
    # The served engine (rules, the default) against the reference (owlrl): the tests' oracle.
    assert knowledge.reasoner == "rules" and knowledge.inferred_count > 1000
    closure = reasoning.compute_closure(knowledge.asserted, engine="owlrl")
    assert set(closure.inferred) == set(knowledge.inferred)
    assert closure.reasoner_messages == ()  # owlrl found no error either
    report = check_consistency(closure.complete, names=knowledge.asserted)
    assert report == knowledge.consistency


def test_rules_reasoner_builds_the_bundled_graph_and_warm_start_skips_reasoning(
    knowledge: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    rules = Settings.from_sources(
        environ={"KGAPI_REASONER": "rules"}, overrides={"cache_dir": tmp_path}
    )
    cold = build_knowledge_graph(rules)
    assert not cold.cache_hit and cold.reasoner == "rules"
    assert cold.version == knowledge.version  # speed is measured in bench/, not asserted here
    assert set(cold.inferred) == set(knowledge.inferred)
    monkeypatch.setattr(reasoning, "compute_closure", refuse_to_reason)
    monkeypatch.setattr(reasoning, "derive", refuse_to_reason)
    warm = build_knowledge_graph(rules)
    assert warm.cache_hit and warm.reasoner == "rules"
    assert set(warm.inferred) == set(knowledge.inferred)
    assert warm.consistency == knowledge.consistency


def test_cli_reasoner_flag_picks_the_engine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = ["--ontology-dir", str(DATA), "--cache-dir", str(tmp_path), "--reasoner", "rules"]
    assert main([*options, "reason", "--check"]) == 0
    assert "(rules)" in capsys.readouterr().out
    assert main([*options, "settings"]) == 0
    assert "reasoner = rules" in capsys.readouterr().out


def test_cli_rejects_an_unknown_reasoner_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KGAPI_REASONER", "pellet")
    assert main(["settings"]) == 2
    assert "reasoner must be one of owlrl, rules" in capsys.readouterr().err
