"""Resolving the paths a descriptor names: inside the package folder unless trusted."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from ..errors import PackageError, UnsafePathError

#: the names a package descriptor may have in its folder, in the order they are looked for
DESCRIPTOR_NAMES = ("datapackage.json", "datapackage.yaml", "datapackage.yml")


def descriptor_in(folder: str | Path) -> Path | None:
    """The package descriptor in `folder` (datapackage.json, .yaml or .yml), or None."""
    for name in DESCRIPTOR_NAMES:
        candidate = Path(folder) / name
        if candidate.is_file():
            return candidate
    return None


def is_remote(path: str) -> bool:
    """True for URLs (anything with a scheme, or protocol-relative)."""
    return "://" in path or path.startswith("//")


#: how to allow a refused path, in the library's words (the CLI says --allow-remote)
_TRUST = "pass trusted=True to allow it"


def resolve_path(basepath: Path, path: object, *, trusted: bool = False) -> Path | str:
    """Resolve a descriptor path; outside `trusted` mode only files inside `basepath` pass.

    Refused unless trusted: URLs, absolute paths, `..`, hidden files or folders, paths that
    symlinks lead outside the package folder or into a hidden file or folder, and anything
    that is not a regular file (a folder, FIFO or device).
    """
    if not isinstance(path, str) or not path or "\x00" in path:
        raise PackageError(f"path must be a non-empty string, got {path!r}")
    if is_remote(path):
        if trusted:
            return path
        raise UnsafePathError(f"path {path!r} is remote; pass trusted=True to allow it")
    pure = PurePosixPath(path.replace("\\", "/"))
    if not trusted:
        if pure.is_absolute() or Path(path).is_absolute() or (pure.parts and ":" in pure.parts[0]):
            raise UnsafePathError(
                f"path {path!r} is absolute; resource paths must be relative ({_TRUST})"
            )
        if ".." in pure.parts:
            raise UnsafePathError(
                f"path {path!r} contains '..'; it may not leave the package ({_TRUST})"
            )
        if any(part.startswith(".") for part in pure.parts):
            raise UnsafePathError(f"path {path!r} is in a hidden folder or file ({_TRUST})")
    full = basepath / Path(*pure.parts) if not pure.is_absolute() else Path(path)
    if not trusted:
        try:
            real, root = full.resolve(), basepath.resolve()
        except RuntimeError as exc:  # a symlink loop
            raise PackageError(f"path {path!r} cannot be resolved: {exc}") from None
        if not real.is_relative_to(root):
            raise UnsafePathError(f"path {path!r} leads outside the package (to {real}; {_TRUST})")
        if any(part.startswith(".") for part in real.relative_to(root).parts):
            raise UnsafePathError(
                f"path {path!r} leads to a hidden folder or file (to {real}; {_TRUST})"
            )
        if real.exists() and not real.is_file():  # a FIFO or device would hang or never end
            raise UnsafePathError(f"path {path!r} is not a regular file")
    return full
