"""Benchmark: time and peak memory of diffing two releases of --rows rows per resource.

    python benchmarks/diff.py --rows 1000000

Generates two versions of a package with two resources of --rows rows each (`items`, keyed
on an integer id; `events`, keyed on (day, seq)), about 0.1 % of the rows removed and 0.1 %
added in the second version, and 1 % of `items` with a changed score, builds both as Parquet releases
(`build_release`) in a temporary folder, then, each in a fresh subprocess reporting its peak
RSS (ru_maxrss): `expo_data.diff` of the two releases, and as the baseline, reading the same
four tables with `read_table` and nothing else. Figures of one run are side by side.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DIFF = """
import resource, sys, time, expo_data
t = time.perf_counter()
d = expo_data.diff(sys.argv[1], sys.argv[2])
elapsed = time.perf_counter() - t
counts = {r.name: (len(r.added), len(r.removed), len(r.changed)) for r in d.resources}
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, counts)
"""
READ = """
import resource, sys, time
from expo_data.model.descriptor import open_package
from expo_data.read.tables import read_table
t = time.perf_counter()
tables = []
for path in sys.argv[1:3]:
    package = open_package(path)
    tables += [read_table(r, package) for r in package.resources]
elapsed = time.perf_counter() - t
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, sum(t.num_rows for t in tables))
"""


def make_package(folder: Path, rows: int, version: int) -> Path:
    """Version 1 or 2 of the generated package (CSV), written with pyarrow."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    (folder / "data").mkdir(parents=True)
    ids = pa.array(range(rows), pa.int64())
    step = 1000  # every 1000th row removed in v2, and as many new ones added
    if version == 2:
        keep = pc.not_equal(pc.bit_wise_and(ids, 1023), 7)
        ids = pa.concat_arrays([ids.filter(keep), pa.array(range(rows, rows + rows // step))])
    score = pc.divide(pc.cast(ids, pa.float64()), 7.0)
    if version == 2:  # 1 % of the scores change
        changed = pc.equal(pc.bit_wise_and(ids, 127), 3)
        score = pc.if_else(changed, pc.add(score, 1.0), score)
    kinds = pc.take(pa.array(["hall", "booth", "forum"]), pc.bit_wise_and(ids, 1))
    items = pa.table(
        {
            "id": ids,
            "name": pc.binary_join_element_wise("item-", pc.cast(ids, pa.string()), ""),
            "score": score,
            "kind": kinds,
            "count": pc.bit_wise_and(ids, 255),
        }
    )
    pcsv.write_csv(items, folder / "data" / "items.csv")
    events = pa.table(
        {
            "day": pc.cast(pc.divide(ids, 1000), pa.int64()),
            "seq": pc.bit_wise_and(ids, 1023),
            "uid": ids,
            "label": pc.binary_join_element_wise("e", pc.cast(ids, pa.string()), ""),
        }
    )
    pcsv.write_csv(events.select(["uid", "day", "seq", "label"]), folder / "data" / "events.csv")
    integer = {"type": "integer", "constraints": {"required": True}}
    descriptor = {
        "name": "bench",
        "version": f"{version}.0.0",
        "resources": [
            {
                "name": "items",
                "path": "data/items.csv",
                "schema": {
                    "fields": [
                        {"name": "id", **integer},
                        {"name": "name", "type": "string"},
                        {"name": "score", "type": "number"},
                        {
                            "name": "kind",
                            "type": "string",
                            "constraints": {"enum": ["hall", "booth", "forum"]},
                        },
                        {"name": "count", "type": "integer"},
                    ],
                    "primaryKey": ["id"],
                },
            },
            {
                "name": "events",
                "path": "data/events.csv",
                "schema": {
                    "fields": [
                        {"name": "uid", **integer},
                        {"name": "day", "type": "integer"},
                        {"name": "seq", "type": "integer"},
                        {"name": "label", "type": "string"},
                    ],
                    "primaryKey": ["day", "seq"],
                },
            },
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return folder


def _run(script: str, *args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True
    )
    return done.stdout.split(maxsplit=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    import expo_data

    with tempfile.TemporaryDirectory(prefix="expo-data-diff-bench-") as tmp:
        base = Path(tmp)
        start = time.perf_counter()
        releases = []
        for version in (1, 2):
            package = make_package(base / f"v{version}", args.rows, version)
            releases.append(expo_data.build_release(package, out=base / f"r{version}"))
        built = time.perf_counter() - start
        print(f"{args.rows:,} rows per resource, 2 resources; both releases built in {built:.1f} s")
        print("(machine shared with other jobs: compare the figures of this one run)")
        read_s, read_kb, total = _run(READ, *map(str, releases))
        diff_s, diff_kb, counts = _run(DIFF, *map(str, releases))
        print(f"{'contender':<36}{'time':>10}{'peak RSS':>12}")
        print(
            f"{'read_table x4 (baseline)':<36}{float(read_s):>9.2f}s{int(read_kb) / 1024:>9.0f} MB"
        )
        print(f"{'expo_data.diff(r1, r2)':<36}{float(diff_s):>9.2f}s{int(diff_kb) / 1024:>9.0f} MB")
        print(
            f"ratio diff/read: time {float(diff_s) / float(read_s):.1f}x, "
            f"memory {int(diff_kb) / int(read_kb):.1f}x; rows read {int(total):,}"
        )
        print(f"(added, removed, changed) per resource: {counts.strip()}")


if __name__ == "__main__":
    main()
