"""Benchmark: peak memory of validate, load_arrow, load, a release build and a bare pyarrow parse.

    python benchmarks/memory.py --rows 10000000      (or --size 1GB)

Builds a package of the real package's shape (its descriptor and schemas; every resource's
rows repeated with suffixed ids until the package is about --size, so keys stay unique and
foreign keys resolve) in a temporary folder, deleted afterwards. Each contender runs in a
fresh subprocess that reports its peak RSS (ru_maxrss, which counts memory-mapped file pages
too) and peak anonymous memory (RssAnon, sampled every 10 ms), each also as growth over what
it held after its imports. Ratios are to the bytes the contender reads: the whole package for
validate, the largest resource's CSV for the loaders and the baseline. Then the targets:
validate's peak RSS against twice the largest file plus the key sets (the typed primary,
unique and foreign key columns, measured on the real package and scaled), load_arrow's
growth against the Arrow table it returns, and the release build's growth against the
largest resource's Arrow table (it streams: one resource in memory at a time).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the duckdb engine's memory_limit here (its default is 80% of RAM)
DUCKDB_MEMORY_LIMIT = "256MB"
UNITS = {"": 1, "B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}
CONTENDERS = (
    "validate",
    "validate-duckdb",
    "load_arrow",
    "load",
    "build_release",
    "pyarrow.csv.read_csv",
)


def parse_size(text: str) -> int:
    """'200MB', '1GB', '1.5GB' or a number of bytes."""
    match = re.fullmatch(r"\s*([0-9.]+)\s*([KMG]?B?)\s*", text.upper())
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}")
    return int(float(match[1]) * UNITS[match[2] if match[2] != "K" else "KB"])


def build_package(folder: Path, size: int) -> Path:
    """The real package, every resource repeated until the whole is about `size` bytes."""
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    shutil.copytree(ROOT / "schemas", folder / "schemas")
    (folder / "data").mkdir(parents=True)
    shutil.copy2(ROOT / "datapackage.json", folder / "datapackage.json")
    real = sum((ROOT / r["path"]).stat().st_size for r in descriptor["resources"])
    copies = max(1, round(size / real))
    for r in descriptor["resources"]:
        _repeat(ROOT / r["path"], folder / r["path"], copies)
    return folder


def _repeat(source: Path, target: Path, copies: int) -> None:
    """Write `source`'s rows `copies` times; copy k > 0 suffixes ids with -k (id is column 1)."""
    with open(source, encoding="utf-8", newline="") as stream:
        header, *rows = list(csv.reader(stream))
    assert header[0] == "id", source
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    tails = []
    for row in rows:
        writer.writerow(row[1:])
        tails.append(("," + buffer.getvalue()).encode())
        buffer.seek(0)
        buffer.truncate()
    ids = [row[0].encode() for row in rows]
    with open(target, "wb") as out:
        out.write(",".join(header).encode() + b"\n")
        out.write(b"".join(i + t for i, t in zip(ids, tails, strict=True)))
        for k in range(1, copies):
            suffix = f"-{k}".encode()
            out.write(b"".join(i + suffix + t for i, t in zip(ids, tails, strict=True)))


def real_bytes() -> int:
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    return sum((ROOT / r["path"]).stat().st_size for r in descriptor["resources"])


def real_rows() -> int:
    import expo_data

    return sum(expo_data.load_arrow(n, ROOT).num_rows for n in expo_data.resource_names(ROOT))


def key_bytes() -> int:
    """Bytes of the real package's typed key columns (primary, unique, foreign, referenced)."""
    import expo_data
    from expo_data.model.descriptor import open_package
    from expo_data.validation.scan import referenced

    package = open_package(ROOT)
    fields = referenced(package)
    return sum(
        expo_data.load_arrow(r.name, ROOT).select(sorted(fields[r.name])).nbytes
        for r in package.resources
        if fields[r.name]
    )


def largest_arrow_bytes(name: str) -> int:
    import expo_data

    return expo_data.load_arrow(name, ROOT).nbytes


def largest_resource(package: Path) -> tuple[str, Path]:
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    r = max(descriptor["resources"], key=lambda r: (package / r["path"]).stat().st_size)
    return r["name"], package / r["path"]


def fast_engine_exists() -> bool:
    from importlib.util import find_spec

    return find_spec("expo_data.validation.engines.fast") is not None


# --- in the child process --------------------------------------------------------------------


class AnonSampler:
    """Peak RssAnon of this process, sampled every 10 ms (Linux; 0 elsewhere)."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.sample()

    def sample(self) -> None:
        try:
            status = Path("/proc/self/status").read_text()
        except OSError:
            return
        match = re.search(r"^RssAnon:\s+(\d+) kB", status, re.M)
        if match:
            self.peak = max(self.peak, int(match[1]) * 1024)

    def __enter__(self) -> AnonSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def child(contender: str, package: Path, name: str, csv_path: Path, engine: str) -> None:
    """Run one contender and print its figures as JSON."""
    import psutil
    import pyarrow.csv as pcsv

    import expo_data

    expo_data.validate, expo_data.load, expo_data.load_arrow  # noqa: B018 (import them now)
    start_rss = psutil.Process().memory_info().rss
    anon = AnonSampler()
    anon.sample()
    start_anon = anon.peak
    started = time.perf_counter()
    with anon:
        nbytes = 0
        if contender == "validate":
            report = expo_data.validate(package, engine=engine, limit_errors=10)
            assert report.valid, report.findings
        elif contender == "validate-duckdb":  # DuckDB bounded as a user bounds it
            os.environ.setdefault("EXPO_DATA_DUCKDB_MEMORY_LIMIT", DUCKDB_MEMORY_LIMIT)
            report = expo_data.validate(package, engine="duckdb", limit_errors=10)
            assert report.valid, report.findings
        elif contender == "build_release":
            out = Path(package).parent.parent / "release"
            expo_data.build_release(package, out=out)
            shutil.rmtree(out)
        elif contender == "load_arrow":
            table = expo_data.load_arrow(name, package)
            rows, nbytes = table.num_rows, table.nbytes
        elif contender == "load":
            rows = len(expo_data.load(name, package))
        else:
            rows = pcsv.read_csv(str(csv_path)).num_rows
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
    result = {
        "peak": peak,
        "start": start_rss,
        "anon": anon.peak,
        "start_anon": start_anon,
        "seconds": seconds,
        "nbytes": nbytes,
    }
    if contender in ("load_arrow", "load", "pyarrow.csv.read_csv"):
        result["rows"] = rows
    print(json.dumps(result))


# --- in the parent -----------------------------------------------------------------------


def measure(contender: str, package: Path, name: str, csv_path: Path, engine: str) -> dict:
    command = [sys.executable, __file__, "--child", contender, str(package), name, str(csv_path)]
    done = subprocess.run(
        [*command, engine], capture_output=True, text=True, check=False, timeout=3600
    )
    if done.returncode:
        raise SystemExit(f"{contender} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def mb(n: float) -> str:
    return f"{n / (1 << 20):,.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=parse_size, default="1GB", help="package size (1GB)")
    parser.add_argument("--rows", type=int, default=0, help="package rows (overrides --size)")
    parser.add_argument("--dir", type=Path, default=None, help="where to build (a temp dir)")
    parser.add_argument(
        "--contenders", default=",".join(CONTENDERS), help="comma-separated subset to run"
    )
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        contender, package, name, csv_path, engine = args.child
        child(contender, Path(package), name, Path(csv_path), engine)
        return

    engine = "fast" if fast_engine_exists() else "frictionless"
    folder = Path(tempfile.mkdtemp(prefix="expo-memory-", dir=args.dir))
    try:
        started = time.perf_counter()
        size = args.size
        if args.rows:  # the real package's bytes per row, times --rows
            size = int(real_bytes() / real_rows() * args.rows)
        package = build_package(folder / "package", size)
        total = sum(p.stat().st_size for p in (package / "data").iterdir())
        name, csv_path = largest_resource(package)
        size = csv_path.stat().st_size
        print(
            f"package: {mb(total)} in 14 CSV files (built in {time.perf_counter() - started:.0f} s);"
            f" largest resource {name}: {mb(size)}"
        )
        if engine != "fast":
            print("note: the fast engine is not implemented yet; validate uses frictionless")
        print(
            "growth = peak - RSS after imports; anon = anonymous memory only (no mapped file)\n"
            f"{'contender':<27}{'reads':>9}{'imports':>9}{'peak RSS':>10}{'growth':>10}"
            f"{'/read':>7}{'anon growth':>13}{'/read':>7}{'seconds':>9}"
        )
        results = {}
        for contender in args.contenders.split(","):
            reads = total if contender.startswith("validate") else size
            r = results[contender] = measure(
                contender, package / "datapackage.json", name, csv_path, engine
            )
            label = f"validate (engine={engine})" if contender == "validate" else contender
            growth, anon = r["peak"] - r["start"], r["anon"] - r["start_anon"]
            print(
                f"{label:<27}{mb(reads):>9}{mb(r['start']):>9}{mb(r['peak']):>10}"
                f"{mb(growth):>10}{growth / reads:>7.2f}{mb(anon):>13}{anon / reads:>7.2f}"
                f"{r['seconds']:>9.1f}"
            )
        copies = total / real_bytes()
        keys, largest_table = key_bytes(), largest_arrow_bytes(name)
        keys, largest_table = keys * copies, largest_table * copies
        budget = 2 * size + keys
        for contender in ("validate", "validate-duckdb"):
            if contender not in results:
                continue
            peak = results[contender]["peak"]
            print(
                f"{contender}: peak RSS {mb(peak)} vs 2 x largest file ({mb(size)}) + key sets "
                f"({mb(keys)}, scaled from the real package) = {mb(budget)}: "
                f"{peak / budget:.2f}x of the budget"
            )
        if "load_arrow" in results:
            r = results["load_arrow"]
            growth, anon = r["peak"] - r["start"], r["anon"] - r["start_anon"]
            print(
                f"load_arrow: growth {mb(growth)} (anonymous {mb(anon)}; the rest is the mapped "
                f"CSV) vs the Arrow table it returns {mb(r['nbytes'])}: {growth / r['nbytes']:.2f}x"
                f" (anonymous {anon / r['nbytes']:.2f}x; target <= 1.2x)"
            )
        if "build_release" in results:
            r = results["build_release"]
            growth = r["peak"] - r["start"]
            print(
                f"build_release: growth {mb(growth)} vs the largest resource's Arrow table "
                f"(~{mb(largest_table)}): {growth / largest_table:.2f}x"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
