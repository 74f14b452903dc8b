"""The worker threads: one per core, for Arrow and numpy work (both release the GIL)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TypeVar

K = TypeVar("K")
T = TypeVar("T")
V = TypeVar("V")


def each(work: Callable[[T], V], items: Iterable[T]) -> list[V]:
    """`work` of every item, in order, on the worker threads (in this one for a single item)."""
    items = list(items)
    if len(items) < 2:
        return [work(item) for item in items]
    return list(_pool().map(work, items))


def together(tasks: dict[K, Callable[[], V]]) -> dict[K, V]:
    """Each task's result by its key, the tasks run on the worker threads."""
    keys = list(tasks)
    return dict(zip(keys, each(lambda key: tasks[key](), keys), strict=True))


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(os.cpu_count() or 1, thread_name_prefix="expo-data-worker")
