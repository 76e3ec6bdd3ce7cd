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
    # 17 working ties: the article's 20 and the town's GUIDES to the joint branch it set up ("該鎮…與38家釀酒合作社
    # (作坊)和14個村集體成立了上高寨酒業聯合黨支部"), a pair not tied before, less the 4 PARTY_ORG_OF, which are
    # administrative: 15 pairs among 16 nodes (乌镇 had no other tie), 2 with two kinds of tie (company and
    # collectives, joint branch and workshops); pieces: 乌镇's 6, 刘国具镇's 6, the county office with 崔家西山村,
    # the two party branches; undated: the 4 undated PARTY_ORG_OF drop out of findings' 10
    assert {k: v for k, v in s.items() if k != "aggregates"} == {
        "nodes": 368, "network_nodes": 16, "network_ties": 17, "network_pairs": 15, "parallel_pairs": 2,
        "components": 4, "largest_component": 6, "villages": 334, "untied_villages": 331, "undated_ties": 6}
    assert [(g["name"], g["count"]) for g in s["aggregates"]] == [("刘国具镇38家酿酒合作社（作坊）", 38),
                                                                  ("刘国具镇14个村集体", 14)]
    assert jia_analysis.engine == "networkx" and jia_analysis.samplings == [] and not jia_analysis.synthetic


def test_nodes(jia_analysis):
    rows = {r["name"]: r for r in jia_analysis.nodes}
    assert len(rows) == 16 and jia_analysis.nodes[0]["name"] == "核桃树墕联村党委"
    assert "乌镇" not in rows  # the town's party committee is of the town (PARTY_ORG_OF), not its partner
    committee = rows["核桃树墕联村党委"]
    # 9 of the C(15, 2) = 105 pairs of other nodes lie on its shortest paths: 乌镇党委 and the 2 villages
    # with each other (3) and with the cooperative and its farm (6)
    assert committee["betweenness"] == pytest.approx(9 / 105)
    # coordinator: chains a → committee → c (no a → c) within 乌镇, a of {2 villages, 乌镇党委}, c of {2 villages,
    # the cooperative}, a ≠ c: 3 × 3 − 2 = 7 (the cooperative lies in 乌镇: LOCATED_IN, as the article has it)
    assert (committee["partners"], committee["ties_in"], committee["ties_out"], committee["coordinator"]) == (4, 3, 1, 7)
    # 4 partners, none tied to another: effective size 4, constraint 4 · (1/4)²
    assert committee["effective_size"] == 4 and committee["constraint"] == pytest.approx(0.25)
    company = rows["陕西贺寨酒业有限公司"]
    assert (company["partners"], company["ties"], company["weighted_ties"], company["core"]) == (5, 6, 69, 2)
    workshops = rows["刘国具镇38家酿酒合作社（作坊）"]
    assert (workshops["aggregate"], workshops["ties"], workshops["weighted_ties"]) == (38, 3, 114)
    # 县委办公室 — 崔家西山村 and the two party branches are two pieces of two (a party branch is of its
    # unit, not its partner): harmonic 1, eigenvector 1 in the piece
    for name in ("佳县县委办公室", "县委办党支部", "西山村党支部", "崔家西山村"):
        assert rows[name]["harmonic"] == pytest.approx(1.0) and rows[name]["eigenvector"] == pytest.approx(1.0)
    assert rows["崔家西山村"]["town"] == "通镇" and rows["上高寨酒业联合党支部"]["town"] == "刘国具镇"


def test_fragility_rows(jia_analysis):
    top = jia_analysis.cuts[0]
    assert (top["kind"], top["name"], top["cut_off"], top["villages_cut_off"], top["organizations_cut_off"]) == (
        "node", "核桃树墕联村党委", 3, 2, 1)
    assert top["cut_off_names"] == "乌镇党委、核桃树墕村、尚家沟村"
    points = [c["name"] for c in jia_analysis.cuts if c["kind"] == "node"]
    # 刘国具镇党委's one working tie is its service to the company (its PARTY_ORG_OF is administrative), so the
    # company is a cut point; 乌镇党委 hangs on the joint committee by one tie and cuts nothing off
    assert sorted(points) == sorted(["核桃树墕联村党委", "陕西贺寨酒业有限公司", "核桃树墕联村合作社"])
    # issue 18's hand check: no party committee is a fragile point whose withdrawal cuts off only its own
    # town (乌镇党委 did, when PARTY_ORG_OF counted as a working tie)
    towns = {n.name for n in jia_analysis.network.graph.nodes_of("Town")}
    assert not [c for c in jia_analysis.cuts if c["kind"] == "node" and c["cut_off_names"] in towns]
    # bridges: the 5 ties of the 乌镇 piece (a tree of 6 nodes), the ties of the 2 pieces of two, and
    # 刘国具镇党委's tie to the company; the town's tie to the company is none, as the town also reaches the
    # joint branch it set up
    bridges = [c for c in jia_analysis.cuts if c["kind"] == "tie"]
    assert len(bridges) == 8 and {c["town"] for c in bridges} == {"乌镇", "刘国具镇", "通镇"}


def test_coverage_adds_network_counts(jia_analysis):
    county = jia_analysis.coverage[0]
    # issue 18's hand check: the county's network holds every node of the network (16, as the findings
    # say); 乌镇 holds its 2 villages, its party committee, the joint committee (by its ties), and the joint
    # cooperative and cattle farm the article has the committee found and build (LOCATED_IN, inferred); the
    # town itself has no working tie
    assert (county["villages_with_ties"], county["network_nodes"]) == (3, jia_analysis.summary["network_nodes"]) == (3, 16)
    wu = next(r for r in jia_analysis.coverage if r["name"] == "乌镇")
    assert (wu["villages_with_ties"], wu["network_nodes"], wu["recorded_villages"]) == (2, 6, 0)


def test_findings_in_both_languages(jia_analysis):
    texts = findings(jia_analysis)
    zh, en = "\n".join(t.zh for t in texts), "\n".join(t.en for t in texts)
    assert "核桃树墕联村党委 links 2 recorded villages of the 9 it claims." in en
    assert "核桃树墕联村党委：来源称有 9 个成员村，数据中记录了 2 个。" in zh
    assert ("佳县: sources claim 48 assistance units paired with 92 villages; the data records 1 assistance unit "
            "paired with 1 village; the other 333 of 334 villages are not recorded") in en
    assert texts[0].zh == ("16 个组织和村（含乡镇）之间记录了 17 条工作联结（15 对，其中 2 对有不止一种联结），"
                           "分成 4 个互不相连的片区，最大的有 6 个。")
    assert texts[0].en.startswith("17 working ties are recorded among 16 organizations and places")
    # 9 of the C(15, 2) = 105 pairs (see test_nodes)
    assert "核桃树墕联村党委（党组织，乌镇）是最重要的桥梁：其他组织和村中有 9 对经它相连（占全部组合的 8.6%）" in zh
    # withdrawn, the committee leaves 乌镇党委 and the 2 villages alone; the cooperative and farm (2) stay together
    assert ("If 核桃树墕联村党委 withdrew, 3 organizations and places (乌镇党委、核桃树墕村、尚家沟村) "
            "would be cut off from the rest, 2 villages among them.") in en
    assert "若核桃树墕联村党委退出，3 个组织和村（乌镇党委、核桃树墕村、尚家沟村）将与其余部分断开，其中 2 个村。" in zh
    # the county office with 崔家西山村, and the office's branch with the village's branch: each a community of a
    # 通镇 node and one of no town, so both cross the line; the agreement is computed over the 14 nodes with a
    # town (16 less the office and its branch, which lie in the county)
    assert ("2 of 4 communities cross town lines (通镇 1、无乡镇 no town 1; 通镇 1、无乡镇 no town 1); agreement of "
            "communities with towns (NMI) 0.95, over the 14 of 16 nodes with a town; communities computed "
            "unweighted.") in en
    assert "communities lie within town lines" not in en and "都在乡镇边界之内" not in zh
    # no chain a → b → c crosses a town line: the county office and the two branches, which brokered across it
    # through PARTY_ORG_OF, are now ends of pieces of two
    assert "No organization brokers between towns" in en
    assert "6 working ties have no start date" in en


def test_as_of_and_compare(jia, schema):
    early = analyse(jia.graph, schema, as_of=dt.date(2021, 12, 31))
    assert (early.summary["network_ties"], early.summary["network_nodes"]) == (9, 11)
    compared = analyse(jia.graph, schema, compare=(dt.date(2021, 12, 31), dt.date(2023, 12, 31)))
    assert compared.as_of == dt.date(2023, 12, 31) and compared.summary["network_ties"] == 17
    c = compared.changes
    # the ties dated 2022: the company brought in, its membership (lead), the workshops' and collectives' memberships,
    # the branch's and the company's service to the workshops, the co-building, the town's setting up of the branch
    assert (len(c.new_ties), len(c.ended_ties)) == (8, 0)
    joined = {r["name"] for r in c.rank_changes if r["betweenness_before"] is None}
    # the two party branches and 刘国具镇 join by their ties of 2022 (co-building; guiding the company and the
    # branch), as their PARTY_ORG_OF ties (undated) no longer count; the branch and the workshops by theirs
    assert joined == {"上高寨酒业联合党支部", "刘国具镇38家酿酒合作社（作坊）", "县委办党支部", "西山村党支部", "刘国具镇"}
    assert findings(compared)[0].en.startswith("As of 2023-12-31, 17 working ties")
    assert any("2021-12-31 → 2023-12-31: 8 ties started, 0 ended; 5 organizations joined" in t.en
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
