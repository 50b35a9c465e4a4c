"""`kgapi token …`, `history`, `revert`, `backup`, `restore`, `user-graphs`: the operator's side
of curated updates.

They read and write the data directory directly (no server needed, and safe while one runs:
tokens are written under a lock and atomically, the log only read).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kgapi.cli.registry import SubParsers, command, integer
from kgapi.settings import Settings

if TYPE_CHECKING:
    from kgapi.curation.transaction import Curator, MakeChange


def add_parsers(sub: SubParsers) -> None:
    token = sub.add_parser("token", help="create, list and revoke the bearer tokens writes need")
    token.add_argument("--data-dir", type=Path, help="the data directory (setting data_dir)")
    token.add_argument("--database-url", help="the PostgreSQL log (setting database_url)")
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
    history.add_argument("--database-url", help="the PostgreSQL log (setting database_url)")
    history.add_argument(
        "--limit", type=integer, default=20, help="most versions shown (default 20)"
    )

    revert = sub.add_parser("revert", help="revert a version (the revert is a new version)")
    revert.add_argument("--data-dir", type=Path, help="the data directory (setting data_dir)")
    revert.add_argument("--database-url", help="the PostgreSQL log (setting database_url)")
    revert.add_argument("version", type=integer, help="the number of the version to revert")
    revert.add_argument("--message", default="", help="why (kept in the history)")

    backup = sub.add_parser("backup", help="copy the change log and tokens to a tar.gz, serving")
    backup.add_argument("--data-dir", type=Path, help="the data directory (setting data_dir)")
    backup.add_argument("file", type=Path, help="the archive to write")

    restore = sub.add_parser(
        "restore",
        help="restore a backup: into an empty data directory whole, history and all; "
        "else as a new version that makes the user graphs what they were",
    )
    restore.add_argument("--data-dir", type=Path, help="the data directory (setting data_dir)")
    restore.add_argument("file", type=Path, help="the archive `kgapi backup` wrote")

    snapshot = sub.add_parser(
        "snapshot",
        help="store the user graphs as of the latest version: starts replay only what follows",
    )
    snapshot.add_argument("--data-dir", type=Path, help="the data directory (setting data_dir)")
    snapshot.add_argument("--database-url", help="the PostgreSQL log (setting database_url)")

    archive = sub.add_parser(
        "archive",
        help="move the database log's versions before its newest snapshot to a file change log",
    )
    archive.add_argument("--database-url", help="the PostgreSQL log (setting database_url)")
    archive.add_argument(
        "directory", type=Path, help="the archive: a change log directory, appended to"
    )

    graphs = sub.add_parser(
        "user-graphs", help="print the user graphs as TriG (or one as Turtle), to propose upstream"
    )
    graphs.add_argument("--data-dir", type=Path, help="the data directory (setting data_dir)")
    graphs.add_argument("--database-url", help="the PostgreSQL log (setting database_url)")
    graphs.add_argument("--graph", dest="user_graph", metavar="IRI", help="only this graph")


@command("token")
def token(args: argparse.Namespace, settings: Settings) -> int:
    from kgapi.curation.stores import token_store_for
    from kgapi.curation.tokens import TokenError

    store = token_store_for(settings)
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
    from kgapi.curation.stores import change_log_for

    versions, _ = change_log_for(settings).read_from(0)
    for version in list(reversed(versions))[: max(0, args.limit)]:
        change = version.change
        message = f"\t{version.message}" if version.message else ""
        print(
            f"{version.id}\t{version.time}\t{version.author}\t"
            f"+{len(change.added)} -{len(change.removed)}{message}"
        )
    return 0


@command("snapshot")
def take_snapshot(args: argparse.Namespace, settings: Settings) -> int:
    from kgapi.curation.changelog import Snapshot, latest_user_quads
    from kgapi.curation.stores import change_log_for

    log = change_log_for(settings)
    number, position, found = latest_user_quads(log)
    if number == 0:
        print("kgapi: the change log has no version yet", file=sys.stderr)
        return 1
    quads = sorted(found, key=str)
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    log.save_snapshot(Snapshot(number, position, data))
    print(f"snapshot of version {number}: {len(quads)} quads", file=sys.stderr)
    return 0


@command("archive")
def archive_versions(args: argparse.Namespace, settings: Settings) -> int:
    from kgapi.curation.changelog import ChangeLogError
    from kgapi.curation.history import archive
    from kgapi.curation.postgres import PostgresChangeLog

    if not settings.database_url:
        print(
            "kgapi: archive moves old rows of a change log in PostgreSQL (database_url); a "
            "file log is kept whole (`kgapi snapshot` bounds the replay, `kgapi backup` copies)",
            file=sys.stderr,
        )
        return 2
    try:
        moved = archive(PostgresChangeLog(settings.database_url), args.directory)
    except ChangeLogError as error:
        print(f"kgapi: {error}", file=sys.stderr)
        return 1
    print(f"archived {moved} version(s) to {args.directory}", file=sys.stderr)
    return 0


@command("revert")
def revert_version(args: argparse.Namespace, settings: Settings) -> int:
    from kgapi.curation.history import find, revert

    curator = _curator(settings)
    version = find(curator.live.log.read_from(0)[0], args.version)
    return _written(
        curator,
        revert(version),
        message=args.message or f"revert of version {version.id}",
        reverts=version.id,
    )


@command("backup")
def backup_data(args: argparse.Namespace, settings: Settings) -> int:
    from kgapi.curation.changelog import ChangeLog
    from kgapi.curation.history import backup
    from kgapi.curation.tokens import TOKENS_NAME

    if settings.database_url:
        print(_DATABASE_BACKUP, file=sys.stderr)
        return 2
    number = backup(ChangeLog(settings.data_dir), settings.data_dir / TOKENS_NAME, args.file)
    print(f"backed up version {number} to {args.file}", file=sys.stderr)
    return 0


@command("restore")
def restore_data(args: argparse.Namespace, settings: Settings) -> int:
    from kgapi.curation.changelog import ChangeLog, ChangeLogError, user_quads_at
    from kgapi.curation.history import become, install_backup, read_backup
    from kgapi.curation.tokens import TOKENS_NAME

    if settings.database_url:
        print(_DATABASE_BACKUP, file=sys.stderr)
        return 2
    try:
        versions, data, tokens = read_backup(args.file)
    except ChangeLogError as error:
        print(f"kgapi: {error}", file=sys.stderr)
        return 2
    last = versions[-1].id if versions else 0
    if install_backup(ChangeLog(settings.data_dir), settings.data_dir / TOKENS_NAME, data, tokens):
        print(f"restored the log whole: {len(versions)} version(s)", file=sys.stderr)
        return 0
    return _written(
        _curator(settings),
        become(user_quads_at(versions)),
        message=f"restore of {args.file.name} (its version {last})",
    )


_DATABASE_BACKUP = (
    "kgapi: with database_url set the change log and tokens are PostgreSQL's tables "
    "kgapi_versions and kgapi_tokens: back them up with PostgreSQL's tools (pg_dump -t 'kgapi_*')"
)


def _curator(settings: Settings) -> Curator:
    """The graph at the log's latest version, in this process, and a curator to write to it."""
    from kgapi.curation.live import LiveGraph
    from kgapi.curation.stores import change_log_for
    from kgapi.curation.transaction import Curator
    from kgapi.graph.knowledge import build_knowledge_graph
    from kgapi.sparql.store import build_query_store

    knowledge = build_knowledge_graph(settings)
    live = LiveGraph(knowledge, build_query_store(knowledge), change_log_for(settings))
    live.catch_up()
    return Curator(live, shapes_dir=settings.shapes_dir, queries_dir=settings.queries_dir)


def _written(curator: Curator, make_change: MakeChange, **details: Any) -> int:
    """Write as the operator (author `cli`); print the summary, or the refusal and exit 1."""
    import json

    from kgapi.curation.transaction import WriteRefused

    try:
        receipt = curator.write("cli", make_change, **details)
    except WriteRefused as refused:
        print(f"kgapi: {refused.status} {refused.title}: {refused.detail}", file=sys.stderr)
        for problem in refused.problems:
            print(f"  {problem.get('focus', '')}: {problem.get('message', '')}", file=sys.stderr)
        return 1
    print(json.dumps(receipt.summary, ensure_ascii=False, indent=2))
    return 0


@command("user-graphs")
def user_graphs(args: argparse.Namespace, settings: Settings) -> int:
    from kgapi.curation.changelog import latest_user_quads
    from kgapi.curation.stores import change_log_for

    dataset = latest_user_quads(change_log_for(settings))[2]
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
