import codecs
import csv
import io

from analysis.centrality import centrality_report
from tests.visualizations.helpers import HOSTILE, fetched_urls, hostile_graph
from visualizations.report import render_report, table_csv, write_report
from visualizations.tables import compact_json, csv_text


def read_excel_csv(path):
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_report_files(jia, schema, tmp_path):
    report = centrality_report(jia.graph, schema)
    files = write_report(report, tmp_path, title="佳县", store="embedded")
    rows = read_excel_csv(files["centrality"])
    assert rows[0] == ["名称 Name", "类型 Kind", "乡镇 Town", "关系数 Degree", "度中心性 Degree centrality",
                       "中介中心性 Betweenness", "接近中心性 Closeness", "PageRank", "标识 ID"]
    # closeness: 9 reachable nodes at distances summing to 17, scaled by 9/22: (9/17) * (9/22) = 0.216578
    assert rows[1] == ["核桃树墕联村党委", "党组织", "乌镇", "4", "0.181818", "0.108225", "0.216578", "0.090349",
                       "jia:hetaoshuyan_joint_committee"]
    assert len(rows) == 1 + 23
    untied = read_excel_csv(files["untied_villages"])
    assert len(untied) == 1 + 331 and untied[0] == ["乡镇 Town", "名称 Name", "标识 ID"]
    towns = read_excel_csv(files["towns"])
    assert ["通镇", "32", "1", "31", "610828105"] in towns
    html = files["html"].read_text(encoding="utf-8")
    assert fetched_urls(html) == []
    for text in ("核桃树墕联村党委", "无联结的村 Villages without ties (331)", "名称核对", "店镇西山村 (610828102209)",
                 "成员村数", "0.1082"):
        assert text in html, text


def test_report_escapes_names(schema):
    report = centrality_report(hostile_graph(schema), schema)
    html = render_report(report, title=HOSTILE, store=HOSTILE, generated="now")
    assert HOSTILE not in html and "<img src=x" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(&#39;名&#39;)" in html


def test_csv_helpers():
    assert table_csv([{"id": "a", "betweenness": 0.5}], ["id", "betweenness"]) == "标识 ID,中介中心性 Betweenness\r\na,0.500000\r\n"
    assert csv_text(["名称", "n"], []) == "名称,n\r\n"
    assert csv_text(["名称", "n"], [["西山,村", 1]]) == '名称,n\r\n"西山,村",1\r\n'
    assert compact_json('{"成员村数": 9, "依据": "引文"}') == "成员村数: 9; 依据: 引文"
