"""Facts in the data package: valid, linked, counted, cited and complete.

Reads the CSVs with the csv module and the descriptor with json (not with expo_data), so the
data can be checked on its own. The source article lives outside the repository, in
`<repo root>/../shared/sources/` (or the folder named by the EXPO_DATA_SOURCES environment
variable, e.g. for a git worktree); the tests that need it skip when that folder is absent.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_SOURCES = Path(os.environ.get("EXPO_DATA_SOURCES") or ROOT.parent / "shared" / "sources")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@")
FIELD_TYPES = {"string", "integer", "number", "boolean", "date", "year", "datetime"}
#: resources whose rows are entities with printed names (all but link tables and sources)
ENTITY_RESOURCES = (
    "sessions",
    "organisations",
    "people",
    "places",
    "awards",
    "exhibition_zones",
    "publications",
    "topics",
)


# ---------------------------------------------------------------- reading


@cache
def descriptor() -> dict:
    return json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))


@cache
def schema(name: str) -> dict:
    res = next(r for r in descriptor()["resources"] if r["name"] == name)
    return json.loads((ROOT / res["schema"]).read_text(encoding="utf-8"))


@cache
def rows(name: str) -> tuple[dict[str, str], ...]:
    res = next(r for r in descriptor()["resources"] if r["name"] == name)
    with open(ROOT / res["path"], encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def resource_names() -> list[str]:
    return [r["name"] for r in descriptor()["resources"]]


def ids(name: str) -> set[str]:
    return {r["id"] for r in rows(name)}


def names(name: str, column: str = "name_zh_hant") -> set[str]:
    return {r[column] for r in rows(name)}


def source_row() -> dict[str, str]:
    (only,) = rows("sources")
    return only


@cache
def source_bytes() -> bytes:
    path = SHARED_SOURCES / source_row()["file_name"]
    if not path.is_file():
        pytest.skip(f"source article not found at {path} (shared/ is not beside the checkout)")
    return path.read_bytes()


def paragraphs() -> list[str]:
    """The source's paragraphs: its non-empty lines, numbered from 1 (index 0 is unused)."""
    lines = [line for line in source_bytes().decode("utf-8").split("\n") if line.strip()]
    return ["", *lines]


# ---------------------------------------------------------------- (a) frictionless


def test_frictionless_validates_the_package_including_foreign_keys():
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.Package(str(ROOT / "datapackage.json")).validate()
    errors = [f"{e.type}: {e.message}" for task in report.tasks for e in task.errors]
    assert report.valid, "\n".join(errors[:20])


def test_descriptor_metadata():
    d = descriptor()
    assert d["name"] == "chtf-2023-smart-city"
    assert d["version"] == "2.0.0"
    assert d["created"] == "2026-12-06T00:00:00Z"
    assert [lic["name"] for lic in d["licenses"]] == ["CC-BY-4.0"]
    for key in ("title", "description", "sources", "contributors", "keywords"):
        assert d[key], key
    assert {"organisations", "winners", "sessions", "sources"} <= set(resource_names())
    for res in d["resources"]:
        name = res["name"]
        assert res["path"] == f"data/{name}.csv"
        assert res["schema"] == f"schemas/{name}.json"
        assert (res["format"], res["mediatype"], res["encoding"]) == ("csv", "text/csv", "utf-8")
        assert res["title"] and res["description"]


@pytest.mark.parametrize("name", resource_names())
def test_schema_is_complete(name):
    s = schema(name)
    assert s["missingValues"] == [""]
    assert s["primaryKey"] in ("id", ["id"])
    for field in s["fields"]:
        assert field["type"] in FIELD_TYPES, field["name"]
        assert field.get("title") and field.get("description"), field["name"]
    id_field = next(f for f in s["fields"] if f["name"] == "id")
    assert id_field["constraints"]["required"] and id_field["constraints"]["unique"]
    assert id_field["constraints"]["pattern"] == SLUG.pattern
    # every *_id column (and source_id) is declared as a foreign key
    declared = {
        fk["fields"][0] if isinstance(fk["fields"], list) else fk["fields"]
        for fk in s.get("foreignKeys", [])
    }
    referencing = {f["name"] for f in s["fields"] if f["name"].endswith("_id")}
    assert referencing == declared


@pytest.mark.parametrize("name", resource_names())
def test_csv_file_format(name):
    raw = (ROOT / "data" / f"{name}.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "BOM"
    assert b"\r" not in raw, "CR line ending"
    assert raw.endswith(b"\n")
    header = raw.decode("utf-8").split("\n", 1)[0].split(",")
    assert header == [f["name"] for f in schema(name)["fields"]]


# ---------------------------------------------------------------- (b) foreign keys


def foreign_keys():
    for name in resource_names():
        for fk in schema(name).get("foreignKeys", []):
            (field,) = [fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"]
            target = fk["reference"]["resource"] or name
            (target_field,) = (
                [fk["reference"]["fields"]]
                if isinstance(fk["reference"]["fields"], str)
                else fk["reference"]["fields"]
            )
            yield name, field, target, target_field


@pytest.mark.parametrize(("name", "field", "target", "target_field"), list(foreign_keys()))
def test_foreign_key_resolves(name, field, target, target_field):
    known = {r[target_field] for r in rows(target)}
    dangling = [(r["id"], r[field]) for r in rows(name) if r[field] and r[field] not in known]
    assert not dangling


def test_every_row_cites_the_source():
    for name in resource_names():
        if name != "sources":
            assert {r["source_id"] for r in rows(name)} == {source_row()["id"]}, name


# ---------------------------------------------------------------- (c) award counts


def test_winners_named_matches_winner_rows_and_never_exceeds_reported():
    per_award: dict[str, int] = {}
    for w in rows("winners"):
        per_award[w["award_id"]] = per_award.get(w["award_id"], 0) + 1
    for award in rows("awards"):
        named = int(award["winners_named"])
        assert named == per_award.get(award["id"], 0), award["id"]
        if award["winners_reported"]:
            assert named <= int(award["winners_reported"]), award["id"]


def test_reported_counts_from_the_article():
    awards = {a["id"]: a for a in rows("awards")}
    assert awards["leading-smart-city-2023"]["winners_reported"] == "27"
    assert awards["leading-smart-city-2023"]["winners_named"] == "13"
    assert awards["leading-smart-urban-district-2023"]["winners_reported"] == "15"
    assert awards["leading-smart-county-level-city-2023"]["winners_reported"] == ""
    assert awards["leading-solution-provider-2023"]["winners_reported"] == ""


def test_technical_sub_category_is_four_awards_without_a_split():
    tech = next(a for a in rows("awards") if a["name_zh_hant"] == "技術類子項")
    assert tech["awards_reported"] == "4"
    winners = [w for w in rows("winners") if w["award_id"] == tech["id"]]
    assert sorted(w["winner_name_zh_hant"] for w in winners) == sorted(
        ["華為云計算技術有限公司", "中興通訊股份有限公司"]
    )
    assert "split" in tech["notes"]
    # nothing records a per-winner number of awards
    assert not any("award_count" in c or "awards_won" in c for c in rows("winners")[0])


def test_segment_categories_have_rows_but_no_winners():
    segments = [a for a in rows("awards") if a["kind"] == "segment-category"]
    assert len(segments) == 15
    assert all(a["winners_named"] == "0" and a["winners_reported"] == "" for a in segments)


# ---------------------------------------------------------------- (d) either/or columns


def test_each_winner_is_exactly_one_place_or_organisation():
    for w in rows("winners"):
        assert bool(w["place_id"]) != bool(w["organisation_id"]), w["id"]
        assert w["winner_type"] == ("place" if w["place_id"] else "organisation"), w["id"]


def test_winner_name_is_the_linked_entitys_printed_name():
    place = {r["id"]: r["name_zh_hant"] for r in rows("places")}
    org = {r["id"]: r["name_zh_hant"] for r in rows("organisations")}
    for w in rows("winners"):
        linked = place[w["place_id"]] if w["place_id"] else org[w["organisation_id"]]
        assert w["winner_name_zh_hant"] == linked, w["id"]


def test_each_participant_is_exactly_one_person_or_organisation():
    for p in rows("session_participants"):
        assert bool(p["person_id"]) != bool(p["organisation_id"]), p["id"]
        assert p["participant_type"] == ("person" if p["person_id"] else "organisation")


def test_people_affiliation_is_their_organisations_printed_name():
    org = {r["id"]: r["name_zh_hant"] for r in rows("organisations")}
    for p in rows("people"):
        assert p["affiliation_as_printed"] == org[p["organisation_id"]], p["id"]


def test_dates_only_where_the_article_states_them():
    dated = {
        (s["id"], s["date"], s["end_date"]) for s in rows("sessions") if s["date"] or s["end_date"]
    }
    assert dated == {("chtf-25-smart-city-expo", "", "2023-11-19")}


def test_facts_without_a_stated_forum_stay_on_the_parent_forum():
    forum = next(s["id"] for s in rows("sessions") if s["kind"] == "forum")
    for p in rows("session_participants"):
        if p["role"] == "attending-organisation":
            assert p["session_id"] == forum, p["id"]
    for t in rows("topics"):
        if t["kind"] == "discussion-topic":
            assert t["session_id"] == forum, t["id"]
    dialogue = next(s["id"] for s in rows("sessions") if s["kind"] == "high-level-dialogue")
    assert not [p for p in rows("session_participants") if p["session_id"] == dialogue]


# ---------------------------------------------------------------- (e) citations


def test_source_file_checksum_and_paragraph_count():
    src = source_row()
    raw = source_bytes()
    assert hashlib.sha256(raw).hexdigest() == src["sha256"]
    assert len(raw) == int(src["bytes"])
    assert len(paragraphs()) - 1 == int(src["paragraph_count"]) == 13


def printed_columns(name: str) -> list[str]:
    """Columns whose every value must appear verbatim in the cited paragraph."""
    return [
        c
        for c in (
            "name_zh_hant",
            "winner_name_zh_hant",
            "affiliation_as_printed",
            "position_as_printed",
            "short_name_zh_hant",
            "prefix_zh_hant",
            "phrase_as_printed",
            "value_as_printed",
        )
        if c in rows(name)[0]
    ]


@pytest.mark.parametrize("name", [n for n in resource_names() if n != "sources"])
def test_printed_text_appears_verbatim_in_the_cited_paragraph(name):
    paras = paragraphs()
    count = int(source_row()["paragraph_count"])
    for r in rows(name):
        n = int(r["source_paragraph"])
        assert 1 <= n <= count, (r["id"], n)
        for column in printed_columns(name):
            if r[column]:
                assert r[column] in paras[n], (r["id"], column, r[column], n)
        if r.get("mentioned_in"):
            listed = [int(x) for x in r["mentioned_in"].split(";")]
            assert listed == sorted(set(listed)) and listed[0] >= n, r["id"]
            for m in listed:
                assert any(text in paras[m] for text in own_names(r)), (r["id"], m)


def test_people_are_printed_as_affiliation_position_name():
    paras = paragraphs()
    for p in rows("people"):
        printed = p["affiliation_as_printed"] + p["position_as_printed"] + p["name_zh_hant"]
        assert printed in paras[int(p["source_paragraph"])], p["id"]


def test_name_zh_hans_matches_opencc_draft():
    opencc = pytest.importorskip("opencc")
    t2s = opencc.OpenCC("t2s")
    for name in ENTITY_RESOURCES:
        for r in rows(name):
            assert r["name_zh_hans"] == t2s.convert(r["name_zh_hant"]), (name, r["id"])


# ---------------------------------------------------------------- (f) hygiene


@pytest.mark.parametrize("name", resource_names())
def test_text_hygiene(name):
    seen: set[str] = set()
    for r in rows(name):
        assert SLUG.match(r["id"]), r["id"]
        assert r["id"] not in seen, f"duplicate id {r['id']}"
        seen.add(r["id"])
        for column, value in r.items():
            assert value == unicodedata.normalize("NFC", value), (r["id"], column)
            assert value == value.strip(), (r["id"], column)
            assert not any(z in value for z in ZERO_WIDTH), (r["id"], column)
            assert not value.startswith(FORMULA_PREFIXES), (r["id"], column)


# ---------------------------------------------------------------- (g) completeness

#: every name the article prints, per entity class (typed from a reading of the article)
PARAGRAPH_8_ORGANISATIONS = [
    "華南理工",
    "北京理工",
    "粵檢集團",
    "國電南瑞",
    "釘釘",
    "浪潮",
    "華寬通",
    "天安智慧空間",
    "浙江海數",
    "云智易",
    "維度數據",
    "廣州賽特",
    "庫卡中國",
    "梅州高新",
    "鑫瀚高科",
    "中凱光顯",
    "國譽家具",
    "特普生",
]
ORGANISATIONS = [
    # paragraph 4: exhibitors
    "中興",
    "科大訊飛",
    "三鼎",
    "吉寶智城",
    "蔚來汽車",
    "理想汽車",
    "特斯拉",
    "華寬通",
    "智慧空間",
    "云智易",
    "維度數據",
    # paragraphs 6-7: speakers' employers (with the units printed in their affiliations), co-author
    "國家信息中心",
    "國家信息中心信息化和產業發展部",
    "深圳市政務服務數據管理局",
    "亞洲數據集團",
    "華為",
    "日照市大數據發展局",
    "海寧市政務服務和數據資源管理辦公室",
    "華為云",
    "華為云城市云",
    "科大訊飛AI研究院",
    "百度智能云",
    "百度智能云智慧城市業務部",
    "金山云",
    "金山云政企事業部",
    "數夢工場",
    "數夢工場研究院",
    # paragraph 8: forum participants not already named in paragraph 4
    *(name for name in PARAGRAPH_8_ORGANISATIONS if name not in ("華寬通", "云智易", "維度數據")),
    # paragraph 12: award winners
    "華為云計算技術有限公司",
    "北京百度網訊科技有限公司",
    "杭州數夢工場科技有限公司",
    "科大訊飛股份有限公司",
    "神州數碼控股有限公司",
    "中興通訊股份有限公司",
]
PLACES = [
    "上海",
    "深圳",
    "成都",
    "武漢",
    "杭州",
    "長沙",
    "鹽城",
    "錦州",
    "保山",
    "克拉瑪依",
    "慶陽",
    "朝陽",
    "烏海",
    "江蘇宜興",
    "江蘇昆山",
    "安徽廣德",
    "山東龍口",
    "重慶云陽",
    "河南輝縣",
    "深圳福田區",
    "廣州天河區",
    "廣州白云區",
    "哈爾濱平房區",
    "蘇州高新區",
    "惠州惠城區",
    "天津西青區",
    "青島李滄區",
]
PEOPLE = [
    "徐強",
    "劉佳晨",
    "朱東方",
    "單志廣",
    "田金光",
    "沈清",
    "李德剛",
    "李鑫",
    "劉捷",
    "于科偉",
    "念燦華",
]
ZONES = [
    "數字化創新展區",
    "智慧城市生態圈展區",
    "人工智能與智能科技體驗展區",
    "“雙碳”戰略展區",
    "智慧城市及數字化互動體驗區",
]
AWARDS = [
    "2023中國領軍智慧城市獎",
    "2023 中國領軍智慧縣級城市獎",
    "2023中國領軍智慧城區獎",
    "2023中國智慧城市領軍解決方案提供商",
    "技術類子項",
    "細分領域獎項",
    "數字政府",
    "信息系統",
    "一網統管",
    "能源",
    "數據運營",
    "智慧廚房",
    "智慧視覺",
    "物聯網",
    "大數據",
    "智慧交通",
    "智慧醫療",
    "智慧社區",
    "智慧園區",
    "智慧產業園區",
    "數字化創新",
]
SESSIONS = [
    "第二十五屆高交會智慧城市展",
    "2023智慧城市發展論壇",
    "2023智慧城市發展論壇主論壇",
    "2023“智能機器人+”創新與應用發展論壇",
    "2023深圳專精特新企業數字化轉型高峰論壇",
    "“數創融合智造未來”數智產業交流對接會?廣梅園",
    "“數字賦能:構建產業新生態”論壇",
    "高峰對話",
    "2023中國智慧城市評選頒獎典禮",
]
EXHIBITORS = ORGANISATIONS[:11]
DISCUSSION_TOPICS = [
    "智能機器人",
    "數字化轉型創新",
    "智能終端產業發展",
    "‘雙碳’政策下智慧城市增長點",  # noqa: RUF001 (quotes as printed)
]
FIGURES = [
    "50多位頂級嘉賓",
    "超百家企業",
    "近百個城市和地區代表",
    "五大亮點展區",
    "一場主論壇",
    "兩場主題論壇",
    "兩場同期主題論壇",
]


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ("organisations", ORGANISATIONS),
        ("places", PLACES),
        ("people", PEOPLE),
        ("exhibition_zones", ZONES),
        ("awards", AWARDS),
        ("sessions", SESSIONS),
        ("publications", ["城市一張網研究報告"]),
    ],
)
def test_every_printed_name_has_exactly_one_row(resource, expected):
    assert len(expected) == len(set(expected))
    printed = [r["name_zh_hant"] for r in rows(resource)]
    assert sorted(printed) == sorted(expected)


def test_every_printed_name_is_in_the_article():
    text = "".join(paragraphs())
    for name in [*ORGANISATIONS, *PLACES, *PEOPLE, *ZONES, *AWARDS, *SESSIONS, *FIGURES]:
        assert name in text, name


def test_links_are_complete():
    org = {r["id"]: r["name_zh_hant"] for r in rows("organisations")}
    exhibitors = sorted(rows("exhibitors"), key=lambda r: int(r["list_position"]))
    assert [org[r["organisation_id"]] for r in exhibitors] == EXHIBITORS
    assert all(r["list_marked_partial"] == "true" for r in exhibitors)
    attending = [
        org[r["organisation_id"]]
        for r in rows("session_participants")
        if r["role"] == "attending-organisation"
    ]
    assert attending == PARAGRAPH_8_ORGANISATIONS
    assert {p["person_id"] for p in rows("session_participants") if p["person_id"]} == ids("people")
    assert [w["winner_name_zh_hant"] for w in rows("winners") if w["place_id"]] == PLACES
    topics = [t["name_zh_hant"] for t in rows("topics") if t["kind"] == "discussion-topic"]
    assert topics == DISCUSSION_TOPICS
    assert sorted(names("figures", "phrase_as_printed")) == sorted(FIGURES)
    authors = {org[a["organisation_id"]]: a["attribution"] for a in rows("publication_authors")}
    assert authors["華為"] == "printed"


# ---------------------------------------------------------------- (h) data audit (issue 14)


def test_award_dimension_is_empty_where_the_notes_say_it_is_not_stated():
    """The technical sub-category's dimension is neither stated nor implied: not filled in."""
    awards = {a["id"]: a for a in rows("awards")}
    tech = awards["technical-sub-category-awards"]
    assert tech["dimension"] == ""
    assert "dimension the sub-category belongs to are not stated" in tech["notes"]
    for a in rows("awards"):
        if "dimension" in a["notes"] and "not stated" in a["notes"]:
            assert a["dimension"] == "", a["id"]
    # the dimension is filled where the article states it (the award that paragraph 12 puts
    # under 本次評選的另一大維度是服務商) or implies it (the place awards: "the other" dimension)
    assert {
        a["id"]: (a["dimension"], a["dimension_basis"]) for a in rows("awards") if a["dimension"]
    } == {
        "leading-smart-city-2023": ("place", "implied"),
        "leading-smart-county-level-city-2023": ("place", "implied"),
        "leading-smart-urban-district-2023": ("place", "implied"),
        "leading-solution-provider-2023": ("service-provider", "stated"),
    }
    assert all(a["dimension_basis"] == "" for a in rows("awards") if not a["dimension"])


#: resources whose rows can be items of a printed list, and how to group a resource's rows
#: into the lists the article prints (rows of a group are in printed order)
LIST_RESOURCES = {
    "exhibitors": lambda r: r["session_id"],
    "topics": lambda r: r["kind"],
    "session_participants": lambda r: r["role"],
    "awards": lambda r: r["kind"],
    "winners": lambda r: r["award_id"],
}


def printed_item(name: str, r: dict[str, str]) -> str:
    """The text the article prints for a list item."""
    if name == "exhibitors":
        return {o["id"]: o["name_zh_hant"] for o in rows("organisations")}[r["organisation_id"]]
    if name == "winners":
        return r["winner_name_zh_hant"]
    if name == "session_participants":
        if r["person_id"]:
            return {p["id"]: p["name_zh_hant"] for p in rows("people")}[r["person_id"]]
        return {o["id"]: o["name_zh_hant"] for o in rows("organisations")}[r["organisation_id"]]
    return r["name_zh_hant"]


def test_one_list_marked_partial_field_across_the_listed_resources():
    fields = {
        name: next(f for f in schema(name)["fields"] if f["name"] == "list_marked_partial")
        for name in LIST_RESOURCES
    }
    first = fields["exhibitors"]
    assert first["type"] == "boolean" and first["constraints"] == {"required": True}
    assert "等" in first["description"]
    for name, field in fields.items():
        assert field == first, name
    for name in resource_names():
        if name not in LIST_RESOURCES:
            assert "list_marked_partial" not in rows(name)[0], name
    # awards keep named_list_partial: it is about the award's winners list, not the award row
    assert "named_list_partial" in rows("awards")[0]


@pytest.mark.parametrize("name", list(LIST_RESOURCES))
def test_list_marked_partial_is_true_exactly_for_lists_ending_with_deng(name):
    """A list is partial when its last printed item is followed by 等 (after any quote)."""
    paras = paragraphs()
    groups: dict[str, list[dict[str, str]]] = {}
    for r in rows(name):
        groups.setdefault(LIST_RESOURCES[name](r), []).append(r)
    for members in groups.values():
        if all(r.get("list_position") for r in members):
            members.sort(key=lambda r: int(r["list_position"]))
        last = members[-1]
        text, item = paras[int(last["source_paragraph"])], printed_item(name, last)
        assert item in text, (name, last["id"])
        ends_with_deng = any(
            text[i + len(item) :].lstrip("\u201d\u2019").startswith("等")
            for i in range(len(text))
            if text.startswith(item, i)
        )
        expected = "true" if ends_with_deng else "false"
        assert [r["list_marked_partial"] for r in members] == [expected] * len(members), [
            r["id"] for r in members
        ]


def test_participants_from_lists_ending_with_deng_are_marked_partial():
    """Paragraph 7's 7 discussion guests (…念燦華等) and paragraph 8's 18 organisations (…特普生等)."""
    partial = [r for r in rows("session_participants") if r["list_marked_partial"] == "true"]
    assert len(partial) == 25
    assert {r["role"] for r in partial} == {"discussion", "attending-organisation"}
    assert sum(r["role"] == "discussion" for r in partial) == 7
    others = [r for r in rows("session_participants") if r["list_marked_partial"] == "false"]
    assert sorted(r["role"] for r in others) == sorted(
        ["address"] * 3 + ["keynote", "report-release"]
    )
    segments = [a for a in rows("awards") if a["list_marked_partial"] == "true"]
    assert len(segments) == 15 and {a["kind"] for a in segments} == {"segment-category"}


#: the one text printed for two entities: which entity each paragraph's printing is for
HOMONYMS = {
    "物聯網": {
        4: ("topics", "expo-field-internet-of-things"),
        12: ("awards", "segment-internet-of-things"),
    },
}


def printed_names() -> list[tuple[str, str, str]]:
    """(resource, id, printed name) for every entity with a printed name, figures included."""
    return [
        (name, r["id"], r.get("name_zh_hant") or r["phrase_as_printed"])
        for name in (*ENTITY_RESOURCES, "figures")
        for r in rows(name)
    ]


def own_names(r: dict[str, str]) -> list[str]:
    """The texts naming a row's entity: its printed name, and its short name where it has one."""
    full = r.get("name_zh_hant") or r["phrase_as_printed"]
    return [full, *([r["short_name_zh_hant"]] if r.get("short_name_zh_hant") else [])]


def mentioned_in_by_the_rule(name: str, r: dict[str, str]) -> str:
    """The schema's rule: paragraphs printing the name (or short name) in its own right."""
    me = (name, r["id"])
    found = []
    for p, para in enumerate(paragraphs()[1:], start=1):
        if any(printed_on_its_own(me, text, p, para) for text in own_names(r)):
            found.append(str(p))
    return ";".join(found)


def printed_on_its_own(me: tuple[str, str], text: str, p: int, para: str) -> bool:
    """Whether paragraph p prints text for entity me, other than inside another entity's name."""
    if text in HOMONYMS and HOMONYMS[text].get(p) != me:
        return False
    longer = [n for res, i, n in printed_names() if (res, i) != me and text in n and n != text]
    inside = {
        (i + k, i + k + len(text))
        for n in longer
        for i in find_all(para, n)
        for k in find_all(n, text)
    }
    return any((i, i + len(text)) not in inside for i in find_all(para, text))


def find_all(text: str, part: str) -> list[int]:
    return [i for i in range(len(text)) if text.startswith(part, i)]


def test_homonyms_are_all_assigned():
    counts: dict[str, int] = {}
    for _, _, text in printed_names():
        counts[text] = counts.get(text, 0) + 1
    assert {t for t, c in counts.items() if c > 1} == set(HOMONYMS)


@pytest.mark.parametrize("name", [n for n in resource_names() if "mentioned_in" in rows(n)[0]])
def test_mentioned_in_follows_the_schema_rule_for_every_row(name):
    wrong = [
        (r["id"], r["mentioned_in"], expected)
        for r in rows(name)
        if r["mentioned_in"] != (expected := mentioned_in_by_the_rule(name, r))
    ]
    assert not wrong


def test_mentioned_in_does_not_count_names_inside_longer_names():
    """The rows the audit found counting a name inside a longer one, and iflytek, which did not."""
    orgs = {r["id"]: r for r in rows("organisations")}
    for org in ("huawei-cloud", "baidu-ai-cloud", "kingsoft-cloud", "dtdream"):
        assert orgs[org]["mentioned_in"] == "", org  # printed only inside its sub-unit's name
        assert orgs[org]["source_paragraph"] == "7"
        assert "Printed only as the first part of" in orgs[org]["notes"]
    assert (
        orgs["iflytek"]["mentioned_in"] == "4"
    )  # not 科大訊飛AI研究院 (7), 科大訊飛股份有限公司 (12)
    forum = next(s for s in rows("sessions") if s["id"] == "smart-city-development-forum-2023")
    assert (forum["source_paragraph"], forum["mentioned_in"]) == ("6", "7")
    for name in resource_names():
        field = next((f for f in schema(name)["fields"] if f["name"] == "mentioned_in"), None)
        if field:
            assert "longer" in field["description"] and "Empty when" in field["description"]
            assert not field["constraints"].get("required"), name


def test_publication_authors_are_only_the_bodies_the_article_names():
    """The article names only 華為 beside 單志廣 (與華為共同編制); no guessed co-author row."""
    paras = paragraphs()
    org = {r["id"]: r["name_zh_hant"] for r in rows("organisations")}
    authors = rows("publication_authors")
    assert [(a["publication_id"], a["organisation_id"]) for a in authors] == [
        ("city-one-network-research-report", "huawei")
    ]
    for a in authors:
        assert a["attribution"] == "printed", a["id"]
        assert f"與{org[a['organisation_id']]}共同編制" in paras[int(a["source_paragraph"])]
    field = next(f for f in schema("publication_authors")["fields"] if f["name"] == "attribution")
    assert field["constraints"]["enum"] == ["printed"]
    (report,) = rows("publications")
    assert "The other co-author is not named" in report["notes"]


# ---------------------------------------------------------------- (i) data audit (issue 22)


def test_expo_is_mentioned_wherever_its_short_name_is_printed():
    """Item 1: 高交會智慧城市展 names the expo on its own in paragraphs 1, 4, 7 and 10."""
    expo = next(s for s in rows("sessions") if s["kind"] == "expo")
    assert expo["short_name_zh_hant"] == "高交會智慧城市展"
    assert expo["mentioned_in"] == "1;4;7;10"
    paras = paragraphs()
    assert "本屆高交會智慧城市展" in paras[4] and "本屆高交會智慧城市展" in paras[7]
    assert "高交會智慧城市展期間" in paras[10]
    assert all(s["short_name_zh_hant"] == "" for s in rows("sessions") if s is not expo)


def test_four_technical_awards_are_in_total_or_each_unknown():
    """Item 2: 拿下了技術類子項下的4個獎項 may be 4 in total or 4 each; no note picks a reading."""
    tech = {a["id"]: a for a in rows("awards")}["technical-sub-category-awards"]
    assert tech["awards_reported"] == "4"
    assert "拿下了技術類子項下的4個獎項" in paragraphs()[12]
    winners = [w for w in rows("winners") if w["award_id"] == tech["id"]]
    org = {o["id"]: o for o in rows("organisations")}
    notes = [
        tech["notes"],
        *(w["notes"] for w in winners),
        org[winners[0]["organisation_id"]]["notes"],
    ]
    assert len(notes) == 4
    for note in notes:
        assert re.search(r"can mean 4 (awards )?in total or 4 each", note), note
        assert "between them" not in note and "together" not in note, note
    assert "the reading is unknown" in tech["notes"]


def test_place_dimension_is_implied_by_the_provider_sentence():
    """Item 3: only the provider dimension is printed (本次評選的另一大維度是服務商)."""
    assert "本次評選的另一大維度是服務商" in paragraphs()[12]
    field = next(f for f in schema("awards")["fields"] if f["name"] == "dimension_basis")
    assert field["constraints"] == {"enum": ["stated", "implied"]}
    for a in rows("awards"):
        if a["dimension"] == "place":
            assert a["dimension_basis"] == "implied", a["id"]
            assert "本次評選的另一大維度是服務商" in a["notes"], a["id"]


def test_addresses_are_not_called_welcome_and_xu_qiang_is_linked_by_inference():
    """Item 4: the article says 進行致辭, and places only 徐強's quoted remarks at the main forum."""
    role = next(f for f in schema("session_participants")["fields"] if f["name"] == "role")
    assert not [v for v in role["constraints"]["enum"] if "welcome" in v]
    assert "進行致辭" in paragraphs()[7] and "歡迎" not in paragraphs()[7]
    addresses = {p["person_id"]: p for p in rows("session_participants") if p["role"] == "address"}
    assert set(addresses) == {"xu-qiang", "liu-jiachen", "zhu-dongfang"}
    xu = addresses["xu-qiang"]
    assert xu["session_basis"] == "article-structure" and "inference" in xu["notes"]
    main = next(s["id"] for s in rows("sessions") if s["kind"] == "main-forum")
    assert not [
        p["id"]
        for p in rows("session_participants")
        if p["session_id"] == main and p["session_basis"] == "stated"
    ]


def test_an_uncertain_alias_has_no_english_name_of_its_partner():
    """Item 5: a short name possibly the same as a company does not carry that company's English name."""
    org = {o["id"]: o for o in rows("organisations")}
    assert org["zte"]["name_en"] == "" and org["iflytek"]["name_en"] == ""
    assert org["zte-corporation"]["name_en"] == "ZTE Corporation"
    for o in org.values():
        partner = org.get(o["possible_same_as_id"])
        if partner and o["name_en"] and partner["name_en"]:
            first, second = sorted((o["name_en"], partner["name_en"]), key=len)
            assert not second.startswith(first), (o["id"], partner["id"])


def test_one_english_name_rule_for_topics_and_awards():
    """Item 6: one text, one English name; compound phrases get none; Baidu's form is cited."""
    english: dict[str, set[str]] = {}
    for name in ("topics", "awards"):
        for r in rows(name):
            english.setdefault(r["name_zh_hant"], set()).add(r["name_en"])
            if "和" in r["name_zh_hant"] or "及" in r["name_zh_hant"]:
                assert r["name_en"] == "", r["id"]
    assert {text: en for text, en in english.items() if len(en) > 1} == {}
    assert english["物聯網"] == {"Internet of Things"}
    assert {a["id"]: a["name_en"] for a in rows("awards") if a["name_en"]} == {
        "segment-internet-of-things": "Internet of Things",
        "segment-big-data": "Big data",
    }
    baidu = {o["id"]: o for o in rows("organisations")}["beijing-baidu-netcom"]
    assert baidu["name_en"] == "Beijing Baidu Netcom Science Technology Co., Ltd."
    assert "with and without 'and'" in baidu["notes"] and "Form 20-F" in baidu["notes"]


def test_readme_says_which_english_name_rule_each_resource_follows():
    """Item 7: every resource with a name_en column has a row in README's name_en table."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| resource | what `name_en` holds |", 1)[1].split("\n\n", 1)[0]
    named = {name for name in resource_names() if "name_en" in rows(name)[0]}
    listed = {
        n
        for line in table.splitlines()
        for n in re.findall(r"`([a-z_]+)`", line.split("|")[1] if line.count("|") > 2 else "")
    }
    assert named == listed
    assert "empty unless established" not in readme


def test_segment_categories_keep_their_printed_order():
    """Item 8: list_position of the 15 segment categories follows paragraph 12."""
    para = paragraphs()[12]
    segments = sorted(
        (a for a in rows("awards") if a["kind"] == "segment-category"),
        key=lambda a: int(a["list_position"]),
    )
    assert [int(a["list_position"]) for a in segments] == list(range(1, 16))
    printed = para[para.index("數字政府") : para.index("等細分領域")].split("、")
    assert [a["name_zh_hant"] for a in segments] == printed
    assert all(a["list_position"] == "" for a in rows("awards") if a["kind"] != "segment-category")


def test_possible_aliases_are_linked_both_ways():
    """Item 8: possible_same_as_id pairs, declared as a foreign key, each noted as uncertain."""
    org = {o["id"]: o for o in rows("organisations")}
    pairs = {
        frozenset((o["id"], o["possible_same_as_id"]))
        for o in org.values()
        if o["possible_same_as_id"]
    }
    assert pairs == {
        frozenset(p)
        for p in [
            ("zte", "zte-corporation"),
            ("iflytek", "iflytek-co-ltd"),
            ("zhihui-kongjian", "tianan-zhihui-kongjian"),
            ("huawei-cloud", "huawei-cloud-computing-technologies"),
            ("dtdream", "hangzhou-dtdream-technology"),
        ]
    }
    for o in org.values():
        if o["possible_same_as_id"]:
            assert org[o["possible_same_as_id"]]["possible_same_as_id"] == o["id"], o["id"]
            assert "Possibly the same as" in o["notes"] and o["possible_same_as_id"] in o["notes"]
    fks = [fk["fields"] for fk in schema("organisations")["foreignKeys"]]
    assert ["possible_same_as_id"] in fks


def test_winners_from_lists_ending_with_deng_are_marked_partial():
    """Item 8: the 13 cities (…烏海等) and 8 districts (…青島李滄區等) are marked on each row."""
    partial = {w["award_id"] for w in rows("winners") if w["list_marked_partial"] == "true"}
    assert partial == {a["id"] for a in rows("awards") if a["named_list_partial"] == "true"}
    assert sum(w["list_marked_partial"] == "true" for w in rows("winners")) == 21
