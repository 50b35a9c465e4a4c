"""What the HTTP front hands Granian (kgapi.web.front): large answers as files, and an answer in
the route's shape whatever goes wrong."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from livesupport import request_environ

from kgapi.web.front import Front
from kgapi.web.spool import SPOOL_FROM
from kgapi.web.workers import Answer


class Recorded:
    """What the front hands Granian, in place of Granian's protocol object."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, object]] = []

    def response_bytes(self, status: int, headers: object, body: bytes) -> None:
        self.calls.append(("bytes", status, body))

    def response_file(self, status: int, headers: object, path: str) -> None:
        self.calls.append(("file", status, Path(path).read_bytes()))

    def __aiter__(self) -> Any:
        raise AssertionError("a request without a body is not read")


@pytest.mark.parametrize(
    ("method", "size", "handed"),
    [("GET", SPOOL_FROM - 1, "bytes"), ("GET", SPOOL_FROM, "file"), ("HEAD", SPOOL_FROM, "bytes")],
)
def test_the_front_hands_large_answers_as_files(
    tmp_path: Path, method: str, size: int, handed: str
) -> None:
    front = _front(str(tmp_path))
    body = b"x" * size
    protocol = Recorded()
    asyncio.run(front._send(Answer("200 OK", [], body), request_environ(method), protocol, None))
    assert protocol.calls == [(handed, 200, b"" if method == "HEAD" else body)]


def test_a_large_answer_that_cannot_be_written_goes_out_from_memory(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file-not-a-directory"
    blocked.write_bytes(b"")
    front = _front(str(blocked))
    body = b"x" * SPOOL_FROM
    protocol = Recorded()
    asyncio.run(front._send(Answer("200 OK", [], body), request_environ("GET"), protocol, None))
    assert protocol.calls == [("bytes", 200, body)]


def _front(spool_dir: str) -> Front:
    return Front(
        Flask(__name__),
        socket_path="unused",
        query_timeout=10,
        max_request_bytes=1,
        cache_entries=0,
        cache_bytes=0,
        spool_dir=spool_dir,
    )


def test_a_failure_in_the_front_is_a_500_in_the_routes_shape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Granian answers an exception out of the front with an empty 500 of its own; the front
    answers it itself, as the app does, and logs it."""

    async def broken(*_args: object) -> Answer:
        raise RuntimeError("a bug")

    front = _front(str(tmp_path))
    monkeypatch.setattr(front, "_forward", broken)
    protocol = Recorded()
    asyncio.run(front.__rsgi__(_scope("/api/search"), protocol))
    [(kind, status, body)] = protocol.calls
    assert (kind, status) == ("bytes", 500)
    assert isinstance(body, bytes) and json.loads(body)["status"] == 500


def _scope(path: str) -> SimpleNamespace:
    return SimpleNamespace(
        proto="http",
        method="GET",
        path=path,
        query_string="q=kvm",
        server="127.0.0.1:8080",
        client="127.0.0.1:50000",
        http_version="1.1",
        scheme="http",
        headers={"host": "kgapi"},
        authority=None,
    )
