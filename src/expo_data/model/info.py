"""Package metadata for users: resource names, the frictionless Package, Table Schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .descriptor import open_package

if TYPE_CHECKING:
    from pathlib import Path

    import frictionless


def resource_names(path: str | Path | None = None, *, trusted: bool = False) -> list[str]:
    """Names of the package's resources, in descriptor order (None = the bundled package).

    `trusted=True` allows resource paths outside the package folder and remote URLs (only
    for packages you trust); by default they raise UnsafePathError.
    """
    return open_package(path, trusted=trusted).resource_names


def package(path: str | Path | None = None, *, trusted: bool = False) -> frictionless.Package:
    """The data package as a `frictionless.Package` (paths checked as in `load`).

    `trusted=True` allows resource paths outside the package folder and remote URLs (only
    for packages you trust); by default they raise UnsafePathError.
    """
    import frictionless

    # refuses unsafe paths before frictionless sees them; a remote package is read from its
    # local mirror (fetched through the bounded transfer)
    return frictionless.Package(str(open_package(path, trusted=trusted).path))


def schema(
    name: str, path: str | Path | None = None, *, trusted: bool = False
) -> frictionless.Schema:
    """The Table Schema of resource `name` as a `frictionless.Schema`.

    `trusted=True` allows resource paths outside the package folder and remote URLs (only
    for packages you trust); by default they raise UnsafePathError.
    """
    import frictionless

    resource = open_package(path, trusted=trusted).resource(name)
    return frictionless.Schema.from_descriptor(dict(resource.schema.descriptor))
