"""`kgapi token …`, `kgapi history`, `kgapi user-graphs`: the operator's side of curated updates.

They read and write the data directory directly (no server needed, and safe while one runs:
tokens are written under a lock and atomically, the log only read).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyoxigraph as ox

from kgapi.cli.registry import SubParsers, command
from kgapi.settings import Settings


def add_parsers(sub: SubParsers) -> None:
    token = sub.add_parser("token", help="create, list and revoke the bearer tokens writes need")
    token.add_argument("--data-dir", type=Path, help="the data directory (setting data_dir)")
    actions = token.add_subparsers(dest="token_action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a token; prints it alone on stdout")
    create.add_argument("name", help="who or what holds it (shown as the author of its writes)")
    create.add_argument("--scope", choices=("read", "write", "admin"), default="write")
    create.add_argument(
        "--graph",
        dest="token_graphs",
        action="append",
        metavar="IRI",
        help="a graph a write token may write (repeatable; default: any user graph)",
    )
    actions.add_parser("list", help="list the tokens (names, scopes, graphs; never secrets)")
    revoke = actions.add_parser("revoke", help="revoke a token by name")
    revoke.add_argument("name")

    history = sub.add_parser("history", help="list the change log's versions, newest first")
    history.add_argument("--data-dir", type=Path, help="the data directory (setting data_dir)")
    history.add_argument("--limit", type=int, default=20, help="most versions shown (default 20)")

    graphs = sub.add_parser(
        "user-graphs", help="print the user graphs as TriG (or one as Turtle), to propose upstream"
    )
    graphs.add_argument("--data-dir", type=Path, help="the data directory (setting data_dir)")
    graphs.add_argument("--graph", dest="user_graph", metavar="IRI", help="only this graph")


@command("token")
def token(args: argparse.Namespace, settings: Settings) -> int:
    from kgapi.curation.tokens import TokenError, TokenStore

    store = TokenStore(settings.data_dir)
    try:
        if args.token_action == "create":
            graphs = tuple(args.token_graphs or ())
            print(store.create(args.name, args.scope, graphs=graphs))
        elif args.token_action == "revoke":
            store.revoke(args.name)
            print(f"revoked {args.name}", file=sys.stderr)
        else:
            for found in store.all():
                names = " ".join(found.graphs) if found.graphs else "-"
                print(f"{found.name}\t{found.scope}\t{found.created}\t{names}")
    except TokenError as error:
        print(f"kgapi: {error}", file=sys.stderr)
        return 2
    return 0


@command("history")
def history(args: argparse.Namespace, settings: Settings) -> int:
    from kgapi.curation.changelog import ChangeLog

    versions, _ = ChangeLog(settings.data_dir).read_from(0)
    for version in list(reversed(versions))[: max(0, args.limit)]:
        change = version.change
        message = f"\t{version.message}" if version.message else ""
        print(
            f"{version.id}\t{version.time}\t{version.author}\t"
            f"+{len(change.added)} -{len(change.removed)}{message}"
        )
    return 0


@command("user-graphs")
def user_graphs(args: argparse.Namespace, settings: Settings) -> int:
    from kgapi.curation.changelog import ChangeLog

    versions, _ = ChangeLog(settings.data_dir).read_from(0)
    dataset: set[ox.Quad] = set()
    for version in versions:  # the user graphs are the log's changes, folded in order
        dataset -= version.change.removed
        dataset |= version.change.added
    if args.user_graph is not None:
        triples = [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in dataset
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == args.user_graph
        ]
        data = ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.TURTLE)
    else:
        data = ox.serialize(sorted(dataset, key=str), format=ox.RdfFormat.TRIG)
    sys.stdout.write((data or b"").decode("utf-8"))
    return 0
