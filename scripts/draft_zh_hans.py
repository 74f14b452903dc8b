"""Draft Simplified Chinese names with OpenCC and list them for review by eye.

Usage (from the repository root, with opencc installed):

    python scripts/draft_zh_hans.py            # review: print every name, flag differences
    python scripts/draft_zh_hans.py --fill     # write the draft into empty name_zh_hans cells

For every resource whose CSV has name_zh_hant and name_zh_hans columns, the script converts
name_zh_hant with OpenCC's t2s profile and prints `resource id: hant -> draft`, marking rows
whose curated name_zh_hans differs from the draft. Characters the source already prints in
simplified-style form (e.g. 云) are left alone by t2s, which is what the package wants; any
curated value that deliberately differs from the draft must be explained in the row's notes.
Exit status: 0 when every curated value equals its draft, 1 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fill", action="store_true", help="fill empty name_zh_hans cells")
    args = parser.parse_args(argv)
    t2s = opencc.OpenCC("t2s")
    differences = 0
    for path in sorted((ROOT / "data").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            header, rows = reader.fieldnames or [], list(reader)
        if "name_zh_hant" not in header or "name_zh_hans" not in header:
            continue
        changed = False
        for row in rows:
            draft = t2s.convert(row["name_zh_hant"])
            if args.fill and not row["name_zh_hans"]:
                row["name_zh_hans"], changed = draft, True
            mark = "  " if row["name_zh_hans"] == draft else "!="
            differences += mark == "!="
            shown = "" if mark == "  " else f"  (curated: {row['name_zh_hans']})"
            print(f"{mark} {path.stem} {row['id']}: {row['name_zh_hant']} -> {draft}{shown}")
        if changed:
            with open(path, "w", encoding="utf-8", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
    print(f"{differences} curated value(s) differ from the OpenCC draft", file=sys.stderr)
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
