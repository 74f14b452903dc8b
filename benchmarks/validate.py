"""Benchmark: frictionless vs the fast engine vs a bare pyarrow parse, on a synthetic package.

    python benchmarks/validate.py --rows 1000000

Builds two packages shaped like the real one (sources → organisations, with a self-reference →
exhibitors; slug-pattern ids, CJK names, integer, boolean, enum and date fields), one valid and
one with 0.1% of its rows damaged, then times each contender in a fresh subprocess (so every
peak-memory figure is its own) and checks that both engines report the same findings on the
damaged package. `build_package` is reused by the tests.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SLUG = "^[a-z0-9]+(-[a-z0-9]+)*$"
ZONES = ["digital-innovation", "ecosystem", "ai-experience", "dual-carbon", "interactive"]
SOURCE = "chtf-2023-smart-city-expo"
HANZI = "智慧城市數字化創新生態圈人工智能科技體驗雙碳戰略互動展區中興訊飛吉寶蔚來汽車理想特斯拉"

SCHEMAS = {
    "sources": {
        "fields": [
            {"name": "id", "type": "string", "constraints": {"required": True, "pattern": SLUG}},
            {"name": "title", "type": "string", "constraints": {"required": True}},
            {"name": "paragraph_count", "type": "integer", "constraints": {"minimum": 1}},
        ],
        "primaryKey": ["id"],
    },
    "organisations": {
        "fields": [
            {
                "name": "id",
                "type": "string",
                "constraints": {"required": True, "unique": True, "pattern": SLUG},
            },
            {"name": "name_zh_hant", "type": "string", "constraints": {"required": True}},
            {"name": "name_en", "type": "string"},
            {"name": "parent_organisation_id", "type": "string", "constraints": {"pattern": SLUG}},
            {"name": "founded", "type": "date"},
            {"name": "source_id", "type": "string", "constraints": {"required": True}},
            {
                "name": "source_paragraph",
                "type": "integer",
                "constraints": {"required": True, "minimum": 1, "maximum": 13},
            },
            {
                "name": "mentioned_in",
                "type": "string",
                "constraints": {"required": True, "pattern": "^[0-9]+(;[0-9]+)*$"},
            },
            {"name": "notes", "type": "string"},
        ],
        "missingValues": [""],
        "primaryKey": ["id"],
        "foreignKeys": [
            {
                "fields": ["parent_organisation_id"],
                "reference": {"resource": "", "fields": ["id"]},
            },
            {"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["id"]}},
        ],
    },
    "exhibitors": {
        "fields": [
            {"name": "id", "type": "string", "constraints": {"required": True, "pattern": SLUG}},
            {
                "name": "organisation_id",
                "type": "string",
                "constraints": {"required": True, "pattern": SLUG},
            },
            {"name": "list_position", "type": "integer", "constraints": {"minimum": 1}},
            {"name": "list_marked_partial", "type": "boolean", "constraints": {"required": True}},
            {"name": "zone", "type": "string", "constraints": {"enum": ZONES}},
            {
                "name": "exhibited_on",
                "type": "date",
                "constraints": {"minimum": "2023-11-15", "maximum": "2023-11-19"},
            },
            {"name": "source_id", "type": "string", "constraints": {"required": True}},
            {
                "name": "source_paragraph",
                "type": "integer",
                "constraints": {"required": True, "minimum": 1, "maximum": 13},
            },
            {"name": "notes", "type": "string"},
        ],
        "missingValues": [""],
        "primaryKey": ["id"],
        "foreignKeys": [
            {
                "fields": ["organisation_id"],
                "reference": {"resource": "organisations", "fields": ["id"]},
            },
            {"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["id"]}},
        ],
    },
}


def _mix(i: int, salt: int) -> int:
    """A cheap deterministic hash: synthetic values without a random draw per cell."""
    return ((i + 1) * 2654435761 + salt * 40503) % 4294967291


def _name(i: int) -> str:
    h = _mix(i, 1)
    start = h % (len(HANZI) - 8)
    return HANZI[start : start + 2 + h % 7]


def _organisation(i: int) -> list[str]:
    h = _mix(i, 2)
    parent = f"org-{h % i:07d}" if i and h % 20 == 0 else ""
    founded = f"{1950 + h % 73}-{1 + h % 12:02d}-{1 + h % 28:02d}" if h % 5 else ""
    return [
        f"org-{i:07d}",
        _name(i),
        f"Company {i}" if h % 10 < 7 else "",
        parent,
        founded,
        SOURCE,
        str(1 + h % 13),
        ";".join(str(1 + (h >> k) % 13) for k in range(1 + h % 3)),
        "" if h % 10 else f"Printed as {_name(h)}, possibly an alias.",
    ]


def _exhibitor(i: int, organisations: int) -> list[str]:
    h = _mix(i, 3)
    return [
        f"exhibitor-{i:07d}",
        f"org-{h % organisations:07d}",
        str(1 + h % 200),
        ("true", "false")[h % 2],
        ZONES[h % len(ZONES)],
        f"2023-11-{15 + h % 5}",
        SOURCE,
        str(1 + (h >> 3) % 13),
        "" if h % 20 else f"Listed with {_name(h)}; 等",
    ]


#: (resource, field or None, damage): one kind of fault each; `rows` is the whole table so a
#: damage can copy another row's key
FAULTS = [
    ("exhibitors", "list_position", lambda row, _: "12a"),
    ("exhibitors", "list_position", lambda row, _: "0"),
    ("exhibitors", "list_position", lambda row, _: " +7"),  # valid: int() strips and signs
    ("exhibitors", "exhibited_on", lambda row, _: "2023-11-31"),
    ("exhibitors", "exhibited_on", lambda row, _: "2023/11/16"),
    ("exhibitors", "exhibited_on", lambda row, _: "2023-11-1"),  # valid but below minimum
    ("exhibitors", "zone", lambda row, _: "hall-z"),
    ("exhibitors", "list_marked_partial", lambda row, _: "yes"),
    ("exhibitors", "list_marked_partial", lambda row, _: ""),
    ("exhibitors", "id", lambda row, _: row[0].replace("-", "_")),
    ("exhibitors", "id", lambda row, rows: rows[0][0]),  # duplicate primary key
    ("exhibitors", "organisation_id", lambda row, _: "org-missing"),
    ("exhibitors", "organisation_id", lambda row, _: ""),
    ("exhibitors", "notes", lambda row, _: "two\nlines, quoted"),
    ("exhibitors", "notes", lambda row, _: " untrimmed"),
    ("organisations", "parent_organisation_id", lambda row, _: "org-none"),
    ("organisations", "name_zh_hant", lambda row, _: ""),
    ("organisations", "mentioned_in", lambda row, _: "4, 7"),
    ("organisations", "source_paragraph", lambda row, _: "14"),
    ("organisations", "id", lambda row, rows: rows[1][0]),
    ("organisations", "founded", lambda row, _: "1999-02-29"),
    ("organisations", None, "blank"),
    ("exhibitors", None, "blank"),
    ("exhibitors", None, "short"),
    ("exhibitors", None, "long"),
]


def _damage(rows: list[list[str]], resource: str, header: list[str], rate: float, rng) -> list:
    kinds = [f for f in FAULTS if f[0] == resource]
    for index in range(1, len(rows)):
        if rng.random() >= rate:
            continue
        _, field, damage = rng.choice(kinds)
        row = rows[index]
        if damage == "blank":
            rows[index] = []
        elif damage == "short":
            rows[index] = row[:-2]
        elif damage == "long":
            rows[index] = [*row, "surplus"]
        else:
            row[header.index(field)] = damage(row, rows)
    return rows


def build_package(root: Path, rows: int, *, faults: float = 0.0, seed: int = 2023) -> Path:
    """Write a synthetic package of about `rows` data rows; return its datapackage.json."""
    rng = random.Random(seed)
    organisations = max(rows // 10, 2)
    tables = {
        "sources": [["id", "title", "paragraph_count"], [SOURCE, "智慧城市展閉幕報道", "13"]],
        "organisations": [_organisation(i) for i in range(organisations)],
        "exhibitors": [_exhibitor(i, organisations) for i in range(rows - organisations)],
    }
    root.mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    resources = []
    for name, table in tables.items():
        header = [f["name"] for f in SCHEMAS[name]["fields"]]
        body = table if name == "sources" else [header, *table]
        if faults and name != "sources":
            body = _damage(body, name, header, faults, rng)
        with open(root / "data" / f"{name}.csv", "w", encoding="utf-8", newline="") as stream:
            csv.writer(stream, lineterminator="\n").writerows(body)
        resources.append(
            {
                "name": name,
                "path": f"data/{name}.csv",
                "format": "csv",
                "encoding": "utf-8",
                "schema": SCHEMAS[name],
            }
        )
    descriptor = root / "datapackage.json"
    descriptor.write_text(json.dumps({"name": "synthetic-expo", "resources": resources}, indent=1))
    return descriptor


# -- one timed contender per subprocess -------------------------------------------------------


def _child(contender: str, descriptor: Path, out: Path) -> None:
    started = time.perf_counter()
    findings = []
    if contender == "pyarrow":
        import pyarrow.csv as pcsv

        # defaults where they can read the file; the damaged one needs quoted newlines and
        # a way past rows of the wrong length
        options = None
        if descriptor.parent.name == "faulty":
            options = pcsv.ParseOptions(
                newlines_in_values=True, invalid_row_handler=lambda row: "skip"
            )
        for path in sorted((descriptor.parent / "data").glob("*.csv")):
            pcsv.read_csv(path, parse_options=options)
    else:
        from expo_data.model.descriptor import open_package
        from expo_data.validation.reference import frictionless_findings

        package = open_package(descriptor)
        if contender == "fast":
            from expo_data.validation.fast import fast_findings as engine
        else:
            engine = frictionless_findings
        findings = engine(package, limit_errors=10**9, trusted=False)
    seconds = time.perf_counter() - started
    peak = _peak_rss()
    rows = [[f.code, f.resource, f.row, f.field, f.message] for f in findings]
    out.write_text(json.dumps({"seconds": seconds, "peak": peak, "findings": rows}))


def _peak_rss() -> int:
    """This process's peak resident memory in bytes.

    VmHWM belongs to the process image, so it starts afresh at exec; ru_maxrss (the fallback
    off Linux) would also count the parent's memory at fork.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _run(contender: str, descriptor: Path, work: Path) -> dict:
    out = work / f"{contender}-{descriptor.parent.name}.json"
    subprocess.run(
        [sys.executable, __file__, "--child", contender, str(descriptor), str(out)], check=True
    )
    return json.loads(out.read_text())


def _ordered(findings: list, names: list[str]) -> list[tuple]:
    """Findings as validate() orders them: by resource, then row, stable within a row."""
    order = {name: i for i, name in enumerate(names)}
    keys = [tuple(f[:4]) for f in findings]
    return sorted(keys, key=lambda k: (order.get(k[1], -1), k[2] or 0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="data rows (default 100000)")
    parser.add_argument("--faults", type=float, default=0.001, help="share of damaged rows")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.child:  # bytecode as an installed wheel has it (PYTHONDONTWRITEBYTECODE may be set)
        import expo_data

        compileall.compile_dir(expo_data.__path__[0], quiet=1)
    if args.child:
        contender, descriptor, out = args.child
        _child(contender, Path(descriptor), Path(out))
        return
    with tempfile.TemporaryDirectory(prefix="expo-bench-") as tmp:
        work = Path(tmp)
        valid = build_package(work / "valid", args.rows)
        faulty = build_package(work / "faulty", args.rows, faults=args.faults)
        sizes = [p.stat().st_size for p in (work / "valid" / "data").glob("*.csv")]
        print(
            f"{args.rows:,} rows, {sum(sizes) / 1e6:.1f} MB of CSV (largest file "
            f"{max(sizes) / 1e6:.1f} MB); {args.faults:.1%} of rows damaged"
        )
        print(f"{'package':8} {'contender':13} {'seconds':>8} {'rows/s':>11} {'peak MB':>8}")
        results = {}
        for descriptor in (valid, faulty):
            label = descriptor.parent.name
            for contender in ("pyarrow", "fast", "frictionless"):
                result = results[label, contender] = _run(contender, descriptor, work)
                print(
                    f"{label:8} {contender:13} {result['seconds']:8.2f} "
                    f"{args.rows / result['seconds']:11,.0f} {result['peak'] / 1e6:8.0f}"
                )
        for label in ("valid", "faulty"):
            fast, slow, floor = (
                results[label, c]["seconds"] for c in ("fast", "frictionless", "pyarrow")
            )
            print(
                f"{label}: fast is {slow / fast:.1f}x faster than frictionless "
                f"and {fast / floor:.2f}x the bare pyarrow parse"
            )
        names = ["sources", "organisations", "exhibitors"]
        fast, slow = (
            _ordered(results["faulty", c]["findings"], names) for c in ("fast", "frictionless")
        )
        same = fast == slow
        print(
            f"faulty: {len(slow)} frictionless findings, {len(fast)} fast findings; identical: {same}"
        )
        if not same:
            only_fast, only_slow = set(fast) - set(slow), set(slow) - set(fast)
            print("  only fast:", sorted(only_fast, key=str)[:10])
            print("  only frictionless:", sorted(only_slow, key=str)[:10])
            sys.exit(1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
