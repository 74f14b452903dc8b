"""The Parquet files of a release being built: per resource its files, per file its facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model.descriptor import Package, Resource


@dataclass(frozen=True)
class ReleaseFiles:
    """The Parquet files of a release: per resource its file names, per file its facts."""

    parts: dict[str, list[str]]  # resource name → its Parquet files, in order
    rows: dict[str, int]  # file name → rows
    sizes: dict[str, int]  # file name → uncompressed bytes of its data
    sha256: dict[str, str]  # file name → sha256 hex digest

    def resource_rows(self, name: str) -> int:
        return sum(self.rows[f] for f in self.parts.get(name, []))

    def tables(self, package: Package) -> list[Resource]:
        """The package's resources that have Parquet files here (non-tabular ones have none)."""
        return [r for r in package.resources if r.name in self.parts]
