"""Says who? Sources add to what the store holds, one source's edit changes only what it says; both stores."""

import shutil

import pytest

from graph_model.records import InputError
from loaders import load_sources
from tests.conftest import EXAMPLE

PLANNER = EXAMPLE / "planner"


def load(store, paths, **options):
    result = load_sources(paths, known=store.known(), **options)
    return result, store.write(result.graph, sources=result.sources)


def test_a_workbook_and_the_case_file_make_one_node_per_organization(store):
    load(store, [EXAMPLE / "case.yaml"])
    result, _ = load(store, [PLANNER / "刘国具镇填报.xlsx"])
    graph = store.export()
    companies = list(graph.nodes_of("Enterprise"))
    assert [c.id for c in companies] == ["jia:hezhai_liquor"]
    company = companies[0].props
    assert company["source"].split("; ") == [
        "佳县“党建综合体”新闻报道 Jia County party-building complexes, news report 2024-01-18",
        "刘国具镇填报（示例：据2024-01-18报道整理）Liuguoju town's return (example restating the 2024-01-18 report)"]
    assert company["name"] == "陕西贺寨酒业有限公司" and "陝西賀寨酒業公司" in company["aliases"]
    assert [s["at"] for s in company["provenance"]] == ["行 row 114, 键 key hezhai_liquor", "工作表 sheet 企业, 行 row 2"]
    branch = next(n for n in graph.nodes_of("PartyOrganization") if n.name == "上高寨酒业联合党支部")
    assert branch.id == "jia:shanggaozhai_joint_branch" and len(branch.props["provenance"]) == 2
    member = graph.ties[("MEMBER_OF", "jia:hezhai_liquor", "jia:shanggaozhai_joint_branch")].props
    assert member["evidence"] == "聯合黨支部成立后,充分利用賀寨酒業的龍頭帶動作用"  # both quote the same words
    assert [s["key"] for s in member["provenance"]] == ["case.yaml", "刘国具镇填报.xlsx"]
    assert [n for n, i in result.identities if i.duplicates] == []
    assert store.counts()["Enterprise"] == 1 and store.counts()["SERVES"] == 3


def test_loading_the_same_sources_again_writes_nothing(store):
    load(store, [EXAMPLE / "case.yaml", PLANNER / "刘国具镇填报.xlsx"])
    before = store.export()
    result, report = load(store, [EXAMPLE / "case.yaml", PLANNER / "刘国具镇填报.xlsx"])
    assert report.unchanged_sources == ["nbs_roster_610828.csv", "case.yaml", "刘国具镇填报.xlsx"]
    assert report.plan.rows == 0
    after = store.export()
    assert {k: n.props for k, n in after.nodes.items()} == {k: n.props for k, n in before.nodes.items()}
    # without digests the statements are compared: still nothing to write
    report = store.write(result.graph)
    assert report.plan.rows == 0 and report.plan.unchanged == len(result.graph.nodes) + len(result.graph.ties)


def test_a_source_edited_and_loaded_again_changes_only_what_it_says(store, tmp_path):
    for name in ("case.yaml", "nbs_roster_610828.csv"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    case = tmp_path / "case.yaml"
    load(store, [case, PLANNER / "刘国具镇填报.xlsx"])
    text = case.read_text(encoding="utf-8")  # edited line for line, so that every other statement keeps its row
    edited = text.replace("    mechanism: 八联八帮\n", "    mechanism: 八联八帮（2023年修订）\n")
    edited = edited.replace("    aliases: [陕西贺寨酒业公司, 贺寨酒业, 陜西賀寨酒業公司, 賀寨酒業]\n", "    # (aliases removed)\n")
    start = edited.index("  - type: SERVES\n    from: hezhai_liquor")
    end = edited.index("  - type: ENGAGED_IN\n    from: hezhai_liquor")
    edited = edited[:start] + "".join("#" + line for line in edited[start:end].splitlines(True)) + edited[end:]
    case.write_text(edited, encoding="utf-8")
    _, report = load(store, [case])
    assert report.unchanged_sources == ["nbs_roster_610828.csv"]
    assert report.plan.summary() == {"create_nodes": 0, "update_nodes": 1, "delete_nodes": 0, "create_ties": 0,
                                     "update_ties": 1, "delete_ties": 1, "unchanged": 59}  # 3 ties more than 56
    graph = store.export()
    pairing = graph.ties[("PAIRED_ASSISTANCE", "jia:county_committee_office", "610828105236")].props
    assert pairing["mechanism"] == "八联八帮（2023年修订）"
    assert ("SERVES", "jia:hezhai_liquor", "jia:brewing_cooperatives") not in graph.ties
    company = graph.nodes["jia:hezhai_liquor"].props
    assert company["aliases"] == ["贺寨酒业", "陝西賀寨酒業公司"]  # what the workbook says stays
    branch_serves = graph.ties[("SERVES", "jia:shanggaozhai_joint_branch", "jia:brewing_cooperatives")].props
    assert [s["key"] for s in branch_serves["provenance"]] == ["case.yaml", "刘国具镇填报.xlsx"]


def test_a_table_edited_and_loaded_again_keeps_the_units_its_rows_introduced(store, tmp_path):
    """A pairing table names its assistance units only in its tie rows (they are new the first time). A row added
    and the table loaded again: the units it named before are still stated by it, and their pairings stay."""
    table = tmp_path / "结对帮扶.csv"
    table.write_text("帮扶单位,结对村,所属乡镇,结对时间\r\n佳县水利局,崔家西山村,通镇,2021\r\n", encoding="utf-8")
    load(store, [EXAMPLE / "nbs_roster_610828.csv", table])
    with table.open("a", encoding="utf-8") as edited:
        edited.write("佳县民政局,高家集村,通镇,2022\r\n")
    _, report = load(store, [table])
    assert report.plan.summary()["delete_nodes"] == 0 and report.plan.summary()["delete_ties"] == 0
    graph = store.export()
    assert sorted(n.name for n in graph.nodes_of("AssistanceUnit")) == ["佳县民政局", "佳县水利局"]
    assert sorted((t.source_id, t.target_id) for t in graph.ties.values() if t.type == "PAIRED_ASSISTANCE") == [
        ("AssistanceUnit:-:佳县民政局", "610828105211"), ("AssistanceUnit:-:佳县水利局", "610828105236")]
    unit = graph.nodes["AssistanceUnit:-:佳县水利局"].props
    assert [s["at"] for s in unit["provenance"]] == ["工作表 sheet 结对帮扶, 行 row 2"]


def test_disagreements_keep_both_values_and_the_newest_shows(store, tmp_path):
    load(store, [EXAMPLE / "case.yaml"])
    table = tmp_path / "合作社.csv"
    table.write_text("名称,所属乡镇,合计个数\r\n刘国具镇38家酿酒合作社（作坊）,刘国具镇,40\r\n", encoding="utf-8")
    load(store, [EXAMPLE / "nbs_roster_610828.csv", table])
    props = store.export().nodes["jia:brewing_cooperatives"].props
    assert props["aggregate_count"] == 40
    assert [(c["value"], c["at"]) for c in props["conflicts"]["aggregate_count"]] == [
        (38, "行 row 119, 键 key brewing_cooperatives"), (40, "工作表 sheet 合作社, 行 row 2")]


def test_same_name_in_another_town_is_a_possible_duplicate_not_a_merge(store, tmp_path):
    load(store, [EXAMPLE / "case.yaml"])
    table = tmp_path / "企业.csv"
    table.write_text("名称,所属乡镇\r\n陕西贺寨酒业有限公司,通镇\r\n", encoding="utf-8")
    result, _ = load(store, [EXAMPLE / "nbs_roster_610828.csv", table])
    [(name, identity)] = result.possible_duplicates
    assert identity.id == "Enterprise:610828105:陕西贺寨酒业有限公司"
    assert identity.duplicates == ("陕西贺寨酒业有限公司 (jia:hezhai_liquor, 610828111)",)
    assert store.counts()["Enterprise"] == 2
    assert result.explain("贺寨酒业")[0][1] == identity


def test_a_failed_load_leaves_the_store_as_it_was(store, tmp_path):
    load(store, [EXAMPLE / "case.yaml"])
    before = store.export()
    bad = tmp_path / "关系.csv"
    bad.write_text("关系类型,起点,终点,终点乡镇,依据\r\n结对帮扶,佳县县委办公室,核桃树墕村,乌镇,x\r\n"
                   "结对帮扶,佳县县委办公室,没有这个村,乌镇,y\r\n", encoding="utf-8")
    with pytest.raises(InputError, match="行 row 3, 列 column 终点 \\(to\\): 找不到乌镇“没有这个村” / no 村/社区 named '没有这个村' in 乌镇"):
        load(store, [EXAMPLE / "nbs_roster_610828.csv", bad])
    after = store.export()
    assert after.ties.keys() == before.ties.keys()
    assert {k: n.props for k, n in after.nodes.items()} == {k: n.props for k, n in before.nodes.items()}


def test_the_decisions_loop(store, tmp_path):
    from linkgraph.pipeline import read_decisions_file
    from loaders.decisions import decision_rows, headers
    from visualizations.tables import csv_text, write_excel_csv

    load(store, [EXAMPLE / "nbs_roster_610828.csv"])
    result = load_sources([PLANNER / "结对帮扶.csv"], known=store.known(), keep_valid=True)
    rows = decision_rows(result.left_out, store.schema)
    assert [(r[2], r[3], r[4], r[5]) for r in rows] == [("村/社区 Village", "通镇", "西山村", "未找到 missing")]
    rows[0][7], rows[0][8] = "610828105236", "2018年区划代码中同一代码即通镇西山村"
    answers = write_excel_csv(tmp_path / "decisions.csv", csv_text(headers(), rows))
    decided, _ = read_decisions_file(answers, store.schema)
    result, _ = load(store, [PLANNER / "结对帮扶.csv"], decisions=decided)
    tie = store.export().ties[("PAIRED_ASSISTANCE", "AssistanceUnit:-:佳县县委办公室", "610828105236")]
    assert tie.props["start_year"] == 2022
    assert "2018年区划代码中同一代码即通镇西山村" in store.export().nodes["610828105236"].props["reconciliation"]
    example, _ = read_decisions_file(PLANNER / "decisions.csv", store.schema)
    assert example.keys() == decided.keys()
    assert [v["resolve_to"] for v in example.values()] == ["610828105236"]


def test_a_dry_run_writes_nothing(store):
    result = load_sources([EXAMPLE / "case.yaml"], known=store.known())
    report = store.write(result.graph, sources=result.sources, dry_run=True)
    assert report.plan.summary()["create_nodes"] == 368 and store.is_empty()
    assert store.loaded_sources() == []
