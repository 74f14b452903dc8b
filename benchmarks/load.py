"""Cold-process timings of loading a resource, against the imports they cannot avoid.

Targets: load("winners") <= 1.2 x `import pandas`; load_arrow("winners") <= 1.5 x `import pyarrow.csv`.
Each figure is the median wall time of N fresh interpreters (python -c ...). The package's
bytecode is compiled first, as installing a wheel does (PYTHONDONTWRITEBYTECODE may be set).

    python benchmarks/load.py [--runs N] [--resource NAME]
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import sys
import time


def cold(code: str, runs: int) -> float:
    """Median wall time, in seconds, of `python -c code` over `runs` fresh processes."""
    times = []
    subprocess.run([sys.executable, "-c", code], check=True)  # warm the OS file cache
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--resource", default="winners")
    args = parser.parse_args()
    name = args.resource
    import expo_data

    compileall.compile_dir(expo_data.__path__[0], quiet=1)
    pairs = [
        ("import pandas", f"import expo_data; expo_data.load({name!r})", 1.2),
        ("import pyarrow.csv", f"import expo_data; expo_data.load_arrow({name!r})", 1.5),
    ]
    print(f"python {sys.version.split()[0]}, {args.runs} cold runs each, median wall time")
    print(f"{'baseline':<22}{'s':>7}   {'expo-data':<46}{'s':>7}{'ratio':>8}{'target':>8}")
    failed = False
    for baseline, ours, target in pairs:
        base_s, ours_s = cold(baseline, args.runs), cold(ours, args.runs)
        ratio = ours_s / base_s
        failed |= ratio > target
        verdict = "ok" if ratio <= target else "MISSED"
        print(
            f"{baseline:<22}{base_s:7.3f}   {ours:<46}{ours_s:7.3f}{ratio:8.2f}{target:7.1f}x {verdict}"
        )
    print(f"import expo_data alone: {cold('import expo_data', args.runs):.3f} s")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
