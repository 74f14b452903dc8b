"""Building the site: locate the package, read and check it, write every page and file."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

from ...errors import ChecksumMismatch, ExpoDataError, PackageError
from ...model.bundle import DESCRIPTOR
from ...model.descriptor import Package
from ...model.locate import locate
from ...model.manifest import MANIFEST, SUMS, parse_manifest, sha256, sha256sums
from ...model.paths import is_remote, resolve_path
from ...release import target
from ..common import DocData
from .changes import find_history, render_markdown
from .home import home_page
from .html import file_name
from .pages import Download, Site, downloads_page, resource_page
from .rows import read_rows

ASSETS = Path(__file__).parent / "assets"
ASSET_FILES = ("site.css", "site.js")
#: rows shown on a resource's page by default; the rest are in the downloads
DEFAULT_ROWS = 1000
#: the file that marks a folder as a site this function wrote (GitHub Pages: no Jekyll)
MARKER = ".nojekyll"
#: the record of every file the site build wrote (one relative path a line): `force`
#: replaces a folder only when this record lists everything in it
RECORD = ".expo-data-site"


class SiteError(ExpoDataError, ValueError):
    """The site cannot be written where asked."""


def build_site(
    path: str | Path | None = None,
    *,
    out: str | Path,
    release: str | None = None,
    url: str | Path | None = None,
    offline: bool | None = None,
    trusted: bool = False,
    rows: int = DEFAULT_ROWS,
    force: bool = False,
) -> Path:
    """Write a static HTML site of a data package into folder `out`; return that folder.

    The package is any `locate()` opens: a datapackage.json or its folder (CSV package or
    Parquet release folder), release `release` (cached or fetched from `url`), or the bundled
    one. The site has a home page (dataset card, coverage chart where the package has one,
    ER diagram, validation verdict, citation, release history), a page per resource (fields,
    and its first `rows` rows as a table that sorts and filters in the browser) and the
    package's files with sizes and sha256. Every script and style is in the site: it works
    from `file://`, with no server and no network. The same package gives the same bytes.
    A non-empty `out` is refused unless `force` (which replaces only a previous site).
    `trusted=True` allows resource paths outside the package folder and remote URLs (only
    for packages you trust); by default they raise UnsafePathError.
    """
    if not isinstance(rows, int) or rows < 0:
        raise ValueError(f"rows must be a non-negative integer, got {rows!r}")
    out = target.folder(out)
    with target.locked(out):  # builds take turns; the swap is the release build's, crash-safe
        _check_target(out, force=force)
        package = locate(path, release=release, url=url, offline=offline, trusted=trusted)
        tmp = target.scratch(out)
        try:
            _write_site(package, tmp, limit=rows, trusted=trusted)
            target.publish(tmp, out)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def _write_site(package: Package, folder: Path, *, limit: int, trusted: bool) -> None:
    from ...validation.engine import validate
    from ..card import coverage_svg

    data = DocData(package)
    rows = read_rows(package, limit)
    counts = {str(r.resource.path): r.total for r in rows.values() if not r.error}
    site = Site(
        package=package,
        data=data,
        rows=rows,
        report=validate(package.path, trusted=trusted),
        downloads=_copy_downloads(package, folder / "downloads", counts, trusted=trusted),
    )
    try:
        site.coverage = coverage_svg(data) or ""
    except (ExpoDataError, KeyError, TypeError):  # the package lacks what the chart is made of
        site.coverage = ""
    history = find_history(package.basepath)
    if history is not None:
        site.changes = render_markdown(history.read_text(encoding="utf-8", errors="replace"))
        site.changes_file = history.name
    pages = {"index.html": home_page(site), "downloads.html": downloads_page(site)}
    for resource in package.resources:
        pages[f"resources/{file_name(resource.name)}"] = resource_page(site, resource)
    for name, text in pages.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
    (folder / "assets").mkdir()
    for name in ASSET_FILES:
        shutil.copyfile(ASSETS / name, folder / "assets" / name)
    (folder / MARKER).write_bytes(b"")
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    (folder / RECORD).write_text("".join(f"{n}\n" for n in [*written, RECORD]), encoding="utf-8")


def _copy_downloads(
    package: Package, folder: Path, counts: dict[str, int], *, trusted: bool
) -> list[Download]:
    """Copy the package's files into `folder` (laid out as in the package); describe each.

    `counts` is the number of rows of each resource, by the path its descriptor gives.
    """
    folder.mkdir(parents=True)
    manifest = package.basepath / MANIFEST
    if manifest.is_file():  # a release folder: its manifest says what it holds
        doc = parse_manifest(manifest, None, str(manifest))
        out = []
        for entry in sorted(doc["files"], key=lambda e: e["name"]):
            digest = _copy(package.basepath / entry["name"], folder / entry["name"])
            if digest != entry["sha256"]:
                raise ChecksumMismatch(
                    f"{package.basepath / entry['name']}: sha256 {digest} differs from the "
                    f"manifest's {entry['sha256']}; the release folder is damaged, not publishing it"
                )
            out.append(Download(entry["name"], entry["bytes"], digest, entry.get("rows")))
        for name in (MANIFEST, SUMS):
            if (package.basepath / name).is_file():
                digest = _copy(package.basepath / name, folder / name)
                out.append(Download(name, (folder / name).stat().st_size, digest))
        return sorted(out, key=lambda d: d.name)
    out, sums = [], {}
    for name in _package_files(package):
        if is_remote(name):
            out.append(Download(name, note="remote; not copied"))
            continue
        try:
            source = resolve_path(package.basepath, name, trusted=trusted)
            pure = PurePosixPath(name.replace("\\", "/"))
            if pure.is_absolute() or ".." in pure.parts:
                raise PackageError(f"{name} is outside the package")
        except PackageError:
            out.append(Download(name, note="outside the package folder; not copied"))
            continue
        digest = _copy(Path(source), folder / Path(*pure.parts))
        sums[pure.as_posix()] = digest
        size = Path(source).stat().st_size
        out.append(Download(pure.as_posix(), size, digest, counts.get(name)))
    (folder / SUMS).write_text(sha256sums(sums), encoding="utf-8")
    return out


def _package_files(package: Package) -> list[str]:
    """The descriptor, then every resource's data, schema and dialect file, in package order."""
    names = [package.path.name or DESCRIPTOR]
    for raw in package.descriptor.get("resources", []):
        for key in ("path", "schema", "dialect"):
            value = raw.get(key) if isinstance(raw, dict) else None
            if isinstance(value, str) and value and value not in names:
                names.append(value)
    return names


def _copy(source: Path, target: Path) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return sha256(target)


def _check_target(out: Path, *, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise SiteError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise SiteError(f"{out} is not empty; pass force=True (--force) to replace it")
        record = out / RECORD
        if record.is_symlink() or not record.is_file():
            raise SiteError(
                f"{out} is not empty and holds no site expo-data built (no {RECORD} record of "
                "its files); refusing to replace it"
            )
        ours = set(record.read_text(encoding="utf-8", errors="replace").splitlines())
        foreign = _foreign(out, ours)
        if foreign:
            more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
            raise SiteError(
                f"{out} holds files the site build did not write ({', '.join(foreign[:5])}"
                f"{more}); refusing to replace it. Move them away, or pick another --out"
            )


def _foreign(out: Path, ours: set[str]) -> list[str]:
    """What is under `out` but not in the record `ours`: files, symlinks, stray folders."""
    foreign = []
    folders = {str(PurePosixPath(n).parent) for n in ours}
    folders |= {str(p) for n in folders for p in PurePosixPath(n).parents}
    for path in sorted(out.rglob("*")):
        name = path.relative_to(out).as_posix()
        if path.is_symlink():
            ok = False
        elif path.is_dir():
            ok = name in folders
        else:
            ok = path.is_file() and name in ours
        if not ok:
            foreign.append(name)
    return foreign
