"""Read-ahead: an iterator's next item made on a second thread while the caller works on this one."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()


def read_ahead(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """`items`, each made on a second thread, at most `depth` ahead of the caller.

    Worth it where making an item (parsing a CSV block) and using it (Arrow kernels) both
    release the GIL. An exception is raised to the caller where its item would have come;
    closing the iterator early stops the thread after the item it is making.
    """
    slots: queue.Queue = queue.Queue(maxsize=depth)
    stopped = threading.Event()

    def put(entry: tuple) -> bool:
        while not stopped.is_set():
            try:
                slots.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_END, None))
        except BaseException as exc:  # re-raised in the caller's thread
            put((_END, exc))

    thread = threading.Thread(target=produce, name="expo-data-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item, error = slots.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        stopped.set()
        thread.join()
