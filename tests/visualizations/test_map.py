import html as html_module
import itertools
import json
import math
import re

import pytest

from analysis.report import analyse
from graph_model.names import match_key
from tests.visualizations.helpers import HOSTILE, absolute_urls, fetched_urls, hostile_graph
from visualizations import map as map_module
from visualizations.map import csp_hash, map_data, render_map, search_tables, write_map

# URLs inside vis-network's licence comments and the SVG namespace: written, never fetched.
INERT_URLS = {
    "http://almende.com", "http://opensource.org/licenses/MIT", "http://www.apache.org/licenses/LICENSE-2.0",
    "http://www.w3.org/2000/svg", "https://github.com/uuidjs/uuid#getrandomvalues-not-supported",
    "https://github.com/visjs", "https://github.com/zloirock/core-js",
    "https://github.com/zloirock/core-js/blob/v3.21.1/LICENSE", "https://visjs.github.io/vis-network/",
}


def page_data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="linkgraph-data">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def inline_scripts(html: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", html, re.S)


@pytest.fixture(scope="module")
def jia_data(jia, schema):
    return map_data(jia.graph, schema, title="佳县")


def node(data, node_id):
    nodes = data["nodes"]
    i = nodes["id"].index(node_id)
    return {k: (v[i] if isinstance(v, list) else {m: values[i] for m, values in v.items()}) for k, v in nodes.items()}


def test_jia_map_is_offline_and_runs_only_its_own_scripts(jia, schema, tmp_path):
    html = write_map(jia.graph, schema, tmp_path / "map.html", title="佳县").read_text(encoding="utf-8")
    assert fetched_urls(html) == []
    assert absolute_urls(html) <= INERT_URLS, absolute_urls(html) - INERT_URLS
    data = page_data(html)
    assert (len(data["nodes"]["id"]), len(data["edges"]["from"])) == (368, 386)  # 383 + the case's 3 new ties
    policy = html_module.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1))
    script_src = re.search(r"script-src ([^;]+);", policy).group(1).split()
    scripts = inline_scripts(html)
    assert len(scripts) == 2 and script_src == [csp_hash(s) for s in scripts]  # vis-network and map.js, by hash
    assert "default-src 'none'" in policy and "'unsafe-inline'" not in script_src
    assert "<title>佳县</title>" in html


def test_the_page_knows_the_network_places_and_measures(jia_data):
    nodes = jia_data["nodes"]
    # the organizations and units with working or attribute ties (乌镇 has only its party committee's
    # PARTY_ORG_OF, which is administrative)
    assert sum(nodes["tied"]) == 22
    assert sum(jia_data["untiedPerPlace"].values()) == 331
    towns = dict(zip(jia_data["places"]["id"], jia_data["places"]["name"]))
    untied = {towns[jia_data["places"]["id"][int(p)]]: n for p, n in jia_data["untiedPerPlace"].items()}
    assert untied["乌镇"] == 39 and untied["通镇"] == 31 and untied["店镇"] == 18
    assert [m["name"] for m in jia_data["measures"]] == ["partners", "betweenness", "harmonic", "pagerank"]
    committee = node(jia_data, "jia:hetaoshuyan_joint_committee")
    # 9 of 105 pairs through it; 4 partners and the farm 2 steps away: 1 + 1 + 1 + 1 + 1/2
    assert committee["measures"] == {"partners": 4.0, "betweenness": 0.08571, "harmonic": 4.5, "pagerank": 0.0897}
    assert jia_data["places"]["name"][committee["place"]] == "乌镇"  # its members' town
    for unplaced in ("jia:joint_village_cooperative", "jia:cattle_farm"):  # by the ties they work through
        assert jia_data["places"]["name"][node(jia_data, unplaced)["place"]] == "乌镇"
    assert jia_data["years"] == [2021, 2022]
    categories = {t["type"]: t["category"] for t in jia_data["ties"]}
    assert categories["MEMBER_OF"] == "working" and categories["ENGAGED_IN"] == "attribute"
    assert categories["PART_OF"] == "administrative"


def test_ties_carry_evidence_and_every_statement(jia_data):
    edges, strings, nodes = jia_data["edges"], jia_data["strings"], jia_data["nodes"]
    office, village = nodes["id"].index("jia:county_committee_office"), nodes["id"].index("610828105236")
    e = next(e for e in range(len(edges["from"])) if (edges["from"][e], edges["to"][e]) == (office, village))
    assert strings[edges["evidence"][e]] == "佳縣縣委辦公室是通鎮西山村的幫扶單位"
    details = [[strings[label], text] for label, text in edges["details"][e]]
    assert details[0] == ["机制 Mechanism", "八联八帮"]
    assert details[1][0] == "成效 Metrics" and details[1][1].startswith("党员骨干: 14; 帮扶户数: 57; 联系人次: 653; ")
    [statement] = edges["provenance"][e]
    assert strings[statement[0]].startswith("佳县“党建综合体”新闻报道") and strings[statement[1]] == "case.yaml"
    village_node = node(jia_data, "610828105236")
    assert [strings[s[1]] for s in village_node["provenance"]] == ["nbs_roster_610828.csv", "case.yaml"]


def test_search_keys_come_from_the_name_matcher(jia_data):
    assert node(jia_data, "610828105236")["keys"] == "|崔家西山村|崔家西山|崔家西山村委会|西山村|西山|"
    tables = jia_data["search"]
    assert tables["chars"]["樹"] == "树" and tables["chars"]["堰"] == "墕"  # Traditional; folk homophone
    assert tables["words"] == {"圪劳": "圪崂", "圪捞": "圪崂"}
    alphabet = set("".join(jia_data["nodes"]["keys"]))
    assert all(set(key) <= alphabet for key in tables["chars"].values())
    assert all(match_key(char) == key for char, key in tables["chars"].items())


def test_search_tables_keep_only_what_can_match():
    assert search_tables(["|西山村|"])["chars"] == {c: k for c, k in search_tables(["|西山村|"])["chars"].items()
                                                    if set(k) <= set("|西山村")}
    assert "樹" not in search_tables(["|西山村|"])["chars"]


def test_layout_puts_each_village_beside_its_town_and_nodes_apart(jia, jia_data):
    nodes, places = jia_data["nodes"], jia_data["places"]
    position = {i: (x, y) for i, x, y in zip(nodes["id"], nodes["x"], nodes["y"])}
    towns = [p for p, level in zip(places["id"], places["level"]) if level == 3]
    tied = {i for i, t in zip(nodes["id"], nodes["tied"]) if t}
    villages: dict[str, list[str]] = {}
    for i, node_id in enumerate(nodes["id"]):
        if jia.graph.nodes[node_id].kind == "Village" and node_id not in tied:
            villages.setdefault(places["id"][nodes["place"][i]], []).append(node_id)
    assert len(villages) == 13
    for town, members in villages.items():
        # a disc beside the town: its diameter and a gap; a town in the network (乌镇, 刘国具镇) is
        # among its organizations, and its disc as near as they leave room for
        beside = 2 * (map_module.VILLAGE_STEP * math.sqrt(len(members)) + map_module.NODE_ROOM + map_module.SPACING)
        farthest = max(math.dist(position[v], position[town]) for v in members)
        if town in tied:
            assert farthest < 2 * beside
        else:  # on the ring: no other town is nearer; a disc next to a town of the network (刘国具镇's villages lie
            # beside it there) may be pushed out a little further (木头峪镇: 1.21 × beside)
            assert farthest < 1.25 * beside
            assert {min(towns, key=lambda t: math.dist(position[v], position[t])) for v in members} == {town}
    assert min(math.dist(a, b) for a, b in itertools.combinations(position.values(), 2)) > 10


def test_without_the_administrative_layer_only_the_network_is_shipped(jia, schema):
    data = map_data(jia.graph, schema, administrative=False)
    # the 17 working ties (the article's 20 less the 4 administrative PARTY_ORG_OF, and the town's GUIDES to the
    # joint branch it set up) and the 9 ENGAGED_IN ties (attributes), among the 16 nodes of the network and the 6
    # industries; 乌镇, tied only by its party committee's PARTY_ORG_OF (administrative), is left out
    assert (len(data["nodes"]["id"]), len(data["edges"]["from"])) == (22, 26)
    assert data["untiedShipped"] is False and sum(data["untiedPerPlace"].values()) == 331


def test_above_the_limit_villages_without_ties_are_counted_not_shipped(jia, schema, monkeypatch):
    monkeypatch.setattr(map_module, "UNTIED_LIMIT", 100)
    data = map_data(jia.graph, schema)
    assert len(data["nodes"]["id"]) == 368 - 331 and data["untiedShipped"] is False
    assert sum(data["untiedPerPlace"].values()) == 331


def test_measures_are_the_reports(jia, schema, jia_data):
    reported = {r["id"]: r for r in analyse(jia.graph, schema).nodes}
    ids, values = jia_data["nodes"]["id"], jia_data["nodes"]["measures"]
    for i, node_id in enumerate(ids):
        row = reported.get(node_id)
        for m in ("partners", "betweenness", "harmonic", "pagerank"):
            assert values[m][i] == (float(f"{row[m]:.4g}") if row else 0.0), (node_id, m)
    assert sum(1 for node_id in ids if node_id in reported) == len(reported) == 16  # of 22 tied, the 6 industries have attribute ties only


def test_hostile_names_stay_data(schema):
    html = render_map(hostile_graph(schema), schema, title=HOSTILE)
    assert HOSTILE not in html
    assert "<img src=x" not in html
    assert "<title>&lt;/script&gt;&lt;script&gt;" in html
    data = page_data(html)
    assert data["nodes"]["name"][data["nodes"]["id"].index("v1")] == HOSTILE
    assert HOSTILE in data["strings"]
    assert len(inline_scripts(html)) == 2


def test_serve_links_are_in_the_page(jia, schema):
    links = {"home": "/", "queries": "/queries", "report": "/report", "node": "/nodes/{id}"}
    html = render_map(jia.graph, schema, links=links)
    assert page_data(html)["links"] == links
    assert '<a href="/queries">查询 Queries</a>' in html
