"""Fetching releases into a verified local cache, keyed by location and version."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, urlparse

from ..errors import ChecksumMismatch, OfflineError, ReleaseError
from . import transfer
from .cachedir import cache_root
from .descriptor import Package, open_package
from .manifest import (
    MANIFEST,
    MANIFEST_LIMIT,
    SUMS,
    check_name,
    check_sha256,
    known_manifest_sha256,
    parse_manifest,
    sha256,
    sha256sums,
)
from .names import did_you_mean
from .transfer import Missing, Sink, Transient, disk_error, remove, replace_file

#: where releases are published: the assets of the GitHub release tagged `v<version>`, i.e.
#: `https://github.com/OWNER/REPO/releases/download/<tag>/<file>`. A location holding
#: `{version}` names each release's folder itself; any other is laid out `<base>/<version>/<file>`.
DEFAULT_RELEASE_URL = "https://github.com/expo-data/expo-data/releases/download/v{version}"
URL_ENV, OFFLINE_ENV = "EXPO_DATA_RELEASE_URL", "EXPO_DATA_OFFLINE"
#: the descriptor property naming where a package's own releases are published: an
#: http(s) URL, or a folder relative to the package's, laid out as for `url` (`{version}`
#: names each release's folder, else `<location>/<version>/<file>`)
RELEASES_PROPERTY = "expo:releases"
#: tries per file for transient failures (5xx, timeouts, broken connections), and the
#: first wait between them in seconds (doubling each time)
ATTEMPTS = 3
BACKOFF = 0.5
#: seconds one file may take to arrive, all reads together (each read also has TIMEOUT)
DEADLINE = 300.0
#: seconds to wait for another process fetching the same release into the cache
LOCK_WAIT = 600.0


def download_release(
    version: str | None = None,
    *,
    to: str | Path | None = None,
    url: str | Path | None = None,
    offline: bool | None = None,
    progressbar: bool = False,
    sha256: str | None = None,
    name: str | None = None,
    deadline: float | None = None,
    force: bool = False,
    package: str | Path | Package | None = None,
) -> Path:
    """Fetch and verify every file of release `version` of `package` (default: the bundled one).

    `package` is a datapackage.json, its folder or an opened Package: its version is the
    default `version`; without `url`, its `"expo:releases"` property (RELEASES_PROPERTY),
    when it has one, is the location, and its name the one the manifest must carry. Files
    go to the cache (`$EXPO_DATA_CACHE`, else the user cache folder), in a folder of their
    own per release location and version, each checked against the release manifest's
    sha256 and read at most to the manifest's size; with `to` they are then copied there,
    with a `SHA256SUMS`; a file of the same name already in `to` is replaced only when it
    holds the same bytes, or with `force` when a previous download there lists it (its
    manifest.json is the record of what it wrote): nothing else is touched. `url` is the
    release location: http(s)://, file:// or a folder, laid out `<url>/<version>/<file>`
    (default: the package's `"expo:releases"`, else `$EXPO_DATA_RELEASE_URL`, else
    DEFAULT_RELEASE_URL). `offline` (default `$EXPO_DATA_OFFLINE`) uses the cache only.
    `sha256` pins the manifest (its hex sha256); a release whose manifest sha256 ships with
    expo-data (`known_releases.json`) is checked against it too. `name` is the package name
    the manifest must carry (default: the package's, else the bundled package's at the
    default location, else any). `deadline` bounds each file's transfer in seconds (default
    DEADLINE). Returns the folder.
    """
    if package is not None:
        home = package if isinstance(package, Package) else open_package(package)
        version = version or home.version or None
        location = release_location(home) if url is None else None
        if location is not None:  # where the package says its releases are: its own name
            url, name = location, name or home.name or None
    release = _Release.open(
        version,
        url=url,
        offline=offline,
        progressbar=progressbar,
        pin=sha256,
        name=name,
        deadline=deadline,
    )
    with release.locked():
        files = release.manifest()["files"]
        for entry in files:
            release.fetch(entry)
    if to is None:
        return release.cache
    target = Path(to)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise disk_error(target, exc, "create") from None
    manifest = (release.cache / MANIFEST).read_bytes()
    hashes = {e["name"]: e["sha256"] for e in files}
    hashes[MANIFEST] = hashlib.sha256(manifest).hexdigest()
    sums = sha256sums(hashes).encode("ascii")
    _check_copy_target(target, {**hashes, SUMS: hashlib.sha256(sums).hexdigest()}, force=force)
    copy = replace(release, base=str(release.cache.parent), cache=target, offline=False)
    for entry in files:
        copy.fetch(entry)  # from the cache, checked again, written atomically
    _write_atomic(target / MANIFEST, manifest)
    _write_atomic(target / SUMS, sums)
    return target


def _check_copy_target(target: Path, hashes: dict[str, str], *, force: bool) -> None:
    """Refuse to write a file into `target` over one that a previous download did not write.

    `hashes` maps each file name to be written to its sha256. A file already there with
    those bytes is left as is; any other is replaced only with `force`, and only if the
    manifest.json of a previous download there lists it.
    """
    clashes = []
    for name, digest in sorted(hashes.items()):
        path = target / name
        if not os.path.lexists(path):
            continue
        if path.is_symlink() or not path.is_file() or sha256(path) != digest:
            clashes.append(name)
    if not clashes:
        return
    shown = ", ".join(clashes[:5]) + (f" and {len(clashes) - 5} more" if len(clashes) > 5 else "")
    if not force:
        raise ReleaseError(
            f"{target} already holds {shown}, which the download would overwrite; nothing was "
            "written. Download into an empty folder, or pass force=True to replace the files "
            "of a previous download there"
        )
    ours = _previous_download(target)
    foreign = [
        name
        for name in clashes
        if name not in ours or (target / name).is_symlink() or not (target / name).is_file()
    ]
    if foreign:
        raise ReleaseError(
            f"{target} holds {', '.join(foreign[:5])}, which no previous download there wrote "
            f"(its {MANIFEST} does not list them); refusing to overwrite them, even with force"
        )


def _previous_download(folder: Path) -> set[str]:
    """The files a previous download into `folder` wrote, as its manifest.json lists them."""
    path = folder / MANIFEST
    if path.is_symlink() or not path.is_file():
        return set()
    try:
        doc = parse_manifest(path, None, str(path))
    except ReleaseError:
        return set()
    return {entry["name"] for entry in doc["files"]} | {MANIFEST, SUMS}


@dataclass(frozen=True)
class _Release:
    """One release version: where it is published, where it is cached, what it must match."""

    version: str
    base: str
    cache: Path
    offline: bool
    progressbar: bool = False
    pin: str | None = None
    name: str | None = None
    deadline: float = DEADLINE

    @classmethod
    def open(
        cls,
        version: str | None,
        *,
        url: str | Path | None,
        offline: bool | None,
        progressbar: bool = False,
        pin: str | None = None,
        name: str | None = None,
        deadline: float | None = None,
    ) -> _Release:
        version = check_name(version or _bundled("version"), "release version")
        base = str(url or os.environ.get(URL_ENV) or DEFAULT_RELEASE_URL).rstrip("/")
        scheme = urlparse(base).scheme if "://" in base else ""
        if scheme not in ("", "http", "https", "file"):
            raise ReleaseError(
                f"unsupported release location {base!r}: use http(s)://, file:// or a folder"
            )
        if offline is None:
            offline = os.environ.get(OFFLINE_ENV, "").lower() in ("1", "true", "yes", "on")
        if pin is not None:
            pin = check_sha256(pin, "manifest sha256 (sha256=)")
        if name is None and base == DEFAULT_RELEASE_URL:
            name = _bundled("name")  # the default location publishes the bundled package
        if deadline is not None and not deadline > 0:
            raise ReleaseError(f"deadline must be a positive number of seconds, got {deadline!r}")
        cache = cache_root() / _location_key(base) / version
        return cls(
            version, base, cache, offline, progressbar, pin, name, float(deadline or DEADLINE)
        )

    @property
    def is_http(self) -> bool:
        return self.base.startswith(("http://", "https://"))

    def url(self, name: str) -> str:
        if self.is_http:
            return f"{release_folder(self.base, quote(self.version))}/{quote(name)}"
        return str(self._local(name))

    def _local(self, name: str) -> Path:
        return Path(release_folder(str(_folder(self.base)), self.version)) / name

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the cache folder's lock (one fetch per folder at a time); clear stale `.part`s.

        A cache that cannot take a lock file (read-only) is used without one: reading a
        complete cache needs no lock, and any write fails with a ReleaseError naming it.
        """
        import filelock

        lock = filelock.FileLock(str(self.cache.with_name(f".{self.cache.name}.lock")))
        try:
            self.cache.parent.mkdir(parents=True, exist_ok=True)
            lock.acquire(timeout=LOCK_WAIT)
        except filelock.Timeout:
            raise ReleaseError(
                f"another process has been fetching release {self.version} into {self.cache} "
                f"for over {LOCK_WAIT:.0f} s (lock {lock.lock_file}); try again later"
            ) from None
        except OSError:
            lock = None
        try:
            if lock is not None:
                for stale in self.cache.glob(".*.part"):  # left by a killed process
                    remove(stale)
            yield
        finally:
            if lock is not None:
                lock.release()

    def manifest(self) -> dict[str, Any]:
        """The release manifest, from the cache or fetched into it, checked against the pins."""
        path = self.cache / MANIFEST
        if path.is_file():
            try:
                return self._checked_manifest(path, str(path))
            except ReleaseError as exc:
                if self.offline:
                    raise type(exc)(f"{exc}; the cached manifest was left in place") from None
                remove(path)  # fetched again below, and checked again
        if self.offline:
            hint = did_you_mean(self.version, _cached(self.cache.parent))
            raise OfflineError(
                f"offline: release {self.version} is not in the cache ({self.cache}); "
                + (f"{hint} Or run" if hint else "run")
                + f" `expo-data download --version {self.version}` while online"
            )
        where = self.url(MANIFEST)
        self._transfer(MANIFEST, path, MANIFEST_LIMIT, lambda t: self._checked_manifest(t, where))
        return parse_manifest(path, self.version, str(path))

    def _checked_manifest(self, path: Path, where: str) -> dict[str, Any]:
        """The manifest at `path` if it is this release's and matches every pin."""
        doc = parse_manifest(path, self.version, where)
        if self.name is not None and doc["name"] != self.name:
            raise ReleaseError(
                f"{where} is the manifest of package {doc['name']!r}, not {self.name!r}"
            )
        digest = sha256(path)
        known = known_manifest_sha256(doc["name"], self.version)
        for expected, what in (
            (self.pin, "the pinned sha256 (sha256=)"),
            (known, f"the sha256 expo-data ships for {doc['name']} {self.version}"),
        ):
            if expected is not None and digest != expected:
                raise ChecksumMismatch(
                    f"{where} does not match {what}: expected {expected}, got {digest}; it "
                    "was not used. Likely cause: the release was rebuilt or altered after "
                    "it was published, or the pin is for another release"
                )
        return doc

    def fetch_named(self, manifest: dict[str, Any], name: str) -> Path:
        """The verified cached file `name` of the manifest."""
        for entry in manifest["files"]:
            if entry["name"] == name:
                return self.fetch(entry)
        raise ReleaseError(f"release {self.version} has no file {name!r} in its manifest")

    def fetch(self, entry: dict[str, Any]) -> Path:
        """The cached file of a manifest entry, fetched unless the cache holds the right bytes."""
        name, expected = entry["name"], entry["sha256"]
        path = self.cache / name
        if path.is_file():
            actual = sha256(path)
            if actual == expected:
                return path
            remove(path)
            if self.offline:
                raise ChecksumMismatch(
                    f"cached {path} does not match the manifest: expected sha256 {expected}, "
                    f"got {actual}; the bad file was deleted. Likely cause: the cache was "
                    "modified or the disk is damaged; fetch it again without offline mode"
                )
        elif self.offline:
            raise OfflineError(
                f"offline: {name} of release {self.version} is not in the cache ({self.cache})"
            )
        self._transfer(name, path, entry["bytes"], lambda tmp: _verify(tmp, entry, self.url(name)))
        return path

    def _transfer(
        self, name: str, target: Path, limit: int, check: Callable[[Path], object]
    ) -> None:
        """Fetch `name` (at most `limit` bytes) beside `target`, check it, then rename it."""
        url = self.url(name)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise disk_error(target.parent, exc, "create the cache folder") from None
        for attempt in range(1, ATTEMPTS + 1):
            tmp = _temporary(target)
            try:
                self._get(name, tmp, target, limit)
                check(tmp)
                replace_file(tmp, target)
                return
            except Missing:
                if name == MANIFEST:
                    raise ReleaseError(f"release {self.version} not found at {self.base}") from None
                raise ReleaseError(f"{name} of release {self.version} not found at {url}") from None
            except Transient as exc:
                if attempt == ATTEMPTS:
                    raise ReleaseError(
                        f"{exc} (gave up after {ATTEMPTS} attempts); nothing was kept in the cache"
                    ) from None
            finally:
                tmp.unlink(missing_ok=True)
            time.sleep(BACKOFF * 2 ** (attempt - 1))

    def _get(self, name: str, tmp: Path, target: Path, limit: int) -> None:
        """Copy the published file `name` to `tmp`: at most `limit` bytes, within the deadline."""
        sink = Sink(tmp, target, self.url(name), limit, time.monotonic() + self.deadline)
        bar = None
        try:
            if not self.is_http:
                transfer.copy_file(self._local(name), sink)
                return
            if self.progressbar:
                from .progress import ProgressBar

                bar = ProgressBar(f"{self.version}/{name}")
            transfer.http_get(self.url(name), sink, progress=bar)
        finally:
            sink.close()
            if bar is not None:
                bar.close()


def release_folder(base: str, version: str) -> str:
    """The folder of release `version` at `base`: `{version}` filled in, else `<base>/<version>`."""
    return base.replace("{version}", version) if "{version}" in base else f"{base}/{version}"


def _verify(tmp: Path, entry: dict[str, Any], url: str) -> None:
    """A fetched file has the manifest's size and sha256."""
    size, expected = tmp.stat().st_size, entry["sha256"]
    if size < entry["bytes"]:
        raise Transient(f"transfer of {url} was cut short: got {size} of {entry['bytes']} bytes")
    actual = sha256(tmp)
    if actual != expected:
        raise ChecksumMismatch(
            f"{entry['name']} from {url} does not match the release manifest: expected sha256 "
            f"{expected}, got {actual}; the bad file was deleted. Likely cause: the file was "
            "changed or damaged on the server (or by a proxy) after the release was published"
        )


def _folder(base: str) -> Path:
    """The folder of a file:// URL or a plain folder location."""
    if base.startswith("file://"):
        from urllib.request import url2pathname  # urllib.request costs ~18 ms to import

        return Path(url2pathname(urlparse(base).path))
    return Path(base).expanduser()


def _location_key(base: str) -> str:
    """The cache folder name of a release location: readable, and unique by its hash."""
    canonical = base if base.startswith(("http://", "https://")) else _folder(base).resolve()
    text = str(canonical)
    slug = re.sub(r"[^0-9A-Za-z.-]+", "-", text.split("://", 1)[-1])[:48].strip("-.")
    return f"{slug or 'location'}-{hashlib.sha256(text.encode()).hexdigest()[:20]}"


def release_location(package: Package) -> str | None:
    """Where `package` says its releases are (its `"expo:releases"`), or None.

    An http(s) URL is taken as written; anything else is a folder inside the package's.
    """
    value = package.descriptor.get(RELEASES_PROPERTY)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ReleaseError(
            f"{package.path}: {RELEASES_PROPERTY!r} must be a URL or a folder, got {value!r}"
        )
    if value.startswith(("http://", "https://")):
        return value
    from .paths import is_remote

    pure = PurePosixPath(value.replace("\\", "/"))
    if is_remote(value) or pure.is_absolute() or ".." in pure.parts:
        raise ReleaseError(
            f"{package.path}: {RELEASES_PROPERTY!r} is {value!r}: use an http(s) URL or a "
            "folder inside the package's (or pass the location as url=)"
        )
    return str(package.basepath / Path(*pure.parts))


def _bundled(key: str) -> str:
    value = getattr(open_package(), key)
    if not value:
        raise ReleaseError(f"the bundled package has no {key}; pass a release version")
    return value


def _cached(folder: Path) -> list[str]:
    """The versions held in a cache folder."""
    try:
        return sorted(p.name for p in folder.iterdir() if (p / MANIFEST).is_file())
    except OSError:
        return []


def _temporary(path: Path) -> Path:
    """A fresh hidden name beside `path` (created later, with the usual permissions)."""
    return path.with_name(f".{path.name}.{secrets.token_hex(8)}.part")


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = _temporary(path)
    try:
        with open(tmp, "xb") as stream:
            stream.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise disk_error(path, exc) from None
    finally:
        tmp.unlink(missing_ok=True)
