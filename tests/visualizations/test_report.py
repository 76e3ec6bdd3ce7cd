"""The report's files: workbook (opened with openpyxl), CSVs, Gephi files, and the page's content and safety."""

import codecs
import csv
import datetime as dt
import io

import networkx as nx
import pytest
from openpyxl import load_workbook

from analysis.report import analyse
from graph_model.records import make_node, make_tie
from tests.visualizations.helpers import HOSTILE, fetched_urls, hostile_graph
from visualizations.exports import Column, Table, csv_cell, network_records, write_graphml, write_network, write_workbook
from visualizations.report import NODE_COLUMNS, render_report, report_tables, write_report
from visualizations.tables import compact_json, csv_text, write_excel_csv, write_excel_csv_rows

SHEETS = ["要点", "概况", "组织指标", "按类型联结数", "帮扶覆盖", "报道称与记录", "脆弱点", "社群",
          "跨社群的乡镇", "产业", "无记录联结的村", "名称核对", "新增联结", "结束的联结", "排名变化"]


def read_excel_csv(path):
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def jia_report(jia, schema, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    analysis = analyse(jia.graph, schema, compare=(dt.date(2021, 12, 31), dt.date(2023, 12, 31)))
    return analysis, write_report(analysis, out, title="佳县", store="embedded")


def test_workbook(jia_report):
    analysis, files = jia_report
    book = load_workbook(files["workbook"])
    assert book.sheetnames == SHEETS
    sheet = book["组织指标"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["名称", "类型", "乡镇", "联结伙伴数", "联结数"] and header[-1] == "标识"
    assert sheet.cell(1, 1).comment.text == "Name (name)"
    first = [c.value for c in sheet[2]]
    assert first[:5] == ["核桃树墕联村党委", "党组织", "乌镇", 4, 4]
    betweenness = header.index("中介中心性")
    assert isinstance(first[betweenness], float) and first[betweenness] == pytest.approx(9 / 105)
    assert first[-1] == "jia:hetaoshuyan_joint_committee"
    coverage = book["帮扶覆盖"]
    county = [c.value for c in coverage[2]]
    assert county[:4] == ["县", "佳县", 334, 3] and county[-1] == "610828"
    id_cell = coverage.cell(2, len(county))
    assert id_cell.data_type == "s" and id_cell.number_format == "@"  # codes stay text, never 6.1E+05
    # rows: the county's two claims, 刘国具镇's profit redistribution, then the joint committee's member villages
    assert [c.value for c in book["报道称与记录"][4]][:3] == ["刘国具镇", "乡镇/街道", "利润分配"]
    assert [c.value for c in book["报道称与记录"][5]][:5] == ["核桃树墕联村党委", "党组织", "成员村数", 9, 2]
    assert book["无记录联结的村"].max_row == 1 + 331
    assert [c.value for c in book["新增联结"][1]][:3] == ["关系", "起点", "终点"]
    assert book["新增联结"].max_row == 1 + 8  # the 8 ties the case file dates 2022


def test_csvs_have_the_workbook_columns(jia_report):
    analysis, files = jia_report
    book = load_workbook(files["workbook"])
    for table in report_tables(analysis):
        rows = read_excel_csv(files[table.key])
        assert len(rows) == 1 + len(table.rows), table.key
        sheet_header = [c.value for c in book[table.zh][1]]
        assert [h.split(" ")[0] for h in rows[0]] == [h.split(" ")[0] for h in sheet_header], table.key
    centrality = read_excel_csv(files["centrality"])
    assert centrality[0][:4] == ["名称 Name", "类型 Kind", "乡镇 Town", "联结伙伴数 Partners"]
    assert centrality[1][:5] == ["核桃树墕联村党委", "党组织", "乌镇", "4", "4"]
    assert ["通镇", "32", "1", "1", "", "31", "1", "0", "", "2", "610828105"] == read_excel_csv(files["coverage"])[7][1:]
    assert len(read_excel_csv(files["untied_villages"])) == 1 + 331


def test_gephi_files(jia_report, tmp_path):
    analysis, files = jia_report
    records = network_records(analysis.network, analysis.nodes, NODE_COLUMNS)
    gexf = write_network(records, tmp_path / "network.gexf", "gexf")[0]
    nodes_csv, edges_csv = write_network(records, tmp_path / "gephi", "csv")
    graphml = nx.read_graphml(files["graphml"])
    by_id = {data["node_id"]: data for _, data in graphml.nodes(data=True)}
    for g, nodes in ((nx.read_gexf(gexf), dict(nx.read_gexf(gexf).nodes(data=True))), (graphml, by_id)):
        # one edge per working tie: 17 among the 16 nodes of the network (the article's 20 less the 4 PARTY_ORG_OF,
        # administrative, and the town's GUIDES to the joint branch it set up)
        assert (g.number_of_nodes(), g.number_of_edges()) == (16, 17)
        committee = nodes["jia:hetaoshuyan_joint_committee"]
        assert (committee["label"], committee["kind"], committee["town"]) == ("核桃树墕联村党委", "PartyOrganization", "乌镇")
        # betweenness: its piece is 乌镇党委, the 2 villages | the committee | the cooperative, the farm: the 3 pairs
        # of the first side and their 3 × 2 pairs with the second go through it, 9 of the 15 × 14 / 2 = 105 pairs
        # coordinator: 3 sources (2 villages, 乌镇党委) × 3 targets (2 villages, the cooperative of 乌镇) − 2 loops
        assert committee["betweenness"] == pytest.approx(9 / 105) and committee["coordinator"] == 7
        kinds = sorted(d["kind"] for _, _, d in g.edges(data=True))
        assert kinds.count("MEMBER_OF") == 5 and kinds.count("SUPPLIES") == 1 and kinds.count("PRODUCES_FOR") == 1
        assert sorted(d["weight"] for _, _, d in g.edges(data=True))[-3:] == [38, 38, 38]
    nodes, edges = read_excel_csv(nodes_csv), read_excel_csv(edges_csv)
    assert nodes[0][:4] == ["Id", "Label", "kind", "kind_zh"] and len(nodes) == 1 + 16
    assert edges[0] == ["Source", "Target", "Type", "kind", "weight", "two_way", "start_date", "end_date"]
    assert ["610828103224", "jia:hetaoshuyan_joint_committee", "Directed", "MEMBER_OF", "1", "true", "2021", ""] in edges


def test_page_content(jia_report):
    _, files = jia_report
    html = files["html"].read_text(encoding="utf-8")
    assert fetched_urls(html) == []
    assert "default-src 'none'" in html and html.count("<svg") == 3  # partners, claimed against recorded, towns
    for text in ("核桃树墕联村党委 links 2 recorded villages of the 9 it claims.",
                 "佳县：来源称有 48 个帮扶单位与 92 个村结对",
                 "中介中心性 <span class=\"en\">Betweenness</span>",
                 "其他组织两两之间的最短路径有多大比例经过它",
                 "守门人 <span class=\"en\">gatekeeper</span>",
                 "无记录联结的村 Villages without recorded ties (331)",
                 "全部社群 All communities (4)",  # unweighted: one per piece (乌镇's, 刘国具镇's, the county office and
                 # 崔家西山村, the 2 party branches: PARTY_ORG_OF no longer joins the last two)
                 "社群按联结数计算（不加权）",
                 "新增联结 <span class=\"en\">New ties</span> (8)",  # the 8 working ties that start in 2022
                 "店镇西山村 (610828102209)",
                 "report.xlsx"):
        assert text in html, text
    # findings come before the tables
    assert html.index("links 2 recorded villages") < html.index("关键组织 <span")


def test_report_escapes_names(schema):
    analysis = analyse(hostile_graph(schema), schema)
    html = render_report(analysis, title=HOSTILE, store=HOSTILE, generated="now")
    assert HOSTILE not in html and "<img src=x" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(&#39;名&#39;)" in html
    assert "<script" not in html and "script-src 'none';" in html  # the page runs no script at all


def test_formula_text_is_neutralized_in_csv_and_workbook(schema, tmp_path):
    g = hostile_graph(schema)
    g.add_node(make_node(schema, "Enterprise", {"id": "=HYPERLINK(\"x\")", "name": "=1+2", "source": "s"}))
    g.add_node(make_node(schema, "Cooperative", {"id": "c1", "name": "@SUM(A1)", "source": "s"}))
    g.add_tie(make_tie(schema, "SUPPLIES", "c1", "=HYPERLINK(\"x\")", {"source": "s", "evidence": "-2+3"}))
    files = write_report(analyse(g, schema), tmp_path, title="t", store="s")
    names = [r[0] for r in read_excel_csv(files["centrality"])[1:]]
    assert "'=1+2" in names and "'@SUM(A1)" in names
    book = load_workbook(files["workbook"])
    values = [c.value for row in book["组织指标"].iter_rows() for c in row]
    assert "'=1+2" in values and "'@SUM(A1)" in values and "=1+2" not in values
    assert all(c.data_type != "f" for sheet in book for row in sheet.iter_rows() for c in row)


def test_long_tables_are_cut_in_the_workbook(tmp_path, monkeypatch):
    import visualizations.exports as exports

    monkeypatch.setattr(exports, "WORKBOOK_ROWS", 3)
    table = Table("t", "表", "Table", [Column("n", "数", "N")], [{"n": i} for i in range(5)])
    sheet = load_workbook(write_workbook([table], tmp_path / "t.xlsx"))["表"]
    assert [sheet.cell(r, 1).value for r in range(1, 5)] == ["数", 0, 1, 2]
    assert sheet.cell(5, 1).value.startswith("仅列出前 3 行，共 5 行")


def test_csv_helpers():
    assert csv_text(["名称", "n"], []) == "名称,n\r\n"
    assert csv_text(["名称", "n"], [["西山,村", 1]]) == '名称,n\r\n"西山,村",1\r\n'
    assert csv_text(["名称"], [["+86 电话"], ["\tx"], [-1]]) == "名称\r\n'+86 电话\r\n'\tx\r\n-1\r\n"
    assert compact_json('{"成员村数": 9, "依据": "引文"}') == "成员村数: 9; 依据: 引文"


def test_csv_written_row_by_row_is_the_csv_text(tmp_path):
    headers, rows = ["名称", "n", "x"], [["=1+2", 1, 0.5], ["西山,村", -3, float("inf")], ["-x", True, None]]
    whole = write_excel_csv(tmp_path / "whole.csv", csv_text(headers, rows))
    streamed = write_excel_csv_rows(tmp_path / "streamed.csv", headers, iter(rows))
    assert streamed.read_bytes() == whole.read_bytes() == codecs.BOM_UTF8 + (
        "名称,n,x\r\n'=1+2,1,0.500000\r\n\"西山,村\",-3,inf\r\n'-x,True,\r\n").encode()


def test_csv_cells_of_every_kind_of_value():
    values = [0.5, 1 / 3, float("nan"), float("inf"), 7, -2, "西山村", "=1+2", "-x", "", None, True, False,
              ["a", "b"], ("c",), {"成员村数": 9}]
    assert [csv_cell(v) for v in values] == ["0.500000", "0.333333", "", "inf", 7, -2, "西山村", "'=1+2", "'-x", "",
                                             "", "是", "否", "a、b", "c", "成员村数: 9"]


def test_workbook_cells_of_every_kind_of_value(tmp_path):
    columns = [Column("x", "值", "Value"), Column("code", "标识", "ID", code=True)]
    rows = [{"x": 0.25, "code": 610828}, {"x": float("nan"), "code": None}, {"x": True, "code": "jia:a"},
            {"x": "=SUM(A1)", "code": "=1"}, {"x": ["甲", "乙"]}, {"x": 3}, {"x": ""}, {"x": {"成员村数": 9}}]
    sheet = load_workbook(write_workbook([Table("t", "表", "Table", columns, rows)], tmp_path / "t.xlsx"))["表"]
    cells = [(sheet.cell(r, 1).value, sheet.cell(r, 2).value, sheet.cell(r, 2).data_type) for r in range(2, 10)]
    assert cells == [(0.25, "610828", "s"), (None, "", "s"), ("是", "jia:a", "s"), ("'=SUM(A1)", "=1", "s"),
                     ("甲、乙", "", "s"), (3, "", "s"), (None, "", "s"), ("成员村数: 9", "", "s")]


def test_graphml_written_from_the_analysis_is_the_records_graphml(jia_report, tmp_path):
    analysis, files = jia_report
    records = network_records(analysis.network, analysis.nodes, NODE_COLUMNS)
    from_records = write_network(records, tmp_path / "records.graphml", "graphml")[0]
    direct = write_graphml(analysis.network, analysis.nodes, NODE_COLUMNS, tmp_path / "direct.graphml")
    assert direct.read_bytes() == from_records.read_bytes() == files["graphml"].read_bytes()
    assert (records.node_count(), records.edge_count()) == (16, 17)  # the records given are left as they were
    graph = nx.read_graphml(direct)
    assert graph.number_of_nodes() == 16 and graph.number_of_edges() == 17
    names = {data["label"] for _, data in graph.nodes(data=True)}
    assert "核桃树墕联村党委" in names


def test_network_records_are_columns(jia_report):
    analysis, _ = jia_report
    records = network_records(analysis.network, analysis.nodes, NODE_COLUMNS)
    assert (records.node_count(), records.edge_count()) == (16, 17)
    assert list(records.nodes)[:4] == ["id", "label", "kind", "kind_zh"] and "name" not in records.nodes
    first = records.nodes["id"].index("jia:hetaoshuyan_joint_committee")
    assert (records.nodes["label"][first], records.nodes["town"][first]) == ("核桃树墕联村党委", "乌镇")
    # no tie active on 2023-12-31 has ended: the column without any value is left out
    assert list(records.edges) == ["source", "target", "kind", "weight", "two_way", "start_date"]
    assert sum(v is not None for v in records.edges["start_date"]) == 17 - analysis.summary["undated_ties"]
    assert all(v is None or v != "" for values in records.nodes.values() for v in values)  # empty is None


def test_report_and_export_commands(tmp_path, capsys):
    from linkgraph.cli import main
    from tests.conftest import EXAMPLE

    store = str(tmp_path / "jia.lbug")
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", store]) == 0
    capsys.readouterr()
    assert main(["report", "--store", store, "--out", str(tmp_path / "r"), "--compare", "2021", "2023"]) == 0
    out = capsys.readouterr().out
    assert "As of 2023-12-31, 17 working ties are recorded among 16 organizations and places" in out
    assert "核桃树墕联村党委 links 2 recorded villages of the 9 it claims." in out
    assert len(read_excel_csv(tmp_path / "r" / "new_ties.csv")) == 1 + 8
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    # unweighted: one community per piece; the 2 that cross are the pieces of 通镇's village and its party branch,
    # each with a unit of the county (the office, its branch), which lies in no town: 通镇 1、无乡镇 no town 1
    assert "2 of 4 communities cross town lines (通镇 1、无乡镇 no town 1; 通镇 1、无乡镇 no town 1)" in page
    assert "社群按联结数计算（不加权）" in page
    assert main(["report", "--store", store, "--out", str(tmp_path / "w"), "--weighted-communities"]) == 0
    capsys.readouterr()
    # weighted, the joint branch and the 38 workshops (2 ties of weight 38 between them) become a community of
    # their own, within 刘国具镇: 5 communities, the same 2 crossing
    page = (tmp_path / "w" / "report.html").read_text(encoding="utf-8")
    assert "2 of 5 communities cross town lines" in page and "社群按所代表的组织数加权计算" in page
    assert "社群按联结数计算（不加权）" not in page
    assert main(["report", "--store", store, "--out", str(tmp_path / "r2021"), "--as-of", "2021"]) == 0
    assert "As of 2021-12-31, 9 working ties" in capsys.readouterr().out
    assert main(["export", "--store", store, "--format", "graphml", "--out", str(tmp_path / "n.graphml")]) == 0
    assert nx.read_graphml(tmp_path / "n.graphml").number_of_edges() == 17  # one edge per working tie
    assert main(["export", "--store", store, "--format", "csv", "--out", str(tmp_path / "gephi"),
                 "--as-of", "2021"]) == 0
    assert len(read_excel_csv(tmp_path / "gephi" / "edges.csv")) == 1 + 9
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--store", store, "--as-of", "2021-02-30"])
    assert exit_.value.code == 2 and "2021-02-30 is not a day of the calendar" in capsys.readouterr().err


def _report_files(folder):
    """A report folder's files as compared: every CSV and the GraphML as bytes, the workbook's cells, the page
    without the minute it was made."""
    import re

    book = load_workbook(folder / "report.xlsx")
    return ({p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in (".csv", ".graphml")},
            {name: [[c.value for c in row] for row in book[name].iter_rows()] for name in book.sheetnames},
            re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "", (folder / "report.html").read_text(encoding="utf-8")))


@pytest.mark.parametrize("compare", [None, ("2021", "2023")])
def test_a_report_reads_only_what_it_shows_and_writes_what_the_whole_graph_gives(tmp_path, schema, compare):
    """``pipeline.report`` reads a store's nodes and ties without their provenance (``analysis.report.report_reads``):
    its files are those of the whole graph, on the example with synthetic ties of the county (the units of 佳县,
    organizations of every kind at twice the usual density, parallel ties, dates), as of today and between two years."""
    import subprocess
    import sys

    from analysis.report import CHANGED_TIE_READS, NODE_READS, TIE_READS
    from linkgraph import pipeline
    from tests.conftest import EXAMPLE, REPO

    synth = tmp_path / "synth"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "synth.py"), "--county", "610828", "--density", "2",
                    "--out", str(synth)],
                   cwd=REPO, check=True, capture_output=True)
    store = str(tmp_path / "county.lbug")
    pipeline.load([EXAMPLE / "case.yaml", synth / "organizations.csv", synth / "ties.csv"], store)
    lean, _ = pipeline.report(store, tmp_path / "lean", compare=compare)
    graph, where = pipeline.read_graph(store, schema=schema)
    whole, _ = pipeline.report_of(graph, schema, where, tmp_path / "whole", "linkgraph", compare=compare)
    assert lean.summary["network_nodes"] > 300 and lean.engine == "igraph"  # past NetworkX's size: igraph's arrays
    assert lean.summary == whole.summary and lean.nodes == whole.nodes and lean.cuts == whole.cuts
    assert _report_files(tmp_path / "lean") == _report_files(tmp_path / "whole")
    assert all(set(n.props) <= {"id", *NODE_READS} for n in lean.network.graph.nodes.values())
    assert any("provenance" in n.props for n in graph.nodes.values())
    tie_reads = set(TIE_READS) | (set(CHANGED_TIE_READS) if compare else set())
    assert all(set(t.props) <= tie_reads for t in lean.network.graph.ties.values())
    assert any(t.props.get("start_date") for t in lean.network.graph.ties.values())
