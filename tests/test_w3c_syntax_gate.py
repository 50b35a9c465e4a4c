"""The SERVICE gate against the W3C SPARQL 1.1 syntax suites: no positive syntax test refused,
every query that really contains SERVICE caught.

Whether a query contains SERVICE is decided by a second, independent reader: rdflib's SPARQL
parser (a real grammar), walked for a ServiceGraphPattern. The gate itself is kgapi's lexer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.plugins.sparql.parser import parseQuery
from w3c import w3c_suite

from kgapi.sparql.text import read_query_text

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SYNTAX = w3c_suite("syntax")
pytestmark = pytest.mark.skipif(
    SYNTAX is None, reason="W3C syntax tests not found in $KGAPI_W3C_TESTS/syntax or ../shared"
)


def _tests(suite: str, kind: URIRef) -> list[Path]:
    if SYNTAX is None:
        return []
    manifest_path = SYNTAX / suite / "manifest.ttl"
    manifest = Graph().parse(manifest_path, publicID=manifest_path.parent.as_uri() + "/")
    found = []
    for entries in manifest.objects(None, MF.entries):
        for entry in Collection(manifest, entries):
            if (entry, RDF.type, kind) in manifest:
                action = str(manifest.value(entry, MF.action))
                found.append(Path(action.removeprefix("file://")))
    return sorted(found)


def _all_queries() -> list[Path]:
    if SYNTAX is None:
        return []
    return sorted(path for path in SYNTAX.rglob("*.rq"))


def _has_service(node: Any) -> bool:
    if getattr(node, "name", None) == "ServiceGraphPattern":
        return True
    children = node.values() if isinstance(node, dict) else node
    if isinstance(node, str) or not hasattr(children, "__iter__"):
        return False
    return any(_has_service(child) for child in children)


POSITIVE = _tests("syntax-query", MF.PositiveSyntaxTest11)
FEDERATED = _tests("syntax-fed", MF.PositiveSyntaxTest11)


def test_the_suites_were_found() -> None:
    assert len(POSITIVE) > 50
    assert len(FEDERATED) == 3
    assert len([path for path in _all_queries() if path.parent.name == "service"]) >= 7


@pytest.mark.parametrize("path", POSITIVE, ids=lambda path: path.name)
def test_positive_syntax_test_is_not_refused(path: Path) -> None:
    assert not read_query_text(path.read_text(encoding="utf-8")).uses_service


@pytest.mark.parametrize("path", FEDERATED, ids=lambda path: path.name)
def test_federated_syntax_test_is_refused(path: Path) -> None:
    assert read_query_text(path.read_text(encoding="utf-8")).uses_service


def _read_by_rdflib() -> list[tuple[Path, bool]]:
    """(query, whether rdflib's parser finds a SERVICE in it) for every query rdflib parses."""
    read = []
    for path in _all_queries():
        try:
            parsed = parseQuery(path.read_text(encoding="utf-8"))
        except Exception:  # a negative syntax test, which no engine runs
            continue
        read.append((path, _has_service(parsed)))
    return read


READ_BY_RDFLIB = _read_by_rdflib()


def test_both_kinds_were_read() -> None:
    assert sum(service for _, service in READ_BY_RDFLIB) >= 8
    assert sum(not service for _, service in READ_BY_RDFLIB) >= 70


@pytest.mark.parametrize(
    ("path", "has_service"), READ_BY_RDFLIB, ids=lambda value: getattr(value, "name", "")
)
def test_gate_agrees_with_a_real_parser(path: Path, has_service: bool) -> None:
    assert read_query_text(path.read_text(encoding="utf-8")).uses_service == has_service
