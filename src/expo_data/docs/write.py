"""Writing the docs folder: the data dictionary, the dataset card and its chart."""

from __future__ import annotations

from pathlib import Path

from ..errors import ExpoDataError
from ..model.locate import locate
from .card import CARD_RESOURCES, coverage_svg, dataset_card
from .common import CARD, CHART, DICTIONARY, GENERATED, DocData
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

    With `check=True` nothing is written and the files returned are the stale ones. A file
    of the same name that `docs` did not write (it lacks the GENERATED marker) or a symlink
    is never replaced: DocsError, before anything is written.
    `trusted=True` allows resource paths outside the package folder and remote URLs (only
    for packages you trust); by default they raise UnsafePathError.
    """
    out = Path(out)
    changed = []
    docs = render_docs(path, trusted=trusted)
    for name, text in docs.items():
        target, content = out / name, text.encode("utf-8")
        if target.is_file() and not target.is_symlink() and target.read_bytes() == content:
            continue
        changed.append(target)
    if not check:
        for target in changed:
            _check_ours(target)
        for target in changed:
            out.mkdir(parents=True, exist_ok=True)
            target.write_bytes(docs[target.name].encode("utf-8"))
    return changed


class DocsError(ExpoDataError, ValueError):
    """The docs cannot be written where asked."""


def _check_ours(target: Path) -> None:
    """Refuse to replace `target` unless it is absent or a file `docs` wrote before."""
    if not target.exists() and not target.is_symlink():
        return
    ours = target.is_file() and not target.is_symlink()
    if ours:
        with open(target, "rb") as stream:
            head = stream.read(1 << 20)
        # a chart from before the marker: the generator's own opening tag
        legacy = target.name == CHART and head.startswith(
            b'<svg xmlns="http://www.w3.org/2000/svg"'
        )
        ours = GENERATED.encode("utf-8") in head or (
            legacy and b'aria-labelledby="title desc"' in head
        )
    if not ours:
        raise DocsError(
            f"{target} exists and was not written by `expo-data docs` (no generated-file "
            "marker, or a symlink); refusing to replace it: move it away or pick another --out"
        )
