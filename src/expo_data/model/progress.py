"""A download progress bar on stderr, drawn by rich."""

from __future__ import annotations


class ProgressBar:
    """A bar with what the downloader drives: total, update, reset, close."""

    def __init__(self, label: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            console=Console(stderr=True),
        )
        self._task = self._progress.add_task(label, total=None)
        self._running = False

    @property
    def total(self) -> float | None:
        return self._progress.tasks[0].total

    @total.setter
    def total(self, value: float) -> None:
        self._progress.update(self._task, total=value or None)
        if not self._running:
            self._progress.start()
            self._running = True

    def update(self, advance: float) -> None:
        self._progress.advance(self._task, advance)

    def reset(self) -> None:
        self._progress.reset(self._task, total=self.total)

    def close(self) -> None:
        """Stop drawing (once; a bar that never started prints nothing)."""
        if self._running:
            self._progress.stop()
            self._running = False
