"""Starting a package: a Data Package v2 descriptor inferred from a folder of CSV files.

Types are decided by the cell grammar the validator uses (`read.cells`), over every row, so
a package `init_package` writes validates. The rules, in order of use:

- **files**: every *.csv below the folder, except in hidden folders and in folders expo-data
  generates or that hold a release (`site/`, `release/`, `docs/`, `dist/`, a `manifest.json`).
- **missing values**: "" and cells of spaces only (a non-breaking space included) always; a
  token such as "NA" or "-" only where it fills the gaps of a column that is otherwise typed
  (a number column with "NA" cells), never from text.
- **type**: the first of integer, number, date, datetime, boolean every present cell reads
  as, then a number with a decimal comma ("3,5": `decimalChar`), else string. Integers
  written with a leading zero ("0755") stay strings (lossless).
- **required**: where no cell is missing.
- **primary key**: one unique, never-empty string, integer or date column, ranked as a person
  would: `id`, then a code-like column (short, fixed-width, with letters: `AFG`) whose name
  says key (`…code`, `ISO…`, `…id`), then an `…_id` name, any code-like column, a `…code` or
  `…key` name; else the first unique pair of such columns.
- **categories** (v2): a string column, not a key, with 2 to 10 distinct values and at
  least 3 rows per distinct value.
- **foreign keys**: a column whose values all occur in a unique column of another resource
  (its primary key first), of the same type, when its name mentions that resource or key, or
  (strings) it holds two or more distinct values; a target that is not the primary key is
  declared `unique`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import PackageError, UnsafePathError
from ..model.bundle import DESCRIPTOR
from ..model.paths import resolve_path
from .columns import Column, Table
from .keys import foreign_keys, primary_key

PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
#: types tried in order; the first every present cell reads as wins
TYPES = ("integer", "number", "date", "datetime", "boolean")
#: tokens that may mark a missing cell (declared only where they fill a typed column's gaps)
MISSING_TOKENS = ("NA", "N/A", "n/a", "na", "NULL", "null", "None", "-", "nan", "NaN", ".")
#: folders `init` never reads: what expo-data generates, and the usual build output
GENERATED = frozenset({"site", "release", "releases", "docs", "dist", "build", "node_modules"})
MAX_CATEGORIES = 10
ROWS_PER_CATEGORY = 3
#: the most columns and the longest line (characters) a CSV may have to be described
MAX_COLUMNS = 10_000
MAX_LINE = 8 * 1024 * 1024


def infer_package(
    folder: str | Path,
    *,
    title: str | None = None,
    version: str | None = None,
    licence: str | None = None,
) -> dict[str, Any]:
    """A Data Package v2 descriptor for the CSV files in `folder` (nothing is written).

    One resource per CSV (subfolders included; hidden and generated ones not, see this
    module's docstring), each with an inline Table Schema inferred from all of its rows.
    `title`, `version` and `licence` (an SPDX-style id such as `CC-BY-4.0`) go into the
    descriptor when given. The files are found by the rules `validate` applies to resource
    paths: a CSV a symlink leads out of the folder raises UnsafePathError. A CSV of more
    than MAX_COLUMNS columns or a line longer than MAX_LINE characters raises PackageError.
    """
    root = Path(folder)
    if not root.is_dir():
        raise PackageError(f"{root} is not a folder")
    files = sorted(p for p in root.rglob("*.[cC][sS][vV]") if _wanted(root, p))
    if not files:
        raise PackageError(f"{root} holds no CSV files (*.csv) to describe")
    for path in files:
        try:
            resolve_path(root, path.relative_to(root).as_posix())
        except UnsafePathError as exc:
            reason = str(exc).replace(" (pass trusted=True to allow it)", "")
            reason = reason.replace("; pass trusted=True to allow it)", ")")
            raise UnsafePathError(
                f"{path}: {reason}; init describes only files inside {root}: copy it in"
            ) from None
    tables = [_read(root, path) for path in files]
    _unique_names(tables)
    for table in tables:
        _infer_columns(table)
        table.primary_key = primary_key(table)
    for table in tables:
        table.foreign_keys = foreign_keys(table, tables)
    _mark_unique_targets(tables)
    for table in tables:
        for column in table.columns:
            column.categories = _categories(table, column)
    descriptor: dict[str, Any] = {
        "$schema": PACKAGE_PROFILE,
        "name": _slug(root.resolve().name) or "package",
    }
    if title:
        descriptor["title"] = title
    if version:
        descriptor["version"] = version
    if licence:
        descriptor["licenses"] = [{"name": licence}]
    descriptor["resources"] = [_resource(t) for t in tables]
    return descriptor


def infer_table(path: str | Path) -> dict[str, Any]:
    """A resource for one CSV file, its schema inferred from every row (ragged rows allowed,
    for the validator to report)."""
    file = Path(path)
    table = _read(file.parent, file, ragged=True)
    _infer_columns(table)
    table.primary_key = primary_key(table)
    for column in table.columns:
        column.categories = _categories(table, column)
    return _resource(table)


def init_package(
    folder: str | Path,
    *,
    force: bool = False,
    title: str | None = None,
    version: str | None = None,
    licence: str | None = None,
) -> Path:
    """Write `folder`/datapackage.json inferred from its CSV files; return its path.

    Refuses to replace an existing descriptor unless `force=True`. The descriptor is
    written whole or not at all. `title`, `version` and `licence` are as for
    `infer_package`. Validate the result with `expo_data.validate(folder)`.
    """
    target = Path(folder) / DESCRIPTOR
    if target.exists() and not force:
        raise PackageError(f"{target} exists; pass force=True to replace it")
    descriptor = infer_package(folder, title=title, version=version, licence=licence)
    text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    partial = target.with_name(f".{DESCRIPTOR}.part")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)
    return target


def _wanted(root: Path, path: Path) -> bool:
    """A CSV file to describe: not hidden, not in a generated folder or a release folder."""
    parts = path.relative_to(root).parts
    if not path.is_file() or any(p.startswith(".") for p in parts):
        return False
    if any(p.lower() in GENERATED for p in parts[:-1]):
        return False
    folders = [root.joinpath(*parts[:i]) for i in range(1, len(parts))]
    return not any((f / "manifest.json").is_file() for f in folders)


def _mark_unique_targets(tables: list[Table]) -> None:
    """Declare `unique` on the columns foreign keys refer to that are not primary keys."""
    by_name = {t.name: t for t in tables}
    for table in tables:
        for fk in table.foreign_keys:
            target = by_name[fk["reference"]["resource"]]
            if fk["reference"]["fields"] != target.primary_key:
                name = fk["reference"]["fields"][0]
                next(c for c in target.columns if c.name == name).unique = True


# -- reading -----------------------------------------------------------------------------


def _read(root: Path, path: Path, *, ragged: bool = False) -> Table:
    """The CSV's header and cells as strings (its delimiter sniffed: , ; tab or |)."""
    text = _text(path)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        first = next(reader, None)
        if first is not None and len(first) > MAX_COLUMNS:
            raise PackageError(
                f"{path}: the header has {len(first)} columns, more than the {MAX_COLUMNS} "
                "init describes; is it a CSV file?"
            )
        records = [] if first is None else [first, *reader]
    except csv.Error as exc:
        raise PackageError(f"{path}: row {reader.line_num}: {exc}") from None
    if not records:
        raise PackageError(f"{path}: the file is empty (a CSV needs a header row)")
    header, body = records[0], [r for r in records[1:] if r]
    width = len(header)
    columns = [
        Column(name, [r[j] if j < len(r) else "" for r in body]) for j, name in enumerate(header)
    ]
    relative = PurePosixPath(*path.relative_to(root).parts)
    dialect = {"delimiter": delimiter} if delimiter != "," else {}
    short = next((i for i, r in enumerate(records) if r and len(r) != width), None)
    if short is not None and not ragged:
        raise PackageError(
            f"{path}: row {short + 1} has {len(records[short])} cells, the header {width}"
        )
    return Table(_slug(path.stem) or "table", str(relative), dialect, columns, len(body))


def _encoding_hint(path: Path) -> str:
    """How to fix a file that is not UTF-8, when it reads as Windows-1252 (or Latin-1)."""
    data = path.read_bytes()
    for codec, name in (("cp1252", "Windows-1252 (cp1252)"), ("latin-1", "Latin-1")):
        try:
            data.decode(codec)
        except UnicodeDecodeError:
            continue
        return (
            f"; it reads as {name}: save it as UTF-8 (e.g. `iconv -f {codec} -t utf-8 "
            f"{path.name} > utf8.csv`) and run init again"
        )
    return ""


def _text(path: Path) -> str:
    """The file's text, read a line at a time: PackageError at a line over MAX_LINE."""
    lines = []
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            while line := stream.readline(MAX_LINE + 1):
                if len(line) > MAX_LINE:
                    raise PackageError(
                        f"{path}: line {len(lines) + 1} is longer than {MAX_LINE} characters; "
                        "is it a CSV file?"
                    )
                lines.append(line)
    except UnicodeDecodeError as exc:
        raise PackageError(
            f"{path}: not UTF-8 text ({exc.reason}, line {len(lines) + 1}){_encoding_hint(path)}"
        ) from None
    return "".join(lines)


def _delimiter(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:65536], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _slug(text: str) -> str:
    """A v2 name: lowercase letters, digits, `-`, `_` and `.`."""
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-")


def _unique_names(tables: list[Table]) -> None:
    seen: dict[str, int] = {}
    for table in tables:
        if table.name in seen:
            seen[table.name] += 1
            table.name = f"{table.name}-{seen[table.name]}"
        else:
            seen[table.name] = 1


# -- columns -----------------------------------------------------------------------------


def _infer_columns(table: Table) -> None:
    """Each column's type and missing-value tokens; then the resource's missingValues."""
    tokens: list[str] = []
    blanks: set[str] = set()
    for column in table.columns:
        column.type, column.missing, column.options = _type(column)
        tokens += [t for t in MISSING_TOKENS if t in column.missing and t not in tokens]
        blanks |= {c for c in column.cells if _blank(c)}
    table.missing = ["", *tokens, *sorted(blanks)]
    missing = set(table.missing)
    for column in table.columns:
        column.required = bool(column.cells) and all(c not in missing for c in column.cells)


def _blank(cell: str) -> bool:
    """A cell of spaces only (a non-breaking space among them): missing, like ""."""
    return bool(cell) and not cell.strip()


def _type(column: Column) -> tuple[str, set[str], dict]:
    """The column's type, the tokens (beyond "") that mark its missing cells, its options."""
    filled = [c for c in column.cells if c.strip()]
    if not filled:
        return "string", set(), {}
    tokens = {c for c in filled if c in MISSING_TOKENS}
    rest = [c for c in filled if c not in tokens]
    for candidate in TYPES:
        if _reads_as(candidate, filled):
            return candidate, set(), {}
        if tokens and rest and _reads_as(candidate, rest):
            return candidate, tokens, {}
    comma = {"decimalChar": ","}
    if any("," in c for c in filled):
        if _reads_as("number", filled, comma):
            return "number", set(), comma
        if tokens and rest and _reads_as("number", rest, comma):
            return "number", tokens, comma
    return "string", set(), {}


def _reads_as(kind: str, cells: list[str], options: dict | None = None) -> bool:
    """Whether every cell reads as `kind` by the validator's grammar, losslessly."""
    import pyarrow as pa

    from ..model.descriptor import Field
    from ..read.cells import parse

    if kind in ("integer", "number") and any(_leading_zero(c) for c in cells):
        return False  # "0755" is a code, not the number 755
    if kind == "boolean" and not all(c.lower() in ("true", "false") for c in cells):
        return False  # 1/0 are integers; only the words make a boolean
    options = {"name": "cell", "type": kind, **(options or {})}
    field = Field("cell", type=kind, descriptor=options)
    _, bad = parse(field, pa.chunked_array([pa.array(cells, pa.string())]))
    return not any(bad.to_pylist())


def _leading_zero(cell: str) -> bool:
    digits = cell.strip().lstrip("+-")
    return len(digits) > 1 and digits[0] == "0" and digits[1].isdigit()


def _categories(table: Table, column: Column) -> list[str] | None:
    if column.type != "string" or column.name in table.primary_key:
        return None
    values = set(column.present(set(table.missing)))
    if not 2 <= len(values) <= MAX_CATEGORIES:
        return None
    if table.rows < ROWS_PER_CATEGORY * len(values):
        return None
    if any(fk["fields"] == [column.name] for fk in table.foreign_keys):
        return None  # its values are another resource's keys
    return sorted(values)


# -- the descriptor ----------------------------------------------------------------------


def _resource(table: Table) -> dict[str, Any]:
    fields = []
    for column in table.columns:
        f: dict[str, Any] = {"name": column.name, "type": column.type, **column.options}
        if column.categories is not None:
            f["categories"] = column.categories
        constraints = {"required": True} if column.required else {}
        if column.unique:
            constraints["unique"] = True
        if constraints:
            f["constraints"] = constraints
        fields.append(f)
    schema: dict[str, Any] = {"$schema": SCHEMA_PROFILE, "fields": fields}
    if table.primary_key:
        schema["primaryKey"] = table.primary_key
    if table.foreign_keys:
        schema["foreignKeys"] = table.foreign_keys
    schema["missingValues"] = table.missing
    resource: dict[str, Any] = {
        "name": table.name,
        "type": "table",
        "path": table.path,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
    }
    if table.dialect:
        resource["dialect"] = table.dialect
    resource["schema"] = schema
    return resource


def summarize(descriptor: dict[str, Any]) -> str:
    """What was inferred, for people: per resource its keys, then each field's type."""
    from ..display import render_table

    blocks = []
    for r in descriptor["resources"]:
        schema = r["schema"]
        head = [f"{r['name']} ({r['path']})"]
        if schema.get("primaryKey"):
            head.append(f"  primary key: {', '.join(schema['primaryKey'])}")
        for fk in schema.get("foreignKeys", []):
            ref = fk["reference"]
            head.append(
                f"  foreign key: {', '.join(fk['fields'])} -> "
                f"{ref['resource']}({', '.join(ref['fields'])})"
            )
        if schema["missingValues"] != [""]:
            head.append(f"  missing values: {json.dumps(schema['missingValues'])}")
        decimal = [f["name"] for f in schema["fields"] if f.get("decimalChar") == ","]
        if decimal:
            head.append(f"  decimal comma: {', '.join(decimal)}")
        rows = [
            (
                f["name"],
                f["type"],
                "required" if f.get("constraints", {}).get("required") else "",
                f"categories: {', '.join(f['categories'])}" if "categories" in f else "",
            )
            for f in schema["fields"]
        ]
        table = render_table(("", "", "", ""), rows).splitlines()[2:]
        blocks.append("\n".join([*head, *(f"  {line}" for line in table)]))
    return "\n\n".join(blocks)
