"""Where validate()'s time goes: the fast engine on one package, profiled in a fresh process.

cProfile sees the main thread only: the strict scan, the read-ahead parse, the descriptor
check and the column workers run on other threads, so their time shows here as the main
thread waiting for them (`acquire`, `result`, `read_ahead`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = r"""
import cProfile, pstats, sys, time
started = time.perf_counter()
import expo_data
profile = cProfile.Profile()
profile.enable()
report = expo_data.validate(sys.argv[1])
profile.disable()
print(f"  wall {time.perf_counter() - started:.2f} s, {len(report.findings)} findings")
stats = pstats.Stats(profile)
rows = []
for (path, line, name), (_, calls, own, total, _) in stats.stats.items():
    where = path.split("site-packages/")[-1].split("src/")[-1]
    rows.append((total, own, calls, f"{where}:{line}({name})"))
print(f"  {'cumulative':>10} {'own':>7} {'calls':>7}  function")
seen = set()
for total, own, calls, name in sorted(rows, reverse=True):
    if len(seen) >= int(sys.argv[2]):
        break
    if "importlib" in name or name in seen:
        continue
    seen.add(name)
    print(f"  {total:10.3f} {own:7.3f} {calls:7d}  {name}")
"""


def profile(descriptor: Path, top: int = 25) -> None:
    """Print the fast engine's main-thread profile on `descriptor` (its `top` entries)."""
    print(f"\n== profile: validate({descriptor.parent.name}), fast engine, main thread")
    subprocess.run([sys.executable, "-c", SCRIPT, str(descriptor), str(top)], check=True)
