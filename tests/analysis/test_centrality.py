import networkx as nx
import pytest

from analysis.centrality import centrality_report, centrality_rows, network_graph


def by_node(rows):
    return {r["node"]: r for r in rows}


def test_krackhardt_kite_textbook_values():
    """Krackhardt (1990): Heather (7) brokers most, Fernando (5) and Garth (6) are closest."""
    rows = by_node(centrality_rows(nx.krackhardt_kite_graph()))
    assert rows[7]["betweenness"] == pytest.approx(0.389, abs=1e-3)
    assert rows[5]["closeness"] == pytest.approx(0.643, abs=1e-3)
    assert rows[6]["closeness"] == pytest.approx(0.643, abs=1e-3)
    assert rows[3]["degree"] == 6 and rows[3]["degree_centrality"] == pytest.approx(6 / 9)
    assert rows[9]["betweenness"] == 0
    assert sum(r["pagerank"] for r in rows.values()) == pytest.approx(1.0)


def test_florentine_families_medici_broker():
    rows = by_node(centrality_rows(nx.florentine_families_graph()))
    assert rows["Medici"]["betweenness"] == pytest.approx(0.522, abs=1e-3)
    assert rows["Medici"]["closeness"] == pytest.approx(0.560, abs=1e-3)
    assert max(rows.values(), key=lambda r: r["betweenness"])["node"] == "Medici"


def test_empty_graph_has_no_rows():
    assert centrality_rows(nx.Graph()) == []


def test_network_leaves_out_administrative_ties(jia, schema):
    g = network_graph(jia.graph, schema)
    assert (g.number_of_nodes(), g.number_of_edges()) == (23, 27)
    assert "610828" not in g  # the county has only PART_OF ties
    assert g.edges["jia:hezhai_liquor", "jia:village_collectives"]["types"] == ["SUPPLIES", "PRODUCES_FOR"]


def test_jia_report(jia, schema):
    report = centrality_report(jia.graph, schema)
    assert report.summary == {
        "nodes": 368, "network_nodes": 23, "network_ties": 27, "components": 3, "largest_component": 10,
        "density": pytest.approx(27 / (23 * 22 / 2)), "villages": 334, "untied_villages": 331,
    }
    assert report.rows[0]["name"] == "核桃树墕联村党委"
    rows = {r["name"]: r for r in report.rows}
    # The assistance unit, its branch, the village and the village branch form a 4-cycle:
    # each lies on half of one shortest path out of C(22, 2) pairs; closeness 3/4 scaled by 3/22.
    for name in ("佳县县委办公室", "县委办党支部", "西山村党支部", "崔家西山村"):
        assert rows[name]["degree"] == 2
        assert rows[name]["betweenness"] == pytest.approx(0.5 / 231)
        assert rows[name]["closeness"] == pytest.approx(3 / 4 * 3 / 22)
    assert rows["崔家西山村"]["town"] == "通镇" and rows["西山村党支部"]["town"] == "通镇"
    assert rows["乌镇党委"]["town"] == "乌镇" and rows["核桃树墕联村党委"]["town"] == "乌镇"
    assert rows["上高寨酒业联合党支部"]["town"] == "刘国具镇"  # LOCATED_IN, inferred and noted
    assert rows["刘国具镇38家酿酒合作社（作坊）"]["town"] == "刘国具镇"
    tong = next(t for t in report.towns if t["name"] == "通镇")
    assert (tong["villages"], tong["tied_villages"], tong["untied_villages"]) == (32, 1, 31)
    assert sum(t["villages"] for t in report.towns) == 334
    assert [r["name"] for r in report.reconciliations] == ["崔家西山村"]
    assert {c["name"] for c in report.claims} == {"佳县", "核桃树墕联村党委", "核桃树墕联村合作社", "上高寨酒业联合党支部"}
    ids = [v["id"] for v in report.untied_villages]
    assert ids == sorted(ids) and report.untied_villages[0]["town"] == "佳州街道"
    assert not {"610828103224", "610828103221", "610828105236"} & set(ids)
