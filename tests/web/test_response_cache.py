"""The answers a process keeps for repeated requests: bounded in entries and in bytes."""

from __future__ import annotations

from kgapi.web.state import ResponseCache


def test_the_least_recently_used_entries_go_past_the_entry_bound() -> None:
    cache = ResponseCache(2, 1_000)
    cache.put("a", "A", 10)
    cache.put("b", "B", 10)
    assert cache.get("a") == "A"  # now "b" is the least recently used
    cache.put("c", "C", 10)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("A", None, "C")
    assert cache.size == 20


def test_the_least_recently_used_entries_go_past_the_byte_bound() -> None:
    cache = ResponseCache(100, 1_000)
    for key in "abcd":
        cache.put(key, key.upper(), 250)
    assert cache.size == 1_000
    cache.put("e", "E", 100)
    assert cache.get("a") is None and cache.get("b") == "B" and cache.size == 850
    cache.put("b", "B2", 50)  # put again: counted once, at its new size
    assert cache.get("b") == "B2" and cache.size == 650


def test_an_entry_larger_than_a_quarter_of_the_bytes_is_not_kept() -> None:
    cache = ResponseCache(100, 1_000)
    cache.put("small", "S", 250)
    cache.put("large", "L", 251)
    assert cache.get("large") is None and cache.get("small") == "S" and cache.size == 250


def test_either_bound_at_zero_keeps_nothing() -> None:
    for cache in (ResponseCache(0, 1_000), ResponseCache(10, 0)):
        cache.put("a", "A", 0)
        assert cache.get("a") is None


def test_clear_forgets_the_size_too() -> None:
    cache = ResponseCache(10, 1_000)
    cache.put("a", "A", 100)
    cache.clear()
    assert cache.get("a") is None and cache.size == 0
