"""Where a report is, from its text and the shipped national roster (loaders/extract/scope.py), and drafts
made without --county (linkgraph.pipeline.extract_draft). The texts are written for these tests; the places
are real units of the NBS 2023 roster."""

from __future__ import annotations

import openpyxl
import pytest

from graph_model.records import InputError
from linkgraph.pipeline import extract_draft
from loaders.extract.clean import CleanText
from loaders.extract.scope import ScopeError, choose_scope, named_places, wrong_scope
from loaders.nbs import national_roster

TWO_COUNTIES = ("成华区与蒲江县结对推进城乡融合\n"
                "2023年，成华区保和街道天鹅社区党委与蒲江县朝阳湖镇鞍山村党支部签订结对共建协议。\n"
                "蒲江县白云村也加入了共建。\n"
                "成华区还组织和顺社区居民到石象村采摘茶叶。\n")
TOWN_ONLY = "党武镇党委指导龙井村党支部与当阳村党支部联合共建，共同发展蔬菜种植。\n"
SHARED_VILLAGE = "花溪区尖山村党支部与某某蔬菜专业合作社开展村社共建。\n"  # two towns of 花溪区 have a 尖山村


def keys(text: str) -> list[str]:
    return [CleanText.of(line).key for line in text.splitlines() if line.strip()]


def places(extraction) -> dict[str, str | None]:
    return {e.name: e.place.id if e.place is not None else None for e in extraction.entities if e.is_place}


def rows(sheet):
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


def test_a_report_naming_two_counties_is_scoped_to_both():
    found = choose_scope(keys(TWO_COUNTIES), national_roster())
    assert found.codes == ("510108", "510131")
    assert found.how.startswith("报道所提区县：成华区 510108、蒲江县 510131 / ")


def test_a_district_written_by_its_former_county_name_is_that_district():
    # 密云区 was 密云县 until 2015; read by full names only, 密云县 held 云县 (530922, in Yunnan)
    found = choose_scope(keys("2012年，密云县穆家峪镇党委与一家公司的党委联合成立了新的联合党委。\n"), national_roster())
    assert found.codes == ("110118",) and found.how.startswith("报道所提区县：密云区 110118 / ")
    # a former name that is another county's name stays that county's: 朝阳县 is in Liaoning, 朝阳区 in Beijing
    assert choose_scope(keys("朝阳县波罗赤镇党委组建联合党委。\n"), national_roster()).codes == ("211321",)


def test_a_town_whose_name_begins_with_a_citys_short_name_is_that_town():
    # 朝阳 is 朝阳市 (Liaoning) without its unit word; 朝阳湖镇 (蒲江县) is a town, not 朝阳 and 湖镇 (浙江, 广东)
    named = {p.text: [u.id for u in p.units] for p in named_places(keys("2023年，朝阳湖镇鞍山村党总支与一家公司开展共建。\n"),
                                                                     national_roster())}
    assert named["朝阳湖镇"] == ["510131103"] and "湖镇" not in named and "朝阳" not in named


def test_a_report_naming_only_its_town_is_scoped_to_the_towns_county():
    found = choose_scope(keys(TOWN_ONLY), national_roster())
    assert found.codes == ("520111",)  # 党武镇 is 党武街道 of 花溪区 in the 2023 roster, the only one so named
    assert "党武镇" in found.how and "花溪区 520111" in found.how


def test_a_county_name_several_counties_share_is_decided_by_the_city_named():
    assert choose_scope(keys("南京市鼓楼区某街道党工委开展结对共建。"), national_roster()).codes == ("320106",)
    with pytest.raises(ScopeError) as raised:
        choose_scope(keys("鼓楼区某街道党工委开展结对共建。"), national_roster())
    [problem] = raised.value.problems
    assert problem.message.startswith("报道所提地名在多个区县都有，无法判断所在县：鼓楼区 / ")
    assert "--county" in problem.hint and "--city" in problem.hint


def test_a_town_several_counties_have_is_listed_with_them():
    with pytest.raises(ScopeError) as raised:
        choose_scope(keys("城关镇党委与三个村党支部联合共建。"), national_roster())
    message = raised.value.problems[0].message
    assert "城关镇（" in message and "和林格尔县城关镇 (150123100)" in message


def test_a_report_naming_no_place_says_so():
    with pytest.raises(ScopeError, match="报道中没有名册里的县或乡镇，无法判断所在县 / the report names no county"):
        choose_scope(keys("某某合作社与某某公司开展合作。"), national_roster())


def test_the_city_given_narrows_the_search_and_is_the_scope_when_nothing_narrower_is_named():
    found = choose_scope(keys("鞍山村党支部与茶叶合作社联合共建。"), national_roster(), within="5101")
    assert found.codes == ("5101",) and "成都市 5101" in found.how


def test_a_scope_that_holds_none_of_the_reports_towns_is_wrong():
    error = wrong_scope(keys(TOWN_ONLY), national_roster(), ("510131",))  # 蒲江县, not 花溪区
    [problem] = error.problems
    assert problem.message.startswith("报道提到的县和乡镇都不在所给范围 蒲江县 510131 中，而在别处（党武镇: 花溪区党武街道 (520111012)）/ ")
    assert "--county 520111" in problem.hint
    assert wrong_scope(keys(TOWN_ONLY), national_roster(), ("520111",)) is None
    assert wrong_scope(keys(TWO_COUNTIES), national_roster(), ("510131",)) is None  # one of the two: not wrong


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    for name, text in (("two.txt", TWO_COUNTIES), ("town.txt", TOWN_ONLY), ("shared.txt", SHARED_VILLAGE)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_two_county_report_resolves_villages_in_each(reports):
    drafted = extract_draft([reports / "two.txt"], reports / "two.xlsx")
    found = places(drafted.extraction)
    assert found["天鹅社区"] == "510108014004" and found["和顺社区"] == "510108014006"  # 成华区
    assert found["鞍山村"] == "510131103209" and found["白云村"] == "510131103211"  # 蒲江县
    assert found["石象村"] == "510131103207"  # 蒲江县 too, though named after 成华区
    assert drafted.scope.startswith("报道所提区县：成华区 510108、蒲江县 510131")
    villages = {r["名称"]: (r["所属乡镇"], r["所属县"]) for r in rows(openpyxl.load_workbook(reports / "two.xlsx")["村"])}
    assert villages["鞍山村"] == ("朝阳湖镇", "蒲江县") and villages["天鹅社区"] == ("保和街道", "成华区")


def test_a_report_without_county_resolves_its_villages_in_the_towns_county(reports):
    drafted = extract_draft([reports / "town.txt"], reports / "town.xlsx")
    found = places(drafted.extraction)
    assert found["党武街道"] == "520111012"
    assert found["龙井村"] == "520111012204"  # the 龙井村 of 党武, not the one of 青岩镇 (520111101216)
    assert found["当阳村"] == "520111012201"


def test_a_name_in_several_towns_lists_them_with_their_towns_in_the_draft(reports):
    drafted = extract_draft([reports / "shared.txt"], reports / "shared.xlsx")
    [village] = [e for e in drafted.extraction.entities if e.name == "尖山村"]
    assert village.place is None and village.status == "unresolved"
    [row] = [r for r in rows(openpyxl.load_workbook(reports / "shared.xlsx")["村"]) if r["名称"] == "尖山村"]
    assert row["标识"] is None
    assert row["名册匹配/候选"] == "候选 candidates: 贵筑街道尖山村 (520111004200); 平桥街道尖山村 (520111009201)"


def test_a_wrong_county_is_refused_in_one_line(reports):
    with pytest.raises(InputError) as raised:
        extract_draft([reports / "town.txt"], reports / "wrong.xlsx", county="蒲江县")
    assert len(raised.value.problems) == 1 and "党武镇: 花溪区党武街道 (520111012)" in raised.value.problems[0].message
    assert not (reports / "wrong.xlsx").exists()


def test_counties_given_are_the_scope(reports):
    drafted = extract_draft([reports / "two.txt"], reports / "given.xlsx", county=["510108", "蒲江县"])
    assert places(drafted.extraction)["鞍山村"] == "510131103209"
    assert drafted.scope.startswith("所给区县：成华区 510108、蒲江县 510131 / counties given")


def test_a_county_outside_the_city_given_is_refused(reports):
    with pytest.raises(InputError, match="不在所给市或省 5101 内"):
        extract_draft([reports / "town.txt"], reports / "x.xlsx", county="花溪区", city="成都市")


def test_a_scope_holding_the_reports_villages_but_not_its_towns_is_said_not_refused(reports):
    drafted = extract_draft([reports / "town.txt"], reports / "city.xlsx", city="成都市")
    assert drafted.scope.startswith("报道未提到可确定的县或乡镇，在成都市 5101全境查找")
    assert "注意 note: 报道提到的县和乡镇都不在所给范围 成都市 5101 中，而在别处（党武镇: 花溪区党武街道 (520111012)）" in drafted.scope


def test_a_phrase_read_as_a_town_elsewhere_does_not_refuse_the_right_county(reports):
    (reports / "phrase.txt").write_text("千年古镇焕发新颜。张家沟村党支部与贺寨酒业联合共建。\n", encoding="utf-8")
    drafted = extract_draft([reports / "phrase.txt"], reports / "phrase.xlsx", county="佳县")
    [village] = [e for e in drafted.extraction.entities if e.name == "张家沟村"]  # two towns of 佳县 have one
    assert village.place is None and village.candidates == ("乌镇张家沟村 (610828103217)", "刘国具镇张家沟村 (610828111206)")
    assert drafted.scope.startswith("所给区县：佳县 610828 / counties given: 佳县 610828; 注意 note: 报道提到的县和乡镇都不在")


def test_several_reports_are_each_placed_and_the_scope_is_all_their_counties(reports):
    (reports / "none.txt").write_text("鞍山村党支部与茶叶专业合作社联合党支部结对共建。\n", encoding="utf-8")
    drafted = extract_draft([reports / "two.txt", reports / "town.txt", reports / "none.txt"], reports / "all.xlsx")
    assert drafted.scope.startswith("3 篇报道所提区县：成华区 510108、蒲江县 510131、花溪区 520111 / ")
    assert f"（{reports / 'none.txt'} 未提到可确定的县，在此范围内查找" in drafted.scope
    found = places(drafted.extraction)
    assert found["龙井村"] == "520111012204" and found["石象村"] == "510131103207"


def test_a_report_placed_nowhere_among_others_is_refused_naming_it(reports):
    (reports / "gulou.txt").write_text("鼓楼区某街道党工委开展结对共建。\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        extract_draft([reports / "town.txt", reports / "gulou.txt"], reports / "x.xlsx")
    [problem] = raised.value.problems
    assert problem.origin.file == str(reports / "gulou.txt") and "鼓楼区" in problem.message


def test_a_district_is_found_by_the_county_name_it_had():
    # 湟中县 became 湟中区 (2019), 密云县 密云区 (2015); reports keep the old names. 密云县 must not read as 云县 (云南)
    found = choose_scope(keys("市人防办投资80万元在湟中县李家山镇岗岔村修建文化广场。"), national_roster())
    assert found.codes == ("630106",)
    found = choose_scope(keys("密云县穆家峪镇党委与华润集团结对共建。"), national_roster())
    assert found.codes == ("110118",) and "云县" not in found.how.replace("密云区", "")


def test_autonomous_counties_are_found_without_their_peoples():
    # 新晃侗族自治县 (湖南) and 玉屏侗族自治县 (贵州), as reports write them; 方家屯乡, a name only a town of 康平县
    # (辽宁) still has, no longer decides the county
    found = choose_scope(keys("贵州玉屏县长冲垄村、湖南新晃县马溪冲村成立联合支部，方家屯乡党委指导。"), national_roster())
    assert found.codes == ("520622", "431227")


# Two reports of different provinces drafted together: a phrase of the second (破解村级 holds 解村) names a
# village only in the first one's county (武强县北代乡解村, 131123105221).
WUQIANG = "武强县北代乡吴沙洼村党支部与周窝镇周窝村党支部开展村村联建，共同发展乐器加工。\n"
HUAINING = "怀宁县小市镇党委组建联合党委，破解村级集体经济发展不均衡的难题，四联村加入联合党委。\n"


def test_reports_of_different_counties_are_each_read_in_their_own(tmp_path):
    (tmp_path / "wuqiang.txt").write_text(WUQIANG, encoding="utf-8")
    (tmp_path / "huaining.txt").write_text(HUAINING, encoding="utf-8")
    drafted = extract_draft([tmp_path / "wuqiang.txt", tmp_path / "huaining.txt"], tmp_path / "two.xlsx")
    found = places(drafted.extraction)
    assert found["四联村"] == "340822109200" and found["吴沙洼村"] == "131123105231"
    assert "131123105221" not in found.values()  # 解村 of 武强县 is not read into the 怀宁县 report
    members = [(e.name, e.document) for e in drafted.extraction.entities if e.is_place and e.kind != "County"]
    assert all(document == (1 if name in ("小市镇", "四联村") else 0) for name, document in members), members


def test_each_row_names_the_report_it_comes_from(tmp_path):
    (tmp_path / "wuqiang.txt").write_text(WUQIANG, encoding="utf-8")
    (tmp_path / "huaining.txt").write_text(HUAINING, encoding="utf-8")
    extract_draft([tmp_path / "wuqiang.txt", tmp_path / "huaining.txt"], tmp_path / "two.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "two.xlsx")
    ties = {(r["关系类型"], r["起点"]): r["文章"] for r in rows(workbook["关系"])}
    assert ties[("党组织隶属", "小市镇党委")] == "huaining.txt"  # a tie its name implies: of the report naming it
    assert ties[("党组织隶属", "吴沙洼村党支部")] == "wuqiang.txt"
    villages = {r["名称"]: r["文章"] for r in rows(workbook["村"])}
    assert villages["四联村"] == "huaining.txt" and villages["吴沙洼村"] == "wuqiang.txt"
