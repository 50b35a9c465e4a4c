"""Which answers the front keeps for repeated GETs (kgapi.web.kept_answers)."""

from __future__ import annotations

import pytest

from kgapi.web.kept_answers import cacheable
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
