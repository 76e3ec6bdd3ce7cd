"""Village and town ends resolved in a scope of the shipped national roster (loaders/extract/mentions.py): a
village name several towns share, taken in the town the report names; a village named after a town the scope
lacks, never taken confidently in another town; a community named by its committee (居委会). The sentences are
written for these tests; the places are real units of the NBS 2023 roster."""

from __future__ import annotations

import openpyxl
import pytest

from graph_model.schema import default_schema
from linkgraph.pipeline import extract_draft, scope_roster_units
from loaders.extract import extract
from loaders.extract.document import Document
from loaders.extract.draft import PLACE_CONFIDENCE

SHOUNING, JIUTAI, LANGKAZI = "350924", "220113", "540531"  # 寿宁县, 九台区, 浪卡子县


@pytest.fixture(scope="module")
def units():
    """The units of the three counties of these tests, with those above them."""
    return scope_roster_units(default_schema(), (SHOUNING, JIUTAI, LANGKAZI))


def places(units, *paragraphs):
    found = extract([Document("t.txt", None, None, list(paragraphs))], units)
    return {e.name: e for e in found.entities if e.is_place}


def test_a_village_several_towns_have_is_the_one_in_the_town_the_report_names_later(units):
    # 寿宁县 has a 下党村 in 凤阳镇 and one in 下党乡; the report names 下党乡 two paragraphs after the village
    found = places(units, "寿宁县下党村发展茶叶种植，村集体收入逐年增加。", "驻村第一书记带领村民修路。",
                   "下党乡位于寿宁县西部，曾是省定贫困乡。")
    village = found["下党村"]
    assert village.place.id == "350924209201" and village.status == "town_named"
    assert village.candidates == ("凤阳镇下党村 (350924106208)",)
    assert PLACE_CONFIDENCE["town_named"] >= 0.8


def test_a_village_several_towns_have_stays_unresolved_when_the_report_names_none_of_them(units):
    village = places(units, "寿宁县下党村发展茶叶种植，村集体收入逐年增加。")["下党村"]
    assert village.place is None and village.status == "unresolved"
    assert set(village.candidates) == {"凤阳镇下党村 (350924106208)", "下党乡下党村 (350924209201)"}


def test_a_village_named_after_a_town_the_scope_lacks_is_proposed_below_confidence(units):
    # 双龙镇 is a town of 公主岭市, not of the scope; 九台区 has a 新民村 of its own, in 兴港街道
    found = places(units, "九台区双龙镇新民村党支部书记说，几个村抱团发展鲜食玉米。")
    village = found["新民村"]
    assert village.place.id == "220113013305" and village.status == "town_unknown"
    assert PLACE_CONFIDENCE["town_unknown"] < 0.8


def test_a_village_after_a_town_of_the_scope_or_a_word_for_the_town_is_resolved_as_before(units):
    assert places(units, "九台区兴港街道新民村党支部书记说，村里发展鲜食玉米。")["新民村"].status == "exact"
    found = places(units, "九台区兴港街道召开会议。该镇新民村党支部书记说，村里发展鲜食玉米。")
    assert found["新民村"].status in ("exact", "normalized") and found["新民村"].place.id == "220113013305"


def test_a_community_named_by_its_committee_is_a_place(units):
    found = places(units, "山南市浪卡子县浪卡子镇道布龙居委会里，驻村工作队正与村“两委”班子一起开会。")
    assert found["道布龙社区"].place.id == "540531100001"


def test_the_draft_says_why_a_village_after_an_unknown_town_is_to_be_confirmed(tmp_path):
    report = tmp_path / "r.txt"
    report.write_text("九台区双龙镇新民村\n九台区双龙镇新民村党支部与某某农业有限公司签订结对共建协议。\n", encoding="utf-8")
    extract_draft([report], tmp_path / "d.xlsx", county=JIUTAI, accept_above=0)
    sheet = openpyxl.load_workbook(tmp_path / "d.xlsx")["村"]
    rows = [dict(zip([c.value for c in sheet[1]], [c.value for c in row])) for row in sheet.iter_rows(min_row=2)]
    [row] = [r for r in rows if r["标识"] == "220113013305"]
    assert row["置信度"] == 0.5 and row["备注"].startswith("文中此村前的乡镇不在名册范围内，取范围内同名的 兴港街道新民村 ")


def test_a_village_spelt_close_to_a_roster_village_it_is_not_given_stays_unresolved_and_drafts(tmp_path):
    # 西吉县兴隆镇 has a 范家沟村; 范沟村 after the town is spelt close to it, but the town's lookup gives the
    # village no unit: it stays unresolved (a candidate has a unit to confirm), and the draft is written
    units = scope_roster_units(default_schema(), ("640422",))
    text = "西吉县兴隆镇范沟村引进一家企业，建起肉牛养殖场。"
    village = places(units, text)["范沟村"]
    assert village.place is None and village.status != "candidate"
    report = tmp_path / "简讯.txt"
    report.write_text(text + "\n", encoding="utf-8")
    extract_draft([report], tmp_path / "draft.xlsx", county=["西吉县"])
    assert (tmp_path / "draft.xlsx").is_file()
