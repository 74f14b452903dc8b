"""Opening the two sides of a diff: a package path, a release version or a git revision."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
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
) -> Iterator[tuple[Package, dict[str, Any]]]:
    """The package `spec` names, and a description of it, while the `with` block runs.

    `spec` is one of (first match wins): a Package; an existing datapackage.json or folder
    (a CSV package or a release folder); `release:V` or a bare version `V` starting with a
    digit (release V, from the cache or fetched from `url`); `git:REV`, `git:REV:PATH` or
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
        package = locate(release=version, url=url, offline=offline)
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


def _form(package: Package) -> str:
    """`release` for a release folder (it has a manifest), else `package`."""
    return "release" if (package.basepath / MANIFEST).is_file() else "package"


def _describe(package: Package, spec: str, form: str) -> dict[str, Any]:
    return {"spec": spec, "form": form, "name": package.name, "version": package.version}


#: git runs with no pager, no fsmonitor and no hooks: reading a revision runs nothing
GIT_OPTIONS = ("--no-pager", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null")


def _git(args: list[str], cwd: Path, what: str, stdout: Any = subprocess.PIPE) -> Any:
    if shutil.which("git") is None:
        raise PackageError(f"cannot read {what}: git is not installed")
    try:
        done = subprocess.run(
            ["git", *GIT_OPTIONS, *args],
            cwd=cwd,
            stdout=stdout,
            stderr=subprocess.PIPE,
            check=False,
        )
    except OSError as exc:
        raise PackageError(f"cannot read {what}: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PackageError(f"cannot read {what}: {message[-1] if message else 'git failed'}")
    return done


@contextmanager
def _git_checkout(rev: str, path: str, repo: str | Path | None) -> Iterator[Path]:
    """The descriptor at `rev:path`, its folder's committed blobs written to a temporary folder.

    Read with git plumbing (`ls-tree`, `cat-file`): the committed bytes, with no filter,
    attribute (`export-subst`, `eol`) or hook applied, and nothing checked out, no index or
    ref touched. Symlinks and submodules in the tree are not followed: one the package
    names raises PackageError.
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
    treeish = f"{rev}:{folder}" if str(folder) != "." else f"{rev}^{{tree}}"
    blobs, links = _tree(_git(["ls-tree", "-r", "-z", treeish], root, what).stdout, what)
    with tempfile.TemporaryDirectory(prefix="expo-data-git-") as tmp:
        target = Path(tmp) / "package"
        target.mkdir()
        _write_blobs(blobs, target, root, what)
        if descriptor.name in links:
            raise PackageError(f"cannot read {what}: {links[descriptor.name]}")
        _check_links(target / descriptor.name, links, what)
        yield target / descriptor.name


def _tree(listing: bytes, what: str) -> tuple[dict[str, str], dict[str, str]]:
    """From `ls-tree -r -z` output: {path: blob id} of files, {path: why not} of the rest."""
    blobs, links = {}, {}
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, raw = record.partition(b"\t")
        mode, kind, oid = meta.decode("ascii").split()
        name = os.fsdecode(raw)
        parts = PurePosixPath(name).parts
        if not parts or any(p in ("", ".", "..", ".git") for p in parts) or "\\" in name:
            raise PackageError(f"cannot read {what}: the commit holds an unsafe path {name!r}")
        if mode == "120000":
            links[name] = f"{name} is a symlink in the commit; diff reads only committed files"
        elif kind != "blob":
            links[name] = f"{name} is a {kind} (submodule) in the commit, not a file"
        else:
            blobs[name] = oid
    return blobs, links


def _write_blobs(blobs: dict[str, str], target: Path, root: Path, what: str) -> None:
    """Write each blob's committed bytes (`git cat-file --batch`) to its path under `target`."""
    if not blobs:
        return
    ids = target.parent / "ids"
    ids.write_text("".join(f"{oid}\n" for oid in blobs.values()), encoding="ascii")
    with open(ids, "rb") as stdin:
        process = subprocess.Popen(
            ["git", *GIT_OPTIONS, "cat-file", "--batch"],
            cwd=root,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert process.stdout is not None
        try:
            for name in blobs:
                header = process.stdout.readline().decode("ascii", "replace").split()
                if len(header) != 3 or header[1] != "blob":
                    raise PackageError(f"cannot read {what}: git could not read {name}")
                file = target / name
                file.parent.mkdir(parents=True, exist_ok=True)
                with open(file, "xb") as stream:
                    left = int(header[2])
                    while left:
                        chunk = process.stdout.read(min(left, 1 << 20))
                        if not chunk:
                            raise PackageError(f"cannot read {what}: git stopped inside {name}")
                        stream.write(chunk)
                        left -= len(chunk)
                process.stdout.read(1)  # the newline after each blob
        finally:
            process.stdout.close()
            process.kill()
            process.wait()


def _check_links(descriptor: Path, links: dict[str, str], what: str) -> None:
    """PackageError when the descriptor names a path that is a symlink or submodule."""
    if not links:
        return
    import json

    try:
        doc = json.loads(descriptor.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # open_package says what is wrong with it
    resources = doc.get("resources") if isinstance(doc, dict) else None
    for raw in resources if isinstance(resources, list) else []:
        for key in ("path", "schema", "dialect"):
            value = raw.get(key) if isinstance(raw, dict) else None
            for item in value if isinstance(value, list) else [value]:
                if not isinstance(item, str) or not item:
                    continue
                name = PurePosixPath(item.replace("\\", "/")).as_posix()
                if name in links:
                    raise PackageError(f"cannot read {what}: {links[name]}")
