"""A validation progress bar on stderr: one line per resource, bytes or rows, then gone."""

from __future__ import annotations

import time
from typing import Any

#: a run this short (seconds) shows no bar at all
DELAY = 0.5


class ValidationProgress:
    """The `progress(resource, done, total, unit)` callable the engines call, drawn by rich.

    The bar appears once a run has taken `DELAY` seconds, and is erased when it stops, so
    the report that follows stands alone. `console` is a rich Console (stderr by default).
    """

    def __init__(self, console: Any = None, delay: float | None = None) -> None:
        self._console, self._started = console, time.monotonic()
        self._delay = DELAY if delay is None else delay
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        self._pending: dict[str, tuple[int, int | None, str]] = {}

    def __call__(self, resource: str, done: int, total: int | None, unit: str) -> None:
        if self._progress is None:
            self._pending[resource] = (done, total, unit)
            if time.monotonic() - self._started < self._delay:
                return
            self._start()
        self._show(resource, done, total, unit)

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("{task.description:<24}"),
            BarColumn(),
            TextColumn("{task.fields[amount]}"),
            TimeElapsedColumn(),
            console=self._console or Console(stderr=True),
            transient=True,
        )
        self._progress.start()
        for resource, (done, total, unit) in self._pending.items():
            self._show(resource, done, total, unit)

    def _show(self, resource: str, done: int, total: int | None, unit: str) -> None:
        amount = _amount(done, unit) + (f" of {_amount(total, unit)}" if total else "")
        if resource not in self._tasks:
            from rich.markup import escape

            from ..display import printable

            label = escape(printable(resource))  # a name is shown, never run as markup or escapes
            self._tasks[resource] = self._progress.add_task(label, total=total, amount="")
        self._progress.update(self._tasks[resource], completed=done, total=total, amount=amount)

    def close(self) -> None:
        """Stop drawing and erase the bar (a bar that never appeared prints nothing)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def _amount(n: int, unit: str) -> str:
    if unit != "bytes":
        return f"{n:,} {unit}"
    for size, suffix in ((1 << 30, "GB"), (1 << 20, "MB"), (1 << 10, "kB")):
        if n >= size:
            return f"{n / size:.1f} {suffix}"
    return f"{n} B"
