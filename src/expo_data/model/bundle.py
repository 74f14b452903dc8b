"""Where the bundled data package lives: inside the wheel, or at the source tree's root."""

from __future__ import annotations

from pathlib import Path

DESCRIPTOR = "datapackage.json"


def bundled_descriptor() -> Path:
    """Path of the datapackage.json shipped with expo_data (wheel or source checkout)."""
    packaged = Path(__file__).resolve().parents[1] / "_package" / DESCRIPTOR
    if packaged.is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / DESCRIPTOR
    if checkout.is_file():
        return checkout
    from ..errors import PackageError

    raise PackageError(
        f"the bundled data package is missing (looked for {packaged} and {checkout})"
    )
