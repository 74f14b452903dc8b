"""Starting a package: a Data Package v2 descriptor inferred from a folder of CSV files.

Types are decided by the cell grammar the validator uses (`read.cells`), over every row, so
a package `init_package` writes validates. The rules, in order of use:

- **missing values**: "" always; a token such as "NA" or "-" only where it fills the gaps
  of a column that is otherwise typed (a number column with "NA" cells), never from text.
- **type**: the first of integer, number, date, datetime, boolean every present cell reads
  as, else string. Integers written with a leading zero ("0755") stay strings (lossless).
- **required**: where no cell is missing.
- **primary key**: one unique, never-empty string, integer or date column (an `id`-like name
  first: `id`, then `…_id`, `…code`, `…key`), else the first unique pair of such columns.
- **categories** (v2): a string column, not a key, with 2 to 10 distinct values and at
  least 3 rows per distinct value.
- **foreign keys**: a column whose values all occur in another resource's one-column
  primary key, of the same type, when its name mentions that resource or key, or (strings)
  it holds two or more distinct values.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import PackageError, UnsafePathError
from ..model.bundle import DESCRIPTOR
from ..model.paths import resolve_path

PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
#: types tried in order; the first every present cell reads as wins
TYPES = ("integer", "number", "date", "datetime", "boolean")
#: tokens that may mark a missing cell (declared only where they fill a typed column's gaps)
MISSING_TOKENS = ("NA", "N/A", "n/a", "na", "NULL", "null", "None", "-", "nan", "NaN", ".")
MAX_CATEGORIES = 10
ROWS_PER_CATEGORY = 3
KEY_TYPES = ("string", "integer", "date")
#: the most columns and the longest line (characters) a CSV may have to be described
MAX_COLUMNS = 10_000
MAX_LINE = 8 * 1024 * 1024


@dataclass
class _Column:
    """What the inference learned about one column."""

    name: str
    cells: list[str]
    type: str = "string"
    missing: set[str] = field(default_factory=set)  # tokens that mark its missing cells
    required: bool = False
    categories: list[str] | None = None

    def present(self, missing: set[str]) -> list[str]:
        return [c for c in self.cells if c not in missing]


@dataclass
class _Table:
    """One CSV file and its columns."""

    name: str
    path: str
    dialect: dict
    columns: list[_Column]
    rows: int
    primary_key: list[str] = field(default_factory=list)
    foreign_keys: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=lambda: [""])


def infer_package(folder: str | Path) -> dict[str, Any]:
    """A Data Package v2 descriptor for the CSV files in `folder` (nothing is written).

    One resource per CSV (subfolders included, hidden ones not), each with an inline Table
    Schema inferred from all of its rows; see this module's docstring for the rules. The
    files are found by the rules `validate` applies to resource paths: a CSV a symlink
    leads out of the folder raises UnsafePathError. A CSV of more than MAX_COLUMNS columns
    or a line longer than MAX_LINE characters raises PackageError.
    """
    root = Path(folder)
    if not root.is_dir():
        raise PackageError(f"{root} is not a folder")
    files = sorted(
        p
        for p in root.rglob("*")
        if p.suffix.lower() == ".csv"
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
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
        table.primary_key = _primary_key(table)
    for table in tables:
        table.foreign_keys = _foreign_keys(table, tables)
    for table in tables:
        for column in table.columns:
            column.categories = _categories(table, column)
    return {
        "$schema": PACKAGE_PROFILE,
        "name": _slug(root.resolve().name) or "package",
        "resources": [_resource(t) for t in tables],
    }


def init_package(folder: str | Path, *, force: bool = False) -> Path:
    """Write `folder`/datapackage.json inferred from its CSV files; return its path.

    Refuses to replace an existing descriptor unless `force=True`. The descriptor is
    written whole or not at all. Validate the result with `expo_data.validate(folder)`.
    """
    target = Path(folder) / DESCRIPTOR
    if target.exists() and not force:
        raise PackageError(f"{target} exists; pass force=True to replace it")
    descriptor = infer_package(folder)
    text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    partial = target.with_name(f".{DESCRIPTOR}.part")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)
    return target


# -- reading -----------------------------------------------------------------------------


def _read(root: Path, path: Path) -> _Table:
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
        _Column(name, [r[j] if j < len(r) else "" for r in body]) for j, name in enumerate(header)
    ]
    relative = PurePosixPath(*path.relative_to(root).parts)
    dialect = {"delimiter": delimiter} if delimiter != "," else {}
    ragged = next((i for i, r in enumerate(records) if r and len(r) != width), None)
    if ragged is not None:
        raise PackageError(
            f"{path}: row {ragged + 1} has {len(records[ragged])} cells, the header {width}"
        )
    return _Table(_slug(path.stem) or "table", str(relative), dialect, columns, len(body))


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
            f"{path}: not UTF-8 text ({exc.reason}, line {len(lines) + 1})"
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


def _unique_names(tables: list[_Table]) -> None:
    seen: dict[str, int] = {}
    for table in tables:
        if table.name in seen:
            seen[table.name] += 1
            table.name = f"{table.name}-{seen[table.name]}"
        else:
            seen[table.name] = 1


# -- columns -----------------------------------------------------------------------------


def _infer_columns(table: _Table) -> None:
    """Each column's type and missing-value tokens; then the resource's missingValues."""
    tokens: list[str] = []
    for column in table.columns:
        column.type, column.missing = _type(column)
        tokens += [t for t in MISSING_TOKENS if t in column.missing and t not in tokens]
    table.missing = ["", *tokens]
    missing = set(table.missing)
    for column in table.columns:
        column.required = bool(column.cells) and all(c not in missing for c in column.cells)


def _type(column: _Column) -> tuple[str, set[str]]:
    """The column's type, and the tokens (beyond "") that mark its missing cells."""
    filled = [c for c in column.cells if c != ""]
    if not filled:
        return "string", set()
    for candidate in TYPES:
        if _reads_as(candidate, filled):
            return candidate, set()
        tokens = {c for c in filled if c in MISSING_TOKENS}
        rest = [c for c in filled if c not in tokens]
        if tokens and rest and _reads_as(candidate, rest):
            return candidate, tokens
    return "string", set()


def _reads_as(kind: str, cells: list[str]) -> bool:
    """Whether every cell reads as `kind` by the validator's grammar, losslessly."""
    import pyarrow as pa

    from ..model.descriptor import Field
    from ..read.cells import parse

    if kind in ("integer", "number") and any(_leading_zero(c) for c in cells):
        return False  # "0755" is a code, not the number 755
    if kind == "boolean" and not all(c.lower() in ("true", "false") for c in cells):
        return False  # 1/0 are integers; only the words make a boolean
    _, bad = parse(Field("cell", type=kind), pa.chunked_array([pa.array(cells, pa.string())]))
    return not any(bad.to_pylist())


def _leading_zero(cell: str) -> bool:
    digits = cell.strip().lstrip("+-")
    return len(digits) > 1 and digits[0] == "0" and digits[1].isdigit()


def _categories(table: _Table, column: _Column) -> list[str] | None:
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


# -- keys --------------------------------------------------------------------------------


def _key_rank(name: str) -> int:
    lowered = name.lower()
    if lowered == "id":
        return 0
    if lowered.endswith(("_id", "-id", " id")) or name.endswith("Id"):
        return 1
    if lowered.endswith(("code", "key")):
        return 2
    return 3


def _primary_key(table: _Table) -> list[str]:
    candidates = [c for c in table.columns if c.required and c.type in KEY_TYPES]
    if not table.rows:
        return []
    unique = [c for c in candidates if len(set(c.cells)) == table.rows]
    if unique:
        best = min(unique, key=lambda c: (_key_rank(c.name), table.columns.index(c)))
        return [best.name]
    for i, first in enumerate(candidates):
        for second in candidates[i + 1 :]:
            if len(set(zip(first.cells, second.cells, strict=True))) == table.rows:
                return [first.name, second.name]
    return []


def _foreign_keys(table: _Table, tables: list[_Table]) -> list[dict]:
    out = []
    for column in table.columns:
        if column.name in table.primary_key and len(table.primary_key) == 1:
            continue
        values = set(column.present(set(table.missing)))
        if not values:
            continue
        for other in tables:
            if other is table or len(other.primary_key) != 1:
                continue
            key = next(c for c in other.columns if c.name == other.primary_key[0])
            if key.type != column.type or not values <= set(key.cells):
                continue
            if _mentions(column.name, other) or (column.type == "string" and len(values) > 1):
                reference = {"resource": other.name, "fields": [key.name]}
                out.append({"fields": [column.name], "reference": reference})
                break
    return out


def _mentions(name: str, other: _Table) -> bool:
    """Whether a column name refers to `other`: `customer_id` → customers, `author` → authors."""
    lowered = name.lower()
    stem = other.name.lower().rstrip("s")
    return (lowered == other.primary_key[0].lower() and lowered != "id") or bool(
        stem and stem in lowered
    )


# -- the descriptor ----------------------------------------------------------------------


def _resource(table: _Table) -> dict[str, Any]:
    fields = []
    for column in table.columns:
        f: dict[str, Any] = {"name": column.name, "type": column.type}
        if column.categories is not None:
            f["categories"] = column.categories
        if column.required:
            f["constraints"] = {"required": True}
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
