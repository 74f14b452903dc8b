"""Opening the two sides of a diff: a package path, a release version or a git revision."""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import PackageError
from ..model.bundle import DESCRIPTOR
from ..model.descriptor import Package, open_package
from ..model.locate import locate
from ..model.manifest import MANIFEST

#: a bare version (a release to fetch or take from the cache) starts with a digit
BARE_VERSION = re.compile(r"[0-9][0-9A-Za-z._+-]*")


@contextmanager
def opened(
    spec: str | Path | Package,
    *,
    url: str | Path | None = None,
    offline: bool | None = None,
    trusted: bool = False,
    repo: str | Path | None = None,
    home: str | Path | Package | None = None,
) -> Iterator[tuple[Package, dict[str, Any]]]:
    """The package `spec` names, and a description of it, while the `with` block runs.

    `spec` is one of (first match wins): a Package; an existing datapackage.json or folder
    (a CSV package or a release folder); `release:V` or a bare version `V` starting with a
    digit (release V of package `home` (None: the bundled one), from the cache or fetched
    from `url`, else from where `home` says its releases are); `git:REV`, `git:REV:PATH` or
    `REV:PATH` (the package at PATH, default datapackage.json, relative to the root of the
    repository `repo` (default: the current folder's), at revision REV).
    """
    if isinstance(spec, Package):
        yield spec, _describe(spec, str(spec.path), _form(spec))
        return
    text = str(spec)
    if Path(text).exists():
        package = open_package(text, trusted=trusted)
        yield package, _describe(package, text, _form(package))
        return
    if text.startswith("release:") or BARE_VERSION.fullmatch(text):
        version = text.removeprefix("release:")
        package = locate(home, release=version, url=url, offline=offline)
        yield package, _describe(package, text, "release")
        return
    if ":" in text:
        rev, _, path = text.removeprefix("git:").partition(":")
        with _git_checkout(rev, path or DESCRIPTOR, repo) as descriptor:
            package = open_package(descriptor, trusted=trusted)
            yield package, _describe(package, text, "git") | {"revision": rev}
        return
    raise PackageError(
        f"no package at {text!r}: not a file or folder, a release version (release:V) "
        "or a git revision (git:REV or REV:PATH)"
    )


def release_home(*specs: str | Path | Package) -> str | Path | Package | None:
    """The package whose releases a `release:V` side names: the other side when it is a
    package (an opened one, or an existing descriptor or folder), else None (the bundled)."""
    for spec in specs:
        if isinstance(spec, Package) or Path(str(spec)).exists():
            return spec
    return None


def _form(package: Package) -> str:
    """`release` for a release folder (it has a manifest), else `package`."""
    return "release" if (package.basepath / MANIFEST).is_file() else "package"


def _describe(package: Package, spec: str, form: str) -> dict[str, Any]:
    return {"spec": spec, "form": form, "name": package.name, "version": package.version}


def _git(args: list[str], cwd: Path, what: str, stdout: Any = subprocess.PIPE) -> Any:
    if shutil.which("git") is None:
        raise PackageError(f"cannot read {what}: git is not installed")
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, stdout=stdout, stderr=subprocess.PIPE, check=False
        )
    except OSError as exc:
        raise PackageError(f"cannot read {what}: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PackageError(f"cannot read {what}: {message[-1] if message else 'git failed'}")
    return done


@contextmanager
def _git_checkout(rev: str, path: str, repo: str | Path | None) -> Iterator[Path]:
    """The descriptor at `rev:path`, materialised with `git archive` in a temporary folder.

    Read-only on the repository: nothing is checked out, no index or ref is touched.
    """
    what = f"{rev}:{path} from git"
    if not rev or rev.startswith("-"):
        raise PackageError(f"cannot read {what}: {rev!r} is not a git revision")
    cwd = Path(repo or ".").absolute()
    root = Path(_git(["rev-parse", "--show-toplevel"], cwd, what).stdout.decode().strip())
    pure = PurePosixPath(path.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts:
        raise PackageError(f"cannot read {what}: the path must be relative to the repository root")
    kind = _git(["cat-file", "-t", f"{rev}:{pure}"], root, what).stdout.decode().strip()
    descriptor = pure / DESCRIPTOR if kind == "tree" else pure
    folder = descriptor.parent
    with tempfile.TemporaryDirectory(prefix="expo-data-git-") as tmp:
        archive = Path(tmp) / "package.tar"
        treeish = f"{rev}:{folder}" if str(folder) != "." else rev
        with open(archive, "wb") as stream:
            _git(["archive", "--format=tar", treeish], root, what, stdout=stream)
        target = Path(tmp) / "package"
        target.mkdir()
        with tarfile.open(archive) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(target, filter="data")
            else:  # pragma: no cover - Python without the extraction filters
                tar.extractall(target)
        archive.unlink()
        yield target / descriptor.name
