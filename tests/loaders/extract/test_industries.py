"""Industries and the units run for them (ENGAGED_IN, OPERATES), on sentences written for these tests.

Each construction is one a real report of another province uses (issue 20); the sentences are ours and their
places Jia County's (its roster ships with the examples).
"""

from __future__ import annotations

from .drafting import ties_of


def test_a_village_base_of_a_product_with_a_boundary_word_inside_keeps_its_village(roster_units):
    # 对 ends a name before it elsewhere (对某村帮扶), not inside 南美白对虾
    found, ties = ties_of(roster_units, "方塌村南美白对虾养殖基地今年产虾二十吨。")
    assert ("OPERATES", "方塌村", "方塌村南美白对虾养殖基地") in ties
    assert ("ENGAGED_IN", "方塌村", "南美白对虾养殖") in ties


def test_a_project_is_engaged_in_no_industry_by_its_name(roster_units):
    _, ties = ties_of(roster_units, "杨塌村新建黑鸡养殖基地，方塌村南美白对虾养殖基地今年产虾二十吨。")
    assert not any(kind == "ENGAGED_IN" and source.endswith("基地") for kind, source, _ in ties)


def test_an_industry_made_the_main_one(roster_units):
    _, ties = ties_of(roster_units, "方塌村集体经济以红枣种植为主，村民收入稳定。")
    assert ("ENGAGED_IN", "方塌村", "红枣种植") in ties
    _, ties = ties_of(roster_units, "方塌村志愿服务队以党员为主。")
    assert not any(kind == "ENGAGED_IN" for kind, _, _ in ties)


def test_a_company_making_a_known_product_is_engaged_in_it(roster_units):
    _, ties = ties_of(roster_units, "在方塌村，三家企业围绕马铃薯建起一条产业链：佳县宏达农业有限公司生产脱毒种薯。")
    assert ("ENGAGED_IN", "方塌村", "马铃薯") in ties
    assert ("ENGAGED_IN", "佳县宏达农业有限公司", "脱毒种薯") in ties
    _, ties = ties_of(roster_units, "佳县宏达农业有限公司生产车间扩建完成。")
    assert not any(kind == "ENGAGED_IN" for kind, _, _ in ties)


def test_a_place_inside_a_quoted_brand_is_no_actor(roster_units):
    _, ties = ties_of(roster_units, "方塌村注册“通镇方塌酱菜”商标，大力发展蔬菜产业。")
    assert ("ENGAGED_IN", "方塌村", "蔬菜产业") in ties
    assert not any(source == "通镇" for _, source, _ in ties)
