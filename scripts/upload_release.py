"""Upload a built release folder as the assets of the GitHub release of a tag.

    python scripts/upload_release.py --tag v1.2.0 --folder dist/release

Uses the GitHub REST API with `requests`: finds the release of the tag or creates it (its
notes: the release's CHANGES.md when there is one), replaces assets of the same name (so a
re-run is safe), uploads every file of the folder, then checks the release lists them all
with the right sizes. The assets are then at
`https://github.com/OWNER/REPO/releases/download/<tag>/<file>`, where `expo-data download`
looks for them. Environment: GITHUB_TOKEN, GITHUB_REPOSITORY (OWNER/REPO) and
GITHUB_API_URL (default https://api.github.com), all set by GitHub Actions.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import requests

TIMEOUT = (10, 120)


class UploadError(Exception):
    """The API refused or failed a request."""


class Releases:
    """The releases API of one repository."""

    def __init__(self, api: str, repository: str, token: str):
        self.base = f"{api.rstrip('/')}/repos/{repository}"
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            }
        )

    def _call(self, method: str, url: str, expect: tuple[int, ...], **kwargs: Any) -> Any:
        try:
            response = self.session.request(method, url, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            raise UploadError(f"{method} {url} failed: {exc}") from None
        if response.status_code not in expect:
            raise UploadError(
                f"{method} {url} answered {response.status_code}: {response.text[:200]}"
            )
        return response.json() if response.content else None

    def release(self, tag: str, notes: str) -> dict[str, Any]:
        """The release of `tag`, created (published, with `notes`) when there is none."""
        url = f"{self.base}/releases/tags/{tag}"
        try:
            return self._call("GET", url, (200,))
        except UploadError as exc:
            if " answered 404" not in str(exc):
                raise
        body = {"tag_name": tag, "name": tag, "body": notes, "draft": False}
        return self._call("POST", f"{self.base}/releases", (201,), json=body)

    def assets(self, release: dict[str, Any]) -> list[dict[str, Any]]:
        url = f"{self.base}/releases/{release['id']}/assets"
        return self._call("GET", url, (200,), params={"per_page": 100})

    def upload(self, release: dict[str, Any], path: Path) -> None:
        """Upload one file, replacing an asset of the same name."""
        for asset in self.assets(release):
            if asset["name"] == path.name:
                self._call("DELETE", f"{self.base}/releases/assets/{asset['id']}", (204,))
        url = release["upload_url"].split("{", 1)[0]
        with path.open("rb") as stream:
            self._call(
                "POST",
                url,
                (201,),
                params={"name": path.name},
                data=stream,
                headers={"Content-Type": "application/octet-stream"},
            )


def upload_release(folder: Path, tag: str, api: str, repository: str, token: str) -> list[str]:
    """Upload every file of `folder` to the release of `tag`; the names uploaded."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not any(p.name == "manifest.json" for p in files):
        raise UploadError(f"{folder} holds no release (no manifest.json)")
    changes = folder / "CHANGES.md"
    notes = changes.read_text(encoding="utf-8") if changes.is_file() else f"Release {tag}."
    api_ = Releases(api, repository, token)
    release = api_.release(tag, notes)
    for path in files:
        api_.upload(release, path)
    listed = {a["name"]: a.get("size") for a in api_.assets(release)}
    wrong = [p.name for p in files if listed.get(p.name) != p.stat().st_size]
    if wrong:
        raise UploadError(f"the release of {tag} does not list {', '.join(wrong)} as uploaded")
    return [p.name for p in files]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", required=True)
    parser.add_argument("--folder", type=Path, required=True)
    args = parser.parse_args(argv)
    env = os.environ
    missing = [k for k in ("GITHUB_TOKEN", "GITHUB_REPOSITORY") if not env.get(k)]
    if missing:
        print(f"Error: set {' and '.join(missing)}", file=sys.stderr)
        return 2
    api = env.get("GITHUB_API_URL", "https://api.github.com")
    try:
        names = upload_release(
            args.folder, args.tag, api, env["GITHUB_REPOSITORY"], env["GITHUB_TOKEN"]
        )
    except (UploadError, OSError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print(f"uploaded {len(names)} files to the release of {args.tag}: {', '.join(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
