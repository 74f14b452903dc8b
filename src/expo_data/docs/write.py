"""Writing the docs folder: the data dictionary, the dataset card and its chart."""

from __future__ import annotations

from pathlib import Path

from ..model.locate import locate
from .card import CARD_RESOURCES, coverage_svg, dataset_card
from .common import CARD, CHART, DICTIONARY, DocData
from .dictionary import data_dictionary


def render_docs(path: str | Path | None = None, *, trusted: bool = False) -> dict[str, str]:
    """Each generated file's name and text; the same package always gives the same text.

    Any package gets the data dictionary and the dataset card; the coverage chart only a
    package with the resources it is computed from (`card.CARD_RESOURCES`).
    """
    data = DocData(locate(path, trusted=trusted))
    docs = {DICTIONARY: data_dictionary(data), CARD: dataset_card(data)}
    if data.has(*CARD_RESOURCES):
        docs[CHART] = coverage_svg(data)
    return docs


def write_docs(
    out: str | Path = "docs",
    path: str | Path | None = None,
    *,
    check: bool = False,
    trusted: bool = False,
) -> list[Path]:
    """Write the generated docs into folder `out`; return the files that changed.

    With `check=True` nothing is written and the files returned are the stale ones.
    `trusted=True` allows resource paths outside the package folder and remote URLs (only
    for packages you trust); by default they raise UnsafePathError.
    """
    out = Path(out)
    changed = []
    for name, text in render_docs(path, trusted=trusted).items():
        target, content = out / name, text.encode("utf-8")
        if target.is_file() and target.read_bytes() == content:
            continue
        changed.append(target)
        if not check:
            out.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    return changed
