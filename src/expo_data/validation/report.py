"""Validation findings as data, and pure renderers: text, JSON, GitHub annotations, Markdown."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from dataclasses import field as attribute


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: a stable kebab-case `code` plus where it is (row = CSV record, header = 1)."""

    code: str
    resource: str = ""
    row: int | None = None
    field: str = ""
    message: str = ""
    path: str = ""  # file the finding is about, relative to the package
    #: the constraint a `constraint-error` breaks (not shown, not compared)
    constraint: str = attribute(default="", compare=False, repr=False)


@dataclass(frozen=True)
class Report:
    """The result of validating a package."""

    package: str
    findings: tuple[Finding, ...] = ()
    stats: dict = field(default_factory=dict, compare=False)

    @property
    def valid(self) -> bool:
        return not self.findings

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def to_dict(self) -> dict:
        return {
            "valid": self.valid,
            "package": self.package,
            "stats": self.stats,
            "findings": [_shown(f) for f in self.findings],
        }


def _shown(f: Finding) -> dict:
    out = asdict(f)
    del out["constraint"]
    return out


def _where(f: Finding) -> str:
    parts = [f.path or f.resource]
    if f.row is not None:
        parts.append(f"row {f.row}")
    if f.field:
        parts.append(f"field {f.field!r}")
    return ", ".join(p for p in parts if p)


def render_text(report: Report) -> str:
    """One line per finding, a per-resource summary table, then the verdict and time taken."""
    lines = [f"{_where(f)}: [{f.code}] {f.message}" for f in report.findings]
    count = len(report.findings)
    verdict = "valid" if report.valid else f"invalid: {count} finding{'s' if count != 1 else ''}"
    tables = report.stats.get("tables")
    if tables:
        lines += [*([""] if lines else []), *summary(report).splitlines(), ""]
        rows = sum(t["rows"] or 0 for t in tables.values())
        verdict += (
            f" ({len(tables)} resource{'s' if len(tables) != 1 else ''}, {rows} rows, "
            f"{report.stats.get('seconds', 0):.2f} s, {report.stats.get('engine', '')} engine)"
        )
        if report.stats.get("truncated"):
            verdict += f"; stopped after the first {count} findings (limit_errors)"
    lines.append(f"{report.package}: {verdict}")
    return "\n".join(lines)


def summary(report: Report) -> str:
    """The per-resource table: rows, fields, findings by code (most frequent first)."""
    from ..display import render_table

    by_resource: dict[str, Counter] = {}
    for f in report.findings:
        by_resource.setdefault(f.resource, Counter())[f.code] += 1
    rows = []
    for name, table in report.stats.get("tables", {}).items():
        codes = by_resource.get(name, Counter())
        found = ", ".join(f"{code} {n}" for code, n in sorted(codes.items(), key=_frequent))
        rows.append((name, table["rows"], table["fields"], found or "-"))
    return render_table(("resource", "rows", "fields", "findings"), rows)


def _frequent(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def render_json(report: Report) -> str:
    """The report as a JSON document."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


def _escape(text: str, *, property: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property else text


#: GitHub shows at most 10 error annotations per step; the rest go to the job summary
GITHUB_LIMIT = 10


def render_github(report: Report, limit: int = GITHUB_LIMIT) -> str:
    """GitHub Actions workflow commands: an `::error` annotation for each of the first
    `limit` findings, then a notice pointing to the full list (`render_markdown`)."""
    lines = []
    for f in report.findings[:limit]:
        props = [f"file={_escape(f.path or report.package, property=True)}"]
        if f.row is not None:
            props.append(f"line={f.row}")
        props.append(f"title={_escape(f.code, property=True)}")
        where = f"{f.resource}.{f.field}" if f.field else f.resource
        lines.append(
            f"::error {','.join(props)}::{_escape(f'{where}: {f.message}' if where else f.message)}"
        )
    hidden = len(report.findings) - limit
    if hidden > 0:
        lines.append(
            f"::notice title=more findings::{hidden} more finding(s) not annotated (GitHub "
            "shows 10 per step); the job summary lists all of them"
        )
    lines.append(
        render_text(Report(report.package))
        if report.valid
        else f"{len(report.findings)} finding(s)"
    )
    return "\n".join(lines)


def render_markdown(report: Report) -> str:
    """The whole report as Markdown (for a GitHub job summary): a verdict, then a table."""
    count = len(report.findings)
    if report.valid:
        return f"### Validation: `{report.package}` is valid\n"
    lines = [
        f"### Validation: `{report.package}` is invalid ({count} finding{'s' if count != 1 else ''})",
        "",
        "| Where | Code | Message |",
        "|---|---|---|",
    ]
    for f in report.findings:
        cells = (_where(f), f"`{f.code}`", f.message)
        lines.append(
            "| " + " | ".join(" ".join(c.split()).replace("|", "\\|") for c in cells) + " |"
        )
    return "\n".join(lines) + "\n"


RENDERERS = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "markdown": render_markdown,
}
