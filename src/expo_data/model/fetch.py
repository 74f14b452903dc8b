"""Fetching releases into a verified local cache, and reading their Parquet tables."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlparse
from urllib.request import url2pathname

from ..errors import ChecksumMismatch, OfflineError, ReleaseError
from .manifest import MANIFEST, SUMS, check_name, parse_manifest, sha256, sha256sums
from .names import did_you_mean

if TYPE_CHECKING:
    pass

#: where releases are published, as `<base>/<version>/<file>` (the GitHub release assets)
DEFAULT_RELEASE_URL = "https://github.com/expo-data/expo-data/releases/download"
URL_ENV, CACHE_ENV, OFFLINE_ENV = "EXPO_DATA_RELEASE_URL", "EXPO_DATA_CACHE", "EXPO_DATA_OFFLINE"
#: HTTP (connect, read) timeouts in seconds
TIMEOUT = (10, 60)
#: tries per file for transient failures (5xx, timeouts, broken connections), and the
#: first wait between them in seconds (doubling each time)
ATTEMPTS = 3
BACKOFF = 0.5


def download_release(
    version: str | None = None,
    *,
    to: str | Path | None = None,
    url: str | Path | None = None,
    offline: bool | None = None,
    progressbar: bool = False,
) -> Path:
    """Fetch and verify every file of release `version` (default: the bundled package's).

    Files go to the cache (`$EXPO_DATA_CACHE`, else the user cache folder), each checked
    against the release manifest's sha256; with `to` they are then copied there, with a
    `SHA256SUMS`. `url` is the release location (default `$EXPO_DATA_RELEASE_URL`, else
    DEFAULT_RELEASE_URL): http(s)://, file:// or a folder, laid out `<url>/<version>/<file>`.
    `offline` (default `$EXPO_DATA_OFFLINE`) uses the cache only. Returns the folder.
    """
    release = _Release.open(version, url=url, offline=offline, progressbar=progressbar)
    files = release.manifest()["files"]
    for entry in files:
        release.fetch(entry)
    if to is None:
        return release.cache
    target = Path(to)
    target.mkdir(parents=True, exist_ok=True)
    copy = replace(release, base=str(release.cache.parent), cache=target, offline=False)
    for entry in files:
        copy.fetch(entry)  # from the cache, checked again, written atomically
    manifest = (release.cache / MANIFEST).read_bytes()
    _write_atomic(target / MANIFEST, manifest)
    hashes = {e["name"]: e["sha256"] for e in files}
    hashes[MANIFEST] = hashlib.sha256(manifest).hexdigest()
    _write_atomic(target / SUMS, sha256sums(hashes).encode("ascii"))
    return target


class _Missing(Exception):
    """The file is not at the release location (HTTP 404, no such file)."""


class _Transient(Exception):
    """A failure worth another try: server error, timeout, broken or cut-short transfer."""


@dataclass(frozen=True)
class _Release:
    """One release version: where it is published and where its files are cached."""

    version: str
    base: str
    cache: Path
    offline: bool
    progressbar: bool = False

    @classmethod
    def open(
        cls,
        version: str | None,
        *,
        url: str | Path | None,
        offline: bool | None,
        progressbar: bool = False,
    ) -> _Release:
        version = check_name(version or _bundled_version(), "release version")
        base = str(url or os.environ.get(URL_ENV) or DEFAULT_RELEASE_URL).rstrip("/")
        scheme = urlparse(base).scheme if "://" in base else ""
        if scheme not in ("", "http", "https", "file"):
            raise ReleaseError(
                f"unsupported release location {base!r}: use http(s)://, file:// or a folder"
            )
        if offline is None:
            offline = os.environ.get(OFFLINE_ENV, "").lower() in ("1", "true", "yes", "on")
        return cls(version, base, _cache_root() / version, offline, progressbar)

    @property
    def is_http(self) -> bool:
        return self.base.startswith(("http://", "https://"))

    def url(self, name: str) -> str:
        if self.is_http:
            return f"{self.base}/{quote(self.version)}/{quote(name)}"
        return str(self._local(name))

    def _local(self, name: str) -> Path:
        folder = self.base
        if folder.startswith("file://"):
            folder = url2pathname(urlparse(folder).path)
        return Path(folder).expanduser() / self.version / name

    def manifest(self) -> dict[str, Any]:
        """The release manifest, from the cache or fetched into it."""
        path = self.cache / MANIFEST
        if path.is_file():
            try:
                return parse_manifest(path, self.version, str(path))
            except ReleaseError as exc:
                path.unlink(missing_ok=True)
                if self.offline:
                    raise OfflineError(f"{exc}; the damaged file was deleted") from None
        if self.offline:
            hint = did_you_mean(self.version, _cached(self.cache.parent))
            raise OfflineError(
                f"offline: release {self.version} is not in the cache ({self.cache}); "
                + (f"{hint} Or run" if hint else "run")
                + f" `expo-data download --version {self.version}` while online"
            )
        where = self.url(MANIFEST)
        self._transfer(MANIFEST, path, lambda tmp: parse_manifest(tmp, self.version, where))
        return parse_manifest(path, self.version, str(path))

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
            path.unlink(missing_ok=True)
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
        self._transfer(name, path, lambda tmp: _verify(tmp, entry, self.url(name)))
        return path

    def _transfer(self, name: str, target: Path, check: Callable[[Path], object]) -> None:
        """Fetch `name` to a temporary file beside `target`, check it, then rename it."""
        url = self.url(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(1, ATTEMPTS + 1):
            tmp = _temporary(target)
            try:
                self._get(name, tmp)
                check(tmp)
                os.replace(tmp, target)
                return
            except _Missing:
                if name == MANIFEST:
                    raise ReleaseError(f"release {self.version} not found at {self.base}") from None
                raise ReleaseError(f"{name} of release {self.version} not found at {url}") from None
            except _Transient as exc:
                if attempt == ATTEMPTS:
                    raise ReleaseError(
                        f"{exc} (gave up after {ATTEMPTS} attempts); nothing was kept in the cache"
                    ) from None
            finally:
                tmp.unlink(missing_ok=True)
            time.sleep(BACKOFF * 2 ** (attempt - 1))

    def _get(self, name: str, tmp: Path) -> None:
        """Copy the published file `name` to `tmp`, over HTTP with pooch or from a folder."""
        if not self.is_http:
            source = self._local(name)
            try:
                shutil.copyfile(source, tmp)
            except FileNotFoundError:
                raise _Missing from None
            except OSError as exc:
                raise ReleaseError(f"cannot read {source}: {exc.strerror or exc}") from None
            return
        import pooch
        import requests

        url = self.url(name)
        bar = None
        if self.progressbar:
            from .progress import ProgressBar

            bar = ProgressBar(f"{self.version}/{name}")
        try:
            pooch.HTTPDownloader(progressbar=bar or False, timeout=TIMEOUT)(url, str(tmp), None)
        except requests.HTTPError as exc:
            status = exc.response.status_code
            if status in (404, 410):
                raise _Missing from None
            if status >= 500 or status == 429:
                raise _Transient(f"server error {status} fetching {url}") from None
            raise ReleaseError(f"HTTP error {status} fetching {url}") from None
        except requests.Timeout:
            raise _Transient(f"timed out fetching {url}") from None
        except requests.ConnectionError as exc:
            raise _Transient(
                f"cannot connect to {urlparse(url).netloc} ({_reason(exc)}); check the network, "
                "or use offline mode with a filled cache"
            ) from None
        except requests.exceptions.ChunkedEncodingError:
            raise _Transient(
                f"transfer of {url} was cut short (the connection closed before the whole "
                "file arrived)"
            ) from None
        except requests.RequestException as exc:
            raise ReleaseError(f"cannot fetch {url}: {exc}") from None
        finally:
            if bar is not None:
                bar.close()


def _verify(tmp: Path, entry: dict[str, Any], url: str) -> None:
    """A fetched file has the manifest's size and sha256."""
    size, expected = tmp.stat().st_size, entry["sha256"]
    if size < entry["bytes"]:
        raise _Transient(f"transfer of {url} was cut short: got {size} of {entry['bytes']} bytes")
    actual = sha256(tmp)
    if actual != expected:
        raise ChecksumMismatch(
            f"{entry['name']} from {url} does not match the release manifest: expected sha256 "
            f"{expected}, got {actual}; the bad file was deleted. Likely cause: the file was "
            "changed or damaged on the server (or by a proxy) after the release was published"
        )


def _reason(exc: Exception) -> str:
    """The OS-level cause inside a requests connection error, e.g. 'Connection refused'."""
    found = re.search(r"\[Errno -?\d+\] ([^'\"()]+)", str(exc))
    return found.group(1).strip() if found else type(exc).__name__


def _bundled_version() -> str:
    from .descriptor import open_package

    version = open_package().version
    if not version:
        raise ReleaseError("the bundled package has no version; pass a release version")
    return version


def _cached(folder: Path) -> list[str]:
    """The versions held in a cache folder."""
    try:
        return sorted(p.name for p in folder.iterdir() if (p / MANIFEST).is_file())
    except OSError:
        return []


def _cache_root() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("expo-data"))


def _temporary(path: Path) -> Path:
    """A fresh hidden name beside `path` (created later, with the usual permissions)."""
    return path.with_name(f".{path.name}.{secrets.token_hex(8)}.part")


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = _temporary(path)
    try:
        with open(tmp, "xb") as stream:
            stream.write(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
