"""What inference learns about a CSV file: its columns, their types and keys (plain state)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Column:
    """What the inference learned about one column."""

    name: str
    cells: list[str]
    type: str = "string"
    missing: set[str] = field(default_factory=set)  # tokens that mark its missing cells
    required: bool = False
    unique: bool = False  # declared when a foreign key refers to it and it is not the key
    categories: list[str] | None = None
    options: dict = field(default_factory=dict)  # e.g. {"decimalChar": ","}

    def present(self, missing: set[str]) -> list[str]:
        return [c for c in self.cells if c not in missing]


@dataclass
class Table:
    """One CSV file and its columns."""

    name: str
    path: str
    dialect: dict
    columns: list[Column]
    rows: int
    encoding: str = "utf-8"
    primary_key: list[str] = field(default_factory=list)
    foreign_keys: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=lambda: [""])
