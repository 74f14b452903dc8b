"""The static site: every page and link, escaping, languages, keys, downloads, a real browser."""

from __future__ import annotations

import csv
import hashlib
import json
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

import expo_data
from expo_data.docs.site.html import anchor, file_name

from conftest import ROOT, run_cli

HOSTILE = '<script>alert("x")</script> & \'quoted\' "double"'


class Page(HTMLParser):
    """One page's ids, references, table cells with their attributes, and script tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str]] = []  # (tag, url)
        self.scripts = 0
        self.cells: list[tuple[dict, str]] = []  # (td attributes, text)
        self._cell: tuple[dict, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            assert a["id"] not in self.ids, f"duplicate id {a['id']}"
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if key in a:
                self.refs.append((tag, a[key]))
        if tag == "script":
            self.scripts += 1
        if tag == "td":
            self._cell = (a, [])

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.cells.append((self._cell[0], "".join(self._cell[1])))
            self._cell = None


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def check_links(site: Path) -> dict[Path, Page]:
    """Every page parses; every href/src resolves to a file in the site, every #fragment to an id."""
    pages = {p: parse(p) for p in sorted(site.rglob("*.html"))}
    root = site.resolve()
    checked = 0
    for path, page in pages.items():
        assert page.scripts == 1, f"{path}: only the site's own script"
        for tag, url in page.refs:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", "mailto"):
                assert tag == "a", f"{path}: {tag} loads {url} from the network"
                continue
            assert not parts.scheme and not parts.netloc, f"{path}: {url}"
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            assert target.is_relative_to(root), f"{path}: {url} leaves the site"
            assert target.is_file(), f"{path}: {url} → no such file"
            if parts.fragment:
                assert target in pages, f"{path}: {url} → fragment on a non-page"
                assert unquote(parts.fragment) in pages[target].ids, f"{path}: {url} → no such id"
            checked += 1
    assert checked > 0
    return pages


def tree(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


# --- the bundled package ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundled") / "site"
    started = time.perf_counter()
    expo_data.build_site(ROOT, out=out)
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"\nsite of the bundled package: {size / 1e6:.2f} MB, built in {seconds:.2f} s")
    assert size < 2_000_000
    assert seconds < 10, "well over the 2 s target even on a loaded machine"
    return out


def test_bundled_site_links_and_anchors_resolve(bundled):
    pages = check_links(bundled)
    names = expo_data.resource_names(ROOT)
    assert {p.relative_to(bundled).as_posix() for p in pages} == {
        "index.html",
        "downloads.html",
        *(f"resources/{n}.html" for n in names),
    }
    home = (bundled / "index.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in home
    assert 'class="badge valid"' in home  # the bundled package validates
    assert "Award winners: named in the source vs reported" in home  # the coverage chart
    assert home.count("<svg") == 2  # the chart and the ER diagram, inline
    assert (
        f"version {expo_data.__version__}" in home
        and "CC-BY-4.0" in home
        and 'id="cite-text"' in home
    )


def test_bundled_rows_keys_and_languages(bundled):
    winners = parse(bundled / "resources" / "winners.html")
    with open(ROOT / "data" / "winners.csv", encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert {anchor([r["id"]]) for r in rows} <= winners.ids
    shanghai = next(r for r in rows if r["place_id"] == "shanghai")
    href = f"awards.html#{anchor([shanghai['award_id']])}"
    assert ("a", href) in winners.refs
    zh = [(a, text) for a, text in winners.cells if a.get("lang") == "zh-Hant"]
    assert sorted(text for _, text in zh) == sorted(r["winner_name_zh_hant"] for r in rows)
    places = parse(bundled / "resources" / "places.html")
    assert any(a.get("lang") == "zh-Hans" for a, _ in places.cells)


def test_bundled_downloads_match_the_files(bundled):
    downloads = bundled / "downloads"
    sums = dict(
        reversed(line.split("  ", 1))
        for line in (downloads / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    )
    assert "datapackage.json" in sums and "data/winners.csv" in sums
    page = (bundled / "downloads.html").read_text(encoding="utf-8")
    for name, digest in sums.items():
        assert (downloads / name).read_bytes() == (ROOT / name).read_bytes()
        assert hashlib.sha256((ROOT / name).read_bytes()).hexdigest() == digest
        assert digest in page


def test_same_package_same_bytes(bundled, tmp_path):
    expo_data.build_site(ROOT, out=tmp_path / "again")
    assert tree(tmp_path / "again") == tree(bundled)


# --- a generated package: other names, a composite key, foreign keys, hostile text ------------


def write_package(folder: Path, resources: dict[str, tuple[dict, list[list[str]]]]) -> Path:
    """A CSV package: {name: (schema, rows)}; the first row of `rows` is the header."""
    (folder / "data").mkdir(parents=True)
    entries = []
    for name, (schema, rows) in resources.items():
        path = f"data/{name.replace('_', ' ')}.csv"  # `my_items` → "data/my items.csv"
        with open(folder / path, "w", encoding="utf-8", newline="") as stream:
            csv.writer(stream, lineterminator="\n").writerows(rows)
        entries.append({"name": name, "path": path, "schema": schema})
    descriptor = {
        "name": "shop-stock",
        "title": "Shop stock",
        "version": "0.3.0",
        "description": "A generated package " + HOSTILE,
        "licenses": [
            {"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/"}
        ],
        "resources": entries,
    }
    (folder / "datapackage.json").write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return folder


def field(name: str, type_: str = "string", **extra) -> dict:
    return {"name": name, "type": type_, **extra}


SHOPS = [
    ["code", "name_zh_hant", "name_zh_hans", "label", "note"],
    ["北-1", "北區一號店", "北区一号店", "きた", HOSTILE],
    ["a.b", "點店", "点店", "てん", ""],
    ["A_b", "大寫", "大写", "おお", "upper case"],
]
ITEMS = [["sku", "title"]] + [[str(n), f"item {n}"] for n in range(1, 7)]
STOCK = [
    ["shop", "sku", "qty"],
    ["北-1", "2", "5"],
    ["北-1", "6", "1.5"],
    ["a.b", "2", "10"],
    ["A_b", "1", ""],
]
MOVES = [["shop", "sku", "delta"], ["北-1", "2", "-1"], ["a.b", "2", "3"], ["A_b", "1", "2"]]


def generated(folder: Path) -> Path:
    return write_package(
        folder,
        {
            "shops": (
                {
                    "fields": [
                        field("code", constraints={"required": True}),
                        field("name_zh_hant"),
                        field("name_zh_hans"),
                        field("label", **{"expo:lang": "ja"}),
                        field("note"),
                    ],
                    "primaryKey": ["code"],
                },
                SHOPS,
            ),
            "shop_items": (
                {"fields": [field("sku", "integer"), field("title")], "primaryKey": ["sku"]},
                ITEMS,
            ),
            "stock": (
                {
                    "fields": [field("shop"), field("sku", "integer"), field("qty", "number")],
                    "primaryKey": ["shop", "sku"],
                    "foreignKeys": [
                        {
                            "fields": ["shop"],
                            "reference": {"resource": "shops", "fields": ["code"]},
                        },
                        {
                            "fields": ["sku"],
                            "reference": {"resource": "shop_items", "fields": ["sku"]},
                        },
                    ],
                },
                STOCK,
            ),
            "moves": (
                {
                    "fields": [field("shop"), field("sku", "integer"), field("delta", "integer")],
                    "foreignKeys": [
                        {
                            "fields": ["shop", "sku"],
                            "reference": {"resource": "stock", "fields": ["shop", "sku"]},
                        }
                    ],
                },
                MOVES,
            ),
        },
    )


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return generated(tmp_path / "package")


def test_generated_site_links_keys_and_paging(shop, tmp_path):
    site = expo_data.build_site(shop, out=tmp_path / "site", rows=4)
    pages = check_links(site)
    assert {p.name for p in pages} == {
        "index.html",
        "downloads.html",
        "shops.html",
        "shop_items.html",
        "stock.html",
        "moves.html",
    }
    stock = pages[site / "resources" / "stock.html"]
    # composite primary key: one anchor per (shop, sku); the dot joins, and a dot inside a value is encoded
    assert {anchor(["北-1", "2"]), anchor(["a.b", "2"]), anchor(["A_b", "1"])} <= stock.ids
    assert ("a", f"shops.html#{anchor(['北-1'])}") in stock.refs
    assert anchor(["a.b"]) != anchor(["a", "b"]) and "." not in anchor(["a.b"])[4:]
    # shop_items shows 4 of its 6 rows: sku 6 links to the note saying where the rest are
    assert ("a", "shop_items.html#rows-omitted") in stock.refs
    assert ("a", f"shop_items.html#{anchor(['2'])}") in stock.refs
    items = (site / "resources" / "shop_items.html").read_text(encoding="utf-8")
    assert "2 more rows are not shown" in items and anchor(["5"]) not in items
    assert 'href="../downloads/data/shop%20items.csv"' in items  # a file name with a space
    # a composite foreign key links to the composite anchor
    moves = pages[site / "resources" / "moves.html"]
    assert ("a", f"stock.html#{anchor(['a.b', '2'])}") in moves.refs
    qty = [text for _, text in stock.cells][-12:][2::3]  # the rows table: 4 rows of 3 cells
    assert qty == ["5", "1.5", "10", ""]  # numbers as written, missing empty
    assert {anchor(["1"]), anchor(["3"])} <= moves.ids  # no primary key: row numbers
    assert ("a", f"resources/{file_name('stock')}") in pages[site / "index.html"].refs


def test_text_is_escaped_and_languages_marked(shop, tmp_path):
    site = expo_data.build_site(shop, out=tmp_path / "site")
    shops = site / "resources" / "shops.html"
    html = shops.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)" in html
    assert "<script>alert" not in (site / "index.html").read_text(encoding="utf-8")
    page = parse(shops)
    assert page.scripts == 1
    assert (({}, HOSTILE)) in page.cells  # parsed back: exactly the cell's text
    langs = {a.get("lang"): text for a, text in page.cells if a.get("lang")}
    assert langs["zh-Hant"] in {"北區一號店", "點店", "大寫"}
    assert langs["zh-Hans"] in {"北区一号店", "点店", "大写"}
    assert langs["ja"] in {"きた", "てん", "おお"}  # the `expo:lang` property
    assert file_name("Shops") != file_name("shops")  # no clash on case-insensitive disks


def test_release_history_and_invalid_package(shop, tmp_path):
    (shop / "CHANGELOG.md").write_text(
        "# Changes\n\n## 0.3.0\n\n- stock gains `qty` <script>x()</script> "
        "([diff](docs/diff.md), [spec](https://datapackage.org/))\n",
        encoding="utf-8",
    )
    with open(shop / "data" / "shop items.csv", "a", encoding="utf-8") as stream:
        stream.write("1,duplicate sku\n")
    site = expo_data.build_site(shop, out=tmp_path / "site")
    check_links(site)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "0.3.0" in home and "stock gains" in home and "&lt;script&gt;x()" in home
    assert 'href="docs/diff.md"' not in home and 'href="https://datapackage.org/"' in home
    assert 'class="badge invalid"' in home and "<code>primary-key</code>" in home


def test_release_folder_lists_its_manifest(shop, tmp_path):
    release = expo_data.build_release(shop, out=tmp_path / "release" / "0.3.0")
    site = expo_data.build_site(release, out=tmp_path / "site")
    check_links(site)
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    page = (site / "downloads.html").read_text(encoding="utf-8")
    for entry in manifest["files"]:
        assert entry["sha256"] in page
        assert (site / "downloads" / entry["name"]).read_bytes() == (
            release / entry["name"]
        ).read_bytes()
    stock = parse(site / "resources" / "stock.html")
    assert anchor(["北-1", "2"]) in stock.ids  # the Parquet files give the same rows and keys


def test_cli_builds_refuses_and_replaces(shop, tmp_path):
    out = tmp_path / "site"
    done = run_cli("site", "-p", shop, "--out", out, "--rows", "2")
    assert done.returncode == 0, done.stderr
    assert (out / "index.html").is_file() and "Wrote the site" in done.stdout
    again = run_cli("site", "-p", shop, "--out", out)
    assert again.returncode == 1 and again.stderr.startswith("Error: ")
    assert "not empty" in again.stderr and "Traceback" not in again.stderr
    assert run_cli("site", "-p", shop, "--out", out, "--force").returncode == 0
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine", encoding="utf-8")
    refused = run_cli("site", "-p", shop, "--out", other, "--force")
    assert refused.returncode == 1 and "holds no site" in refused.stderr
    assert (other / "keep.txt").read_text(encoding="utf-8") == "mine"


# --- a real browser: headless Chromium over the DevTools protocol -----------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
)


#: what Chromium answers an evaluation that races a navigation (the old page is gone)
NAVIGATING = ("Inspected target navigated or closed", "Cannot find context with specified id")


class Browser:
    """Chromium started for one test, driven over its DevTools websocket; bounded waits only."""

    def __init__(self, profile: Path) -> None:
        import subprocess

        import websocket

        self.process = subprocess.Popen(
            [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = profile / "DevToolsActivePort"
        for _ in range(300):  # up to 30 s on a loaded machine
            if port_file.is_file() and len(port_file.read_text().split()) >= 2:
                break
            assert self.process.poll() is None, "chromium exited at start-up"
            time.sleep(0.1)
        else:
            raise AssertionError("chromium did not open its DevTools port")
        port = int(port_file.read_text().split()[0])
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            targets = json.load(r)
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=30, suppress_origin=True
        )
        self.next_id, self.events = 0, []
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Log.enable")
        self.call("Network.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=1280,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        for _ in range(10_000):
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                assert "error" not in message, f"{method}: {message['error']}"
                return message.get("result", {})
            self.events.append(message)
        raise AssertionError(f"no answer to {method}")

    def js(self, expression: str):
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def wait(self, expression: str, what: str) -> None:
        for _ in range(200):  # up to 20 s
            try:
                if self.js(expression):
                    return
            except AssertionError as error:  # asked while the page navigates: not yet
                if not any(race in str(error) for race in NAVIGATING):
                    raise
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)
        self.wait(f"location.href === {json.dumps(url)} && document.readyState === 'complete'", url)

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element (scrolled into view first)."""
        box = self.js(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " e.scrollIntoView({block: 'center', behavior: 'instant'}); const r = e.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.call(
                "Input.dispatchMouseEvent",
                type=kind,
                x=box[0],
                y=box[1],
                button="left",
                clickCount=1,
            )

    def screenshot(self, path: Path) -> Path:
        import base64

        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def requests(self) -> list[str]:
        """Every URL the pages requested so far."""
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def errors(self) -> list[str]:
        out = []
        for event in self.events:
            if event.get("method") == "Runtime.exceptionThrown":
                out.append(json.dumps(event["params"]["exceptionDetails"])[:300])
            if (
                event.get("method") == "Log.entryAdded"
                and event["params"]["entry"]["level"] == "error"
            ):
                out.append(event["params"]["entry"]["text"])
        return out

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except Exception:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def browser(tmp_path: Path):
    if not CHROMIUM.is_file():
        pytest.skip("headless Chromium not installed (Debian: apt-get install chromium)")
    pytest.importorskip("websocket", reason="websocket-client (the dev extra) is not installed")
    profile = tmp_path / "profile"  # a fresh profile per test
    profile.mkdir()
    b = Browser(profile)
    yield b
    b.close()


def test_in_a_browser_sort_filter_follow_a_key(bundled, browser, tmp_path):
    shots = tmp_path / "screenshots"
    shots.mkdir()
    home = (bundled / "index.html").as_uri()
    browser.open(home)
    assert browser.js("document.title") == "CHTF 2023 Smart City Expo"
    assert browser.js("document.querySelector('.badge').textContent") == "valid"
    assert browser.js("document.querySelectorAll('#relationships svg a').length") == 14
    assert browser.js("!document.querySelector('button.copy').hidden")  # the script ran
    browser.screenshot(shots / "home.png")
    browser.click("button.copy[data-copy=cite-text]")
    browser.wait(
        "document.querySelector('button.copy[data-copy=cite-text]').textContent === 'Copied'",
        "the copy button to confirm",
    )

    winners = (bundled / "resources" / "winners.html").as_uri()
    browser.open(winners)
    column = "Array.from(document.querySelectorAll('#rows-table tbody tr:not([hidden])'))"
    cells = column + ".map(r => r.cells[{}].textContent)"
    positions = f"{cells.format(6)}.map(Number)"
    browser.click("#rows-table th:nth-child(7) button")  # list_position: ascending, then descending
    browser.click("#rows-table th:nth-child(7) button")
    sorted_positions = browser.js(positions)
    assert (
        sorted_positions == sorted(sorted_positions, reverse=True) and len(sorted_positions) == 34
    )
    assert (
        browser.js("document.querySelector('#rows-table th:nth-child(7)').ariaSort") == "descending"
    )
    browser.click("#rows-table-filter")
    browser.call("Input.insertText", text="leading-smart-city-2023")
    with open(ROOT / "data" / "winners.csv", encoding="utf-8", newline="") as stream:
        expected = [r for r in csv.DictReader(stream) if r["award_id"] == "leading-smart-city-2023"]
    assert browser.js(f"{column}.length") == len(expected) == 13
    assert set(browser.js(cells.format(1))) == {"leading-smart-city-2023"}
    assert browser.js(positions) == sorted(
        (int(r["list_position"]) for r in expected), reverse=True
    )
    assert (
        browser.js("document.querySelector('.filter [role=status]').textContent") == "13 of 34 rows"
    )
    browser.screenshot(shots / "winners-sorted-filtered.png")

    browser.click("#rows-table tbody tr:not([hidden]) td:nth-child(2) a")  # award_id → awards
    target = (
        f"{(bundled / 'resources' / 'awards.html').as_uri()}#{anchor(['leading-smart-city-2023'])}"
    )
    browser.wait(
        f"location.href === {json.dumps(target)} && document.readyState === 'complete'", target
    )
    assert browser.js("document.querySelector(':target').id") == anchor(["leading-smart-city-2023"])
    assert (
        browser.js("document.querySelector(':target').cells[1].textContent")
        == "2023中國領軍智慧城市獎"
    )
    browser.wait(
        "(() => { const r = document.querySelector(':target').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= innerHeight; })()",
        "the referenced row in view",
    )
    browser.screenshot(shots / "awards-followed-key.png")

    requested = browser.requests()  # pages, the site's script and style: nothing else
    assert any(url.endswith("/assets/site.js") for url in requested), requested
    assert all(url.startswith(bundled.as_uri() + "/") for url in requested), requested
    assert browser.errors() == []
    print(f"\nscreenshots: {shots}")
