"""Where queries run (kgapi.sparql.executor): a killable child under the time limit, or this
process when something outside stops it (`kgapi serve`'s app processes) — deep queries always in
the child, so a stack overflow costs a child, not the caller."""

from __future__ import annotations

import time

import pytest

from kgapi.graph.knowledge import KnowledgeGraph
from kgapi.sparql.evaluation import QueryJob
from kgapi.sparql.executor import QueryExecutor, QueryTimeout, QueryTooDeep, nests_shallowly
from kgapi.sparql.store import QueryStore, build_query_store

JSON = "application/sparql-results+json"
RUNAWAY = QueryJob(
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", JSON, "text/turtle", 10
)
QUICK = QueryJob("ASK { ?s ?p ?o }", JSON, "text/turtle", 10)
# 3,000 nested STR( calls: well past the depth that overflows an 8 MiB stack (about 1,000).
DEEP = QueryJob(
    "SELECT * WHERE { BIND(" + "STR(" * 3000 + "1" + ")" * 3000 + " AS ?x) }",
    JSON,
    "text/turtle",
    10,
)
LIMIT_SECONDS = 0.5


@pytest.fixture(scope="module")
def query_store(knowledge: KnowledgeGraph) -> QueryStore:
    return build_query_store(knowledge)


def test_child_is_killed_at_the_limit_and_replaced(query_store: QueryStore) -> None:
    executor = QueryExecutor(query_store, timeout=LIMIT_SECONDS)
    try:
        started = time.monotonic()
        with pytest.raises(QueryTimeout):
            executor.run(RUNAWAY)
        assert time.monotonic() - started < LIMIT_SECONDS + 5
        assert b"true" in executor.run(QUICK).body  # a fresh child answers the next query
    finally:
        executor.stop()


def test_stopped_from_outside_runs_shallow_queries_here(query_store: QueryStore) -> None:
    executor = QueryExecutor(query_store, timeout=LIMIT_SECONDS, stopped_from_outside=True)
    try:
        assert b"true" in executor.run(QUICK).body
        assert executor._process is None  # no child was needed
        with pytest.raises(QueryTooDeep):  # a deep one still goes to a child, which dies of it
            executor.run(DEEP)
    finally:
        executor.stop()


def test_child_overflowing_its_stack_is_a_too_deep_query(query_store: QueryStore) -> None:
    executor = QueryExecutor(query_store, timeout=30)
    try:
        with pytest.raises(QueryTooDeep):
            executor.run(DEEP)
        assert b"true" in executor.run(QUICK).body
    finally:
        executor.stop()


def test_only_shallow_queries_run_in_the_worker(query_store: QueryStore) -> None:
    assert nests_shallowly(RUNAWAY.text) and nests_shallowly(QUICK.text)
    assert not nests_shallowly(DEEP.text)
    assert not nests_shallowly("SELECT * WHERE { BIND(" + "1-" * 3000 + "1 AS ?x) }")  # long
    assert not nests_shallowly("ASK {" + "(" * 300 + ")" * 300 + "}")  # short but nested
    # So a deep query runs in the child even with no limit, and this process survives.
    executor = QueryExecutor(query_store, timeout=0)
    try:
        with pytest.raises(QueryTooDeep):
            executor.run(DEEP)
    finally:
        executor.stop()
