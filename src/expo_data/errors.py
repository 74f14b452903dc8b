"""The exception hierarchy: the library raises these, the CLI translates them."""

from __future__ import annotations


def show(value: object) -> str:
    """A cell for a message: its repr, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class ExpoDataError(Exception):
    """Base class of every error expo-data raises on purpose."""

    #: exit code the CLI uses for this error
    exit_code = 1


class PackageError(ExpoDataError, ValueError):
    """The data package cannot be read: missing, malformed or unsupported descriptor."""

    exit_code = 2

    def __init__(self, message: str = "", *, resource: str = ""):
        super().__init__(message)
        self.resource = resource  # the resource at fault, when there is one


class ResourceNotFound(ExpoDataError, LookupError):
    """No resource of that name in the package."""

    exit_code = 2

    def __str__(self) -> str:  # LookupError would repr() the message
        return str(self.args[0]) if self.args else ""


class UnsafePathError(PackageError):
    """A resource or schema path points outside the package (absolute, `..`, URL, symlink)."""


class DataError(ExpoDataError, ValueError):
    """A cell or row cannot be read as its schema says; names file, row and field."""

    def __init__(self, message: str, *, path: str = "", row: int | None = None, field: str = ""):
        where = ", ".join(
            part
            for part in (
                path,
                f"row {row}" if row is not None else "",
                f"field {field!r}" if field else "",
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)
        self.path, self.row, self.field = path, row, field


class InvalidPackage(ExpoDataError, ValueError):
    """The package does not validate; `report` holds the findings."""

    def __init__(self, message: str, report: object = None):
        super().__init__(message)
        self.report = report


class ReleaseError(ExpoDataError, OSError):
    """A release cannot be found, fetched or read."""


class ChecksumMismatch(ReleaseError, ValueError):
    """A downloaded or cached file does not match the manifest's sha256."""


class OfflineError(ReleaseError):
    """Offline mode is on and the cache lacks a needed file."""
