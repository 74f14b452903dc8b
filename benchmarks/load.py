"""Cold-process timings of loading a resource, against the imports they cannot avoid.

Targets: load("winners") <= 1.2 x `import pandas`; load_arrow("winners") <= 1.5 x `import pyarrow.csv`;
the release path, load_arrow from a release folder and from the cached release (release=V),
<= 1.5 x `import pyarrow.parquet` (a release is built and downloaded into a temporary cache
first). Each figure is the median wall time of N fresh interpreters (python -c ...). The package's
bytecode is compiled first, as installing a wheel does (PYTHONDONTWRITEBYTECODE may be set).

    python benchmarks/load.py [--runs N] [--resource NAME]
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def cold(code: str, runs: int, env: dict | None = None) -> float:
    """Median wall time, in seconds, of `python -c code` over `runs` fresh processes."""
    times = []
    env = {**os.environ, **(env or {})}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)  # warm the OS file cache
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def release(folder: Path) -> tuple[Path, dict]:
    """A release of the bundled package in `folder`, downloaded into a cache there."""
    import expo_data

    version = "bench"
    built = expo_data.build_release(out=folder / "location" / version, version=version)
    env = {"EXPO_DATA_CACHE": str(folder / "cache"), "EXPO_DATA_RELEASE_URL": str(built.parent)}
    os.environ.update(env)
    expo_data.download_release(version)
    return built, env | {"EXPO_DATA_VERSION": version}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--resource", default="winners")
    args = parser.parse_args()
    name = args.resource
    import expo_data

    compileall.compile_dir(expo_data.__path__[0], quiet=1)
    scratch = tempfile.TemporaryDirectory()
    folder, env = release(Path(scratch.name))
    version = env["EXPO_DATA_VERSION"]
    pairs = [
        ("import pandas", f"import expo_data; expo_data.load({name!r})", 1.2),
        ("import pyarrow.csv", f"import expo_data; expo_data.load_arrow({name!r})", 1.5),
        (
            "import pyarrow.parquet",
            f"import expo_data; expo_data.load_arrow({name!r}, {str(folder)!r})",
            1.5,
        ),
        (
            "import pyarrow.parquet",
            f"import expo_data; expo_data.load_arrow({name!r}, release={version!r})",
            1.5,
        ),
    ]
    print(f"python {sys.version.split()[0]}, {args.runs} cold runs each, median wall time")
    print(f"release folder: {folder} (the cached copy: EXPO_DATA_CACHE={env['EXPO_DATA_CACHE']})")
    print(f"{'baseline':<24}{'s':>7}   {'expo-data':<62}{'s':>7}{'ratio':>8}{'target':>8}")
    failed = False
    for baseline, ours, target in pairs:
        base_s, ours_s = cold(baseline, args.runs, env), cold(ours, args.runs, env)
        ratio = ours_s / base_s
        failed |= ratio > target
        verdict = "ok" if ratio <= target else "MISSED"
        shown = ours.replace(str(folder), "<release>")
        print(
            f"{baseline:<24}{base_s:7.3f}   {shown:<62}{ours_s:7.3f}{ratio:8.2f}{target:7.1f}x {verdict}"
        )
    print(f"import expo_data alone: {cold('import expo_data', args.runs):.3f} s")
    scratch.cleanup()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
