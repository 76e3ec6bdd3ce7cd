import json
import re

from tests.visualizations.helpers import HOSTILE, absolute_urls, fetched_urls, hostile_graph

# URLs inside vis-network's licence comments and the SVG namespace: written, never fetched.
INERT_URLS = {
    "http://almende.com", "http://opensource.org/licenses/MIT", "http://www.apache.org/licenses/LICENSE-2.0",
    "http://www.w3.org/2000/svg", "https://github.com/uuidjs/uuid#getrandomvalues-not-supported",
    "https://github.com/visjs", "https://github.com/zloirock/core-js",
    "https://github.com/zloirock/core-js/blob/v3.21.1/LICENSE", "https://visjs.github.io/vis-network/",
}
from visualizations.map import build_network, render_map, write_map


def data_sets(html):
    found = re.findall(r"new vis\.DataSet\((\[.*?\])\);", html)
    return [json.loads(f) for f in found]


def test_jia_map_is_offline_and_complete(jia, schema, tmp_path):
    path = write_map(jia.graph, schema, tmp_path / "map.html", title="佳县")
    html = path.read_text(encoding="utf-8")
    assert fetched_urls(html) == []
    assert absolute_urls(html) <= INERT_URLS, absolute_urls(html) - INERT_URLS
    nodes, edges = data_sets(html)
    assert (len(nodes), len(edges)) == (368, 383)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "<title>佳县</title>" in html


def test_fetched_urls_finds_what_a_page_would_load():
    page = ('<script src="https://cdn.example/x.js"></script><link href="//cdn.example/x.css">'
            '<style>@import "https://fonts.example/f.css"; a{background:url(http://img.example/y.png)}</style>'
            '<div style="background: url(\'data:image/png;base64,AA\')"></div><a href="#top"></a>')
    assert fetched_urls(page) == ["https://cdn.example/x.js", "//cdn.example/x.css", "http://img.example/y.png", "https://fonts.example/f.css"]
    assert absolute_urls(page) >= {"https://cdn.example/x.js", "//cdn.example/x.css", "http://img.example/y.png"}


def test_nodes_and_ties_explain_themselves(jia, schema):
    net = build_network(jia.graph, schema)
    node = next(n for n in net.nodes if n["id"] == "610828105236")
    assert node["label"] == "崔家西山村"
    assert "名称核对 Reconciliation" in node["title"] and "店镇西山村" in node["title"]
    assert node["color"] == schema.node_kind("Village").color
    untied = next(n for n in net.nodes if n["id"] == "610828102209")
    assert untied["color"] == {"background": "#ffffff", "border": "#5e9c3f"}
    edge = next(e for e in net.edges if e["from"] == "jia:county_committee_office" and e["to"] == "610828105236")
    assert edge["label"] == "结对帮扶"
    assert "机制 Mechanism: 八联八帮" in edge["title"] and "联系人次: 653" in edge["title"]
    assert "依据 evidence: 佳縣縣委辦公室是通鎮西山村的幫扶單位" in edge["title"]


def test_without_administrative_ties_only_the_network_remains(jia, schema):
    net = build_network(jia.graph, schema, administrative=False)
    assert (len(net.nodes), len(net.edges)) == (23, 29)  # SUPPLIES and PRODUCES_FOR both drawn, MEMBER_OF and SERVES too


def test_hostile_names_stay_data(schema):
    html = render_map(hostile_graph(schema), schema, title=HOSTILE)
    assert HOSTILE not in html
    assert "<img src=x" not in html
    assert "<title>&lt;/script&gt;&lt;script&gt;" in html
    nodes, edges = data_sets(html)
    assert next(n for n in nodes if n["id"] == "v1")["label"] == HOSTILE
    assert HOSTILE in next(e for e in edges if e["from"] == "a1")["title"]
