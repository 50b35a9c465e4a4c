"""The change log: every accepted transaction, in order, durable before it is acknowledged.

One append-only file, `changes.log` in the data directory. Each record is a frame

    #kgapi-version <id> <length> <sha256>\n<length bytes: an RDF Patch>\n

whose patch carries the version's metadata as header rows (`H id`, `H parent`, `H time`,
`H author`, `H message`, `H reverts`). A writer holds an exclusive lock (`flock` on `changes.lock`,
so writers in every process and every thread take turns), appends the frame and `fsync`s it
before the write is acknowledged. A frame cut short by a crash (short, or its checksum wrong)
ends the log for readers and is cut off by the next writer: a transaction is in the log whole
or not at all. Processes follow the log by reading the frames past the offset they have applied
(`read_from`); `os.stat` tells them cheaply whether there is anything new.

Why a file of RDF Patches rather than an on-disk store: the served store is rebuilt from the
bundled graph at every start anyway (it is in memory), the log is what a version history needs
(each version's diff as written), and it is what a replicated log (another process, another
machine) would ship.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from kgapi.curation.patch import (
    Change,
    PatchError,
    read_patch,
    read_patch_header,
    stored_quads,
    write_patch,
)

LOG_NAME = "changes.log"
LOCK_NAME = "changes.lock"
_MAGIC = b"#kgapi-version "


class ChangeLogError(Exception):
    """The log cannot be read or written (a corrupt record before the end, a full disk)."""


@dataclass(frozen=True)
class Version:
    """One transaction of the log: its number, the one before, when, by whom, why, what."""

    id: int
    parent: int
    time: str
    author: str
    change: Change
    message: str = ""
    reverts: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    # The keys (kgapi.sparql.reads) of the triples the version added and removed, asserted and
    # inferred: answers kept by the HTTP front that read none of them outlive the version.
    # None where not known (a version written before they were kept): then it changed anything.
    changed: frozenset[str] | None = None

    def patch_text(self) -> str:
        header = {"id": str(self.id), "parent": str(self.parent), "time": self.time}
        header["author"] = self.author
        if self.message:
            header["message"] = self.message
        if self.reverts is not None:
            header["reverts"] = str(self.reverts)
        for name, count in sorted(self.counts.items()):
            header[f"count-{name}"] = str(count)
        if self.changed is not None:
            header["changed"] = "\n".join(sorted(self.changed))
        return write_patch(self.change, header)

    @classmethod
    def from_patch(cls, text: str) -> Version:
        header, change = read_patch(text)
        try:
            return cls(
                id=int(header["id"]),
                parent=int(header["parent"]),
                time=header["time"],
                author=header["author"],
                change=change,
                message=header.get("message", ""),
                reverts=int(header["reverts"]) if "reverts" in header else None,
                counts={
                    name.removeprefix("count-"): int(value)
                    for name, value in header.items()
                    if name.startswith("count-")
                },
                changed=changed_of(header),
            )
        except (KeyError, ValueError) as error:
            raise PatchError(f"version header incomplete or malformed: {error}") from error


def changed_of(header: Mapping[str, str]) -> frozenset[str] | None:
    """The `changed` keys a version's header lists (None when it lists none)."""
    value = header.get("changed")
    if value is None:
        return None
    return frozenset(key for key in value.split("\n") if key)


def version_headers(data: bytes) -> tuple[list[dict[str, str]], int]:
    """The header of each whole version framed in `data` (a log's tail), and the bytes they
    take: what a reader that needs no change (the HTTP front) reads, without the quads."""
    headers = []
    position = 0
    for payload, end in _frames(data):
        try:
            headers.append(read_patch_header(payload.decode("utf-8")))
        except (UnicodeDecodeError, PatchError) as error:
            raise ChangeLogError(f"a version header (+{position}): {error}") from error
        position = end
    return headers, position


class VersionLog(Protocol):
    """What the live graph and the curator need of a change log (this file's, or PostgreSQL's
    in kgapi.curation.postgres): positions are opaque, growing, and 0 before any version."""

    def size(self) -> int: ...

    def changed_since(self, offset: int) -> bool: ...

    def watch(self) -> int | None: ...

    def read_from(self, offset: int) -> tuple[list[Version], int]: ...

    def exclusive(self) -> contextlib.AbstractContextManager[None]: ...

    def append(self, version: Version, *, after: int) -> int: ...

    def snapshot(self) -> Snapshot | None: ...

    def save_snapshot(self, snapshot: Snapshot) -> None: ...


@dataclass(frozen=True)
class Snapshot:
    """The user graphs as of a version (N-Quads), and the log's position just after it: a
    process starts from the newest snapshot and replays only what follows."""

    version: int
    position: int
    quads: bytes


SNAPSHOT_NAME = "snapshot.nq"
_SNAPSHOT_HEADER = "# kgapi-snapshot "


class ChangeLog:
    """The log in `directory` (created on first write)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / LOG_NAME
        self._thread_lock = threading.Lock()

    def size(self) -> int:
        """The log's length in bytes (0 before the first write): changed means new versions."""
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def changed_since(self, offset: int) -> bool:
        """Whether there may be versions past `offset` (a `stat`)."""
        return self.size() != offset

    def watch(self) -> None:
        """Nothing to wait on: a process following this log asks `changed_since` now and then
        (it is a `stat`)."""
        return None

    def read_from(self, offset: int) -> tuple[list[Version], int]:
        """The whole versions past `offset`, and the offset after the last of them."""
        try:
            with self.path.open("rb") as stream:
                stream.seek(offset)
                data = stream.read()
        except FileNotFoundError:
            return [], offset
        versions, length = read_versions(data, where=f"{self.path} at byte {offset}")
        return versions, offset + length

    def snapshot(self) -> Snapshot | None:
        """The newest snapshot (`snapshot.nq` beside the log), or None."""
        return _snapshot_file(self.directory / SNAPSHOT_NAME)

    def save_snapshot(self, snapshot: Snapshot) -> None:
        """Write `snapshot` whole (beside, then renamed) in place of the last one."""
        header = {
            "version": snapshot.version,
            "position": snapshot.position,
            "sha256": hashlib.sha256(snapshot.quads).hexdigest(),
        }
        path = self.directory / SNAPSHOT_NAME
        temporary = path.with_name(f".{SNAPSHOT_NAME}.writing")
        with temporary.open("wb") as stream:
            stream.write((_SNAPSHOT_HEADER + json.dumps(header) + "\n").encode() + snapshot.quads)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the writers' lock (across processes and threads) for a whole transaction."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._thread_lock, (self.directory / LOCK_NAME).open("a+b") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def append(self, version: Version, *, after: int) -> int:
        """Write `version` durably at offset `after` (the end of the last whole version, which
        the caller has read under `exclusive`); anything past it is a torn frame and is cut.
        Returns the new end offset."""
        payload = version.patch_text().encode("utf-8")
        digest = hashlib.sha256(payload).hexdigest()
        frame = _MAGIC + f"{version.id} {len(payload)} {digest}\n".encode() + payload + b"\n"
        created = not self.path.exists()
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o640)
        try:
            os.ftruncate(descriptor, after)
            written = os.pwrite(descriptor, frame, after)
            if written != len(frame):
                raise ChangeLogError(f"{self.path}: short write ({written} of {len(frame)} bytes)")
            os.fsync(descriptor)
        except OSError as error:
            os.ftruncate(descriptor, after)
            raise ChangeLogError(f"{self.path}: {error.strerror or error}") from error
        finally:
            os.close(descriptor)
        if created:  # the new file's name must survive a crash too
            directory = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        return after + len(frame)


def user_quads_at(
    versions: Iterable[Version], last: int | None = None, *, start: Iterable[ox.Quad] = ()
) -> set[ox.Quad]:
    """The quads of the user graphs after version `last` (None: after the latest): `start` (a
    snapshot's, or none before the first version) with `versions` folded in order."""
    quads: set[ox.Quad] = set(start)
    for version in versions:
        if last is not None and version.id > last:
            break
        quads -= version.change.removed
        quads |= version.change.added
    return quads


def snapshot_quads(snapshot: Snapshot) -> list[ox.Quad]:
    return stored_quads(snapshot.quads)


def latest_user_quads(log: VersionLog) -> tuple[int, int, set[ox.Quad]]:
    """The user graphs at the log's latest version, that version's number and the position
    after it: from the newest snapshot, if there is one, and the versions that follow it (the
    versions before it may be archived)."""
    snapshot = log.snapshot()
    number, position = (snapshot.version, snapshot.position) if snapshot else (0, 0)
    versions, end = log.read_from(position)
    if versions and versions[0].parent != number:
        raise ChangeLogError(
            f"the log goes on from version {versions[0].parent}, not {number}: "
            "the versions between are archived, and no snapshot covers them"
        )
    start = snapshot_quads(snapshot) if snapshot else ()
    return (versions[-1].id if versions else number), end, user_quads_at(versions, start=start)


class ChangedKeys:
    """What each recent version of a file log changed (its `changed` keys), read from the log's
    tail as it grows: for a reader that keeps answers across versions (the HTTP front), which
    reads only the version headers. Remembers the last `keep` versions."""

    def __init__(self, path: Path, *, keep: int = 4096) -> None:
        self.path = path
        self.keep = keep
        self.version = 0  # the newest version read
        self._offset = 0
        self._changed: dict[int, frozenset[str] | None] = {}

    def refresh(self) -> None:
        """Read the versions appended since the last call (a `stat` when there are none)."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            size = 0
        if size < self._offset:  # not this log any more (replaced): start again
            self.version, self._offset, self._changed = 0, 0, {}
        if size == self._offset:
            return
        with self.path.open("rb") as stream:
            stream.seek(self._offset)
            data = stream.read(size - self._offset)
        headers, length = version_headers(data)
        for header in headers:
            number = int(header["id"])
            self._changed[number] = changed_of(header)
            self.version = max(self.version, number)
        self._offset += length
        for number in [n for n in self._changed if n <= self.version - self.keep]:
            del self._changed[number]

    def changed_after(self, version: int) -> Iterator[frozenset[str] | None]:
        """The keys of each version after `version` up to the newest read (None for a version
        whose keys are not known: not listed, or no longer remembered)."""
        for number in range(version + 1, self.version + 1):
            yield self._changed.get(number)


def _snapshot_file(path: Path) -> Snapshot | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    first, _, body = raw.partition(b"\n")
    try:
        header = json.loads(first.decode("utf-8").removeprefix(_SNAPSHOT_HEADER))
        if header["sha256"] != hashlib.sha256(body).hexdigest():
            raise ValueError("checksum mismatch")
        return Snapshot(int(header["version"]), int(header["position"]), body)
    except (ValueError, KeyError) as error:
        raise ChangeLogError(f"{path}: not a whole snapshot ({error})") from error


def read_versions(data: bytes, *, where: str) -> tuple[list[Version], int]:
    """The whole versions framed in `data` (a log, or its tail), and the bytes they take."""
    versions = []
    position = 0
    for payload, end in _frames(data):
        try:
            versions.append(Version.from_patch(payload.decode("utf-8")))
        except (UnicodeDecodeError, PatchError) as error:
            raise ChangeLogError(f"{where} (+{position}): {error}") from error
        position = end
    return versions, position


def _frames(data: bytes) -> Iterator[tuple[bytes, int]]:
    """(payload, end offset) of each whole frame of `data`, stopping at the first torn one."""
    position = 0
    while position < len(data):
        newline = data.find(b"\n", position)
        if newline < 0 or not data.startswith(_MAGIC, position):
            return
        try:
            _id, length_text, digest = data[position + len(_MAGIC) : newline].decode().split(" ")
            length = int(length_text)
        except (UnicodeDecodeError, ValueError):
            return
        start, end = newline + 1, newline + 1 + length
        if end + 1 > len(data) or data[end : end + 1] != b"\n":
            return
        payload = data[start:end]
        if hashlib.sha256(payload).hexdigest() != digest:
            return
        position = end + 1
        yield payload, position
