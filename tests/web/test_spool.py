"""The files the front hands Granian for large answers (kgapi.web.spool)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from kgapi.web import spool as spool_module
from kgapi.web.spool import Spool


def test_a_kept_answer_is_written_once_and_handed_to_every_client(tmp_path: Path) -> None:
    spool = Spool(str(tmp_path))
    name = spool.name_of("GET /export host", '"v1"', 3)
    assert name == spool.name_of("GET /export host", '"v1"', 3)
    assert name != spool.name_of("GET /export host", '"v2"', 3)
    assert name != spool.name_of("GET /export other-host", '"v1"', 3)
    assert spool.path_of(name) is None  # not written yet
    path = spool.written(b"abc", name)
    spool.handed(path)
    assert spool.path_of(name) == path and Path(path).read_bytes() == b"abc"
    assert Path(path).parent == tmp_path / f"io-{os.getpid()}"


def test_answers_not_kept_get_a_file_each(tmp_path: Path) -> None:
    spool = Spool(str(tmp_path))
    first, second = spool.written(b"one", None), spool.written(b"two", None)
    assert first != second
    assert Path(first).read_bytes() == b"one" and Path(second).read_bytes() == b"two"
    assert spool.path_of(None) is None


def test_a_file_not_handed_out_for_a_while_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(spool_module.time, "monotonic", lambda: clock[0])
    spool = Spool(str(tmp_path))
    old, popular = spool.written(b"old", None), spool.written(b"popular", "popular")
    spool.handed(old)
    spool.handed(popular)
    clock[0] += spool_module.KEEP_SECONDS - 1
    spool.handed(popular)  # asked for again: kept
    clock[0] += 2
    spool.handed(popular)
    assert not Path(old).exists()
    assert Path(popular).read_bytes() == b"popular" and spool.path_of("popular") == popular
    clock[0] += spool_module.KEEP_SECONDS
    spool.handed(spool.written(b"new", None))
    assert not Path(popular).exists() and spool.path_of("popular") is None


def test_two_writers_of_one_kept_answer_leave_it_whole(tmp_path: Path) -> None:
    """Two requests for a kept answer that both find no file write it at once, in threads."""
    spool = Spool(str(tmp_path))
    body = bytes(range(256)) * 40_000
    paths: list[str] = []
    writers = [
        threading.Thread(target=lambda: paths.append(spool.written(body, "kept"))) for _ in range(4)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert len(set(paths)) == 1 and Path(paths[0]).read_bytes() == body
    assert [entry.name for entry in Path(paths[0]).parent.iterdir()] == ["kept"]


def test_files_removed_from_outside_are_written_again(tmp_path: Path) -> None:
    """A cleaner of old temporary files may remove the directory, or a file in it: a kept
    answer's file is then written again, never handed to Granian missing (it answers 404)."""
    spool = Spool(str(tmp_path))
    path = spool.written(b"kept", "kept")
    spool.handed(path)
    shutil.rmtree(Path(path).parent)
    assert spool.path_of("kept") is None
    again = spool.written(b"kept", "kept")
    spool.handed(again)
    assert again == path and Path(path).read_bytes() == b"kept"
