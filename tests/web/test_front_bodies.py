"""The front's bound on the large request bodies it holds (kgapi.web.front_bodies.LargeBodies)."""

from __future__ import annotations

import pytest

from kgapi.web.front_bodies import SMALL_BODY, BodyHeld, LargeBodies
from kgapi.web.problems import Refused


def test_small_bodies_are_not_counted_and_large_ones_are_until_let_go() -> None:
    bodies = LargeBodies(3 * SMALL_BODY)
    small, large = BodyHeld(bodies), BodyHeld(bodies)
    small.grow_to(SMALL_BODY)
    large.grow_to(SMALL_BODY + 1)
    large.grow_to(2 * SMALL_BODY)  # grown as its chunks arrive
    large.grow_to(SMALL_BODY)  # never shrinks by a smaller count
    assert bodies.held == 2 * SMALL_BODY
    large.let_go()
    small.let_go()
    assert bodies.held == 0


def test_a_body_past_the_bound_is_503_with_retry_after_and_others_go_on() -> None:
    bodies = LargeBodies(3 * SMALL_BODY)
    first, second = BodyHeld(bodies), BodyHeld(bodies)
    first.grow_to(2 * SMALL_BODY)
    with pytest.raises(Refused) as refused:
        second.grow_to(2 * SMALL_BODY)
    assert refused.value.status == 503 and refused.value.headers == {"Retry-After": "1"}
    second.let_go()
    assert bodies.held == 2 * SMALL_BODY
    first.let_go()
    second.grow_to(3 * SMALL_BODY)  # room again
    assert bodies.held == 3 * SMALL_BODY
