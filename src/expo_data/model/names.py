"""Looking names up: the close matches to suggest when a name is not there."""

from __future__ import annotations

from collections.abc import Iterable


def close_matches(name: str, names: Iterable[str], n: int = 3) -> list[str]:
    """The names most like `name`: the same but for case, else those it begins, else difflib's."""
    names = list(dict.fromkeys(names))
    folded = {candidate.casefold(): candidate for candidate in names}
    if name.casefold() in folded:
        return [folded[name.casefold()]]
    import difflib  # only when a name is missing

    prefixed = [c for c in folded if name and c.startswith(name.casefold())]
    matches = prefixed or difflib.get_close_matches(name.casefold(), list(folded), n=n, cutoff=0.6)
    return [folded[m] for m in matches[:n]]


def did_you_mean(name: str, names: Iterable[str]) -> str:
    """`did you mean 'x'?` (or `'x' or 'y'`) for the close matches of `name`; '' when none."""
    matches = close_matches(name, names)
    if not matches:
        return ""
    quoted = [repr(m) for m in matches]
    either = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    return f"did you mean {either}?"


def unknown(kind: str, name: str, names: Iterable[str]) -> str:
    """`unknown KIND 'name'; did you mean …? (choose one of a, b, c)`."""
    names = list(names)
    hint = did_you_mean(name, names)
    return (
        f"unknown {kind} {name!r}{'; ' + hint if hint else ''} (choose one of {', '.join(names)})"
    )
