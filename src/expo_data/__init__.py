"""expo-data: the CHTF 2023 Smart City Expo dataset, its loader, validator and releases.

Import from the top level only; submodules are internal. Heavy dependencies (pandas,
frictionless) are imported on first use, so `import expo_data` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "2.0.0"

# public name → internal module that defines it (imported on first access)
_LAZY = {
    "resource_names": "model.info",
    "package": "model.info",
    "schema": "model.info",
    "load": "read.tables",
    "load_arrow": "read.tables",
    "load_all": "read.tables",
    "validate": "validation.engine",
    "build_release": "release.build",
    "diff": "release.diff",
    "PackageDiff": "release.diff",
    "ResourceDiff": "release.diff",
    "CellChange": "release.diff",
    "SchemaChange": "release.schemadiff",
    "download_release": "model.fetch",
    "connect": "sql",
    "query": "sql",
    "SQLError": "sql",
    "write_docs": "docs.write",
    "build_site": "docs.site.build",
    "infer_package": "author.infer",
    "init_package": "author.infer",
    "Report": "validation.report",
    "Finding": "validation.report",
    "ExpoDataError": "errors",
    "PackageError": "errors",
    "ResourceNotFound": "errors",
    "UnsafePathError": "errors",
    "DataError": "errors",
    "InvalidPackage": "errors",
    "ReleaseError": "errors",
    "ChecksumMismatch": "errors",
    "OfflineError": "errors",
}

__all__ = [
    "CellChange",
    "ChecksumMismatch",
    "DataError",
    "ExpoDataError",
    "Finding",
    "InvalidPackage",
    "OfflineError",
    "PackageDiff",
    "PackageError",
    "ReleaseError",
    "Report",
    "ResourceDiff",
    "ResourceNotFound",
    "SQLError",
    "SchemaChange",
    "UnsafePathError",
    "__version__",
    "build_release",
    "build_site",
    "connect",
    "diff",
    "download_release",
    "infer_package",
    "init_package",
    "load",
    "load_all",
    "load_arrow",
    "package",
    "query",
    "resource_names",
    "schema",
    "validate",
    "write_docs",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'expo_data' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:
    from .author.infer import infer_package, init_package
    from .docs.site.build import build_site
    from .docs.write import write_docs
    from .errors import (
        ChecksumMismatch,
        DataError,
        ExpoDataError,
        InvalidPackage,
        OfflineError,
        PackageError,
        ReleaseError,
        ResourceNotFound,
        UnsafePathError,
    )
    from .model.fetch import download_release
    from .model.info import package, resource_names, schema
    from .read.tables import load, load_all, load_arrow
    from .release.build import build_release
    from .release.diff import CellChange, PackageDiff, ResourceDiff, diff
    from .release.schemadiff import SchemaChange
    from .sql import SQLError, connect, query
    from .validation.engine import validate
    from .validation.report import Finding, Report
