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
