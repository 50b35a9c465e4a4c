"""What the change log's history serves beyond the latest version: the change that reverts a
version, the change that restores the user graphs of a backup, and backups of the data
directory. (The user graphs as of any version are kgapi.curation.changelog.user_quads_at: the
bundled graph never changes, so the graph as of a version is the bundled graph plus what the
log's changes, folded in order up to that version, hold.)
"""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kgapi.curation.changelog import LOG_NAME, ChangeLog, ChangeLogError, Version, read_versions
from kgapi.curation.live import LiveGraph
from kgapi.curation.patch import Change
from kgapi.curation.tokens import TOKENS_NAME
from kgapi.curation.transaction import MakeChange, WriteRefused

if TYPE_CHECKING:
    from kgapi.curation.postgres import PostgresChangeLog


def revert(version: Version) -> MakeChange:
    """The change that undoes `version` on the graph as it is now: what it added is removed and
    what it removed is put back, where later versions have not already done so."""
    return lambda live: version.change.inverse()


def become(quads: set[ox.Quad]) -> MakeChange:
    """The change that makes the user graphs hold exactly `quads` (a restore)."""

    def change(live: LiveGraph) -> Change:
        current = {quad for graph in live.user_graph_names for quad in live.graph_quads(graph)}
        return Change.of(quads - current, current - quads)

    return change


def find(versions: list[Version], number: int) -> Version:
    found = next((version for version in versions if version.id == number), None)
    if found is None:
        oldest = versions[0] if versions else None
        if oldest is not None and 0 < number <= oldest.parent:
            detail = (
                f"version {number} is archived: the log keeps the versions from {oldest.id} "
                "on, the older ones are in the archive `kgapi archive` wrote"
            )
        else:
            detail = f"there is no version {number}"
        raise WriteRefused(404, detail)
    return found


def backup(log: ChangeLog, tokens: Path, target: Path) -> int:
    """Write the log (its whole versions) and the tokens to the tar.gz `target`, under the
    writers' lock so that the copy is one version of the log; returns that version's number."""
    with log.exclusive():
        versions, end = log.read_from(0)
        data = log.path.read_bytes()[:end] if end else b""
        token_data = tokens.read_bytes() if tokens.is_file() else None
    target.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(target, "w:gz") as archive:
        _add(archive, LOG_NAME, data)
        if token_data is not None:
            _add(archive, TOKENS_NAME, token_data)
    return versions[-1].id if versions else 0


def read_backup(source: Path) -> tuple[list[Version], bytes, bytes | None]:
    """The versions, the log's bytes and the tokens' bytes (None if absent) of a backup."""
    try:
        with tarfile.open(source, "r:gz") as archive:
            data = _member(archive, LOG_NAME)
            tokens = _member(archive, TOKENS_NAME) if TOKENS_NAME in archive.getnames() else None
    except (OSError, tarfile.TarError, KeyError) as error:
        raise ChangeLogError(f"{source}: not a kgapi backup ({error})") from error
    versions, length = read_versions(data, where=str(source))
    return versions, data[:length], tokens


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.extractfile(name)
    if member is None:
        raise KeyError(name)
    return member.read()


def install_backup(log: ChangeLog, tokens: Path, data: bytes, token_data: bytes | None) -> bool:
    """Make a backup's log the log, if the log has no version yet (a new or lost data
    directory): its history comes back whole. Returns False, changing nothing, otherwise — then
    restore the backup's user graphs as a new version (`become`). Tokens are put back only where
    there are none."""
    with log.exclusive():
        if log.size() > 0:
            return False
        _replace(log.path, data)
        if token_data is not None and not tokens.exists():
            _replace(tokens, token_data)
    return True


def _replace(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all: a temporary file, fsync, rename, fsync of the folder."""
    temporary = path.with_name(f".{path.name}.restoring")
    with temporary.open("wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def archive(log: PostgresChangeLog, directory: Path) -> int:
    """Move the versions of `log` before its newest snapshot to the file change log in
    `directory` (appended after what it holds, each version once however often this runs);
    how many were moved. The archive is a change log like any data directory's: `kgapi
    history --data-dir` lists it, `kgapi backup` packs it."""
    target = ChangeLog(directory)

    def keep(versions: list[Version]) -> None:
        with target.exclusive():
            held, end = target.read_from(0)
            last = held[-1].id if held else 0
            for version in versions:
                if version.id <= last:
                    continue  # archived by an earlier run whose transaction did not end
                if version.parent != last:
                    raise ChangeLogError(
                        f"{target.path} ends at version {last}; the database's next is "
                        f"{version.id}: archive into the directory that holds the versions before"
                    )
                end = target.append(version, after=end)
                last = version.id

    return log.archive(keep)
