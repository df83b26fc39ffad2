from __future__ import annotations

from knowledge_base.search.cache import ResultCache


def test_lru_keeps_the_most_recently_used() -> None:
    cache: ResultCache[str] = ResultCache(maxsize=2)
    cache.put(1, "a", "A")
    cache.put(1, "b", "B")
    assert cache.get(1, "a") == "A"  # "a" is now the most recent
    cache.put(1, "c", "C")
    assert cache.get(1, "b") is None
    assert (cache.get(1, "a"), cache.get(1, "c")) == ("A", "C")
    assert len(cache) == 2
    assert (cache.hits, cache.misses) == (3, 1)


def test_a_new_index_generation_empties_the_cache() -> None:
    cache: ResultCache[str] = ResultCache(maxsize=10)
    cache.put(("dir", 3), "q", "old")
    assert cache.get(("dir", 4), "q") is None
    assert len(cache) == 0
    cache.put(("dir", 4), "q", "new")
    assert cache.get(("dir", 4), "q") == "new"


def test_size_zero_caches_nothing() -> None:
    cache: ResultCache[str] = ResultCache(maxsize=0)
    cache.put(1, "q", "x")
    assert cache.get(1, "q") is None
