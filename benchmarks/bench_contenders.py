"""One benchmark contender, timed in a process of its own; `validate.py` runs this file.

    python benchmarks/bench_contenders.py CONTENDER DATAPACKAGE.JSON OUT.JSON

Writes {seconds, cpu, peak, start, end, findings, counts} to OUT.JSON: wall seconds of the
timed part, the CPU seconds of every thread of this process over it (getrusage), the process's
peak RSS in bytes, the timed part's epoch bounds, the findings (engines) or failure counts
(the hand-written polars and DuckDB checks).
The contenders:
- pyarrow: the bare `pyarrow.csv.read_csv` of every file, types inferred;
- strings: the same parse with every column read as a string;
- stream: pyarrow's streaming reader as the fast engine drives it (1 MiB blocks, every column
  a string, UTF-8 left unchecked), each batch read and dropped: the floor of a design that
  checks while it parses, before any check;
- polars: every file read as strings, each typed column cast (integer, number, year, date,
  datetime; booleans against trueValues/falseValues), then required nulls, primary-key
  duplicates and foreign-key orphans, all vectorised;
- duckdb-sql: `read_csv` of every file as VARCHAR into a table (rows of the wrong width
  skipped, as the bare parse skips them), then the same checks in SQL;
- fast, duckdb, frictionless: the whole of `expo_data.validate()` with that engine.
The polars and DuckDB counts follow each library's own grammar (a polars cast, a DuckDB
TRY_CAST) and handling of ragged rows (polars pads short rows with nulls, DuckDB skips them):
they show the scale of the work, not frictionless' findings.
"""

from __future__ import annotations

import csv
import json
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ENGINES = ("fast", "duckdb", "frictionless")
CONTENDERS = ("pyarrow", "strings", "stream", "polars", "duckdb-sql", *ENGINES)
#: Table Schema type -> (polars dtype name, DuckDB type) of the cast that checks it
CASTS = {
    "integer": ("Int64", "BIGINT"),
    "year": ("Int64", "BIGINT"),
    "number": ("Float64", "DOUBLE"),
    "date": ("Date", "DATE"),
    "datetime": ("Datetime", "TIMESTAMP"),
}
TRUE_VALUES = ["true", "True", "TRUE", "1"]
FALSE_VALUES = ["false", "False", "FALSE", "0"]


@dataclass
class Table:
    """What the hand-written checks need of one resource, read from the descriptor untimed."""

    name: str
    path: Path
    fields: list[dict]
    missing: list[str]
    primary_key: list[str] = field(default_factory=list)
    foreign_keys: list[tuple[list[str], str, list[str]]] = field(default_factory=list)

    @property
    def required(self) -> list[str]:
        """Fields declared required, or part of the primary key."""
        return [
            f["name"]
            for f in self.fields
            if f.get("constraints", {}).get("required") or f["name"] in self.primary_key
        ]


def tables(descriptor: Path) -> list[Table]:
    """Every resource of a package (inline or referenced schemas) as a Table."""
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    result = []
    for spec in package["resources"]:
        schema = spec["schema"]
        if isinstance(schema, str):
            schema = json.loads((descriptor.parent / schema).read_text(encoding="utf-8"))
        primary = schema.get("primaryKey", [])
        keys = [
            (
                [fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"],
                fk["reference"]["resource"] or spec["name"],
                [fk["reference"]["fields"]]
                if isinstance(fk["reference"]["fields"], str)
                else fk["reference"]["fields"],
            )
            for fk in schema.get("foreignKeys", [])
        ]
        path = descriptor.parent / spec["path"]
        result.append(
            Table(
                name=spec["name"],
                path=path,
                fields=schema["fields"],
                missing=schema.get("missingValues", [""]),
                primary_key=[primary] if isinstance(primary, str) else primary,
                foreign_keys=keys,
            )
        )
    return result


def quoted_newline(path: Path) -> bool:
    """Whether any quoted cell holds a line break: pyarrow then needs newlines_in_values."""
    with open(path, encoding="utf-8", errors="replace", newline="") as stream:
        return any("\n" in cell or "\r" in cell for row in csv.reader(stream) for cell in row)


def peak_rss() -> int:
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


def run_pyarrow(plan: list[Table], multi_line: dict, *, as_strings: bool = False) -> dict:
    """Parse every file with pyarrow: types inferred, or every column a string.

    `newlines_in_values` only where a file has multi-line cells, ragged rows skipped.
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv

    for table in plan:
        options = pcsv.ParseOptions(
            newlines_in_values=multi_line[table.name], invalid_row_handler=lambda row: "skip"
        )
        convert = pcsv.ConvertOptions()
        if as_strings:
            convert = pcsv.ConvertOptions(
                column_types={f["name"]: pa.string() for f in table.fields}
            )
        pcsv.read_csv(table.path, parse_options=options, convert_options=convert)
    return {}


def run_stream(plan: list[Table]) -> dict:
    """Stream every file through pyarrow's reader as the fast engine does; check nothing."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    for table in plan:
        reader = pcsv.open_csv(
            table.path,
            read_options=pcsv.ReadOptions(block_size=1 << 20),
            parse_options=pcsv.ParseOptions(
                newlines_in_values=True, invalid_row_handler=lambda row: "skip"
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={f["name"]: pa.string() for f in table.fields},
                strings_can_be_null=False,
                check_utf8=False,
            ),
        )
        for _ in reader:
            pass
    return {}


def run_polars(descriptor: Path, plan: list[Table]) -> dict:
    """Types, required, primary and foreign keys, checked with polars; failure counts."""
    import polars as pl

    counts = {"type": 0, "required": 0, "primary-key": 0, "foreign-key": 0}
    frames = {}
    for table in plan:
        frame = pl.read_csv(
            table.path,
            infer_schema=False,
            null_values=table.missing,
            truncate_ragged_lines=True,
            raise_if_empty=False,
        )
        frames[table.name] = frame
        typed = []
        for spec in table.fields:
            column, kind = pl.col(spec["name"]), spec.get("type", "string")
            if kind == "boolean":
                good = column.is_in(
                    spec.get("trueValues", TRUE_VALUES) + spec.get("falseValues", FALSE_VALUES)
                )
            elif kind in ("date", "datetime"):
                pattern = "%Y-%m-%d" if kind == "date" else "%Y-%m-%dT%H:%M:%S"
                dtype = getattr(pl, CASTS[kind][0])
                good = column.str.strptime(dtype, pattern, strict=False).is_not_null()
            elif kind in CASTS:
                good = column.cast(getattr(pl, CASTS[kind][0]), strict=False).is_not_null()
            else:
                continue
            typed.append((column.is_not_null() & ~good).sum().alias(f"type {spec['name']}"))
        required = [
            pl.col(name).is_null().sum().alias(f"required {name}") for name in table.required
        ]
        if typed or required:
            row = frame.select(typed + required).row(0, named=True)
            for name, count in row.items():
                counts[name.split(" ", 1)[0]] += int(count or 0)
        if table.primary_key:
            counts["primary-key"] += frame.height - frame.select(table.primary_key).n_unique()
    for table in plan:
        frame = frames[table.name]
        for fields, target, target_fields in table.foreign_keys:
            referring = frame.select(fields).drop_nulls()
            referenced = frames[target].select(target_fields).unique()
            orphans = referring.join(referenced, left_on=fields, right_on=target_fields, how="anti")
            counts["foreign-key"] += orphans.height
    return counts


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def run_duckdb_sql(descriptor: Path, plan: list[Table]) -> dict:
    """The polars checks in SQL, on tables DuckDB's `read_csv` fills (every column VARCHAR)."""
    import duckdb

    counts = {"type": 0, "required": 0, "primary-key": 0, "foreign-key": 0}
    con = duckdb.connect()
    for table in plan:
        nulls = ", ".join(_literal(m) for m in table.missing)
        con.execute(
            f"CREATE TABLE {_quote(table.name)} AS SELECT * FROM read_csv("
            f"{_literal(str(table.path))}, header = true, all_varchar = true, "
            f"nullstr = [{nulls}], ignore_errors = true)"
        )
        name, sums = _quote(table.name), []
        for spec in table.fields:
            column, kind = _quote(spec["name"]), spec.get("type", "string")
            if kind == "boolean":
                values = spec.get("trueValues", TRUE_VALUES) + spec.get("falseValues", FALSE_VALUES)
                bad = f"{column} NOT IN ({', '.join(_literal(v) for v in values)})"
            elif kind == "date":
                bad = f"TRY_STRPTIME({column}, '%Y-%m-%d') IS NULL"
            elif kind in CASTS:
                bad = f"TRY_CAST({column} AS {CASTS[kind][1]}) IS NULL"
            else:
                continue
            sums.append(f"count(*) FILTER ({column} IS NOT NULL AND {bad})")
        typed = len(sums)
        sums += [f"count(*) - count({_quote(f)})" for f in table.required]
        if table.primary_key:
            key = ", ".join(_quote(f) for f in table.primary_key)
            sums.append(f"count(*) - (SELECT count(*) FROM (SELECT DISTINCT {key} FROM {name}))")
        if sums:
            row = con.execute(f"SELECT {', '.join(sums)} FROM {name}").fetchone()
            counts["type"] += sum(row[:typed])
            counts["required"] += sum(row[typed : typed + len(table.required)])
            counts["primary-key"] += sum(row[typed + len(table.required) :])
    for table in plan:
        for fields, target, target_fields in table.foreign_keys:
            on = " AND ".join(
                f"r.{_quote(a)} = t.{_quote(b)}" for a, b in zip(fields, target_fields, strict=True)
            )
            present = " AND ".join(f"r.{_quote(a)} IS NOT NULL" for a in fields)
            distinct = ", ".join(_quote(b) for b in target_fields)
            counts["foreign-key"] += con.execute(
                f"SELECT count(*) FROM {_quote(table.name)} r ANTI JOIN "
                f"(SELECT DISTINCT {distinct} FROM {_quote(target)}) t ON {on} WHERE {present}"
            ).fetchone()[0]
    return counts


def run_engine(engine: str, descriptor: Path) -> list[list]:
    """The whole of `validate()`, strict scan included, with one engine; its findings."""
    from expo_data import validate

    # the frictionless engine is frictionless itself plus what it does not check (RE2
    # patterns, out-of-range, v2 rules)
    findings = validate(descriptor, engine=engine, limit_errors=10**9).findings
    return [[f.code, f.resource, f.row, f.field, f.message] for f in findings]


def main(contender: str, descriptor: Path, out: Path) -> None:
    """Time one contender on one package and write what it measured to `out`."""
    plan = tables(descriptor)  # untimed, as is where pyarrow needs multi-line parsing
    if contender in ("pyarrow", "strings"):
        multi_line = {table.name: quoted_newline(table.path) for table in plan}
    before = resource.getrusage(resource.RUSAGE_SELF)
    start, started = time.time(), time.perf_counter()
    findings, counts = None, None
    if contender in ENGINES:
        findings = run_engine(contender, descriptor)
    elif contender == "polars":
        counts = run_polars(descriptor, plan)
    elif contender == "duckdb-sql":
        counts = run_duckdb_sql(descriptor, plan)
    elif contender == "stream":
        run_stream(plan)
    else:
        run_pyarrow(plan, multi_line, as_strings=contender == "strings")
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    window = {"start": start, "end": time.time()}  # for the parent's thread-state samples
    result = {"seconds": seconds, "cpu": cpu, "peak": peak_rss(), **window}
    out.write_text(json.dumps({**result, "findings": findings, "counts": counts}))


if __name__ == "__main__":
    name, path, target = sys.argv[1:]
    if name not in CONTENDERS:
        sys.exit(f"Error: unknown contender {name!r}; one of {', '.join(CONTENDERS)}")
    main(name, Path(path), Path(target))
