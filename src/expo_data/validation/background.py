"""The strict scan on a thread of its own, alongside the parse: its findings, and its verdicts
on the way (a cell too large, a resource's encoding) for the reader that needs them."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np

from ..sources.stream import is_plain
from . import catalogue as c
from .sources import is_text
from .strict import MAX_CELL_BYTES, resource_findings

if TYPE_CHECKING:
    from ..model.descriptor import Package, Resource
    from .report import Finding


class Oversized(Exception):
    """A read abandoned: the strict scan found a cell too large in the package."""


class BackgroundScan:
    """The strict scan of a package's CSV resources, run on a second thread.

    Started before the descriptor checks, so its byte passes (numpy, which releases the GIL)
    overlap them and the engine's own read; `findings` waits for it and returns those of the
    resources asked for, exactly what `strict_findings` returns for them. Only plain local
    files are read ahead (never an archive that may be a bomb, never a URL); `stop` abandons
    what is left. A reader running alongside asks `cleared` before it reads a resource in
    bigger blocks, and gives up (`check`) once a cell too large is found anywhere.
    """

    def __init__(self, package: Package, *, max_cell_bytes: int = MAX_CELL_BYTES) -> None:
        self.limit = max_cell_bytes
        self.resources = [r for r in package.resources if is_text(r) and is_plain(r)]
        self.results: dict[int, list[Finding]] = {}
        self.error: BaseException | None = None
        self.stopped = threading.Event()
        self.oversized = threading.Event()
        self.scanned = {r.name: threading.Event() for r in self.resources}
        #: per resource, the bytes from its start found in its encoding, and whether one is not
        self.decoded: dict[str, tuple[int, bool]] = {}
        #: per resource scanned, the record numbers of its empty lines (None: not kept)
        self.empty: dict[str, np.ndarray | None] = {}
        self.progress = threading.Condition()
        self.thread = threading.Thread(target=self._run, name="expo-data-strict", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for resource in self.resources:
                if self.stopped.is_set():
                    return
                found = resource_findings(
                    resource,
                    max_cell_bytes=self.limit,
                    stop=self.stopped,
                    decoded=lambda done, bad, name=resource.name: self._decoded(name, done, bad),
                    empty_lines=lambda lines, name=resource.name: self.empty.update({name: lines}),
                )
                self.results[id(resource)] = found
                if any(f.code == c.CELL_TOO_LARGE for f in found):
                    self.oversized.set()
                self.scanned[resource.name].set()
        except BaseException as exc:  # re-raised by `findings`, as the serial scan would
            self.error = exc
        finally:  # nobody waits for a resource the scan will never reach
            for event in self.scanned.values():
                event.set()
            with self.progress:
                self.progress.notify_all()

    def _decoded(self, name: str, done: int, bad: bool) -> None:
        with self.progress:
            self.decoded[name] = (done, bad)
            self.progress.notify_all()

    def reads(self, resource: Resource) -> bool:
        """Whether this scan reads `resource` (and so checks its encoding)."""
        return resource.name in self.scanned

    def decoded_to(self, resource: Resource, offset: int) -> bool | None:
        """Whether `resource`'s first `offset` bytes are in its encoding, once the scan has
        read that far: False as soon as any byte is not; None where it stopped short."""
        name = resource.name

        def known() -> bool:
            done, bad = self.decoded.get(name, (-1, False))
            return bad or done >= offset or self.scanned[name].is_set()

        with self.progress:
            self.progress.wait_for(known)
            done, bad = self.decoded.get(name, (-1, False))
        return False if bad else True if done >= offset else None

    def stop(self) -> None:
        """Abandon the scan (its findings are not needed) and wait for the thread to end."""
        self.stopped.set()
        self.thread.join()

    def covers(self, package: Package) -> bool:
        """Whether every CSV resource of `package` is one this scan reads ahead."""
        ahead = {id(r) for r in self.resources}
        return all(id(r) in ahead for r in package.resources if is_text(r))

    def cleared(self, resource: Resource) -> bool:
        """Whether the scan found no cell too large in `resource` (waiting for its verdict)."""
        self.scanned[resource.name].wait()
        found = self.results.get(id(resource))
        return found is not None and not any(f.code == c.CELL_TOO_LARGE for f in found)

    def empty_lines(self, resource: Resource) -> np.ndarray | None:
        """The record numbers of `resource`'s empty lines, where the scan read it and found
        nothing two CSV readers split differently (its header labels aside): pyarrow's
        records are then Python csv's, numbered alike. None otherwise."""
        if not self.reads(resource):
            return None
        self.scanned[resource.name].wait()
        found = self.results.get(id(resource))
        if found is None or any(f.code != c.INCORRECT_LABEL for f in found):
            return None
        return self.empty.get(resource.name)

    def check(self) -> None:
        """Raise Oversized once a cell too large has been found (a reader's cue to stop)."""
        if self.oversized.is_set():
            raise Oversized

    def findings(self, package: Package) -> list[Finding]:
        """The strict findings of `package`'s CSV resources (each one scanned here)."""
        self.thread.join()
        if self.error is not None:
            raise self.error
        out: list[Finding] = []
        for resource in package.resources:
            if is_text(resource):
                found = self.results.get(id(resource))
                if found is None:  # not one this scan was given
                    found = resource_findings(resource, max_cell_bytes=self.limit)
                out += found
        return out
