"""An enterprise pairs with a village too (万企帮万村, 村企结对): schema.yaml lets PAIRED_ASSISTANCE start at an
Enterprise. A planner's 结对帮扶 table naming a company as the 帮扶单位 ties it from the company's Enterprise node
(never a second node, an assistance unit of its name), and the pairing queries count it, with the same rows on
both stores."""

import pytest

from loaders import load_sources
from tests.conftest import EXAMPLE, REPO

# A 刘国具镇 planner's table: the example's company (陕西贺寨酒业有限公司, jia:hezhai_liquor, in the store from the
# case file, here by its short name), a company no source names yet (a legal form: 有限公司), and a county office.
PAIRINGS = ("序号,帮扶单位,结对村,所属乡镇,结对时间,帮扶方式,依据\r\n"
            "1,贺寨酒业,王元村,刘国具镇,2023年4月,订单收购,贺寨酒业与王元村结对帮扶\r\n"
            "2,佳县枣业有限公司,马家沟村,刘国具镇,2022,,\r\n"
            "3,佳县水利局,王元村,刘国具镇,2021,驻村工作队,\r\n")
WANGYUAN, MAJIAGOU = "610828111207", "610828111208"
MINTED = "Enterprise:-:佳县枣业有限公司"  # its kind and name (loaders.tables.mint_id; 所属乡镇 is the village's)


def load_pairings(store, folder):
    """The example's case file, then the planner's table, as two loads (the second knows the store)."""
    table = folder / "结对帮扶.csv"
    table.write_text(PAIRINGS, encoding="utf-8")
    for paths in ([EXAMPLE / "case.yaml"], [table]):
        result = load_sources(paths, known=store.known())
        store.write(result.graph, sources=result.sources)
    return store


def test_a_company_in_a_pairing_table_pairs_from_its_enterprise_node(store, tmp_path):
    graph = load_pairings(store, tmp_path).export()
    pairings = {(t.source_id, t.target_id): t.props for t in graph.ties.values() if t.type == "PAIRED_ASSISTANCE"}
    assert {(graph.nodes[s].kind, graph.nodes[s].name, v) for s, v in pairings} == {
        ("AssistanceUnit", "佳县县委办公室", "610828105236"),  # the case file's
        ("Enterprise", "陕西贺寨酒业有限公司", WANGYUAN),
        ("Enterprise", "佳县枣业有限公司", MAJIAGOU),
        ("AssistanceUnit", "佳县水利局", WANGYUAN)}
    liquor = pairings[("jia:hezhai_liquor", WANGYUAN)]
    assert (liquor["start_date"], liquor["mechanism"], liquor["evidence"]) == ("2023-04", "订单收购", "贺寨酒业与王元村结对帮扶")
    assert pairings[(MINTED, MAJIAGOU)]["start_date"] == "2022"
    # one node per company: no assistance unit of a company's name
    assert sorted(n.id for n in graph.nodes.values() if n.kind == "AssistanceUnit") == [
        "AssistanceUnit:-:佳县水利局", "jia:county_committee_office"]


def test_the_pairing_queries_count_the_enterprises(store, tmp_path):
    load_pairings(store, tmp_path)
    county, *towns = store.run_named("assistance_coverage", {})
    assert (county["unit"], county["recorded_villages"], county["recorded_units"], county["recorded_enterprises"],
            county["not_recorded"]) == ("佳县", 3, 4, 2, 331)
    [liuguoju] = [t for t in towns if t["unit"] == "刘国具镇"]
    assert (liuguoju["villages"], liuguoju["recorded_villages"], liuguoju["recorded_units"],
            liuguoju["recorded_enterprises"], liuguoju["not_recorded"]) == (34, 2, 3, 2, 32)
    without = {r["village_id"] for r in store.run_named("villages_without_recorded_assistance", {"town": "刘国具镇"})}
    assert len(without) == 32 and not {WANGYUAN, MAJIAGOU} & without
    ranked = [(r["unit"], r["unit_kind"], r["villages"], r["village_names"])
              for r in store.run_named("assistance_units_ranked", {"within": "610828111"})]
    assert ranked == [("佳县水利局", "AssistanceUnit", 1, ["王元村"]), ("佳县枣业有限公司", "Enterprise", 1, ["马家沟村"]),
                      ("陕西贺寨酒业有限公司", "Enterprise", 1, ["王元村"])]
    shared = [(r["partner"], r["village_a"], r["village_b"])
              for r in store.run_named("villages_sharing_partner", {"partner": "佳县枣业有限公司"})]
    assert shared == []  # one village each: nothing shared


@pytest.mark.neo4j
def test_both_stores_answer_the_pairing_queries_alike(embedded_store, neo4j_store, tmp_path):
    for store, folder in ((embedded_store, tmp_path / "a"), (neo4j_store, tmp_path / "b")):
        folder.mkdir()
        load_pairings(store, folder)
    for name, params in (("assistance_coverage", {}), ("assistance_coverage", {"town": "刘国具镇"}),
                         ("villages_without_recorded_assistance", {}), ("assistance_units_ranked", {}),
                         ("enterprise_ties", {"enterprise": "贺寨酒业"}), ("villages_of_enterprise", {"enterprise": "贺寨酒业"}),
                         ("villages_sharing_partner", {})):
        assert embedded_store.run_named(name, params) == neo4j_store.run_named(name, params), name


def test_an_embedded_store_made_before_enterprises_could_pair_gets_the_pair_at_its_next_load(tmp_path, schema):
    """LadybugDB keeps a relationship table's pairs of node tables: a store made while PAIRED_ASSISTANCE joined
    an AssistanceUnit to a Village only could not hold the company's tie; the next writer adds the pair."""
    from dataclasses import replace

    from stores import open_store

    pairing = schema.tie_kind("PAIRED_ASSISTANCE")
    older = replace(schema, tie_kinds=tuple(replace(t, endpoints=(("AssistanceUnit", "Village"),)) if t is pairing
                                            else t for t in schema.tie_kinds))
    path = tmp_path / "older.lbug"
    with open_store(str(path), older, create=True) as store:
        store.write(load_sources([EXAMPLE / "case.yaml"]).graph)
    with open_store(str(path), schema) as store:
        load_pairings(store, tmp_path)
        ranked = {(r["unit"], r["unit_kind"]) for r in store.run_named("assistance_units_ranked", {})}
    assert {("陕西贺寨酒业有限公司", "Enterprise"), ("佳县枣业有限公司", "Enterprise")} <= ranked


# A 万企帮万村 list as a county's federation of industry and commerce might keep it (our own rows): a title row,
# the companies under 企业名称, their villages under 结对村, no 帮扶单位 and no 关系类型 column. 贺寨酒业 is the
# example's company by its short name; 佳县红枣加工厂 is new and has no legal form in its name: its column says it
# is a company.
QIYEBANG = ("佳县万企帮万村结对名单（2023年）\r\n"
            "序号,企业名称,结对村,所属乡镇,结对时间\r\n"
            "1,贺寨酒业,王元村,刘国具镇,2023年4月\r\n"
            "2,佳县红枣加工厂,马家沟村,刘国具镇,2022\r\n")
WORKSHOP = "Enterprise:-:佳县红枣加工厂"


def _qiyebang_pairings(graph):
    return {(graph.nodes[t.source_id].kind, graph.nodes[t.source_id].name, t.target_id, t.props.get("start_date"))
            for t in graph.ties.values() if t.type == "PAIRED_ASSISTANCE"}


@pytest.mark.parametrize("file_name", ["万企帮万村.csv", "Sheet1.csv"])
def test_a_qiyebang_table_pairs_the_companies_under_its_enterprise_header(tmp_path, file_name):
    """企业名称 would end a 村企联建 tie; beside 结对村 (the village a pairing ends at) it starts the pairing.
    The table's name says the kind (万企帮万村 is a word of 结对帮扶), or else its end headers."""
    table = tmp_path / file_name
    table.write_text(QIYEBANG, encoding="utf-8")
    result = load_sources([EXAMPLE / "case.yaml", table])
    assert _qiyebang_pairings(result.graph) == {
        ("AssistanceUnit", "佳县县委办公室", "610828105236", None),  # the case file's (no date)
        ("Enterprise", "陕西贺寨酒业有限公司", WANGYUAN, "2023-04"),
        ("Enterprise", "佳县红枣加工厂", MAJIAGOU, "2022")}
    assert WORKSHOP in result.graph.nodes and "AssistanceUnit:-:佳县红枣加工厂" not in result.graph.nodes
    by_headers = any("tie kind taken from the headers" in n and "结对帮扶 PAIRED_ASSISTANCE" in n for n in result.notes)
    assert by_headers == (file_name == "Sheet1.csv")


def test_a_qiyebang_table_with_a_header_mapped_by_hand(tmp_path):
    """A header linkgraph does not know (帮扶的村), mapped to the end (--columns, or the upload page's choice):
    the company column (企业) then starts the pairing."""
    table = tmp_path / "万企帮万村.csv"
    table.write_text("企业,帮扶的村,所属乡镇\r\n佳县红枣加工厂,马家沟村,刘国具镇\r\n", encoding="utf-8")
    result = load_sources([EXAMPLE / "case.yaml", table], columns={"帮扶的村": "to"})
    assert ("Enterprise", "佳县红枣加工厂", MAJIAGOU, None) in _qiyebang_pairings(result.graph)


def test_the_report_counts_the_companies_among_the_pairing_units(tmp_path, schema):
    """The county's coverage finding and the town's coverage row tell the companies apart (其中 … 个企业)."""
    from analysis.findings import findings
    from analysis.report import analyse

    table = tmp_path / "万企帮万村.csv"
    table.write_text(QIYEBANG, encoding="utf-8")
    analysis = analyse(load_sources([EXAMPLE / "case.yaml", table]).graph, schema)
    said = [t for t in findings(analysis) if t.zh.startswith("佳县：")]
    assert any("数据中记录了 3 个帮扶单位（其中 2 个企业）与 3 个村结对" in t.zh for t in said), said
    assert any("3 assistance units (2 enterprises among them) paired with 3 villages" in t.en for t in said), said


def test_the_companies_among_the_pairing_units_are_named_by_the_schemas_label(tmp_path):
    """The coverage finding wrote 企业 whatever the kind of role ``enterprise`` is called in schema.yaml: the word
    is that kind's label (here a schema of our own that calls it 公司 / Company)."""
    import copy

    from analysis.findings import findings
    from analysis.report import analyse
    from graph_model.schema import packaged_yaml, parse_schema

    data = copy.deepcopy(packaged_yaml(REPO / "graph_model" / "schema.yaml"))
    data["node_kinds"]["Enterprise"].update(zh="公司", en="Firm")
    table = tmp_path / "万企帮万村.csv"
    table.write_text(QIYEBANG, encoding="utf-8")
    said = [t for t in findings(analyse(load_sources([EXAMPLE / "case.yaml", table]).graph, parse_schema(data)))
            if t.zh.startswith("佳县：")]
    assert any("数据中记录了 3 个帮扶单位（其中 2 个公司）与 3 个村结对" in t.zh for t in said), said
    assert any("3 assistance units (2 firms among them) paired with 3 villages" in t.en for t in said), said
