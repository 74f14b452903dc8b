"""Locating a package: a descriptor or its folder, a release (cached or fetched), the bundle."""

from __future__ import annotations

from pathlib import Path

from .descriptor import Package, open_package


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
    `release="V"` is release V of that package instead (of the bundled one without `path`),
    fetched into the verified cache from `url`, else from where the package says its
    releases are (its `"expo:releases"`; see `download_release`). Neither: the bundled package.
    """
    if release is None:
        return open_package(path, trusted=trusted)
    from .fetch import download_release

    return open_package(download_release(release, url=url, offline=offline, package=path))


def is_installed(path: str | Path) -> bool:
    """True when `path` is inside the installed expo_data package (the wheel's bundle included).

    Nothing is ever written there: commands refuse such a target.
    """
    return Path(path).resolve().is_relative_to(Path(__file__).resolve().parents[1])
