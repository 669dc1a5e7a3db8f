"""Small per-process caches for what never changes once written, or may be a few seconds old.

Each app server process keeps its own; nothing here is shared between servers, so whatever is
cached must either be immutable (a published revision's lessons) or checked against the
database at a bounded interval (the anonymous catalog page).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from flask import current_app

V = TypeVar("V")


class LocalCache(Generic[V]):
    """A mapping that keeps at most `maxsize` entries, dropping the least recently used."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: Hashable, value: V) -> V:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return value

    def get_or_build(self, key: Hashable, build: Callable[[], V]) -> V:
        value = self.get(key)
        return value if value is not None else self.set(key, build())

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def app_cache(name: str, maxsize: int) -> LocalCache:
    """The current app's cache called `name` (each app, and so each test app, has its own)."""
    caches = current_app.extensions.setdefault("ce_caches", {})
    cache = caches.get(name)
    if cache is None:
        cache = caches.setdefault(name, LocalCache(maxsize))
    return cache
