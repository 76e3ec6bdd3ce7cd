"""Recognizing the ends of ties that real reports name and the suffix lists missed (issue 20): products and
their industries (product groups of mentions.yaml), lists of products, animals raised, operated units.

Sentences written for these tests, with Jia County's places; each states the ties a reader would write down.
"""

from __future__ import annotations

import pytest

from .drafting import ties_of


def _industries(found):
    return {e.name: e for e in found.entities if e.kind == "Industry"}


# ---------------------------------------------------------------- products and industries

def test_every_product_listed_after_a_verb_of_farming_is_a_planting_of_the_farmer(roster_units):
    found, ties = ties_of(roster_units, "关甲村主要种植谷子、荞麦和大豆等作物，亩产稳定。")
    assert {("ENGAGED_IN", "关甲村", f"{p}种植") for p in ("谷子", "荞麦", "大豆")} <= ties
    assert "主要种植" not in _industries(found)  # 主要 is no product


def test_a_list_of_products_developed_is_one_industry_each(roster_units):
    found, ties = ties_of(roster_units, "背沟村带领群众发展黄芪、党参、肉牛等特色产业。")
    assert {("ENGAGED_IN", "背沟村", p) for p in ("黄芪", "党参", "肉牛")} <= ties
    industries = _industries(found)
    assert {"黄芪种植", "种植黄芪"} <= set(industries["黄芪"].spellings)  # a herb is planted
    assert {"肉牛养殖", "养肉牛"} <= set(industries["肉牛"].spellings)  # cattle are raised


def test_an_animal_raised_is_one_industry_however_it_is_written(roster_units):
    found, ties = ties_of(roster_units, "刘家坬村养殖羊三百只。", "村里还有十户人家养羊。")
    industries = _industries(found)
    assert list(industries) == ["羊养殖"]  # 养殖羊 and 养羊 name one industry
    assert "养羊" in industries["羊养殖"].spellings
    assert ("ENGAGED_IN", "刘家坬村", "羊养殖") in ties


@pytest.mark.parametrize("text", ["关甲村注重培养鸡毛信精神的传人。", "村卫生室讲解营养鸡蛋的吃法。"])
def test_a_word_ending_in_yang_raises_nothing(roster_units, text):
    found, _ = ties_of(roster_units, text)
    assert not any(name.endswith("养殖") for name in _industries(found))


# ---------------------------------------------------------------- units a village, cooperative or company runs

@pytest.mark.parametrize("text, tie", [
    ("关甲村开办服装加工车间，吸纳妇女务工。", ("OPERATES", "关甲村", "服装加工车间")),
    # a unit named by its generic word alone after a village is named from it (see below)
    ("背沟村红枣专业合作社新建冷冻库一座。", ("OPERATES", "背沟村红枣专业合作社", "背沟村冷冻库")),
    ("佳县宏达农业有限公司建成电商直播间。", ("OPERATES", "佳县宏达农业有限公司", "电商直播间")),
    ("刘家坬村建成农贸市场，方便群众买卖。", ("OPERATES", "刘家坬村", "刘家坬村农贸市场")),
])
def test_a_unit_built_or_run_is_operated_by_who_built_it(roster_units, text, tie):
    found, ties = ties_of(roster_units, text)
    assert tie in ties
    assert next(e for e in found.entities if e.name == tie[2]).kind == "Project"


def test_a_village_s_workshop_is_run_by_the_village_unless_the_text_names_who_runs_it(roster_units):
    _, ties = ties_of(roster_units, "关甲村的竹编加工车间每天有二十人上班。")
    assert ("OPERATES", "关甲村", "竹编加工车间") in ties
    assert ("LOCATED_IN", "竹编加工车间", "关甲村") not in ties
    _, ties = ties_of(roster_units, "佳县宏达农业有限公司运营背沟村粉条加工车间。")
    assert ("OPERATES", "佳县宏达农业有限公司", "背沟村粉条加工车间") in ties
    assert not any(t[0] == "OPERATES" and t[1] == "背沟村" for t in ties)


@pytest.mark.parametrize("text", ["关甲村积极争取帮扶车间落地。", "背沟村新建集体车间两处。"])
def test_a_kind_of_workshop_is_no_name(roster_units, text):
    found, _ = ties_of(roster_units, text)
    assert not any(e.name in ("帮扶车间", "集体车间", "村集体车间") for e in found.entities)


@pytest.mark.parametrize("text", ["我们合作社今年收购红枣两百吨。", "每个村党总支都设了联络员。"])
def test_a_pronoun_or_a_count_before_a_suffix_names_no_organization(roster_units, text):
    found, _ = ties_of(roster_units, text)
    assert not any(e.name.startswith(("我们", "每个")) for e in found.entities)


def test_units_two_villages_build_named_by_the_generic_word_alone_are_two(roster_units):
    """新建冷冻库一座 after a village names that village's unit (named by linkgraph: 关甲村冷冻库): two villages
    building one each are two units, never one unit both run (it was one 冷冻库 run by both)."""
    found, ties = ties_of(roster_units, "关甲村新建冷冻库一座。", "背沟村也新建冷冻库一座。")
    units = {e.name: e for e in found.entities if e.kind == "Project"}
    assert set(units) == {"关甲村冷冻库", "背沟村冷冻库"}
    assert all(unit.props.get("named_by") == "linkgraph" for unit in units.values())
    operated = {(source, target) for kind, source, target in ties if kind == "OPERATES"}
    assert operated == {("关甲村", "关甲村冷冻库"), ("背沟村", "背沟村冷冻库")}


def test_a_unit_named_by_its_generic_word_without_a_village_is_named_so(roster_units):
    found, _ = ties_of(roster_units, "驻村工作队帮助村里建起了冷库。")
    assert "冷库" in {e.name for e in found.entities if e.kind == "Project"}
