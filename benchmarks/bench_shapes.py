"""The benchmark packages: a narrow synthetic shape and the real awards shape, valid or faulty."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SLUG = "^[a-z0-9]+(-[a-z0-9]+)*$"
ZONES = ["digital-innovation", "ecosystem", "ai-experience", "dual-carbon", "interactive"]
SOURCE = "chtf-2023-smart-city-expo"
HANZI = "智慧城市數字化創新生態圈人工智能科技體驗雙碳戰略互動展區中興訊飛吉寶蔚來汽車理想特斯拉"

SCHEMAS = {
    "sources": {
        "fields": [
            {"name": "id", "type": "string", "constraints": {"required": True, "pattern": SLUG}},
            {"name": "title", "type": "string", "constraints": {"required": True}},
            {"name": "paragraph_count", "type": "integer", "constraints": {"minimum": 1}},
        ],
        "primaryKey": ["id"],
    },
    "organisations": {
        "fields": [
            {
                "name": "id",
                "type": "string",
                "constraints": {"required": True, "unique": True, "pattern": SLUG},
            },
            {"name": "name_zh_hant", "type": "string", "constraints": {"required": True}},
            {"name": "name_en", "type": "string"},
            {"name": "parent_organisation_id", "type": "string", "constraints": {"pattern": SLUG}},
            {"name": "founded", "type": "date"},
            {"name": "source_id", "type": "string", "constraints": {"required": True}},
            {
                "name": "source_paragraph",
                "type": "integer",
                "constraints": {"required": True, "minimum": 1, "maximum": 13},
            },
            {
                "name": "mentioned_in",
                "type": "string",
                "constraints": {"required": True, "pattern": "^[0-9]+(;[0-9]+)*$"},
            },
            {"name": "notes", "type": "string"},
        ],
        "missingValues": [""],
        "primaryKey": ["id"],
        "foreignKeys": [
            {
                "fields": ["parent_organisation_id"],
                "reference": {"resource": "", "fields": ["id"]},
            },
            {"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["id"]}},
        ],
    },
    "exhibitors": {
        "fields": [
            {"name": "id", "type": "string", "constraints": {"required": True, "pattern": SLUG}},
            {
                "name": "organisation_id",
                "type": "string",
                "constraints": {"required": True, "pattern": SLUG},
            },
            {"name": "list_position", "type": "integer", "constraints": {"minimum": 1}},
            {"name": "list_marked_partial", "type": "boolean", "constraints": {"required": True}},
            {"name": "zone", "type": "string", "constraints": {"enum": ZONES}},
            {
                "name": "exhibited_on",
                "type": "date",
                "constraints": {"minimum": "2023-11-15", "maximum": "2023-11-19"},
            },
            {"name": "source_id", "type": "string", "constraints": {"required": True}},
            {
                "name": "source_paragraph",
                "type": "integer",
                "constraints": {"required": True, "minimum": 1, "maximum": 13},
            },
            {"name": "notes", "type": "string"},
        ],
        "missingValues": [""],
        "primaryKey": ["id"],
        "foreignKeys": [
            {
                "fields": ["organisation_id"],
                "reference": {"resource": "organisations", "fields": ["id"]},
            },
            {"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["id"]}},
        ],
    },
}


def _mix(i: int, salt: int) -> int:
    """A cheap deterministic hash: synthetic values without a random draw per cell."""
    return ((i + 1) * 2654435761 + salt * 40503) % 4294967291


def _name(i: int) -> str:
    h = _mix(i, 1)
    start = h % (len(HANZI) - 8)
    return HANZI[start : start + 2 + h % 7]


def _organisation(i: int) -> list[str]:
    h = _mix(i, 2)
    parent = f"org-{h % i:07d}" if i and h % 20 == 0 else ""
    founded = f"{1950 + h % 73}-{1 + h % 12:02d}-{1 + h % 28:02d}" if h % 5 else ""
    return [
        f"org-{i:07d}",
        _name(i),
        f"Company {i}" if h % 10 < 7 else "",
        parent,
        founded,
        SOURCE,
        str(1 + h % 13),
        ";".join(str(1 + (h >> k) % 13) for k in range(1 + h % 3)),
        "" if h % 10 else f"Printed as {_name(h)}, possibly an alias.",
    ]


def _exhibitor(i: int, organisations: int) -> list[str]:
    h = _mix(i, 3)
    return [
        f"exhibitor-{i:07d}",
        f"org-{h % organisations:07d}",
        str(1 + h % 200),
        ("true", "false")[h % 2],
        ZONES[h % len(ZONES)],
        f"2023-11-{15 + h % 5}",
        SOURCE,
        str(1 + (h >> 3) % 13),
        "" if h % 20 else f"Listed with {_name(h)}; 等",
    ]


#: (resource, field or None, damage): one kind of fault each; `rows` is the whole table so a
#: damage can copy another row's key
FAULTS = [
    ("exhibitors", "list_position", lambda row, _: "12a"),
    ("exhibitors", "list_position", lambda row, _: "0"),
    ("exhibitors", "list_position", lambda row, _: " +7"),  # valid: int() strips and signs
    ("exhibitors", "exhibited_on", lambda row, _: "2023-11-31"),
    ("exhibitors", "exhibited_on", lambda row, _: "2023/11/16"),
    ("exhibitors", "exhibited_on", lambda row, _: "2023-11-1"),  # valid but below minimum
    ("exhibitors", "zone", lambda row, _: "hall-z"),
    ("exhibitors", "list_marked_partial", lambda row, _: "yes"),
    ("exhibitors", "list_marked_partial", lambda row, _: ""),
    ("exhibitors", "id", lambda row, _: row[0].replace("-", "_")),
    ("exhibitors", "id", lambda row, rows: rows[0][0]),  # duplicate primary key
    ("exhibitors", "organisation_id", lambda row, _: "org-missing"),
    ("exhibitors", "organisation_id", lambda row, _: ""),
    ("exhibitors", "notes", lambda row, _: "two\nlines, quoted"),
    ("exhibitors", "notes", lambda row, _: " untrimmed"),
    ("organisations", "parent_organisation_id", lambda row, _: "org-none"),
    ("organisations", "name_zh_hant", lambda row, _: ""),
    ("organisations", "mentioned_in", lambda row, _: "4, 7"),
    ("organisations", "source_paragraph", lambda row, _: "14"),
    ("organisations", "id", lambda row, rows: rows[1][0]),
    ("organisations", "founded", lambda row, _: "1999-02-29"),
    ("organisations", None, "blank"),
    ("exhibitors", None, "blank"),
    ("exhibitors", None, "short"),
    ("exhibitors", None, "long"),
]


def _damage(rows: list[list[str]], resource: str, header: list[str], rate: float, rng) -> list:
    kinds = [f for f in FAULTS if f[0] == resource]
    for index in range(1, len(rows)):
        if rng.random() >= rate:
            continue
        _, field, damage = rng.choice(kinds)
        row = rows[index]
        if damage == "blank":
            rows[index] = []
        elif damage == "short":
            rows[index] = row[:-2]
        elif damage == "long":
            rows[index] = [*row, "surplus"]
        else:
            row[header.index(field)] = damage(row, rows)
    return rows


def build_package(root: Path, rows: int, *, faults: float = 0.0, seed: int = 2023) -> Path:
    """Write a synthetic package of about `rows` data rows; return its datapackage.json."""
    rng = random.Random(seed)
    organisations = max(rows // 10, 2)
    tables = {
        "sources": [["id", "title", "paragraph_count"], [SOURCE, "智慧城市展閉幕報道", "13"]],
        "organisations": [_organisation(i) for i in range(organisations)],
        "exhibitors": [_exhibitor(i, organisations) for i in range(rows - organisations)],
    }
    root.mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    resources = []
    for name, table in tables.items():
        header = [f["name"] for f in SCHEMAS[name]["fields"]]
        body = table if name == "sources" else [header, *table]
        if faults and name != "sources":
            body = _damage(body, name, header, faults, rng)
        with open(root / "data" / f"{name}.csv", "w", encoding="utf-8", newline="") as stream:
            csv.writer(stream, lineterminator="\n").writerows(body)
        resources.append(
            {
                "name": name,
                "path": f"data/{name}.csv",
                "format": "csv",
                "encoding": "utf-8",
                "schema": SCHEMAS[name],
            }
        )
    descriptor = root / "datapackage.json"
    descriptor.write_text(json.dumps({"name": "synthetic-expo", "resources": resources}, indent=1))
    return descriptor


# -- the awards shape ------------------------------------------------------------------------

#: (field, damage) of the awards shape: one faulty cell per damaged row
AWARD_FAULTS = [
    ("winners_named", lambda row, k: "12a"),
    ("winners_named", lambda row, k: "-1"),
    ("kind", lambda row, k: "prize"),
    ("named_list_partial", lambda row, k: "yes"),
    ("source_paragraph", lambda row, k: "14"),
    ("mentioned_in", lambda row, k: "4, 7"),
    ("session_id", lambda row, k: "no-such-session"),
    ("parent_award_id", lambda row, k: f"missing-award-{k}"),
    ("id", lambda row, k: row[0].rsplit("-", 1)[0]),  # the same id as an earlier copy
    ("name_zh_hant", lambda row, k: ""),
]


def build_awards(root: Path, rows: int, *, faults: float = 0.0, seed: int = 2023) -> Path:
    """The real package's awards (+ the sources and sessions it references), `rows` rows."""
    import shutil

    rng = random.Random(seed)
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    keep = [r for r in descriptor["resources"] if r["name"] in ("sources", "sessions", "awards")]
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "schemas").mkdir(exist_ok=True)
    for r in keep:
        shutil.copy2(ROOT / r["schema"], root / r["schema"])
        if r["name"] != "awards":
            shutil.copy2(ROOT / r["path"], root / r["path"])
    with open(ROOT / "data" / "awards.csv", encoding="utf-8", newline="") as stream:
        header, *real = list(csv.reader(stream))
    at = {name: j for j, name in enumerate(header)}
    with open(root / "data" / "awards.csv", "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        for i in range(rows):
            k, row = divmod(i, len(real))
            row = list(real[row])
            if k:  # copy k: suffixed ids, so keys stay unique and references resolve
                row[0] += f"-{k}"
                if row[at["parent_award_id"]]:
                    row[at["parent_award_id"]] += f"-{k}"
            if i % 100 == 37:
                row[at["notes"]] = f"{row[at['notes']]}\n第 {k} 份副本\n多行備註"
            if faults and i > len(real) and rng.random() < faults:
                name, damage = rng.choice(AWARD_FAULTS)
                row[at[name]] = damage(row, k)
            writer.writerow(row)
    descriptor = {**descriptor, "resources": keep}
    (root / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=1))
    return root / "datapackage.json"


#: shape name -> builder(root, rows, *, faults, seed) -> datapackage.json
BUILDERS = {"synthetic": build_package, "awards": build_awards}
