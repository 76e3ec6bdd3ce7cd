"""Units a village, cooperative or company runs (OPERATES), on sentences written for these tests.

Each construction is one a real report of another province uses (issue 20); the sentences are ours and their
places Jia County's (its roster ships with the examples).
"""

from __future__ import annotations

from .drafting import ties_of


def test_units_called_the_village_collectives_are_run_by_the_village(roster_units):
    # a size before a unit is no part of its name (冷冻库, not 平方米冷冻库)
    _, ties = ties_of(roster_units, "方塌村党支部带领群众致富。", "该村把村集体产业800平方米农贸市场和300平方米冷冻库交给合作社管理，又新建了酱菜车间。")
    run = {target for kind, source, target in ties if kind == "OPERATES" and source == "方塌村"}
    assert {"农贸市场", "冷冻库"} <= run
    assert not any("平方米" in target for _, _, target in ties)


def test_collective_words_with_no_unit_after_them_run_nothing(roster_units):
    _, ties = ties_of(roster_units, "方塌村大力发展村集体产业，村民收入稳定。")
    assert not any(kind == "OPERATES" for kind, _, _ in ties)


def test_two_products_joined_inside_a_base_name_are_one_base(roster_units):
    _, ties = ties_of(roster_units, "佳县方塌红枣专业合作社建设大棚蔬菜及食用菌基地，带动村集体增收。")
    assert ("OPERATES", "佳县方塌红枣专业合作社", "大棚蔬菜及食用菌基地") in ties
    assert not any(target == "食用菌基地" for _, _, target in ties)


def test_skill_at_running_things_runs_nothing(roster_units):
    # 经营 in 经营管理人员 or 懂经营 is a skill, not an act: the base of the sentence before is no one's here
    _, ties = ties_of(roster_units, "佳县宏达农业有限公司建成黑鸡养殖基地。方塌村懂经营管理，但缺少经营管理人员。")
    assert not any(kind == "OPERATES" and source == "方塌村" for kind, source, _ in ties)
    _, ties = ties_of(roster_units, "佳县宏达农业有限公司建成黑鸡养殖基地。方塌村负责经营。")
    assert ("OPERATES", "方塌村", "黑鸡养殖基地") in ties


def test_a_list_of_village_products_after_building_are_units_of_the_villages(roster_units):
    # each item a village and what it makes, no suffix of a kind: a unit of that village, no industry of it
    _, ties = ties_of(roster_units, "镇里争取项目资金，建成了方塌村农家酱坊、杨塌村小米醋、刘家坪村冷库。")
    assert ("OPERATES", "方塌村", "方塌村农家酱坊") in ties
    assert ("OPERATES", "杨塌村", "杨塌村小米醋") in ties
    assert ("OPERATES", "刘家坪村", "刘家坪村冷库") in ties  # an item of a known kind keeps its own name
    assert not any(kind == "ENGAGED_IN" for kind, _, _ in ties)


def test_one_village_after_building_is_no_list(roster_units):
    _, ties = ties_of(roster_units, "镇里建成了方塌村至杨塌村的公路。")
    assert not any(kind == "OPERATES" for kind, _, _ in ties)
