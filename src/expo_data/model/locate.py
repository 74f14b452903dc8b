"""Locating a package: a descriptor or its folder, a release (cached or fetched), the bundle."""

from __future__ import annotations

from pathlib import Path

from .descriptor import Package, open_package
from .paths import descriptor_in


def locate(
    path: str | Path | None = None,
    *,
    release: str | None = None,
    url: str | Path | None = None,
    offline: bool | None = None,
    trusted: bool = False,
) -> Package:
    """The package to work on, opened (no data read).

    `path` is a datapackage.json or its folder: a CSV package or a Parquet release folder.
    `release="V"` is release V of the package at `url` (see `download_release`), fetched
    into the verified cache. Neither: the bundled package.
    """
    if release is None:
        return open_package(path, trusted=trusted)
    if path is not None:
        raise ValueError("pass a package path or a release version, not both")
    from .fetch import download_release

    return open_package(download_release(release, url=url, offline=offline))


def local_descriptor(folder: str | Path = ".") -> Path | None:
    """The descriptor in `folder` when there is one (what commands use by default)."""
    return descriptor_in(folder)
