"""The query time limit, both ways (kgapi.query_executor): the killable child, and evaluation in
the serving process under the watchdog, which answers through `on_timeout` and ends the process.
Watched runs happen in a forked process of their own: a firing watchdog kills its process."""

from __future__ import annotations

import multiprocessing
import signal
import time
from multiprocessing.connection import Connection

import pytest

from kgapi.knowledge import KnowledgeGraph
from kgapi.query_evaluation import QueryJob
from kgapi.query_executor import QueryExecutor, QueryTimeout, QueryTooDeep, nests_shallowly
from kgapi.query_store import QueryStore, build_query_store

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


def _watched(store: QueryStore, job: QueryJob, report: Connection) -> None:
    executor = QueryExecutor(store, timeout=LIMIT_SECONDS)
    answer = executor.run(job, on_timeout=lambda: report.send("answered the client"))
    report.send(answer.body)


def run_watched(store: QueryStore, job: QueryJob) -> tuple[int | None, list[object]]:
    """Run `job` under the watchdog in a forked process: its exit code and what it reported."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_watched, args=(store, job, sender))
    process.start()
    sender.close()
    process.join(timeout=60)
    if process.is_alive():
        process.kill()
        process.join()
        pytest.fail("the watched process was still running a minute later")
    reports = []
    while True:
        try:
            reports.append(receiver.recv())
        except EOFError:  # every end of the pipe is closed: nothing more can come
            return process.exitcode, reports


def test_watchdog_answers_then_ends_the_process_computing(query_store: QueryStore) -> None:
    started = time.monotonic()
    exit_code, reports = run_watched(query_store, RUNAWAY)
    assert exit_code == -signal.SIGKILL
    assert reports == ["answered the client"]
    assert time.monotonic() - started < LIMIT_SECONDS + 10


def test_watchdog_lets_a_quick_query_answer_in_process(query_store: QueryStore) -> None:
    exit_code, reports = run_watched(query_store, QUICK)
    assert exit_code == 0
    assert len(reports) == 1 and isinstance(reports[0], bytes) and b"true" in reports[0]


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
    # So a deep query given an on_timeout still runs in the child, and this process survives.
    executor = QueryExecutor(query_store, timeout=30)
    try:
        with pytest.raises(QueryTooDeep):
            executor.run(DEEP, on_timeout=lambda: None)
    finally:
        executor.stop()
