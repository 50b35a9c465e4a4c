"""Which answers the front keeps for repeated GETs (kgapi.web.kept_answers)."""

from __future__ import annotations

import pytest
from livesupport import request_environ

from kgapi.web.kept_answers import KeptAnswers, cacheable, key_of
from kgapi.web.workers import Answer

CACHEABLE = [("ETag", '"abc"'), ("Cache-Control", "public, max-age=60")]


@pytest.mark.parametrize(
    ("status", "headers", "kept"),
    [
        ("200 OK", CACHEABLE, True),
        ("200 OK", [*CACHEABLE, ("Vary", "Accept, Accept-Encoding")], True),
        ("200 OK", [*CACHEABLE, ("Vary", "accept-language,Origin")], True),
        # chosen by a header the front does not key answers by: never given to another request
        ("200 OK", [*CACHEABLE, ("Vary", "Accept, Cookie")], False),
        ("200 OK", [*CACHEABLE, ("Vary", "*")], False),
        ("200 OK", [("ETag", '"abc"'), ("Cache-Control", "private")], False),
        ("200 OK", [("Cache-Control", "public")], False),
        ("404 NOT FOUND", CACHEABLE, False),
    ],
)
def test_the_front_keeps_only_answers_it_can_tell_apart(
    status: str, headers: list[tuple[str, str]], kept: bool
) -> None:
    assert cacheable(Answer(status, headers, b"")) is kept


def test_a_head_is_looked_up_under_its_gets_key_but_never_kept() -> None:
    kept = KeptAnswers(entries=8, max_bytes=1 << 20, changes_log=None)
    key = key_of(request_environ("HEAD"))
    assert key is not None and key == key_of(request_environ("GET"))
    kept.offer(key, Answer("200 OK", CACHEABLE, b""), request_environ("HEAD"))
    assert kept.get(key, request_environ("GET")) is None  # a bodiless answer given to a GET: never
    full = Answer("200 OK", CACHEABLE, b"<graphml/>")
    kept.offer(key, full, request_environ("GET"))
    assert kept.get(key, request_environ("HEAD")) == full
    assert key_of(request_environ("POST")) is None
