"""The profile's text checks on one batch of the awards shape, as the scan reads it.

`checks.text_hits` over every column of the awards resource's first record batch (whitespace,
NFC, format characters, formula prefixes): the best of N runs, in milliseconds of the
thread's CPU (a shared machine's other work does not count), and with `--columns` each
column's.

    python benchmarks/text_checks.py [--rows N] [--repeats N] [--faults F] [--columns]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_shapes
from bench_batches import least_cpu, scan_batches

from expo_data.model.locate import locate
from expo_data.read.buffers import to_bools
from expo_data.validation import checks


def first_batch(descriptor: Path) -> tuple[list, list[pa.Array], checks.Profile]:
    """The awards resource's fields, its first record batch as the scan reads it, its profile."""
    package = locate(descriptor)
    resource = package.resource("awards")
    fields = list(resource.schema.fields)
    columns = [c.slice(1) for c in next(scan_batches(resource))[: len(fields)]]
    return fields, columns, checks.profile(package)


def text_hits(fields: list, columns: list[pa.Array], profile: checks.Profile) -> list:
    """Every column's hits."""
    return [checks.text_hits(f, c, profile) for f, c in zip(fields, columns, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=40000, help="awards rows built (≥ a batch)")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--faults", type=float, default=0.0, help="share of damaged rows")
    parser.add_argument("--columns", action="store_true", help="each column's time too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        descriptor = bench_shapes.build_awards(Path(folder), args.rows, faults=args.faults)
        fields, columns, profile = first_batch(descriptor)
    if not {"whitespace", "nfc", "format-characters", "formula-prefix"} <= profile.enabled:
        raise SystemExit("the awards profile no longer declares the four text checks")
    size = sum(c.nbytes for c in columns)
    print(f"one batch: {len(columns[0])} rows, {len(columns)} columns, {size / 2**20:.1f} MiB")
    ms = least_cpu(lambda: text_hits(fields, columns, profile), args.repeats)
    hits = text_hits(fields, columns, profile)
    found = sum(int(to_bools(h.mask).sum()) for column in hits for h in column)
    print(f"text_hits: {ms:.2f} ms CPU (best of {args.repeats}), {found} failing cells")
    if args.columns:
        for f, column in zip(fields, columns, strict=True):
            ms = least_cpu(
                lambda f=f, column=column: checks.text_hits(f, column, profile), args.repeats
            )
            width = column.nbytes / len(column)
            print(f"  {f.name:24} {f.type:8} {width:6.1f} bytes a cell  {ms:6.3f} ms")


if __name__ == "__main__":
    main()
