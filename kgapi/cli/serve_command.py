"""`kgapi serve`: the HTTP service, its settings as flags."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kgapi.cli.registry import SubParsers, command, decimal, integer
from kgapi.settings import Settings

if TYPE_CHECKING:
    pass


def add_parsers(sub: SubParsers) -> None:
    serve = sub.add_parser(
        "serve",
        help="serve the reasoned graph over HTTP (Granian in front, app processes behind)",
    )
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=integer, help="port to listen on (default 8080)")
    serve.add_argument("--workers", type=integer, help="app processes (default 2)")
    serve.add_argument("--io-processes", type=integer, help="HTTP I/O processes (default 1)")
    serve.add_argument(
        "--max-worker-memory-mb", type=integer, help="address space of an app process, MiB"
    )
    serve.add_argument(
        "--graph",
        dest="graphs",
        action="append",
        metavar="IRI=PATH",
        help="serve an RDF file as the named graph IRI (repeatable)",
    )

    def switch(flag: str, help: str) -> None:
        """An on/off setting: `--flag` and `--no-flag`; neither leaves the setting as it is."""
        serve.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=help)

    serve.add_argument("--query-timeout", type=decimal, help="seconds before a request is stopped")
    serve.add_argument("--max-result-rows", type=integer, help="most rows or triples in an answer")
    serve.add_argument("--max-request-bytes", type=integer, help="largest request body")
    serve.add_argument(
        "--result-cache-entries",
        type=integer,
        help="answers kept for repeated requests, per process",
    )
    serve.add_argument(
        "--result-cache-mb", type=integer, help="memory the kept answers may take, per process, MiB"
    )
    switch("--allow-service", "let SPARQL SERVICE make outbound requests (default: refused)")
    switch("--writes", "accept curated updates from token holders (default: read-only)")
    serve.add_argument("--data-dir", type=Path, help="where the change log and tokens live")
    serve.add_argument(
        "--database-url", help="PostgreSQL holding the change log and tokens (instances share it)"
    )
    switch(
        "--open-reads", "let anyone read (default); --no-open-reads asks every reader for a token"
    )
    serve.add_argument(
        "--cors-origin",
        dest="cors_origins",
        action="append",
        metavar="ORIGIN",
        help="origin allowed by CORS (repeatable; default *)",
    )


@command("serve")
def serve(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import replace

    from kgapi.sparql.store import ExtraGraphError
    from kgapi.web.server import KeeperError
    from kgapi.web.server import serve as serve_forever

    # append-actions give lists; the settings hold tuples.
    settings = replace(settings, graphs=tuple(settings.graphs))
    settings = replace(settings, cors_origins=tuple(settings.cors_origins))
    try:
        serve_forever(settings)
    except ExtraGraphError as error:
        print(f"kgapi: --graph: {error}", file=sys.stderr)
        return 2
    except KeeperError as error:
        print(f"kgapi: {error}", file=sys.stderr)
        return 1
    return 0
