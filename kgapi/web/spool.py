"""Large answers, handed to Granian as files.

Granian copies a body it is handed as bytes and holds the copy until its client has read all of
it, without a send timeout: clients that ask for a large answer and never read made the front
hold a copy each (200 of them, asking for a 12 MB export, 2.3 GiB). A body it is handed as a
file it reads 128 KiB at a time, as the socket drains, so that a client that does not read
costs that much. Past SPOOL_FROM bytes the front therefore writes a body to a file in the
server's runtime directory (once per kept answer, however many clients ask for it) and hands
Granian the file's path.

Granian opens the file as soon as it is handed it, and Linux keeps an open file's contents
after its name is removed; a file not handed out for KEEP_SECONDS, long past the open, is
removed at the next hand-out (the rest with the runtime directory, when the server stops).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import time
from pathlib import Path

SPOOL_FROM = 64 * 1024
KEEP_SECONDS = 60.0


class Spool:
    """The files of one I/O process's large answers, in a directory of its own under `base`."""

    def __init__(self, base: str) -> None:
        self.base = base
        self._directory: Path | None = None
        self._numbers = itertools.count()
        # Each file's name and when it was last handed out, the least recent first.
        self._handed: dict[str, float] = {}

    def name_of(self, key: str, etag: str, size: int) -> str:
        """The file name of a kept answer: one per URL (as kept answers are keyed) and ETag,
        so that every client asking for it is handed the same file."""
        return hashlib.blake2b(f"{key}\0{etag}\0{size}".encode(), digest_size=16).hexdigest()

    def path_of(self, name: str | None) -> str | None:
        """The path of the file named `name` if it is still there, or None."""
        if name is None or name not in self._handed:
            return None
        path = self._directory_now() / name
        if not path.exists():  # removed from outside (a cleaner of old temporary files)
            del self._handed[name]
            return None
        return str(path)

    def written(self, body: bytes, name: str | None) -> str:
        """The path of a new file holding `body`, named `name` (a fresh name for None). Blocking
        I/O: the front calls it in a thread."""
        number = next(self._numbers)
        path = self._directory_now() / (name or f"answer-{number}")
        # Written under a name of its own, so that two requests for one kept answer that both
        # find no file write two, each whole, and the second replaces the first.
        partial = path.with_name(f"{number}.partial")
        try:
            partial.write_bytes(body)
        except FileNotFoundError:  # the directory was removed from outside: made again
            partial.parent.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(body)
        partial.replace(path)
        return str(path)

    def handed(self, path: str) -> None:
        """Note that the file at `path` was handed out now, and remove those not handed out
        for KEEP_SECONDS."""
        now = time.monotonic()
        name = os.path.basename(path)
        self._handed.pop(name, None)  # to the end of the order
        self._handed[name] = now
        while self._handed:
            name, last = next(iter(self._handed.items()))
            if now - last < KEEP_SECONDS:
                break
            del self._handed[name]
            (self._directory_now() / name).unlink(missing_ok=True)

    def _directory_now(self) -> Path:
        # Made on first use, in the I/O process: Granian forks them after the front is built.
        # Named only once it exists: writers in other threads may be asking at the same time.
        if self._directory is None:
            directory = Path(self.base) / f"io-{os.getpid()}"
            directory.mkdir(parents=True, exist_ok=True)
            self._directory = directory
        return self._directory
