"""The duckdb engine's memory limit: sizes as DuckDB writes them ("2GB", "512MiB"), in bytes.

One parser for `validate(memory_limit=…)`, `expo-data validate --memory-limit` and
$EXPO_DATA_DUCKDB_MEMORY_LIMIT (and the benchmarks), light to import: the CLI checks the
option before anything heavy is loaded. Units are DuckDB's, any case: B, KB, MB, GB, TB are
powers of 1000 (K, M, G, T too), KiB, MiB, GiB, TiB powers of 1024; a unit is required, as
DuckDB requires it; an int is a number of bytes. The limit is the engine's, not DuckDB's
alone: DuckDB gets all of it but what Python and Arrow need beside it (`duckdb_share`).
"""

from __future__ import annotations

import os
import re
from decimal import Decimal

from ...errors import ExpoDataError

#: the environment variable read when no memory_limit is given
ENV = "EXPO_DATA_DUCKDB_MEMORY_LIMIT"
#: bytes per unit, as DuckDB reads them
UNITS = {
    **dict.fromkeys(("b", "byte", "bytes"), 1),
    **dict.fromkeys(("k", "kb", "kilobyte", "kilobytes"), 10**3),
    **dict.fromkeys(("m", "mb", "megabyte", "megabytes"), 10**6),
    **dict.fromkeys(("g", "gb", "gigabyte", "gigabytes"), 10**9),
    **dict.fromkeys(("t", "tb", "terabyte", "terabytes"), 10**12),
    "kib": 1 << 10,
    "mib": 1 << 20,
    "gib": 1 << 30,
    "tib": 1 << 40,
}
#: what the engine keeps of a limit for itself, outside DuckDB's accounting: Python, Arrow
#: and the batch being checked (190-290 MB measured beside DuckDB on 3M and 10M awards rows)
RESERVE = 384 << 20
#: the largest limit DuckDB holds (a signed 64-bit count of bytes)
LARGEST = (1 << 63) - 1
_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([a-zA-Z]*)\s*")
_EXAMPLES = "such as 2GB (2 x 10^9 bytes), 512MiB (512 x 2^20 bytes) or 1.5GB"


class MemoryLimitError(ExpoDataError, ValueError):
    """A memory limit that is not a size, or given to an engine it does not apply to."""

    exit_code = 2


def size_bytes(size: str | int, *, name: str = "memory_limit") -> int:
    """`size` ("2GB", "512MiB", "1.5 GB", or an int of bytes) in bytes, as DuckDB reads it.

    Raises MemoryLimitError (a ValueError) naming `name` for anything else, zero included.
    """
    if isinstance(size, bool) or not isinstance(size, (str, int)):
        raise MemoryLimitError(
            f"{name} must be a size {_EXAMPLES}, or an int of bytes, not {type(size).__name__}"
        )
    if isinstance(size, int):
        found = size
    else:
        match = _SIZE.fullmatch(size)
        if match is None:
            raise MemoryLimitError(f"{name} {size!r} is not a size {_EXAMPLES}")
        number, unit = match.groups()
        if not unit:
            raise MemoryLimitError(
                f"{name} {size!r} has no unit (DuckDB requires one): {number}MB is "
                f"{number} x 10^6 bytes, {number}MiB {number} x 2^20"
            )
        if unit.lower() not in UNITS:
            raise MemoryLimitError(
                f"{name} {size!r}: unknown unit {unit!r}; units are B, KB, MB, GB, TB "
                f"(powers of 1000) and KiB, MiB, GiB, TiB (powers of 1024)"
            )
        found = int(Decimal(number) * UNITS[unit.lower()])
    if found < 1:
        raise MemoryLimitError(f"{name} {size!r} is not above 0 bytes: give a size {_EXAMPLES}")
    if found > LARGEST:
        raise MemoryLimitError(f"{name} {size!r} is more bytes than DuckDB can hold ({LARGEST})")
    return found


def duckdb_share(limit: int) -> int:
    """The bytes DuckDB gets of a memory limit of `limit` bytes: all but RESERVE, never less
    than RESERVE (the whole limit when it is smaller).

    DuckDB fills its limit before it spills, so were it given the whole of a large one, the
    process (DuckDB, plus Python and Arrow) would pass it by the rest. A small limit cannot
    hold Python and Arrow anyway: there it bounds DuckDB alone, which needs room to work.
    """
    return max(limit - RESERVE, min(limit, RESERVE))


def check_memory_limit(engine: str, memory_limit: str | int | None) -> None:
    """Raise MemoryLimitError if `memory_limit` is given to another engine than duckdb, or
    if the duckdb engine's limit (`memory_limit`, else $EXPO_DATA_DUCKDB_MEMORY_LIMIT) is not
    a size: before anything is read.

    Only the duckdb engine has a memory limit; the others hold what they read in Python's
    memory, which no limit bounds, so a limit given to them would be silently ignored.
    """
    if engine == "duckdb":
        resolve(memory_limit)
    elif memory_limit is not None:
        raise MemoryLimitError(
            f"memory_limit applies to the duckdb engine (engine='duckdb'), not to the "
            f"{engine} engine, which has no memory limit"
        )


def resolve(memory_limit: str | int | None) -> tuple[int, str] | None:
    """(bytes, how the limit was given) of `memory_limit`, else of $EXPO_DATA_DUCKDB_MEMORY_LIMIT;
    None when neither is set (DuckDB's default: 80% of RAM)."""
    if memory_limit is not None:
        return size_bytes(memory_limit), f"memory_limit {memory_limit}"
    text = os.environ.get(ENV, "").strip()
    if not text:
        return None
    return size_bytes(text, name=f"${ENV}"), f"${ENV}={text}"
