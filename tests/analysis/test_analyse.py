"""The whole analysis of the Jia County example, and its findings in words."""

import datetime as dt

import pytest

from analysis.findings import findings
from analysis.report import analyse


@pytest.fixture(scope="module")
def jia_analysis(jia, schema):
    return analyse(jia.graph, schema)


def test_summary(jia_analysis):
    s = jia_analysis.summary
    # 21 working ties: the article's 20 and the town's GUIDES to the joint branch it set up ("該鎮…與38家釀酒合作社
    # (作坊)和14個村集體成立了上高寨酒業聯合黨支部"), a pair not tied before (19 pairs)
    assert {k: v for k, v in s.items() if k != "aggregates"} == {
        "nodes": 368, "network_nodes": 17, "network_ties": 21, "network_pairs": 19, "parallel_pairs": 2,
        "components": 3, "largest_component": 7, "villages": 334, "untied_villages": 331, "undated_ties": 10}
    assert [(g["name"], g["count"]) for g in s["aggregates"]] == [("刘国具镇38家酿酒合作社（作坊）", 38),
                                                                  ("刘国具镇14个村集体", 14)]
    assert jia_analysis.engine == "networkx" and jia_analysis.samplings == [] and not jia_analysis.synthetic


def test_nodes(jia_analysis):
    rows = {r["name"]: r for r in jia_analysis.nodes}
    assert len(rows) == 17 and jia_analysis.nodes[0]["name"] == "核桃树墕联村党委"
    committee = rows["核桃树墕联村党委"]
    # 13 of the C(16, 2) = 120 pairs of other nodes lie on its shortest paths: 13/120
    assert committee["betweenness"] == pytest.approx(13 / 120)
    # coordinator: chains a → committee → c (no a → c) within 乌镇, a of {2 villages, 乌镇党委}, c of {2 villages,
    # the cooperative}, a ≠ c: 3 × 3 − 2 = 7 (the cooperative lies in 乌镇: LOCATED_IN, as the article has it)
    assert (committee["partners"], committee["ties_in"], committee["ties_out"], committee["coordinator"]) == (4, 3, 1, 7)
    # 4 partners, none tied to another: effective size 4, constraint 4 · (1/4)²
    assert committee["effective_size"] == 4 and committee["constraint"] == pytest.approx(0.25)
    company = rows["陕西贺寨酒业有限公司"]
    assert (company["partners"], company["ties"], company["weighted_ties"], company["core"]) == (5, 6, 69, 2)
    workshops = rows["刘国具镇38家酿酒合作社（作坊）"]
    assert (workshops["aggregate"], workshops["ties"], workshops["weighted_ties"]) == (38, 3, 114)
    # the 4-cycle 县委办公室, its branch, the village branch and the village: harmonic 1 + 1 + 1/2
    for name in ("佳县县委办公室", "县委办党支部", "西山村党支部", "崔家西山村"):
        assert rows[name]["harmonic"] == pytest.approx(2.5) and rows[name]["eigenvector"] == pytest.approx(1.0)
    assert rows["崔家西山村"]["town"] == "通镇" and rows["上高寨酒业联合党支部"]["town"] == "刘国具镇"


def test_fragility_rows(jia_analysis):
    top = jia_analysis.cuts[0]
    assert (top["kind"], top["name"], top["cut_off"], top["villages_cut_off"], top["organizations_cut_off"]) == (
        "node", "核桃树墕联村党委", 4, 2, 2)
    assert top["cut_off_names"] == "核桃树墕村、尚家沟村、核桃树墕联村合作社、联村合作社养牛场"
    points = [c["name"] for c in jia_analysis.cuts if c["kind"] == "node"]
    # the company is no cut point: the town reaches the joint branch directly (it set it up) as well as through it
    assert sorted(points) == sorted(["核桃树墕联村党委", "乌镇党委", "核桃树墕联村合作社"])
    # every tie of the 乌镇 piece is a bridge (it is a tree of 7 nodes, 6 ties); the other pieces have cycles
    bridges = [c for c in jia_analysis.cuts if c["kind"] == "tie"]
    assert len(bridges) == 6 and {c["town"] for c in bridges} == {"乌镇"}


def test_coverage_adds_network_counts(jia_analysis):
    county = jia_analysis.coverage[0]
    # all 17 nodes of the network lie in the county; 乌镇 holds its 2 villages, its party committee, the joint
    # committee, and the joint cooperative and cattle farm the article has the committee found and build
    assert (county["villages_with_ties"], county["network_nodes"]) == (3, 17)
    wu = next(r for r in jia_analysis.coverage if r["name"] == "乌镇")
    assert (wu["villages_with_ties"], wu["network_nodes"], wu["recorded_villages"]) == (2, 7, 0)


def test_findings_in_both_languages(jia_analysis):
    texts = findings(jia_analysis)
    zh, en = "\n".join(t.zh for t in texts), "\n".join(t.en for t in texts)
    assert "核桃树墕联村党委 links 2 recorded villages of the 9 it claims." in en
    assert "核桃树墕联村党委：来源称有 9 个成员村，数据中记录了 2 个。" in zh
    assert ("佳县: sources claim 48 assistance units paired with 92 villages; the data records 1 assistance unit "
            "paired with 1 village; the other 333 of 334 villages are not recorded") in en
    assert "核桃树墕联村党委（党组织，乌镇）是最重要的桥梁：其他组织和村中有 13 对经它相连（占全部组合的 10.8%）" in zh
    assert ("If 核桃树墕联村党委 withdrew, 4 organizations and places (核桃树墕村、尚家沟村、核桃树墕联村合作社、"
            "联村合作社养牛场) would be cut off from the rest, 2 villages among them.") in en
    assert "若核桃树墕联村党委退出，4 个组织和村（核桃树墕村、尚家沟村、核桃树墕联村合作社、联村合作社养牛场）将与其余部分断开，其中 2 个村。" in zh
    # the county office, its branch, the village branch and 崔家西山村 form one community: two nodes of 通镇 and two
    # of no town, so it crosses the line; the agreement is computed over the 15 nodes with a town
    assert ("1 of 3 communities cross town lines (通镇 2、无乡镇 no town 2); agreement of communities with towns "
            "(NMI) 1.00, over the 15 of 17 nodes with a town; communities computed unweighted.") in en
    assert "communities lie within town lines" not in en and "都在乡镇边界之内" not in zh
    # the county office, its branch and the village branch each broker one chain across the line
    assert "并列最多：佳县县委办公室、县委办党支部、西山村党支部（各 1 次）" in zh
    assert "10 working ties have no start date" in en
    assert texts[0].en.startswith("21 working ties are recorded among 17 organizations and places")


def test_as_of_and_compare(jia, schema):
    early = analyse(jia.graph, schema, as_of=dt.date(2021, 12, 31))
    assert (early.summary["network_ties"], early.summary["network_nodes"]) == (13, 15)
    compared = analyse(jia.graph, schema, compare=(dt.date(2021, 12, 31), dt.date(2023, 12, 31)))
    assert compared.as_of == dt.date(2023, 12, 31) and compared.summary["network_ties"] == 21
    c = compared.changes
    # the ties dated 2022: the company brought in, its membership (lead), the workshops' and collectives' memberships,
    # the branch's and the company's service to the workshops, the co-building, the town's setting up of the branch
    assert (len(c.new_ties), len(c.ended_ties)) == (8, 0)
    joined = {r["name"] for r in c.rank_changes if r["betweenness_before"] is None}
    assert joined == {"上高寨酒业联合党支部", "刘国具镇38家酿酒合作社（作坊）"}
    assert findings(compared)[0].en.startswith("As of 2023-12-31, 21 working ties")
    assert any("2021-12-31 → 2023-12-31: 8 ties started, 0 ended; 2 organizations joined" in t.en
               for t in findings(compared))


def test_forced_engines_agree(jia, schema):
    a, b = analyse(jia.graph, schema, use="networkx"), analyse(jia.graph, schema, use="igraph")
    assert [r["id"] for r in a.nodes] == [r["id"] for r in b.nodes]
    for ra, rb in zip(a.nodes, b.nodes):
        for key in ("betweenness", "harmonic", "eigenvector", "constraint", "effective_size", "core"):
            assert ra[key] == pytest.approx(rb[key], abs=1e-9), key
        assert ra["pagerank"] == pytest.approx(rb["pagerank"], abs=1e-8)


def test_a_roster_without_ties_is_reported_as_nothing_recorded(schema, tmp_path):
    from graph_model.records import GraphData
    from loaders.roster import load_roster
    from tests.conftest import EXAMPLE
    from visualizations.map import map_data
    from visualizations.report import write_report

    roster = load_roster(EXAMPLE / "nbs_roster_610828.csv", schema)
    for graph in (roster, GraphData(schema=schema)):
        found = analyse(graph, schema)
        assert found.nodes == [] and found.cuts == [] and found.summary["network_ties"] == 0
        assert findings(found)[0].en == "No working ties are recorded."
        assert write_report(found, tmp_path, title="t", store="s")["html"].exists()
        assert map_data(graph, schema)["measures"]
    county = analyse(roster, schema).coverage[0]
    assert (county["villages"], county["recorded_villages"], county["not_recorded"]) == (334, 0, 334)
