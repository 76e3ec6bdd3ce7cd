"""Centralities through linkgraph's own functions, against textbook values, and ties counted by kind."""

import networkx as nx
import pytest

from analysis.centrality import centrality_rows, ties_by_kind, tie_counts
from analysis.network import collaboration_network


def by_node(rows):
    return {r["node"]: r for r in rows}


@pytest.mark.parametrize("use", ["networkx", "igraph"])
def test_krackhardt_kite_textbook_values(use):
    """Krackhardt (1990): Heather (7) brokers most; Diane (3) has most ties and the best-tied partners."""
    rows = by_node(centrality_rows(nx.krackhardt_kite_graph(), use=use))
    assert rows[7]["betweenness"] == pytest.approx(0.389, abs=1e-3)
    assert rows[5]["betweenness"] == pytest.approx(0.231, abs=1e-3) == rows[6]["betweenness"]
    assert rows[9]["betweenness"] == 0
    assert rows[3]["partners"] == 6
    # Jane (9): Ike at 1, Heather at 2, Fernando and Garth at 3, the five others at 4
    assert rows[9]["harmonic"] == pytest.approx(1 + 1 / 2 + 2 / 3 + 5 / 4)
    assert max(rows.values(), key=lambda r: r["eigenvector"])["node"] == 3 and rows[3]["eigenvector"] == 1.0
    # the kite's body (Andre to Garth) is a 3-core, Heather hangs on by two ties, Ike and Jane by one
    assert [rows[n]["core"] for n in range(10)] == [3, 3, 3, 3, 3, 3, 3, 2, 1, 1]
    assert sum(r["pagerank"] for r in rows.values()) == pytest.approx(1.0)
    assert max(rows.values(), key=lambda r: r["pagerank"])["node"] == 3


@pytest.mark.parametrize("use", ["networkx", "igraph"])
def test_florentine_families_medici_broker(use):
    """Padgett's Florentine marriages: the Medici are the broker (Wasserman & Faust: betweenness .522)."""
    rows = by_node(centrality_rows(nx.florentine_families_graph(), use=use))
    medici = rows["Medici"]
    assert medici["betweenness"] == pytest.approx(0.522, abs=1e-3)
    # 6 families at distance 1, 5 at 2, 3 at 3: harmonic 6 + 5/2 + 3/3, classic closeness 14/25 = .560
    assert medici["harmonic"] == pytest.approx(9.5)
    assert medici["partners"] == 6
    for measure in ("betweenness", "harmonic", "eigenvector", "pagerank", "partners"):
        assert max(rows.values(), key=lambda r: r[measure])["node"] == "Medici", measure
    assert medici["core"] == 2 and rows["Pazzi"]["core"] == 1


def test_empty_graph_has_no_rows():
    assert centrality_rows(nx.Graph()) == []


def test_jia_ties_counted_by_kind_and_direction(jia, schema):
    network = collaboration_network(jia.graph, schema)
    counts = tie_counts(network)
    # the company: joins the branch, serves the workshops, produces for and is supplied by the collectives,
    # is guided by the town and served by the town's party committee: 5 partners, 6 ties
    assert counts["jia:hezhai_liquor"] == {"ties": 6, "ties_out": 3, "ties_in": 3, "weighted_ties": 1 + 38 + 14 + 14 + 1 + 1}
    assert network.undirected.degree("jia:hezhai_liquor") == 5
    kinds = {(r["node"], r["tie_kind"]): (r["out"], r["in"]) for r in ties_by_kind(network)}
    assert kinds["jia:hezhai_liquor", "SUPPLIES"] == (0, 1)
    assert kinds["jia:hezhai_liquor", "PRODUCES_FOR"] == (1, 0)
    assert kinds["jia:hetaoshuyan_joint_committee", "MEMBER_OF"] == (0, 2)
    # each of the 17 working ties (the article's 20 and the town's GUIDES, less the 4 administrative PARTY_ORG_OF)
    # counts once at each end
    assert sum(o + i for o, i in kinds.values()) == 2 * 17
