"""Articulation points and bridges, with what each cuts off: a hand-made network, and random ones."""

import random

import networkx as nx
import pytest

from analysis.fragility import fragility

# A town's cluster: the company E, the town T and the joint branch J tie each other; E also buys from S;
# J's member villages a, b (tied to each other) and c; J guides the cooperative C, which runs the project P.
EDGES = [("E", "J"), ("T", "J"), ("E", "T"), ("E", "S"), ("J", "a"), ("J", "b"), ("a", "b"), ("J", "c"),
         ("J", "C"), ("C", "P")]


def cut_sets(found):
    return {(c.kind, c.at if c.kind == "node" else tuple(sorted(c.at))): set(found.members(c)) for c in found.cuts}


def test_hand_made_network():
    found = fragility(nx.Graph(EDGES))
    assert cut_sets(found) == {
        # without J: {E, T, S} stays (the largest part), the rest is cut off
        ("node", ("J",)): {"a", "b", "c", "C", "P"},
        ("node", ("E",)): {"S"},
        ("node", ("C",)): {"P"},
        ("tie", ("C", "J")): {"C", "P"},
        ("tie", ("J", "c")): {"c"},
        ("tie", ("C", "P")): {"P"},
        ("tie", ("E", "S")): {"S"},
    }
    assert [(c.kind, c.size) for c in found.cuts][:2] == [("node", 5), ("tie", 2)]  # most cut off first
    assert all(c.piece == 9 for c in found.cuts)
    villages = found.total(lambda n: n in {"a", "b", "c"})
    assert [villages(c) for c in found.cuts if c.kind == "node"] == [3, 0, 0]


def test_separate_pieces_and_a_star():
    found = fragility(nx.Graph([("hub", 1), ("hub", 2), ("hub", 3), ("x", "y")]))
    hub = next(c for c in found.cuts if c.kind == "node")
    assert hub.at == ("hub",) and sorted(found.members(hub)) == [2, 3]  # one leaf stays with the hub's part
    bridges = sorted(tuple(map(str, c.at)) for c in found.cuts if c.kind == "tie")
    assert bridges == [("hub", "1"), ("hub", "2"), ("hub", "3"), ("x", "y")]
    assert found.members(next(c for c in found.cuts if c.at == ("x", "y")), limit=5) == ["y"]


@pytest.mark.parametrize("seed", range(8))
def test_random_graphs_agree_with_networkx_and_brute_force(seed):
    g = nx.gnm_random_graph(60, 70, seed=seed)
    g.remove_nodes_from([n for n in list(g) if g.degree(n) == 0])
    found = fragility(g)
    points = {c.at[0] for c in found.cuts if c.kind == "node"}
    bridges = {frozenset(c.at) for c in found.cuts if c.kind == "tie"}
    assert points == set(nx.articulation_points(g))
    assert bridges == {frozenset(e) for e in nx.bridges(g)}
    for cut in found.cuts:
        h = g.copy()
        if cut.kind == "node":
            h.remove_node(cut.at[0])
        else:
            h.remove_edge(*cut.at)
        piece = nx.node_connected_component(g, cut.at[0])
        parts = sorted((p for p in nx.connected_components(h) if p <= piece), key=len, reverse=True)
        assert cut.size == sum(map(len, parts[1:]))  # everything but the largest remaining part
        assert set(found.members(cut)) <= piece - set(parts[0]) - set(cut.at[:1] if cut.kind == "node" else ())
        assert cut.piece == len(piece)


def test_random_graph_order_is_a_visiting_order():
    rng = random.Random(1)
    g = nx.Graph((rng.randrange(40), rng.randrange(40)) for _ in range(50))
    g.remove_edges_from(nx.selfloop_edges(g))
    found = fragility(g)
    assert sorted(map(str, found.order)) == sorted(map(str, g.nodes))
