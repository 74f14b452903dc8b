"""What the micro-benchmarks share: a resource's batches as the scan reads them, a CPU timer."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pyarrow as pa

from expo_data.validation.scan import BATCH, BLOCK
from expo_data.validation.sources import csv_batches, joined


def scan_batches(resource) -> Iterator[list[pa.Array]]:
    """The resource's string columns batch by batch, as `scan.scan_csv` reads them (the
    header is the first batch's first row)."""
    width = 4 * len(resource.schema.fields) + 64
    with open(resource.location, "rb") as stream:
        for parts in csv_batches(
            stream,
            resource,
            block=BLOCK,
            width=width,
            nulls=True,
            skip=lambda _: "skip",
            batch=BATCH,
        ):
            yield joined(parts)


def least_cpu(run: Callable[[], object], repeats: int) -> float:
    """The least CPU time of this thread over `repeats` runs of `run`, in milliseconds."""
    times = []
    for _ in range(repeats):
        started = time.thread_time()
        run()
        times.append(time.thread_time() - started)
    return min(times) * 1000
