"""The collaboration network: working ties only, direction, parallel ties, aggregate weights, dates, places."""

import datetime as dt

import pytest

from analysis.network import (TWO_WAY_TIE_KINDS, active_on, as_of_day, collaboration_network, places_of,
                              two_mode_rows, working_kinds)
from graph_model.records import GraphData, make_node, make_tie


def test_working_ties_come_from_the_schema(schema):
    # PARTY_ORG_OF is administrative: a party organization of a place is not a partner of it
    assert working_kinds(schema) == {"MEMBER_OF", "GUIDES", "SERVES", "PAIRED_ASSISTANCE",
                                     "CO_BUILDS", "SUPPLIES", "PRODUCES_FOR", "OPERATES"}
    assert TWO_WAY_TIE_KINDS <= working_kinds(schema)


def test_jia_network(jia, schema):
    net = collaboration_network(jia.graph, schema)
    g = net.undirected
    # findings' 21 working ties (the article's 20 and the town's GUIDES to the joint branch it set up) less the 4
    # PARTY_ORG_OF, now administrative: 17 ties; 19 − 4 = 15 pairs (no PARTY_ORG_OF pair had a parallel tie);
    # 17 − 1 = 16 nodes, as 乌镇 had no other tie (its party committee keeps its GUIDES to the joint committee)
    assert (len(net.ties), g.number_of_nodes(), g.number_of_edges()) == (17, 16, 15)
    assert "610828103" not in g  # 乌镇: only its party committee's PARTY_ORG_OF, which is not a working tie
    assert not any(jia.graph.nodes[n].kind == "Industry" for n in g)  # industries are not partners
    assert "610828" not in g  # the county has administrative ties only
    # parallel ties of different kinds stay countable
    pair = g.edges["jia:hezhai_liquor", "jia:village_collectives"]
    assert (pair["types"], pair["ties"], pair["weight"]) == (["SUPPLIES", "PRODUCES_FOR"], 2, 28)
    pair = g.edges["jia:shanggaozhai_joint_branch", "jia:brewing_cooperatives"]
    assert (sorted(pair["types"]), pair["ties"], pair["weight"]) == (["MEMBER_OF", "SERVES"], 2, 76)
    # direction: guidance flows one way, membership both ways
    d = net.directed
    assert d.has_edge("jia:wu_town_party_committee", "jia:hetaoshuyan_joint_committee")
    assert not d.has_edge("jia:hetaoshuyan_joint_committee", "jia:wu_town_party_committee")
    assert d.has_edge("610828103224", "jia:hetaoshuyan_joint_committee")
    assert d.has_edge("jia:hetaoshuyan_joint_committee", "610828103224")
    assert d.edges["jia:hezhai_liquor", "jia:village_collectives"]["weight"] == 14
    # 17 ties; the 6 two-way ones (5 memberships, 1 co-building) add their reverse, and one of those
    # (joint branch → workshops) is also the branch's SERVES tie: one arc, weights summed: 17 + 6 − 1
    assert d.number_of_edges() == 22
    assert d.edges["jia:shanggaozhai_joint_branch", "jia:brewing_cooperatives"]["weight"] == 76
    assert net.undated == 6


def test_the_directed_view_is_built_when_asked_for_and_again_after_it_is_let_go(jia, schema):
    net = collaboration_network(jia.graph, schema)
    first = net.directed
    assert net.directed is first  # kept while it is in use
    arcs = sorted(first.edges(data="weight"))
    assert list(first) == list(net.undirected)  # the same nodes in the same order
    net.release_directed()
    again = net.directed
    assert again is not first and sorted(again.edges(data="weight")) == arcs
    assert (again.number_of_edges(), again.edges["jia:hezhai_liquor", "jia:village_collectives"]["weight"]) == (22, 14)


def test_jia_places(jia):
    places = places_of(jia.graph)
    town = {n: jia.graph.nodes[t].name for n, t in places.town.items()}
    assert town["610828105236"] == "通镇"  # 崔家西山村, by PART_OF
    assert town["jia:xishan_party_branch"] == "通镇"  # party organization of a village
    assert town["jia:hetaoshuyan_joint_committee"] == "乌镇"  # all its members lie in 乌镇
    assert town["jia:shanggaozhai_joint_branch"] == "刘国具镇"  # LOCATED_IN
    assert "jia:county_committee_office" not in places.town
    assert places.group("jia:county_committee_office") == "610828"  # located in the county
    assert places.group("jia:county_office_party_branch") == "610828"  # party branch of that unit
    # the article has the 乌镇 joint committee found the cooperative and build the farm: both LOCATED_IN 乌镇
    # (inferred), so they lie at the town itself
    assert places.group("jia:joint_village_cooperative") == places.group("jia:cattle_farm") == "610828103"
    assert places.at["jia:cattle_farm"] == places.at["jia:joint_village_cooperative"] == ("610828103",)
    # nothing places the joint committee: it lies where the placed nodes it works with lie (乌镇党委 and the
    # cooperative in 乌镇, 尚家沟村 …221, 核桃树墕村 …224)
    assert places.at["jia:hetaoshuyan_joint_committee"] == ("610828103", "610828103221", "610828103224")


def test_as_of_day_and_active_on(schema):
    assert as_of_day("2022") == dt.date(2022, 12, 31)
    assert as_of_day("2024-02") == dt.date(2024, 2, 29)
    with pytest.raises(ValueError, match="日期"):
        as_of_day("2021-13")

    def tie(start=None, end=None):
        values = {"source": "s", "evidence": "e", "start_date": start, "end_date": end}
        return make_tie(schema, "GUIDES", "a", "b", {k: v for k, v in values.items() if v is not None})

    day = dt.date(2022, 6, 30)
    assert active_on(tie(), day) and active_on(tie(), None)
    assert active_on(tie("2022"), day) and active_on(tie("2022-06-30"), day)
    assert not active_on(tie("2022-07"), day) and not active_on(tie("2023"), day)
    assert active_on(tie("2020", "2022-07"), day)
    assert not active_on(tie("2020", "2022"), day)  # ended in 2022: from its first day on
    assert not active_on(tie(end="2022-06-30"), day)


def test_aggregates_weigh_by_their_members(schema):
    g = GraphData()
    for node_id, count in (("a", 38), ("b", 14)):
        g.add_node(make_node(schema, "Cooperative", {"id": node_id, "name": node_id, "source": "s",
                                                     "aggregate_count": count}))
    g.add_node(make_node(schema, "Enterprise", {"id": "e", "name": "e", "source": "s"}))
    g.add_tie(make_tie(schema, "SUPPLIES", "a", "b", {"source": "s", "evidence": "q"}))
    g.add_tie(make_tie(schema, "SUPPLIES", "a", "e", {"source": "s", "evidence": "q"}))
    net = collaboration_network(g, schema)
    assert net.undirected.edges["a", "b"]["weight"] == 38 * 14  # every member of one with every member of the other
    assert net.undirected.edges["a", "e"]["weight"] == 38


def test_two_mode_view_of_industries(jia, schema):
    rows = {r["name"]: r["units"] for r in two_mode_rows(jia.graph, schema)}
    assert rows["酿酒"] == ["陕西贺寨酒业有限公司", "刘国具镇38家酿酒合作社（作坊）", "刘国具镇"]
    assert rows["肉牛养殖"] == ["联村合作社养牛场"]
    assert len(rows) == 6
