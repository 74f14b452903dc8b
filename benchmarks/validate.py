"""Benchmark: a bare pyarrow parse vs the fast, duckdb and frictionless engines, on two shapes.

    python benchmarks/validate.py --rows 1000000 [--frictionless-rows 100000 | --skip-frictionless]

Two shapes, each as a valid package and one with 0.1% of its rows damaged:
- synthetic: sources → organisations (with a self-reference) → exhibitors; slug-pattern ids,
  CJK names, integer, boolean, enum and date fields (`build_package`, reused by the tests);
- awards: the real package's widest resource (17 fields, CJK text) repeated to --rows rows
  with suffixed ids (its foreign keys still resolve), 1% of its notes quoted multi-line
  cells, and 0.1% of its rows with one faulty cell (`build_awards`).
Each contender runs in a fresh subprocess (so every peak-memory figure is its own). The bare
parse is `pyarrow.csv.read_csv` of every file (`newlines_in_values=True` where a file has
multi-line cells, skipping ragged rows where it has them). frictionless at 1M rows takes
minutes: `--frictionless-rows N` times it on an N-row copy and extrapolates its rows/s (and
compares findings there), `--skip-frictionless` leaves it out. The engines must report the
same findings as each other and as frictionless.
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

ROOT = Path(__file__).resolve().parents[1]

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


# -- the awards shape ------------------------------------------------------------------------

#: (field, damage) of the awards shape: one faulty cell per damaged row
AWARD_FAULTS = [
    ("winners_named", lambda row, k: "12a"),
    ("winners_named", lambda row, k: "-1"),
    ("kind", lambda row, k: "prize"),
    ("named_list_partial", lambda row, k: "yes"),
    ("source_paragraph", lambda row, k: "14"),
    ("mentioned_in", lambda row, k: "4, 7"),
    ("session_id", lambda row, k: "no-such-session"),
    ("parent_award_id", lambda row, k: f"missing-award-{k}"),
    ("id", lambda row, k: row[0].rsplit("-", 1)[0]),  # the same id as an earlier copy
    ("name_zh_hant", lambda row, k: ""),
]


def build_awards(root: Path, rows: int, *, faults: float = 0.0, seed: int = 2023) -> Path:
    """The real package's awards (+ the sources and sessions it references), `rows` rows."""
    import shutil

    rng = random.Random(seed)
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    keep = [r for r in descriptor["resources"] if r["name"] in ("sources", "sessions", "awards")]
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "schemas").mkdir(exist_ok=True)
    for r in keep:
        shutil.copy2(ROOT / r["schema"], root / r["schema"])
        if r["name"] != "awards":
            shutil.copy2(ROOT / r["path"], root / r["path"])
    with open(ROOT / "data" / "awards.csv", encoding="utf-8", newline="") as stream:
        header, *real = list(csv.reader(stream))
    at = {name: j for j, name in enumerate(header)}
    with open(root / "data" / "awards.csv", "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        for i in range(rows):
            k, row = divmod(i, len(real))
            row = list(real[row])
            if k:  # copy k: suffixed ids, so keys stay unique and references resolve
                row[0] += f"-{k}"
                if row[at["parent_award_id"]]:
                    row[at["parent_award_id"]] += f"-{k}"
            if i % 100 == 37:
                row[at["notes"]] = f"{row[at['notes']]}\n第 {k} 份副本\n多行備註"
            if faults and i > len(real) and rng.random() < faults:
                name, damage = rng.choice(AWARD_FAULTS)
                row[at[name]] = damage(row, k)
            writer.writerow(row)
    descriptor = {**descriptor, "resources": keep}
    (root / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=1))
    return root / "datapackage.json"


# -- one timed contender per subprocess -------------------------------------------------------


def _child(contender: str, descriptor: Path, out: Path) -> None:
    findings = []
    if contender == "pyarrow":
        files = sorted((descriptor.parent / "data").glob("*.csv"))
        multi_line = {path: _quoted_newline(path.read_bytes()) for path in files}  # untimed
        started = time.perf_counter()
        import pyarrow.csv as pcsv

        for path in files:
            options = pcsv.ParseOptions(
                newlines_in_values=multi_line[path], invalid_row_handler=lambda row: "skip"
            )
            pcsv.read_csv(path, parse_options=options)
    else:
        started = time.perf_counter()
        from expo_data import validate

        # the whole of validate(), strict scan included; the frictionless engine is frictionless
        # itself plus what it does not check (RE2 patterns, out-of-range, v2 rules)
        findings = validate(descriptor, engine=contender, limit_errors=10**9).findings
    seconds = time.perf_counter() - started
    peak = _peak_rss()
    rows = [[f.code, f.resource, f.row, f.field, f.message] for f in findings]
    out.write_text(json.dumps({"seconds": seconds, "peak": peak, "findings": rows}))


def _quoted_newline(data: bytes) -> bool:
    """Whether any quoted cell may hold a line break: pyarrow then needs newlines_in_values."""
    import csv
    import io

    if b'"' not in data:
        return False
    rows = csv.reader(io.StringIO(data.decode("utf-8", "replace"), newline=""))
    return any("\n" in cell or "\r" in cell for row in rows for cell in row)


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
    out = work / f"{contender}-{descriptor.parent.parent.name}-{descriptor.parent.name}.json"
    subprocess.run(
        [sys.executable, __file__, "--child", contender, str(descriptor), str(out)], check=True
    )
    return json.loads(out.read_text())


def _ordered(findings: list, names: list[str]) -> list[tuple]:
    """Findings as validate() orders them: by resource, then row, stable within a row."""
    order = {name: i for i, name in enumerate(names)}
    keys = [tuple(f) for f in findings]
    return sorted(keys, key=lambda k: (order.get(k[1], -1), k[2] or 0))


BUILDERS = {"synthetic": build_package, "awards": build_awards}


def _shape(shape: str, args: argparse.Namespace, work: Path) -> bool:
    """Time every contender on one shape; print the table; True where the findings agree."""
    build = BUILDERS[shape]
    packages = {
        "valid": build(work / shape / "valid", args.rows),
        "faulty": build(work / shape / "faulty", args.rows, faults=args.faults),
    }
    small = {}
    if args.frictionless_rows and not args.skip_frictionless:
        small = {
            "valid": build(work / shape / "small-valid", args.frictionless_rows),
            "faulty": build(
                work / shape / "small-faulty", args.frictionless_rows, faults=args.faults
            ),
        }
    sizes = [p.stat().st_size for p in (work / shape / "valid" / "data").glob("*.csv")]
    print(
        f"\n== {shape}: {args.rows:,} rows, {sum(sizes) / 1e6:.1f} MB of CSV (largest file "
        f"{max(sizes) / 1e6:.1f} MB); {args.faults:.1%} of rows damaged in 'faulty'"
    )
    print(
        f"{'package':8} {'contender':13} {'seconds':>8} {'rows/s':>11} {'peak MB':>8} "
        f"{'x parse':>8} {'vs frictionless':>16}"
    )
    same = True
    for label, descriptor in packages.items():
        results = {c: _run(c, descriptor, work) for c in ("pyarrow", "fast", "duckdb")}
        note = ""
        if not args.skip_frictionless:
            if small:
                result = _run("frictionless", small[label], work)
                rate = args.frictionless_rows / result["seconds"]
                result = {**result, "seconds": args.rows / rate}
                note = f" (extrapolated from {args.frictionless_rows:,} rows)"
                fast_small = _run("fast", small[label], work)
                names = json.loads(small[label].read_text())["resources"]
                names = [r["name"] for r in names]
                agree = _ordered(fast_small["findings"], names) == _ordered(
                    result["findings"], names
                )
                print(
                    f"  {label}: on the {args.frictionless_rows:,}-row copy, fast and "
                    f"frictionless findings identical: {agree} ({len(result['findings'])})"
                )
                same &= agree
            else:
                result = _run("frictionless", descriptor, work)
            results["frictionless"] = result
        parse = results["pyarrow"]["seconds"]
        slow = results.get("frictionless", {}).get("seconds")
        for contender, result in results.items():
            seconds = result["seconds"]
            against = f"{slow / seconds:15.1f}x" if slow else f"{'-':>16}"
            print(
                f"{label:8} {contender:13} {seconds:8.2f} {args.rows / seconds:11,.0f} "
                f"{result['peak'] / 1e6:8.0f} {seconds / parse:7.2f}x {against}"
                + (note if contender == "frictionless" else "")
            )
        names = [r["name"] for r in json.loads(descriptor.read_text())["resources"]]
        fast, duck = (_ordered(results[c]["findings"], names) for c in ("fast", "duckdb"))
        agree = fast == duck
        line = f"  {label}: {len(fast)} fast findings, {len(duck)} duckdb; identical: {agree}"
        if "frictionless" in results and not small:
            slow_findings = _ordered(results["frictionless"]["findings"], names)
            agree_slow = [f[:4] for f in slow_findings] == [f[:4] for f in fast]
            line += f"; frictionless {len(slow_findings)}, identical: {agree_slow}"
            same &= agree_slow
        print(line)
        same &= agree
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="data rows (default 100000)")
    parser.add_argument("--faults", type=float, default=0.001, help="share of damaged rows")
    parser.add_argument("--shape", choices=[*BUILDERS, "both"], default="both")
    parser.add_argument("--skip-frictionless", action="store_true", help="leave frictionless out")
    parser.add_argument(
        "--frictionless-rows", type=int, default=0, help="time frictionless on N rows, extrapolate"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        contender, descriptor, out = args.child
        _child(contender, Path(descriptor), Path(out))
        return
    import expo_data  # bytecode as an installed wheel has it (PYTHONDONTWRITEBYTECODE may be set)

    compileall.compile_dir(expo_data.__path__[0], quiet=1)
    shapes = list(BUILDERS) if args.shape == "both" else [args.shape]
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    with tempfile.TemporaryDirectory(prefix="expo-bench-") as tmp:
        same = [_shape(shape, args, Path(tmp)) for shape in shapes]
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    if not all(same):
        sys.exit(1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
