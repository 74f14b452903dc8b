"""Benchmark: validate() against the parse floor, polars, DuckDB SQL and frictionless.

    python benchmarks/validate.py --rows 1000000 [--frictionless-rows N | --skip-frictionless]
    python benchmarks/validate.py --rows 0 --out-of-core      (slow: a 10M-row package)
    python benchmarks/validate.py --rows 1000000 --shape awards --profile
    python benchmarks/validate.py --rows 1000000 --repeat 3   (each contender's fastest of 3)

One run, on two shapes (`bench_shapes.py`), each as a valid package and one with 0.1% of its
rows damaged:
- synthetic, the narrow shape: sources -> organisations (self-reference) -> exhibitors, 9
  fields of short cells (slug ids, CJK names, integer, boolean, enum, date);
- awards, the real shape: the real package's widest resource (CJK text, 20 fields) repeated to
  --rows rows with suffixed ids (its foreign keys still resolve), 1% of its notes multi-line.
Contenders (`bench_contenders.py`), each in a fresh subprocess so every peak RSS is its own:
the bare pyarrow parse (types inferred), the parse with every column a string, the streaming
parse as the fast engine drives it with nothing checked (`stream`), polars and
DuckDB SQL checking types, required fields and keys, the fast and duckdb engines (the whole of
`validate()`) and frictionless. `fast` runs with the descriptor check remembered from an earlier
run (as every run after a package's first), `fast-first` with an empty cache folder. Printed per contender: seconds, rows/s, x the bare parse, x
frictionless, peak RSS, cores busy (CPU seconds of all its threads / wall seconds; under load
below what it would use), "2 thr" (the share of its timed part with two or more of its
threads running or wanting to run: its use of the second core) and its findings (polars and DuckDB
SQL: failures by kind, type/required/primary-key/foreign-key). frictionless at 1M rows takes
minutes: with --rows above --frictionless-rows (default 100000) it runs on a copy of that
many rows, its rate is extrapolated, and its findings are compared with the fast engine's on
that copy; the two engines must agree on the full package. Then the issue 24 targets.
Every contender runs with OPENBLAS_NUM_THREADS=1, as the `expo-data` CLI runs: none of them
uses BLAS, and otherwise OpenBLAS's threads spin for about 0.13 CPU seconds once numpy is
imported (pyarrow imports it too), on a core the contender may want.

--out-of-core validates a --big-rows (10M) awards package with the duckdb engine under
--memory-limit (2GB) and compares its findings on the first --first-rows (1M) rows with the
fast engine's on a package of those rows alone. The exit status is 1 where findings differ.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # imported by the tests rather than run
    sys.path.append(str(HERE))

from bench_profile import profile  # noqa: E402
from bench_shapes import BUILDERS, build_awards, build_package  # noqa: E402

from expo_data.validation.engines.memory import (  # noqa: E402
    ENV,
    MemoryLimitError,
    duckdb_share,
    size_bytes,
)

__all__ = ["build_awards", "build_package"]

#: every contender, in print order; frictionless last
CONTENDERS = (
    "pyarrow",
    "strings",
    "stream",
    "polars",
    "duckdb-sql",
    "fast-first",
    "fast",
    "duckdb",
)
#: a contender that runs as another: the fast engine on a cache folder emptied before each run
#: (the descriptor check not yet remembered, as on a first run; `validation/remembered.py`)
RUNS_AS = {"fast-first": "fast"}


def _running(pid: int) -> int:
    """How many threads of a process are running or runnable (state R), from /proc."""
    count = 0
    for task in os.scandir(f"/proc/{pid}/task"):
        try:
            stat = Path(task.path, "stat").read_text()
        except OSError:  # the thread ended
            continue
        count += stat[stat.rindex(")") + 2] == "R"
    return count


def _resident(pid: int) -> tuple[int, int]:
    """(anonymous, file-backed) resident bytes of a process, from /proc (Linux).

    Anonymous: what the process allocated (DuckDB, Arrow, Python); file-backed: pages of
    files it maps (a memory-mapped CSV among them), the page cache, which the kernel can
    drop under pressure. The peak RSS counts both.
    """
    found = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key = line.split(":", 1)[0]
            if key in ("RssAnon", "RssFile"):
                found[key] = int(line.split()[1]) * 1024
    return found.get("RssAnon", 0), found.get("RssFile", 0)


def _run(contender: str, descriptor: Path, work: Path, env: dict | None = None) -> dict:
    """Run one contender on one package in a fresh process; what it measured.

    While it runs, its threads' states are sampled every 10 ms from outside (Linux): "two"
    is the share of samples in its timed part with two or more threads running or runnable,
    which, unlike CPU time / wall time, a loaded machine does not hide; "anon" and "mapped"
    are the largest anonymous and file-backed resident sizes sampled (`_resident`).
    """
    out = work / f"{contender}-{descriptor.parent.parent.name}-{descriptor.parent.name}.json"
    runs_as = RUNS_AS.get(contender, contender)
    command = [sys.executable, str(HERE / "bench_contenders.py"), runs_as, str(descriptor)]
    cache = work / "cache"  # the benchmark's own cache folder, not the user's
    if runs_as != contender:  # an empty one, whose entries then warm `cache` for `fast`
        first = work / "cache-first"
        shutil.rmtree(first, ignore_errors=True)
        env = {**(env or {}), "EXPO_DATA_CACHE": str(first)}
    env = {**os.environ, "EXPO_DATA_CACHE": str(cache), "OPENBLAS_NUM_THREADS": "1", **(env or {})}
    child = subprocess.Popen([*command, str(out)], env=env)
    samples, anon, mapped = [], 0, 0
    while child.poll() is None:
        with contextlib.suppress(OSError):  # no /proc, or the child just ended
            samples.append((time.time(), _running(child.pid)))
            now = _resident(child.pid)
            anon, mapped = max(anon, now[0]), max(mapped, now[1])
        time.sleep(0.01)
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, command)
    if runs_as != contender:
        shutil.copytree(work / "cache-first", cache, dirs_exist_ok=True)
    result = {**json.loads(out.read_text()), "anon": anon, "mapped": mapped}
    window = [n for t, n in samples if result["start"] <= t <= result["end"]]
    result["two"] = sum(n >= 2 for n in window) / len(window) if window else None
    return result


def _fastest(contender: str, packages: dict[str, Path], work: Path, runs: int) -> dict:
    """Per package, the fastest of `runs` runs (a shared machine only ever slows a run down);
    the packages' runs take turns, so a machine slower for a while slows each alike."""
    results: dict[str, list[dict]] = {label: [] for label in packages}
    for _ in range(runs):
        for label, descriptor in packages.items():
            results[label].append(_run(contender, descriptor, work))
    return {label: min(found, key=lambda r: r["seconds"]) for label, found in results.items()}


def _ordered(findings: list, names: list[str]) -> list[tuple]:
    """Findings as validate() orders them: by resource, then row, stable within a row."""
    order = {name: i for i, name in enumerate(names)}
    keys = [tuple(f) for f in findings]
    return sorted(keys, key=lambda k: (order.get(k[1], -1), k[2] or 0))


def _names(descriptor: Path) -> list[str]:
    return [r["name"] for r in json.loads(descriptor.read_text(encoding="utf-8"))["resources"]]


def _agree(label: str, one: list, other: list, descriptor: Path) -> bool:
    """Print whether two contenders' findings are identical (and the first differences)."""
    (a_name, a), (b_name, b) = one, other
    names = _names(descriptor)
    a, b = _ordered(a, names), _ordered(b, names)
    same = a == b
    print(f"  {label}: {a_name} {len(a)} findings, {b_name} {len(b)}; identical: {same}")
    if not same:
        only_a, only_b = sorted(set(a) - set(b), key=str), sorted(set(b) - set(a), key=str)
        for name, rest in ((a_name, only_a), (b_name, only_b)):
            for finding in rest[:3]:
                print(f"    only {name}: {list(finding)}")
            if len(rest) > 3:
                print(f"    only {name}: ... and {len(rest) - 3} more")
    return same


def _found(result: dict) -> str:
    """A contender's findings as a count, or its failure counts by kind."""
    if result.get("counts") is not None:
        return "/".join(str(n) for n in result["counts"].values())
    if result.get("findings") is None:
        return "-"
    return f"{len(result['findings'])}{' on copy' if result.get('copy') else ''}"


def _cores(result: dict) -> float:
    return result["cpu"] / result["seconds"]


def _two(result: dict) -> str:
    return "-" if result.get("two") is None else f"{result['two']:.0%}"


HEADER = (
    f"{'package':8} {'contender':13} {'seconds':>8} {'rows/s':>11} {'x parse':>8} "
    f"{'x frictl':>9} {'peak MB':>8} {'cores':>6} {'2 thr':>6} {'findings':>16}"
)


def _line(label: str, name: str, result: dict, rows: int, parse: float, slow: float) -> str:
    seconds = result["seconds"]
    against = f"{slow / seconds:8.1f}x" if slow else f"{'-':>9}"
    ratio = f"{seconds / parse:7.2f}x" if parse else f"{'-':>8}"
    return (
        f"{label:8} {name:13} {seconds:8.2f} {rows / seconds:11,.0f} {ratio} "
        f"{against} {result['peak'] / 1e6:8.0f} {_cores(result):6.2f} {_two(result):>6} "
        f"{_found(result):>16}"
    )


def _frictionless(label: str, packages: dict, small: dict, args, work: Path) -> dict:
    """frictionless on the package, or on its small copy scaled to --rows (with the fast
    engine's findings on that copy under "fast")."""
    if not small:
        return _run("frictionless", packages[label], work)
    result = _run("frictionless", small[label], work)
    scale = args.rows / args.frictionless_rows
    fast = _run("fast", small[label], work)["findings"]
    seconds, cpu = result["seconds"] * scale, result["cpu"] * scale
    return {**result, "seconds": seconds, "cpu": cpu, "copy": True, "fast": fast}


def _targets(shape: str, results: dict, largest: int) -> None:
    """The issue 24 targets for each engine: the measured value and whether it is met."""
    for engine in ("fast", "fast-first", "duckdb"):
        valid, faulty = results["valid"], results["faulty"]
        parse = max(r[engine]["seconds"] / r["pyarrow"]["seconds"] for r in (valid, faulty))
        ratio = faulty[engine]["seconds"] / valid[engine]["seconds"]
        peak = max(r[engine]["peak"] for r in (valid, faulty)) / largest
        checks = [
            (f"x parse {parse:.2f}", parse <= 1.5, "<= 1.5"),
            (f"faulty/valid {ratio:.2f}", ratio <= 1.1, "<= 1.10"),
            (f"peak {peak:.1f}x the largest file", peak <= 2, "<= 2"),
        ]
        if "frictionless" in valid:
            slow = min(r["frictionless"]["seconds"] / r[engine]["seconds"] for r in (valid, faulty))
            checks.insert(1, (f"x frictionless {slow:.0f}", slow >= 50, ">= 50"))
        second = [r[engine]["two"] for r in (valid, faulty)]
        if None in second:  # no thread samples: CPU time / wall time, a lower bound under load
            second = [max(_cores(r[engine]) - 1, 0.0) for r in (valid, faulty)]
        checks.append((f"second core busy {min(second):.0%}", min(second) > 0.5, "> 50%"))
        met = "; ".join(
            f"{text} ({goal}: {'met' if ok else 'NOT met'})" for text, ok, goal in checks
        )
        print(f"  targets, {shape}, {engine} engine: {met}")


def _shape(shape: str, args: argparse.Namespace, work: Path) -> bool:
    """Time every contender on one shape; print the table; True where the findings agree."""
    build = BUILDERS[shape]
    packages = {
        "valid": build(work / shape / "valid", args.rows),
        "faulty": build(work / shape / "faulty", args.rows, faults=args.faults),
    }
    small = {}
    if not args.skip_frictionless and 0 < args.frictionless_rows < args.rows:
        small = {
            "valid": build(work / shape / "small-valid", args.frictionless_rows),
            "faulty": build(
                work / shape / "small-faulty", args.frictionless_rows, faults=args.faults
            ),
        }
    files = _schemas(packages["valid"])
    sizes = {path: path.stat().st_size for path in files}
    largest = max(sizes, key=sizes.get)
    print(
        f"\n== {shape}: {args.rows:,} rows, {sum(sizes.values()) / 1e6:.1f} MB of CSV in "
        f"{len(files)} files; the largest, {largest.name}, {sizes[largest] / 1e6:.1f} MB, "
        f"{len(files[largest]['fields'])} fields, {sizes[largest] / args.rows:.0f} bytes a row; "
        f"{args.faults:.1%} of rows damaged in 'faulty'"
    )
    if small:
        print(f"   frictionless: timed on a {args.frictionless_rows:,}-row copy, extrapolated")
    print(HEADER)
    same, measured = True, {}
    timed = {c: _fastest(c, packages, work, args.repeat) for c in CONTENDERS}
    for label, descriptor in packages.items():
        results = {c: timed[c][label] for c in CONTENDERS}
        if not args.skip_frictionless:
            results["frictionless"] = _frictionless(label, packages, small, args, work)
        parse = results["pyarrow"]["seconds"]
        slow = results.get("frictionless", {}).get("seconds")
        for contender, result in results.items():
            print(_line(label, contender, result, args.rows, parse, slow))
        for other in ("fast-first", "duckdb"):
            same &= _agree(
                f"{label}, full package",
                ("fast", results["fast"]["findings"]),
                (other, results[other]["findings"]),
                descriptor,
            )
        reference = results.get("frictionless")
        if reference:
            same &= _agree(
                f"{label}, {args.frictionless_rows:,}-row copy"
                if small
                else f"{label}, full package",
                ("fast", reference["fast"] if small else results["fast"]["findings"]),
                ("frictionless", reference["findings"]),
                small[label] if small else descriptor,
            )
        measured[label] = results
    _targets(shape, measured, sizes[largest])
    return same


def _schemas(descriptor: Path) -> dict[Path, dict]:
    """Every resource's data file and its schema, inline or referenced."""
    resources = json.loads(descriptor.read_text(encoding="utf-8"))["resources"]
    return {
        descriptor.parent / r["path"]: json.loads(
            (descriptor.parent / r["schema"]).read_text(encoding="utf-8")
        )
        if isinstance(r["schema"], str)
        else r["schema"]
        for r in resources
    }


def _out_of_core(args: argparse.Namespace, work: Path) -> bool:
    """The duckdb engine under a memory limit on --big-rows rows vs fast on the first rows."""
    big = build_awards(work / "ooc" / "big", args.big_rows, faults=args.faults)
    first = build_awards(work / "ooc" / "first", args.first_rows, faults=args.faults)
    size = sum(p.stat().st_size for p in (big.parent / "data").glob("*.csv"))
    print(
        f"\n== out of core: awards, {args.big_rows:,} rows ({size / 1e6:,.0f} MB of CSV), "
        f"{args.faults:.1%} damaged; duckdb engine with memory_limit {args.memory_limit}"
    )
    print(HEADER)
    duck = _run("duckdb", big, work, env={ENV: args.memory_limit})
    print(_line("big", "duckdb", duck, args.big_rows, 0, 0))
    fast = _run("fast", first, work)
    print(_line("first", "fast", fast, args.first_rows, 0, 0))
    limit = size_bytes(args.memory_limit)  # as DuckDB reads it: 2GB is 2 x 10^9 bytes
    print(
        f"  duckdb peak RSS {duck['peak'] / 1e6:,.0f} MB: at most {duck['anon'] / 1e6:,.0f} MB "
        f"anonymous (DuckDB, Arrow, Python) and {duck['mapped'] / 1e6:,.0f} MB of file pages "
        f"(the memory-mapped CSV and libraries: page cache the kernel can drop) sampled"
    )
    print(
        f"  duckdb peak anonymous memory {duck['anon'] / 1e6:,.0f} MB against a memory_limit "
        f"of {limit / 1e6:,.0f} MB (DuckDB gets {duckdb_share(limit) / 1e6:,.0f} MB of it, "
        f"Python and Arrow the rest): "
        f"{'within' if 0 < duck['anon'] <= limit else 'ABOVE'}; peak RSS "
        f"{'within' if duck['peak'] <= limit else 'ABOVE'}"
    )
    last = args.first_rows + 1  # rows are CSV records; the header is row 1
    kept = [
        f
        for f in duck["findings"]
        if f[1] != "awards" or f[2] is None or f[2] <= last  # only awards grows
    ]
    return _agree(
        f"the first {args.first_rows:,} rows",
        ("duckdb (big)", kept),
        ("fast (first rows)", fast["findings"]),
        first,
    )


def main() -> None:
    """Parse the arguments; build, time and compare; exit 1 where findings differ."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, default=100_000, help="data rows (default 100000; 0: no table)"
    )
    parser.add_argument("--faults", type=float, default=0.001, help="share of damaged rows")
    parser.add_argument("--shape", choices=[*BUILDERS, "both"], default="both")
    parser.add_argument("--skip-frictionless", action="store_true", help="leave frictionless out")
    parser.add_argument(
        "--frictionless-rows",
        type=int,
        default=100_000,
        help="time frictionless on a copy of N rows when --rows is larger (0: on the package)",
    )
    parser.add_argument(
        "--out-of-core", action="store_true", help="also the duckdb engine on --big-rows (slow)"
    )
    parser.add_argument("--big-rows", type=int, default=10_000_000, help="default 10000000")
    parser.add_argument("--first-rows", type=int, default=1_000_000, help="default 1000000")
    parser.add_argument(
        "--memory-limit", default="2GB", help="duckdb's memory_limit (2GB: 2 x 10^9 bytes)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="also profile the fast engine on the faulty awards"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each contender, the fastest kept (1)"
    )
    args = parser.parse_args()
    try:
        size_bytes(args.memory_limit, name="--memory-limit")
    except MemoryLimitError as exc:
        parser.error(str(exc))
    if args.out_of_core and not 0 < args.first_rows <= args.big_rows:
        parser.error("--first-rows must be between 1 and --big-rows")
    import expo_data  # bytecode as an installed wheel has it (PYTHONDONTWRITEBYTECODE may be set)

    compileall.compile_dir(expo_data.__path__[0], quiet=1)
    shapes = list(BUILDERS) if args.shape == "both" else [args.shape]
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    with tempfile.TemporaryDirectory(prefix="expo-bench-") as tmp:
        same = [_shape(shape, args, Path(tmp)) for shape in shapes] if args.rows else []
        if args.profile and args.rows:
            profile(build_awards(Path(tmp) / "profile", args.rows, faults=args.faults))
        if args.out_of_core:
            same.append(_out_of_core(args, Path(tmp)))
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    if not all(same):
        sys.exit(1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
