"""`pattern` constraints on the awards shape: RE2 on every cell (before) and the byte decision.

Every string column with a `pattern` of every resource, batch by batch as the scan reads them;
for each column the CPU milliseconds of both (each the fastest of N passes over all batches)
and the cells each finds missing, which must be the same.

    python benchmarks/patterns.py [--rows N | --package datapackage.json] [--repeats N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_shapes
from bench_batches import least_cpu, scan_batches

from expo_data.model.locate import locate
from expo_data.read.buffers import to_bools
from expo_data.validation import batch, patterns


def pattern_columns(descriptor: Path) -> list[tuple[str, str, list[pa.Array]]]:
    """(resource.field, pattern, its batches) of every string field with a pattern."""
    out = []
    for resource in locate(descriptor).resources:
        fields = list(resource.schema.fields)
        wanted = [
            (j, f)
            for j, f in enumerate(fields)
            if f.type == "string" and "pattern" in f.constraints
        ]
        if not wanted or not str(resource.location).endswith(".csv"):
            continue
        chunks: dict[int, list[pa.Array]] = {j: [] for j, _ in wanted}
        for k, columns in enumerate(scan_batches(resource)):
            for j, _ in wanted:
                chunks[j].append(columns[j].slice(1) if k == 0 else columns[j])
        for j, f in wanted:
            name = f"{resource.name}.{f.name}"
            out.append((name, f.constraints["pattern"], chunks[j]))
    return out


def before(strings: pa.Array, pattern: str) -> pa.Array:
    """The pattern check as it was: RE2 on every cell (on each distinct one if repetitive)."""
    sample = 2048  # as batch.pattern_misses judged a column repetitive
    if len(strings) >= 8 * sample and pc.count_distinct(strings[:sample]).as_py() < sample // 4:
        encoded = pc.dictionary_encode(strings)
        misses = before(encoded.dictionary, pattern)
        return pc.fill_null(pc.take(misses, encoded.indices), False)
    matched = pc.match_substring_regex(strings, f"^(?:{pattern})$")
    return pc.fill_null(pc.and_(pc.is_valid(strings), pc.invert(matched)), False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200000, help="awards rows built")
    parser.add_argument("--package", type=Path, help="an existing package instead")
    parser.add_argument("--faults", type=float, default=0.0, help="share of damaged rows")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if args.package:
        columns = pattern_columns(args.package)
    else:
        with tempfile.TemporaryDirectory() as folder:
            built = bench_shapes.build_awards(Path(folder), args.rows, faults=args.faults)
            columns = pattern_columns(built)
    print(f"{'column':32} {'pattern':28} {'cells':>9} {'RE2 ms':>8} {'bytes ms':>9} {'misses':>7}")
    totals = [0.0, 0.0]
    for name, pattern, chunks in columns:
        old = least_cpu(lambda c=chunks, p=pattern: [before(x, p) for x in c], args.repeats)
        new = least_cpu(
            lambda c=chunks, p=pattern: [batch.pattern_misses(x, p) for x in c], args.repeats
        )
        found = [
            (to_bools(before(x, pattern)), to_bools(batch.pattern_misses(x, pattern)))
            for x in chunks
        ]
        if any(not np.array_equal(a, b) for a, b in found):
            raise SystemExit(f"{name}: the byte decision differs from RE2")
        how = "bytes" if patterns.recognise(pattern) else "RE2"
        cells = sum(len(x) for x in chunks)
        misses = sum(int(a.sum()) for a, _ in found)
        print(f"{name:32} {pattern:28} {cells:9} {old:8.1f} {new:9.1f} {misses:7}  ({how})")
        totals[0] += old
        totals[1] += new
    print(f"{'total':32} {'':28} {'':9} {totals[0]:8.1f} {totals[1]:9.1f}")


if __name__ == "__main__":
    main()
