"""Recent search results, valid for one generation of the index.

Keys carry no generation: the cache is emptied as soon as a search sees a different index
generation (a write by any process, or a rebuild swapped in), so a result never outlives the
index it came from. Bounded, least recently used first out.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class ResultCache(Generic[V]):
    def __init__(self, maxsize: int = 1024) -> None:
        self.maxsize = maxsize
        self._generation: Hashable = None
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def _check(self, generation: Hashable) -> None:
        if generation != self._generation:
            self._items.clear()
            self._generation = generation

    def get(self, generation: Hashable, key: Hashable) -> V | None:
        self._check(generation)
        value = self._items.get(key)
        if value is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return value

    def put(self, generation: Hashable, key: Hashable, value: V) -> None:
        if self.maxsize <= 0:
            return
        self._check(generation)
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)
