"""A planner's 村企联建 table names villages and companies, not their party organizations: each end is the unit's party
organization (``through`` of CO_BUILDS in schema.yaml), the one it has or a 党支部 linkgraph names after it, with
the row as the source of both; a unit with two party organizations is refused. On both stores, as a GBK CSV and
as a workbook with a title row and a note under the table."""

from __future__ import annotations

import openpyxl
import pytest

from graph_model.records import InputError
from loaders import load_sources
from tests.conftest import EXAMPLE

ROSTER = EXAMPLE / "nbs_roster_610828.csv"
CASE = EXAMPLE / "case.yaml"
# the roster's codes of the villages the tables name (nbs_roster_610828.csv)
CODES = {("通镇", "高家集村"): "610828105211", ("刘国具镇", "高家畔村"): "610828111226",
         ("通镇", "崔家西山村"): "610828105236"}
ROWS = [("高家集村", "佳县红枣有限公司", "通镇"), ("高家畔村", "佳县红枣有限公司", "刘国具镇")]


def write_csv(path, header, rows):
    """A CSV as Excel saves it on a Chinese Windows: GBK, CRLF."""
    lines = [",".join(header), *(",".join(r) for r in rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


def write_workbook(path, header, rows, before=()):
    """A workbook as planners make it: a title row above the header and a 填表人 note under the table; ``before``:
    sheets ahead of it, as (name, header, rows)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, head, body in before:
        sheet = book.create_sheet(name)
        for row in (head, *body):
            sheet.append(list(row))
    sheet = book.create_sheet("村企联建")
    sheet.append(["佳县2023年村企联建情况统计表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    for row in (header, *rows):
        sheet.append(list(row))
    sheet.append(["填表人：王芳    填表日期：2023年12月"])
    book.save(path)
    return path


def load(store, paths, roster=(ROSTER,)):
    if roster:
        store.write(load_sources(list(roster), known=store.known()).graph)
    result = load_sources(paths, known=store.known())
    store.write(result.graph, sources=result.sources)
    return result, store.export()


def named(graph, name):
    [node] = [n for n in graph.nodes.values() if n.name == name]
    return node


def party_of(graph, unit_id) -> list[str]:
    """The names of a unit's party organizations (PARTY_ORG_OF)."""
    return sorted(graph.nodes[t.source_id].name for t in graph.ties.values()
                  if t.type == "PARTY_ORG_OF" and t.target_id == unit_id)


def co_builds(graph) -> set[tuple[str, str]]:
    return {(graph.nodes[t.source_id].name, graph.nodes[t.target_id].name)
            for t in graph.ties.values() if t.type == "CO_BUILDS"}


def test_the_planners_csv_ties_each_units_party_branch_and_says_it_named_them(store, tmp_path):
    path = write_csv(tmp_path / "村企联建.csv", ["村", "企业", "乡镇"], ROWS)
    result, graph = load(store, [path])
    assert co_builds(graph) == {(village + "党支部", company + "党支部") for village, company, _ in ROWS}
    for village, _, town in ROWS:  # each village of its own town (the 乡镇 column), of three 高家畔村 the 刘国具镇 one
        assert party_of(graph, CODES[(town, village)]) == [village + "党支部"]
    company = named(graph, "佳县红枣有限公司")
    assert company.kind == "Enterprise" and party_of(graph, company.id) == ["佳县红枣有限公司党支部"]
    branch = named(graph, "高家集村党支部")
    assert (branch.kind, branch.props["form"]) == ("PartyOrganization", "党支部")
    assert [(s["file"], s["at"]) for s in branch.provenance] == [("村企联建.csv", "工作表 sheet 村企联建, 行 row 2")]
    [tie] = [t for t in graph.ties.values() if t.type == "PARTY_ORG_OF" and t.source_id == branch.id]
    assert [(s["file"], s["at"]) for s in tie.provenance] == [("村企联建.csv", "工作表 sheet 村企联建, 行 row 2")]
    [note] = [n for n in result.notes if "linkgraph" in n]
    assert note.startswith("3 个单位没有党组织，已按“名称+党支部”由 linkgraph 命名（")
    assert note.split("）：", 1)[1].split(" / ")[0] == "通镇高家集村、佳县红枣有限公司、刘国具镇高家畔村"


def test_a_rerun_of_the_edited_table_names_no_second_branch(store, tmp_path):
    path = write_csv(tmp_path / "村企联建.csv", ["村", "企业", "乡镇"], ROWS)
    _, first = load(store, [path])
    write_csv(path, ["村", "企业", "乡镇"], [*ROWS, ("崔家西山村", "佳县红枣有限公司", "通镇")])
    _, graph = load(store, [path], roster=())
    counts = graph.counts()
    assert (counts["PartyOrganization"], counts["PARTY_ORG_OF"], counts["CO_BUILDS"]) == (4, 4, 3)
    for unit in (*CODES.values(), named(graph, "佳县红枣有限公司").id):
        assert len(party_of(graph, unit)) == 1
    kept = {n.id for n in first.nodes_of("PartyOrganization")}
    assert kept < {n.id for n in graph.nodes_of("PartyOrganization")}  # the first load's branches, stated again
    assert party_of(graph, CODES[("通镇", "崔家西山村")]) == ["崔家西山村党支部"]
    assert co_builds(graph) - co_builds(first) == {("崔家西山村党支部", "佳县红枣有限公司党支部")}


def test_the_workbook_with_a_title_and_a_note_finds_the_branch_its_other_sheet_states(store, tmp_path):
    """The 党组织隶属 sheet names 高家集村's 党总支 (after the 村企联建 sheet would not matter: ties through a unit's
    party organization are read last); the 联建村 column then takes it, not a new branch."""
    before = [("党组织隶属", ["起点", "终点", "终点乡镇"], [("高家集村党总支", "高家集村", "通镇")])]
    path = write_workbook(tmp_path / "联建.xlsx", ["联建村", "联建企业", "所属乡镇"], ROWS, before=before)
    result, graph = load(store, [path])
    assert co_builds(graph) == {("高家集村党总支", "佳县红枣有限公司党支部"), ("高家畔村党支部", "佳县红枣有限公司党支部")}
    assert party_of(graph, CODES[("通镇", "高家集村")]) == ["高家集村党总支"]
    assert [n.split(" / ")[0] for n in result.notes][:2] == [
        "跳过表头上方第 1 行“佳县2023年村企联建情况统计表”", "跳过表格下方第 5 行的说明“填表人：王芳    填表日期：2023年12月”"]
    [note] = [n for n in result.notes if "linkgraph" in n]
    assert note.split("）：", 1)[1].split(" / ")[0] == "佳县红枣有限公司、刘国具镇高家畔村"
    branch = named(graph, "高家畔村党支部")
    assert [(s["file"], s["at"]) for s in branch.provenance] == [("联建.xlsx", "工作表 sheet 村企联建, 行 row 4")]


def test_the_branch_the_store_holds_is_taken(store, tmp_path):
    """The case file's 西山村党支部 is the party branch of 通镇崔家西山村 (PARTY_ORG_OF): the row takes it."""
    path = write_csv(tmp_path / "村企联建.csv", ["村名", "企业名称", "所属乡镇"], [("崔家西山村", "陕西贺寨酒业有限公司", "通镇")])
    load(store, [CASE])
    result, graph = load(store, [path], roster=())
    assert co_builds(graph) >= {("西山村党支部", "陕西贺寨酒业有限公司党支部")}
    assert party_of(graph, CODES[("通镇", "崔家西山村")]) == ["西山村党支部"]
    hezhai = named(graph, "陕西贺寨酒业有限公司")
    assert party_of(graph, hezhai.id) == ["陕西贺寨酒业有限公司党支部"]
    [note] = [n for n in result.notes if "linkgraph" in n]
    assert note.split("）：", 1)[1].split(" / ")[0] == "佳县刘国具镇 陕西贺寨酒业有限公司"  # where the case file places it


def test_a_unit_with_two_party_organizations_is_refused_with_its_cell(store, tmp_path):
    two = write_csv(tmp_path / "党组织隶属.csv", ["起点", "终点", "终点乡镇"],
                    [("高家集村党支部", "高家集村", "通镇"), ("高家集村联合党支部", "高家集村", "通镇")])
    load(store, [two])
    path = write_csv(tmp_path / "村企联建.csv", ["村党组织", "企业党组织", "乡镇"], [("高家集村", "佳县红枣有限公司", "通镇")])
    with pytest.raises(InputError) as caught:
        load(store, [path], roster=())
    [line] = [str(p) for p in caught.value.problems]
    assert line.startswith(f"{path}, 工作表 sheet 村企联建, 行 row 2, 列 column 村党组织 (from): 通镇高家集村 (610828105211) 有 2 个党组织（")
    assert "高家集村党支部" in line and "高家集村联合党支部" in line and "has 2 party organizations" in line
    assert store.counts()["CO_BUILDS"] == 0
    # the planner names the branch meant in that cell: the row loads
    write_csv(path, ["村党组织", "企业党组织", "乡镇"], [("高家集村联合党支部", "佳县红枣有限公司党支部", "通镇")])
    _, graph = load(store, [path], roster=())
    assert co_builds(graph) == {("高家集村联合党支部", "佳县红枣有限公司党支部")}
    assert party_of(graph, named(graph, "佳县红枣有限公司党支部").id) == []  # a party organization named: no unit


def test_a_village_named_in_three_towns_still_needs_its_town(tmp_path):
    path = write_csv(tmp_path / "村企联建.csv", ["村", "企业"], [("高家畔村", "佳县红枣有限公司")])
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, path])
    [line] = [str(p) for p in caught.value.problems]
    assert line.split(".csv, ", 1)[1].startswith("工作表 sheet 村企联建, 行 row 2, 列 column 村 (from): 名册中有 3 个“高家畔村”，须注明所属乡镇")


def test_an_enterprise_sheet_with_a_village_column_is_still_an_enterprise_sheet(tmp_path):
    """企业名称 and 村 head a 村企联建 table's ends; in 企业信息.csv they are an enterprise's name and village."""
    path = write_csv(tmp_path / "企业信息.csv", ["企业名称", "村", "乡镇"], [("佳县红枣有限公司", "高家集村", "通镇")])
    result = load_sources([ROSTER, path])
    company = named(result.graph, "佳县红枣有限公司")
    assert company.kind == "Enterprise" and company.props["place"] == CODES[("通镇", "高家集村")]


def test_the_end_headers_are_unambiguous_and_name_declared_kinds(schema):
    """Each header of columns.yaml's end ``kinds`` heads its own end, and names a kind the schema declares that
    CO_BUILDS takes through a party organization; it names that kind at the other end too, where a table has it
    there (企业名称 | 结对村: the company starts a 万企帮万村 pairing)."""
    from loaders.columns import columns_data, end_kind, tie_vocabulary

    vocabulary = tie_vocabulary(schema)
    through = schema.tie_kind("CO_BUILDS").through.kinds
    for end in ("from", "to"):
        for kind, words in columns_data()["tie_table"][end]["kinds"].items():
            assert kind in through
            for word in words:
                assert (vocabulary.field_of(word), end_kind(end, word)) == (end, kind)
                assert end_kind("to" if end == "from" else "from", word) == kind


def test_a_village_nothing_has_is_no_new_party_organization_and_a_new_branch_name_is_one(tmp_path):
    """村: a village is never new (张家村 is no village of 佳县: refused, not a party organization named 张家村);
    企业党组织: a name ending in a form (…党支部) is a new party organization, not a company."""
    path = write_csv(tmp_path / "村企联建.csv", ["村", "企业"], [("张家村", "佳县红枣有限公司")])
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, path])
    [line] = [str(p) for p in caught.value.problems]
    assert "column 村 (from): 找不到“张家村”" in line
    path = write_csv(tmp_path / "村企联建2.csv", ["村党组织", "企业党组织", "乡镇"],
                     [("高家集村", "佳县红枣有限公司党支部", "通镇")])
    graph = load_sources([ROSTER, path]).graph
    assert named(graph, "佳县红枣有限公司党支部").kind == "PartyOrganization"
    assert co_builds(graph) == {("高家集村党支部", "佳县红枣有限公司党支部")}
    assert not list(graph.nodes_of("Enterprise"))
