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
    # 乌镇's six (its party committee, the joint committee, 2 villages, the cooperative and its farm, which lie
    # in 乌镇 by their ties); the company's four; and three pieces of two (a party branch is of its unit, not
    # its partner: the county office and 崔家西山村, the two branches, and the joint branch with the workshops)
    assert [len(c["members"]) for c in found.communities] == [6, 4, 2, 2, 2]
    assert found.across_towns == []
    # the joint branch and the 38 workshops form their own community within 刘国具镇; 通镇's village and
    # its party branch lie in two pieces
    assert found.split_towns == {"610828105": 2, "610828111": 2}
    assert {"jia:shanggaozhai_joint_branch", "jia:brewing_cooperatives"} in [set(c["members"]) for c in found.communities]
