"""Communities (Leiden) set beside the towns."""

import networkx as nx
import pytest

from analysis.communities import compare_with_towns
from analysis.engine import Engine
from analysis.network import collaboration_network


def test_communities_across_town_lines():
    # two dense groups; the first holds villages of towns A and B, the second of C only
    g = nx.Graph()
    g.add_edges_from(nx.complete_graph(["a1", "a2", "b1", "joint"]).edges)
    g.add_edges_from(nx.complete_graph(["c1", "c2", "c3", "company"]).edges)
    g.add_edge("joint", "company")
    town = {"a1": "A", "a2": "A", "b1": "B", "joint": "A", "c1": "C", "c2": "C", "c3": "C", "company": "C"}.get
    found = compare_with_towns(Engine(g).communities(), town)
    assert [sorted(c["members"]) for c in found.communities] == [["a1", "a2", "b1", "joint"],
                                                                 ["c1", "c2", "c3", "company"]]
    assert [c["towns"] for c in found.communities] == [{"A": 3, "B": 1}, {"C": 4}]
    assert [c["number"] for c in found.across_towns] == [1]
    assert found.split_towns == {}
    assert found.community_of["b1"] == 1 and found.community_of["company"] == 2
    assert 0 < found.agreement < 1


def test_identical_partitions_agree_fully():
    found = compare_with_towns([{"a", "b"}, {"c", "d"}], {"a": 1, "b": 1, "c": 2, "d": 2}.get)
    assert found.agreement == pytest.approx(1.0)
    assert compare_with_towns([{"a"}], {}.get).agreement is None


def test_jia_communities_follow_towns(jia, schema):
    net = collaboration_network(jia.graph, schema)
    found = compare_with_towns(Engine(net.undirected).communities(), net.places.town.get)
    # unweighted: one community per piece of the network. 乌镇's six (its party committee, the joint committee,
    # 2 villages, the cooperative and its farm, LOCATED_IN 乌镇); 刘国具镇's six (the town, its party committee,
    # the company, the joint branch, the workshops, the collectives: the town's GUIDES to the branch ties them
    # together); and two pieces of two, as a party branch is of its unit, not its partner: the county office and
    # 崔家西山村, the office's branch and the village's branch
    assert [len(c["members"]) for c in found.communities] == [6, 6, 2, 2]
    assert [c["towns"] for c in found.communities] == [{"610828103": 6}, {"610828111": 6}, {"610828105": 1},
                                                       {"610828105": 1}]
    # the office and its branch lie in the county, in no town: the two pieces of two are not within one town,
    # and 通镇's village and its party branch lie in two of them
    assert [c["unplaced"] for c in found.communities] == [0, 0, 1, 1]
    assert [c["number"] for c in found.within_one_town] == [1, 2]
    # across_towns counts members of two towns or more: each piece of two has one 通镇 member and one of no
    # town, so it is in neither list (the findings count it as crossing the line: not within one town)
    assert found.across_towns == []
    assert found.split_towns == {"610828105": 2} and found.placed == 14
    # over the 14 nodes with a town, the towns (6, 6, 2) are a coarsening of the communities (6, 6, 1, 1):
    # NMI = 2·H(towns) / (H(towns) + H(communities)) = 2 · 1.0042 / (1.0042 + 1.1033) = 0.953
    assert found.agreement == pytest.approx(0.953, abs=1e-3)


def test_jia_weighted_communities_split_a_town(jia, schema):
    net = collaboration_network(jia.graph, schema)
    found = compare_with_towns(Engine(net.undirected).communities(weighted=True), net.places.town.get)
    # weighted, the joint branch's two ties to the 38 workshops weigh 2 × 38 = 76 and take them apart from the
    # rest of 刘国具镇's piece (the branch's other ties weigh 1 + 1 + 14)
    assert net.undirected.edges["jia:shanggaozhai_joint_branch", "jia:brewing_cooperatives"]["weight"] == 76
    assert [len(c["members"]) for c in found.communities] == [6, 4, 2, 2, 2]
    assert found.split_towns == {"610828105": 2, "610828111": 2}
    assert {"jia:shanggaozhai_joint_branch", "jia:brewing_cooperatives"} in [set(c["members"]) for c in found.communities]
