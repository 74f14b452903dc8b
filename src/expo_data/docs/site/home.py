"""The site's home page: the dataset card, coverage, relationships, validation, citation."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from ...model.credits import citation as cite
from ..common import plural
from .erd import er_svg, relationships
from .html import esc, file_name, table
from .pages import Site

if TYPE_CHECKING:
    from ...validation.report import Report

#: findings listed on the home page (the counts cover all of them)
FINDINGS_SHOWN = 100


def _link(url: object, text: object) -> str:
    url = str(url or "")
    if url.startswith(("https://", "http://")):
        return f'<a href="{esc(url)}">{esc(text)}</a>'
    return esc(text)


def licences(site: Site) -> str:
    items = [
        _link(lic.get("path"), lic.get("title") or lic.get("name") or lic.get("path"))
        for lic in site.package.descriptor.get("licenses", [])
        if isinstance(lic, dict)
    ]
    return ", ".join(items) or "not stated"


def citation(site: Site) -> tuple[str, str]:
    """The citation as one line of text, and as BibTeX (`model.credits.citation`)."""
    text, bib = cite(site.package.descriptor, site.title)
    return text, "\n".join(bib)


def home_page(site: Site) -> str:
    """The home page's HTML."""
    package, descriptor = site.package, site.package.descriptor
    total = sum(r.total for r in site.rows.values())
    contents = f"{plural(len(package.resources), 'resource')}, {plural(total, 'row')}"
    facts = [
        ("Name", f"<code>{esc(package.name)}</code>"),
        ("Version", esc(package.version or "not stated")),
        ("Created", esc(str(descriptor.get("created", ""))[:10] or "not stated")),
        ("Contents", esc(contents)),
        ("Data licence", licences(site)),
        ("Keywords", esc(", ".join(map(str, descriptor.get("keywords", []))))),
    ]
    if descriptor.get("homepage"):
        facts.append(("Homepage", _link(descriptor["homepage"], descriptor["homepage"])))
    sources = [
        _link(s.get("path"), s.get("title") or s.get("path"))
        for s in descriptor.get("sources", [])
        if isinstance(s, dict) and (s.get("title") or s.get("path"))
    ]
    if sources:
        facts.append(("Sources", "<br>".join(sources)))
    resources = [
        (
            f'<a href="resources/{esc(file_name(r.name))}"><code>{esc(r.name)}</code></a>',
            esc(r.title),
            str(site.rows[r.name].total),
            esc(r.description),
        )
        for r in package.resources
    ]
    body = [
        f"<h1>{esc(site.title)}</h1>",
        f'<p class="lede"><code>{esc(package.name)}</code> · version {esc(package.version)} · '
        f"{esc(contents)} · {_badge(site.report)}</p>",
        '<nav class="toc" aria-label="On this page"><a href="#about">About</a>'
        '<a href="#resources">Resources</a>'
        + ('<a href="#coverage">Coverage</a>' if site.coverage else "")
        + '<a href="#relationships">Relationships</a><a href="#validation">Validation</a>'
        '<a href="#cite">How to cite</a><a href="#versions">Versions</a>'
        '<a href="downloads.html">Downloads</a></nav>',
        '<section id="about"><h2>About</h2>',
        f"<p>{esc(descriptor.get('description', ''))}</p>",
        '<table class="facts"><tbody>'
        + "".join(f'<tr><th scope="row">{k}</th><td>{v}</td></tr>' for k, v in facts)
        + "</tbody></table></section>",
        '<section id="resources"><h2>Resources</h2>',
        '<div class="scroll">'
        + table(("Resource", "Title", "Rows", "Description"), resources, cls="resources")
        + "</div></section>",
    ]
    if site.coverage:
        body += [
            '<section id="coverage"><h2>Coverage</h2>',
            '<figure class="chart">',
            site.coverage,
            "<figcaption>Per award: the winners the source names against the number it "
            "reports.</figcaption></figure></section>",
        ]
    body += [_relationships(site), _validation(site), _cite(site), _versions(site, contents)]
    return site.render(site.title, "\n".join(body), root="")


def _badge(report: Report) -> str:
    if report.valid:
        return '<a class="badge valid" href="#validation">valid</a>'
    count = plural(len(report.findings), "finding")
    return f'<a class="badge invalid" href="#validation">invalid: {esc(count)}</a>'


def _relationships(site: Site) -> str:
    items = [
        f'<li><a href="resources/{esc(file_name(r.name))}">{esc(r.name)}</a>.'
        f"{esc(', '.join(fields))} → "
        f'<a href="resources/{esc(file_name(target))}">{esc(target)}</a>.'
        f"{esc(', '.join(ref))}</li>"
        for r, fields, target, ref in relationships(site.package)
    ]
    return "\n".join(
        [
            '<section id="relationships"><h2>Relationships</h2>',
            "<p>Each resource with its key fields (PK primary key, FK foreign key); select a "
            "box to open the resource.</p>",
            f'<div class="scroll diagram">{er_svg(site.package)}</div>',
            "<details><summary>The foreign keys as a list</summary>",
            f"<ul>{''.join(items) or '<li>none</li>'}</ul></details></section>",
        ]
    )


def _validation(site: Site) -> str:
    report = site.report
    findings = report.findings
    out = ['<section id="validation"><h2>Validation</h2>']
    if report.valid:
        out.append(
            f"<p>{_badge(report)} The package passes every check of "
            f"<code>expo-data validate</code> ({esc(report.stats.get('engine', ''))} engine, "
            f"{plural(len(site.package.resources), 'resource')}).</p>"
        )
        return "\n".join([*out, "</section>"])
    more = " (the report was cut short)" if report.stats.get("truncated") else ""
    out.append(
        f"<p>{_badge(report)} <code>expo-data validate</code> reports "
        f"{plural(len(findings), 'finding')}{more}.</p>"
    )
    codes = sorted(Counter(f.code for f in findings).items())
    order = {name: i for i, name in enumerate(site.package.resource_names)}
    resources = sorted(
        Counter(f.resource for f in findings).items(), key=lambda kv: (order.get(kv[0], -1), kv[0])
    )
    out.append(table(("Code", "Findings"), [(f"<code>{esc(c)}</code>", str(n)) for c, n in codes]))
    out.append(
        table(
            ("Resource", "Findings"),
            [(_resource_link(name, order) or "(package)", str(n)) for name, n in resources],
        )
    )
    shown = [
        (
            _resource_link(f.resource, order),
            "" if f.row is None else str(f.row),
            esc(f.field),
            f"<code>{esc(f.code)}</code>",
            esc(f.message),
        )
        for f in findings[:FINDINGS_SHOWN]
    ]
    caption = f"The first {len(shown)} findings" if len(findings) > len(shown) else "Findings"
    out.append(
        '<div class="scroll">'
        + table(("Resource", "Row", "Field", "Code", "Message"), shown, caption=caption)
        + "</div><p>Rows are CSV records: the header is row 1.</p>"
    )
    return "\n".join([*out, "</section>"])


def _resource_link(name: str, order: dict[str, int]) -> str:
    if name in order:
        return f'<a href="resources/{esc(file_name(name))}">{esc(name)}</a>'
    return esc(name)


def _cite(site: Site) -> str:
    text, bib = citation(site)
    return "\n".join(
        [
            '<section id="cite"><h2>How to cite</h2>',
            f'<div class="cite"><p id="cite-text">{esc(text)}</p>'
            '<button type="button" class="copy" data-copy="cite-text" hidden>Copy</button></div>',
            f'<div class="cite"><pre id="cite-bibtex">{esc(bib)}</pre>'
            '<button type="button" class="copy" data-copy="cite-bibtex" hidden>Copy BibTeX'
            "</button></div>",
            "</section>",
        ]
    )


def _versions(site: Site, contents: str) -> str:
    descriptor = site.package.descriptor
    created = str(descriptor.get("created", ""))[:10]
    rows = [(esc(site.package.version or "not stated"), esc(created), esc(contents))]
    out = [
        '<section id="versions"><h2>Versions</h2>',
        table(("Version", "Created", "Contents"), rows),
    ]
    if site.changes:
        out += [
            f'<h3>Changes <span class="sub">({esc(site.changes_file)})</span></h3>',
            f'<div class="changes">{site.changes}</div>',
        ]
    else:
        out.append("<p>No release history (CHANGELOG.md) is published with this package.</p>")
    return "\n".join([*out, "</section>"])
