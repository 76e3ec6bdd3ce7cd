"""A load into Neo4j in parts (its new records kept in Parquet files until written, ``stores/copy_spool.py``)
stores every value as a load of the whole graph stores it: texts of every script and control character, lists
(one item, several), whole numbers, true and false, dates, JSON, and ties within a part and across parts."""

import pytest

from graph_model.records import GraphData, SourceRef, make_node, make_tie
from graph_model.sources import SourceInfo
from tests.stores.test_write_parts import neo4j_content

pytestmark = pytest.mark.neo4j
SOURCE = SourceRef("odd", "案例", "case.yaml")
ODD_TEXTS = ["", " 前后有空格 ", "含\x00空字符", "制表\t换行\n回车\r铃\x07", "乡村振兴" * 3_000, "emoji 🌾 𠀀", "'\"\\{}[]$"]


def _parts(schema) -> list[GraphData]:
    """Two parts: villages, enterprises, cooperatives and party organizations with odd values, ties within each
    part and from the second part's nodes to the first's."""
    parts = []
    for number in (1, 2):
        part = GraphData(schema=schema)
        for i, text in enumerate(ODD_TEXTS):
            ids = {kind: f"{kind.lower()}:{number}:{i}" for kind in ("Enterprise", "Cooperative", "PartyOrganization")}
            part.add_node(make_node(schema, "Enterprise", {"id": ids["Enterprise"], "name": f"企业{number}{i}",
                                                           "note": text or None, "brand": "品牌甲；品牌乙" if i % 2 else "独一"},
                                    source=SOURCE))
            part.add_node(make_node(schema, "Cooperative", {"id": ids["Cooperative"], "name": f"合作社{number}{i}",
                                                            "aggregate_count": str(2 + i * 10_000)}, source=SOURCE))
            part.add_node(make_node(schema, "PartyOrganization", {"id": ids["PartyOrganization"], "name": f"党委{number}{i}",
                                                                  "joint": "是" if i % 2 else "否", "aliases": f"别名{i}"},
                                    source=SOURCE))
            part.add_tie(make_tie(schema, "SUPPLIES", ids["Cooperative"], ids["Enterprise"],
                                  {"start_date": "2021-05", "end_date": "2023", "evidence": text or "无", "product": "核桃"},
                                  source=SOURCE))
            part.add_tie(make_tie(schema, "PARTY_ORG_OF", ids["PartyOrganization"], ids["Enterprise"],
                                  {"start_date": "2020-01-31", "evidence": f"第{i}行", "note": text or None},
                                  source=SOURCE))
            if number == 2:  # across parts: this part's party organization guides the first part's cooperative
                part.add_tie(make_tie(schema, "GUIDES", ids["PartyOrganization"], f"cooperative:1:{i}",
                                      {"evidence": text or "无", "mechanism": "党建引领"}, source=SOURCE))
        parts.append(part)
    return parts


@pytest.mark.parametrize("batched", [False, True], ids=["one transaction", "batches"])
def test_odd_values_written_in_parts_are_those_a_whole_write_stores(neo4j_store, schema, tmp_path, monkeypatch, batched):
    import tempfile

    import stores.neo4j_store as neo4j_store_module

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(neo4j_store_module, "STATEMENT_ROWS", 4)  # a file read back in several statements
    if batched:
        for name, value in {"SINGLE_TRANSACTION_ROWS": 10, "TRANSACTION_ROWS": 10}.items():
            monkeypatch.setattr(neo4j_store_module, name, value)
    info = SourceInfo(SOURCE, tmp_path / "case.yaml", "d1", "case")
    whole = GraphData(schema=schema)
    for part in _parts(schema):
        for node in part.nodes.values():
            whole.add_node(node)
        for tie in part.ties.values():
            whole.add_tie(tie)
    neo4j_store.write(whole, sources=[info])
    written_whole = neo4j_content(neo4j_store)
    neo4j_store.write(GraphData(), replace=True)
    report = neo4j_store.write_parts(iter(_parts(schema)), sources=[info])
    assert report.plan.create_nodes == {} and report.plan.summary()["create_nodes"] == 2 * 3 * len(ODD_TEXTS)
    written_in_parts = neo4j_content(neo4j_store)
    assert written_in_parts == written_whole
    nodes, ties = written_in_parts[0]
    assert nodes["enterprise:2:2"][1]["note"] == "含\x00空字符" and nodes["enterprise:1:4"][1]["note"] == "乡村振兴" * 3_000
    assert nodes["enterprise:1:1"][1]["brand"] == ["品牌甲", "品牌乙"] and nodes["enterprise:1:0"][1]["brand"] == ["独一"]
    assert nodes["cooperative:2:6"][1]["aggregate_count"] == 60_002
    assert [nodes[f"partyorganization:1:{i}"][1]["joint"] for i in (0, 1)] == [False, True]
    assert ties[("GUIDES", "partyorganization:2:3", "cooperative:1:3")]["evidence"] == "制表\t换行\n回车\r铃\x07"
    assert ties[("SUPPLIES", "cooperative:1:0", "enterprise:1:0")]["start_date"] == "2021-05"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("batched", [False, True], ids=["one transaction", "batches"])
def test_a_reload_in_parts_into_neo4j_changes_what_a_whole_reload_changes(neo4j_store, schema, tmp_path, monkeypatch,
                                                                         batched):
    """A roster reloaded edited (a village renamed, 499 gone, 300 new in a new town: deletes, updates and new
    records in the files together), against another source's statements about its villages."""
    import tempfile

    import stores.neo4j_store as neo4j_store_module
    from loaders.roster import roster_graph, roster_parts
    from tests.stores.test_embedded_bulk import _roster
    from tests.stores.test_write_parts import ROSTER, _changed_roster, info

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    if batched:
        for name, value in {"SINGLE_TRANSACTION_ROWS": 500, "TRANSACTION_ROWS": 500, "STATEMENT_ROWS": 200}.items():
            monkeypatch.setattr(neo4j_store_module, name, value)
    article = SourceRef("case.yaml", "新闻报道", "case.yaml")
    other = GraphData(schema=schema)
    other.add_node(make_node(schema, "Village", {"id": "610828100010", "name": "十号村"}, source=article))
    other.add_node(make_node(schema, "Cooperative", {"id": "coop:1", "name": "合作社"}, source=article))
    other.add_tie(make_tie(schema, "LOCATED_IN", "coop:1", "610828101400", {"evidence": "报道"}, source=article))
    town = [(0, "610828103", "新镇", "town", "610828")] + [
        (0, f"610828103{v:03d}", f"新村{v}", "village", "610828103") for v in range(300)]
    changed = [(n, *row[1:]) for n, row in enumerate([*_changed_roster(), *town], start=2)]
    written = []
    for how in ("whole", "parts"):
        neo4j_store.write(GraphData(), replace=True)
        neo4j_store.write(roster_graph(_roster(2_000), "roster.csv", schema, ROSTER), sources=[info()])
        neo4j_store.write(other)
        if how == "whole":
            report = neo4j_store.write(roster_graph(changed, "roster.csv", schema, ROSTER), sources=[info(digest="d2")])
        else:
            report = neo4j_store.write_parts(roster_parts(iter(changed), "roster.csv", schema, ROSTER, 300),
                                             sources=[info(digest="d2")])
        written.append((report.plan.summary(), neo4j_content(neo4j_store)))
    assert written[0] == written[1]
    assert {k: written[1][0][k] for k in ("create_nodes", "delete_nodes", "update_nodes")} == {
        "create_nodes": 301, "delete_nodes": 500, "update_nodes": 2}
    assert list(tmp_path.iterdir()) == []
