"""Brokerage roles on a hand-made network with known answers; structural holes on Borgatti's example."""

from fractions import Fraction

import networkx as nx
import pytest

from analysis.brokerage import ROLES, brokerage_roles
from analysis.engine import Engine
from analysis.network import collaboration_network

# Each broker k1 … k5 sits in one chain a → k → c; the towns of the three make its one role.
GROUPS = {"p1": "T1", "k1": "T1", "p2": "T1",              # coordinator: all in T1
          "q1": "T2", "k2": "T1", "q2": "T1",              # gatekeeper: an outsider into k2's town
          "r1": "T1", "k3": "T1", "r2": "T2",              # representative: k3 carries its town out
          "s1": "T1", "k4": "T2", "s2": "T1",              # itinerant: an outsider between two of T1
          "u1": "T1", "k5": "T2", "u2": "T3",              # liaison: three towns
          "v1": "T1", "k6": "T1", "v2": "T1",              # v1 → v2 directly: no brokerage
          "w1": None, "k7": "T1", "w2": "T1",              # w1's town unknown: not counted
          "x1": "T1", "k8": "T2"}                          # x1 ⇄ k8: a → b → a is no chain
EDGES = [("p1", "k1"), ("k1", "p2"), ("q1", "k2"), ("k2", "q2"), ("r1", "k3"), ("k3", "r2"), ("s1", "k4"),
         ("k4", "s2"), ("u1", "k5"), ("k5", "u2"), ("v1", "k6"), ("k6", "v2"), ("v1", "v2"), ("w1", "k7"),
         ("k7", "w2"), ("x1", "k8"), ("k8", "x1")]


def test_roles_on_a_hand_made_network():
    roles = brokerage_roles(nx.DiGraph(EDGES), GROUPS.get)
    expected = {"k1": "coordinator", "k2": "gatekeeper", "k3": "representative", "k4": "itinerant", "k5": "liaison"}
    for broker, role in expected.items():
        assert roles[broker] == {r: int(r == role) for r in ROLES}, broker
    for node in set(GROUPS) - set(expected):
        assert sum(roles[node].values()) == 0, node


def test_a_joint_committee_brokers_between_its_members():
    # members flow both ways: three villages of one town through their joint committee: 3 × 2 ordered pairs
    g = nx.DiGraph()
    for village in ("v1", "v2", "v3"):
        g.add_edge(village, "joint")
        g.add_edge("joint", village)
    roles = brokerage_roles(g, lambda n: "T")
    assert roles["joint"]["coordinator"] == 6


def test_jia_roles(jia, schema):
    net = collaboration_network(jia.graph, schema)
    roles = brokerage_roles(net.directed, net.places.group)
    # 乌镇党委 → committee → each member village and the cooperative (3), each village → committee → the
    # other village and the cooperative (2 + 2): all in 乌镇 (the cooperative LOCATED_IN 乌镇): 3 + 2 + 2 = 7
    assert roles["jia:hetaoshuyan_joint_committee"] == {**dict.fromkeys(ROLES, 0), "coordinator": 7}
    # committee → cooperative → farm, the farm LOCATED_IN 乌镇 too
    assert roles["jia:joint_village_cooperative"] == {**dict.fromkeys(ROLES, 0), "coordinator": 1}
    # a party branch is of its unit, not its partner (PARTY_ORG_OF is administrative): the county office and
    # the two branches are ends of two pieces of two, with no chain a → b → c through them
    for unit in ("jia:county_committee_office", "jia:county_office_party_branch", "jia:xishan_party_branch"):
        assert roles[unit] == dict.fromkeys(ROLES, 0)


# Borgatti (1997), "Structural holes: unpacking Burt's redundancy measures", Connections 20(1): the example
# network of ego A; UCINET gives constraint A .595, G .400, C 1 and effective size A 2.5, G 4.67.
BORGATTI = [("A", "B"), ("A", "F"), ("A", "G"), ("A", "E"), ("E", "G"), ("F", "G"), ("B", "G"), ("B", "D"),
            ("D", "G"), ("G", "C")]


@pytest.mark.parametrize("use", ["networkx", "igraph"])
def test_constraint_and_effective_size_on_borgattis_example(use):
    engine = Engine(nx.Graph(BORGATTI), use=use)
    constraint, effective = engine.constraint(), engine.effective_size()
    # By hand, p = 1/degree: c(A) = 3·(1/4 + 1/24)² + (1/4 + 1/12 + 1/8 + 1/8)² = 343/576
    assert constraint["A"] == pytest.approx(float(Fraction(343, 576)), abs=1e-12)
    # c(G) = (7/18)² + (7/24)² + (1/6)² + (2/9)² + 2·(5/24)² = 2075/5184
    assert constraint["G"] == pytest.approx(float(Fraction(2075, 5184)), abs=1e-12)
    assert round(constraint["A"], 3) == 0.595 and round(constraint["G"], 3) == 0.400
    assert constraint["C"] == 1.0
    # k − 2t/k: A has 4 partners with 3 ties among them, G 6 with 4
    assert effective["A"] == pytest.approx(2.5) and effective["G"] == pytest.approx(14 / 3)
    assert effective["C"] == 1.0


def by_definition(g, group):
    """Gould–Fernandez counted chain by chain, as the definition reads."""
    found = {b: dict.fromkeys(ROLES, 0) for b in g}
    for b in g:
        for a in g.predecessors(b):
            for c in g.successors(b):
                if a != c and not g.has_edge(a, c) and None not in (group(a), group(b), group(c)):
                    ga, gb, gc = group(a), group(b), group(c)
                    role = ("coordinator" if ga == gb == gc else "gatekeeper" if gb == gc else
                            "representative" if ga == gb else "itinerant" if ga == gc else "liaison")
                    found[b][role] += 1
    return found


@pytest.mark.parametrize("seed", range(5))
def test_random_networks_match_the_definition(seed):
    import random

    rng = random.Random(seed)
    g = nx.gnp_random_graph(40, 0.12, seed=seed, directed=True)
    groups = {n: rng.choice(["T1", "T2", "T3", None]) for n in g}
    assert brokerage_roles(g, groups.get) == by_definition(g, groups.get)
