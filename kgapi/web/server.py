"""`kgapi serve`: the app under gunicorn, prefork, with the graph built once before forking.

Processes, not threads: rdflib's SPARQL parser is not thread-safe (RDFLib/rdflib#1282), and a
SPARQL query runs in the worker itself under the executor's watchdog, which ends the worker when
the query outlasts the time limit (gunicorn then starts another) — so each worker is a
single-threaded sync worker serving one request at a time. Each worker inherits the loaded graph
and store copy-on-write from the master (`preload_app`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from kgapi.settings import Settings


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """gunicorn with its options given in code rather than read from a config file."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    """gunicorn's options for `settings`; the worker timeout outlasts the query time limit."""
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": max(1, settings.workers),
        "worker_class": "sync",
        "preload_app": True,
        # A sync worker is silent while it evaluates a query; its watchdog, not gunicorn,
        # ends it at the time limit.
        "timeout": int(max(30, settings.query_timeout * 2 + 10)),
        "graceful_timeout": 10,
        "keepalive": 2,
        "limit_request_line": 8190,
        "child_exit": _forget_worker_metrics,
        "proc_name": "kgapi",
        "control_socket_disable": True,  # gunicorn's admin socket under $HOME is not needed
    }


def serve(settings: Settings) -> None:
    """Build the app once, then serve it until interrupted."""
    metrics_dir = tempfile.mkdtemp(prefix="kgapi-metrics-")
    # Must be set before prometheus_client is first imported (by kgapi.web) to aggregate workers.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    master = os.getpid()
    try:
        from kgapi.web import create_app

        GunicornServer(create_app(settings), gunicorn_options(settings)).run()
    finally:
        # gunicorn forks the workers inside run(), so a worker leaving by SystemExit (signalled,
        # timed out) comes through here too: only the process that made the directory removes it.
        if os.getpid() == master:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _forget_worker_metrics(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
