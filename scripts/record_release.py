"""Record a published release's manifest sha256 in the wheel's known_releases.json.

Usage: python scripts/record_release.py release/1.0.0
Run it on the release exactly as published (its files are what users download), then
build the wheel: downloads of that release are then checked against the recorded hash.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

KNOWN = Path(__file__).resolve().parents[1] / "src" / "expo_data" / "model" / "known_releases.json"


def main(folder: str) -> None:
    manifest = Path(folder) / "manifest.json"
    data = manifest.read_bytes()
    doc = json.loads(data)
    known = json.loads(KNOWN.read_text(encoding="utf-8"))
    digest = hashlib.sha256(data).hexdigest()
    recorded = known.setdefault(doc["name"], {}).get(doc["version"])
    if recorded not in (None, digest):
        sys.exit(f"{doc['name']} {doc['version']} is recorded as {recorded}, not {digest}")
    known[doc["name"]][doc["version"]] = digest
    KNOWN.write_text(json.dumps(known, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{doc['name']} {doc['version']}: {digest}")


if __name__ == "__main__":
    main(sys.argv[1])
