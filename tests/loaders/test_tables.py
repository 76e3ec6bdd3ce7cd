"""Planners' tables: workbooks and CSV files, their headers, encodings, and what they refuse."""

import codecs

import openpyxl
import pytest

from graph_model.records import InputError
from loaders import load_sources
from loaders.reconcile import Unresolved
from loaders.columns import kind_named, tie_named
from loaders.sheets import header_key
from loaders.tables import CELL_LEFT_OUT, read_csv
from loaders.template import sheets, write_csv_template, write_template
from tests.conftest import EXAMPLE

ROSTER = EXAMPLE / "nbs_roster_610828.csv"
PLANNER = EXAMPLE / "planner"
PAIRINGS = "序号,帮扶单位,结对村,所属乡镇,结对时间,帮扶机制,依据\r\n1,佳县县委办公室,崔家西山村,通镇,2022年5月,八联八帮,佳縣縣委辦公室是通鎮西山村的幫扶單位\r\n"


def test_kind_and_tie_words_of_each_schema_object():
    """The words of every kind, read once per schema: a second schema with other words gets its own."""
    from dataclasses import replace

    from graph_model.schema import default_schema

    schema = default_schema()
    assert [kind_named(schema, w) for w in ("企业", "Enterprise", "Enterprises", " 公司 ", "companies", "村", "银行", "")] \
        == ["Enterprise"] * 5 + ["Village", None, None]
    assert [tie_named(schema, w) for w in ("结对帮扶", "PAIRED_ASSISTANCE", "paired assistance", "包村", "帮助")] \
        == ["PAIRED_ASSISTANCE"] * 4 + [None]
    enterprise = schema.node_kind("Enterprise")
    other = replace(schema, node_kinds=tuple(replace(k, words=("厂",)) if k is enterprise else k
                                             for k in schema.node_kinds))
    assert (kind_named(other, "厂"), kind_named(other, "公司"), kind_named(schema, "厂")) == ("Enterprise", None, None)


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding) if encoding != "utf-8-sig" else codecs.BOM_UTF8 + text.encode("utf-8"))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_a_pairing_table_in_every_encoding_planners_save(tmp_path, encoding):
    table = write(tmp_path / "结对帮扶.csv", PAIRINGS, encoding)
    result = load_sources([ROSTER, table])
    tie = result.graph.ties[("PAIRED_ASSISTANCE", "AssistanceUnit:-:佳县县委办公室", "610828105236")]
    assert (tie.props["start_date"], tie.props["mechanism"]) == ("2022-05", "八联八帮")
    assert tie.props["provenance"][0]["at"] == "工作表 sheet 结对帮扶, 行 row 2"
    unit = result.graph.nodes["AssistanceUnit:-:佳县县委办公室"]
    assert unit.name == "佳县县委办公室" and unit.props["source"] == "结对帮扶.csv"
    assert [i.reason for n, i in result.identities if n == "佳县县委办公室"] == [
        "仅见于关系表的新组织 / new, named only by a tie row (工作表 sheet 结对帮扶, 行 row 2)"]


def test_a_file_that_is_no_known_encoding_is_refused_not_garbled(tmp_path):
    table = tmp_path / "x.csv"
    table.write_bytes(PAIRINGS.encode("utf-8")[:40] + b"\xff\xfe\xfa\xfb\n")
    with pytest.raises(InputError, match="cannot decode byte"):
        load_sources([ROSTER, table])


def test_old_mac_line_ends_are_read(tmp_path):
    table = write(tmp_path / "结对帮扶.csv", PAIRINGS.replace("\r\n", "\r"))
    assert len(load_sources([ROSTER, table]).graph.ties) == 349 + 1


def test_the_planners_gbk_csv_needs_a_decision_for_xishan(tmp_path):
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, PLANNER / "结对帮扶.csv"])
    problem = caught.value.problems[0]
    assert isinstance(problem, Unresolved) and problem.status == "missing"
    assert str(problem).startswith(f"{PLANNER / '结对帮扶.csv'}, 工作表 sheet 结对帮扶, 行 row 2, 列 column 结对村 (to): 找不到通镇“西山村” / no 村/社区 named '西山村' in 通镇")
    assert problem.candidates[0] == "通镇崔家西山村 (610828105236)"
    assert "店镇西山村 (610828102209)" in problem.candidates


def test_headers_are_the_schemas_words_in_any_form():
    assert header_key(" 开始日期（可选） ") == "开始日期" and header_key("Start_Date") == "startdate"
    names = {name: [c.zh for c in columns] for name, _, columns in sheets(__import__("graph_model.schema").schema.default_schema())}
    assert names["关系"][:3] == ["关系类型", "起点", "起点类型"]


@pytest.mark.parametrize("text, message", [
    ("名称,颜色\r\n贺寨酒业,红\r\n", "企业.csv, 工作表 sheet 企业, 行 row 1, 列 column 颜色: 未知的列“颜色” / unknown column '颜色'"),
    ("名称,所属乡镇\r\n贺寨酒业,同镇\r\n", "企业.csv, 工作表 sheet 企业, 行 row 2, 列 column 所属乡镇 (town): 名册中无此名称 / Town 同镇 is "
     "not in the roster"),
    ("名称,,\r\n贺寨酒业,,x\r\n", "企业.csv, 工作表 sheet 企业, 行 row 1, 列 column C: 有数据的列缺少表头 / a column with data has no header"),
    ("名称,名字\r\n贺寨酒业,贺寨\r\n", "“名字”与“名称”两列对应同一字段 name / '名字' and '名称' both give name"),
])
def test_bad_tables_name_file_sheet_row_and_column(tmp_path, text, message):
    table = write(tmp_path / "企业.csv", text)
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, table], columns=None)
    assert message in str(caught.value), str(caught.value)


@pytest.mark.parametrize("sheet, header, kind", [
    ("企业", "企业名称", "Enterprise"), ("合作社", "合作社名称", "Cooperative"), ("帮扶单位", "帮扶单位名称", "AssistanceUnit"),
    ("组织", "组织名称", "Enterprise"), ("公司", "公司名称（全称）", "Enterprise"),
])
def test_a_name_column_headed_by_the_kind_it_names(tmp_path, sheet, header, kind):
    """Planners head the name column of a kind's sheet with the kind: 企业名称 on 企业, 合作社名称 on 合作社."""
    kind_column = ",类型" if sheet == "组织" else ""
    table = write(tmp_path / f"{sheet}.csv", f"序号,{header},所属乡镇{kind_column}\r\n1,米脂贺家酒坊,刘国具镇"
                  + (",企业" if kind_column else "") + "\r\n")
    node = next(n for n in load_sources([ROSTER, table]).graph.nodes.values() if n.kind == kind)
    assert (node.name, node.props["place"]) == ("米脂贺家酒坊", "610828111")


def test_a_column_mapping_given_once(tmp_path):
    table = write(tmp_path / "企业.csv", "单位全称,隶属乡镇\r\n陕西贺寨酒业有限公司,刘国具镇\r\n")
    with pytest.raises(InputError, match="unknown column '单位全称'"):
        load_sources([ROSTER, table])
    result = load_sources([ROSTER, table], columns={"单位全称": "name", "隶属乡镇": "town"})
    company = next(result.graph.nodes_of("Enterprise"))
    assert company.id == "Enterprise:610828111:陕西贺寨酒业有限公司" and company.props["place"] == "610828111"
    assert ("LOCATED_IN", company.id, "610828111") in result.graph.ties


def test_a_column_mapping_tells_what_a_table_holds_and_an_unknown_header_offers_its_tables_fields(tmp_path):
    """A table whose name is no kind and whose headers are all unknown cannot be told (no from, no to); mapped
    (``--columns``, or the fields picked on ``serve``'s upload page) its headers say it holds ties. Unmapped, each
    unknown header's problem carries the header, the tie table's fields with their titles (columns.yaml's zh and
    en) and the field of the "did you mean" spelling (帮扶村 is a word of ``to``)."""
    from loaders.columns import UnknownColumn

    table = write(tmp_path / "t.csv", "单位,帮扶的村,镇,关系类型\r\n佳县水利局,高家集村,通镇,结对帮扶\r\n")
    with pytest.raises(InputError, match="cannot tell what sheet 't' holds"):
        load_sources([ROSTER, table])
    mapping = {"单位": "from", "帮扶的村": "to", "镇": "to_town"}
    graph = load_sources([ROSTER, table], columns=mapping).graph
    assert [(graph.nodes[t.source_id].name, t.target_id) for t in graph.ties.values()
            if t.type == "PAIRED_ASSISTANCE"] == [("佳县水利局", "610828105211")]
    pairs = write(tmp_path / "结对帮扶.csv", "单位,帮扶的村,镇\r\n佳县水利局,高家集村,通镇\r\n")
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, pairs])
    unknown = {p.header: p for p in caught.value.problems if isinstance(p, UnknownColumn)}
    assert set(unknown) == {"单位", "帮扶的村", "镇"}
    assert unknown["帮扶的村"].suggested == "to" and "did you mean 帮扶村?" in unknown["帮扶的村"].message
    assert ("to", "终点 To") in unknown["镇"].choices and ("from", "起点 From") in unknown["镇"].choices


def _workbook(tmp_path, fill):
    path = write_template(tmp_path / "填报.xlsx", __import__("graph_model.schema").schema.default_schema())
    book = openpyxl.load_workbook(path)
    fill(book)
    book.save(path)
    return path


def test_codes_stay_text_and_dates_are_read_as_planners_write_them(tmp_path):
    import datetime as dt

    def fill(book):
        book["帮扶单位"].append(["佳县县委办公室", "县委办", None, "佳县"])
        book["关系"].append(["结对帮扶", "县委办", None, None, 610828105236, None, None, dt.datetime(2022, 3, 1), None,
                           "佳縣縣委辦公室是通鎮西山村的幫扶單位"])
        book["关系"].append(["结对帮扶", "县委办", None, None, "610828105239", None, None, "2021.5", "2023年", "表格"])

    result = load_sources([ROSTER, _workbook(tmp_path, fill)])
    ties = {t.target_id: t for t in result.graph.ties.values() if t.type == "PAIRED_ASSISTANCE"}
    assert set(ties) == {"610828105236", "610828105239"}
    assert ties["610828105236"].props["start_date"] == "2022-03-01"
    assert (ties["610828105239"].props["start_date"], ties["610828105239"].props["end_date"]) == ("2021-05", "2023")


def test_formulas_and_merged_cells_are_refused_with_their_address(tmp_path):
    def fill(book):
        book["企业"].append(["贺寨酒业", "=A1", "刘国具镇"])
        book["企业"].append(["x", None, None])
        book["企业"].merge_cells("A3:A4")

    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, _workbook(tmp_path, fill)])
    text = " ".join(str(p) for p in caught.value.problems)
    assert "工作表 sheet 企业, 行 row 2, 列 column B2: 单元格为公式 / a formula (=A1)" in text
    assert "sheet 企业: 有合并单元格 A3:A4 / merged cells A3:A4" in text


def test_a_password_protected_or_damaged_workbook_is_one_clear_line(tmp_path):
    encrypted = tmp_path / "加密.xlsx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(InputError, match="password-protected workbook or an old .xls"):
        load_sources([encrypted])
    truncated = tmp_path / "截断.xlsx"
    truncated.write_bytes((PLANNER / "刘国具镇填报.xlsx").read_bytes()[:3000])
    with pytest.raises(InputError, match="not a readable .xlsx workbook"):
        load_sources([truncated])


def test_a_tie_between_kinds_the_schema_forbids_is_refused(tmp_path):
    def fill(book):
        book["关系"].append(["结对帮扶", "乌镇", "乡镇/街道", None, "核桃树墕村", None, "乌镇", None, None, "x"])

    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, _workbook(tmp_path, fill)])
    assert "工作表 sheet 关系, 行 row 2, 列 column from: no 帮扶单位 named" not in str(caught.value)
    assert "PAIRED_ASSISTANCE cannot join Town 乌镇 to Village 核桃树墕村" in str(caught.value)


def test_an_end_of_a_kind_the_tie_does_not_allow_is_named_with_its_kind_not_as_missing(tmp_path):
    """A cooperative as the start of 服务帮带 (which only party organizations, enterprises, units, towns and counties
    start): the problem says what it is and which kinds may start the tie, not that nothing has its name."""
    cooperatives = write(tmp_path / "合作社.csv", "名称,所属乡镇\r\n高家集红枣专业合作社,通镇\r\n")
    ties = write(tmp_path / "服务帮带.csv", "起点,终点,终点乡镇\r\n高家集红枣专业合作社,高家集村,通镇\r\n")
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, cooperatives, ties])
    assert [str(p).removeprefix(f"{tmp_path}/") for p in caught.value.problems] == [
        "服务帮带.csv, 工作表 sheet 服务帮带, 行 row 2, 列 column 起点 (from): “高家集红枣专业合作社”是合作社，服务帮带的起点只能是党组织、企业、"
        "帮扶单位、乡镇/街道、县 / '高家集红枣专业合作社' is a 合作社 Cooperative; 服务帮带 SERVES starts at 党组织、企业、帮扶单位、"
        "乡镇/街道、县 only (提示 hint: 换一种关系类型，或核对起点和终点是否写反；它若也是党组织、企业、帮扶单位，请在相应的表中也"
        "列出它 / choose another tie kind, or check that the ends are not swapped; if it is also a 党组织、企业、帮扶单位, "
        "list it on that sheet too)"]


def test_an_enterprise_named_as_the_unit_of_a_pairing_pairs_from_its_enterprise_node(tmp_path):
    """An enterprise pairs with a village too (万企帮万村; schema.yaml lets PAIRED_ASSISTANCE start at an
    Enterprise): a pairing row naming an enterprise of the load ties it from that node. It was refused, and before
    that introduced an assistance unit of the enterprise's name, a silent duplicate; neither happens."""
    enterprises = write(tmp_path / "企业.csv", "名称,所属乡镇\r\n佳县红枣食品有限公司,通镇\r\n")
    table = write(tmp_path / "结对帮扶.csv", "帮扶单位,结对村,所属乡镇,结对时间\r\n佳县红枣食品有限公司,高家集村,通镇,2021\r\n")
    graph = load_sources([ROSTER, enterprises, table]).graph
    assert [(t.source_id, t.target_id, t.props["start_date"]) for t in graph.ties.values()
            if t.type == "PAIRED_ASSISTANCE"] == [("Enterprise:610828105:佳县红枣食品有限公司", "610828105211", "2021")]
    assert [n.kind for n in graph.nodes.values() if n.name == "佳县红枣食品有限公司"] == ["Enterprise"]


def test_a_new_name_in_a_pairing_is_an_enterprise_by_its_legal_form_else_an_assistance_unit(tmp_path):
    """A 帮扶单位 no source names yet is introduced by the row: a company by its legal form (有限公司, 公司:
    schema.yaml ``name_endings``), any other name an assistance unit, as before."""
    table = write(tmp_path / "结对帮扶.csv", "帮扶单位,结对村,所属乡镇\r\n陕西省烟草公司榆林市公司,高家集村,通镇\r\n"
                                           "佳县水利局,高家集村,通镇\r\n")
    graph = load_sources([ROSTER, table]).graph
    assert sorted((graph.nodes[t.source_id].kind, graph.nodes[t.source_id].name) for t in graph.ties.values()
                  if t.type == "PAIRED_ASSISTANCE") == [("AssistanceUnit", "佳县水利局"), ("Enterprise", "陕西省烟草公司榆林市公司")]


def refused(folder, *files: tuple[str, str]) -> list:
    """The problems of loading the Jia County roster with ``files`` (name and text, written into ``folder``)."""
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, *(write(folder / name, text) for name, text in files)])
    return caught.value.problems


def test_a_village_named_where_only_a_project_may_be_is_refused_not_made_a_project_of_its_name(tmp_path):
    """运营 (OPERATES) ends at a project only: a row "合作社 运营 高家集村" (the planner meant the cooperative runs the
    village's business) introduced a Project named 高家集村, silently, beside the village; it says what 高家集村 is."""
    problems = refused(tmp_path, ("合作社.csv", "名称,所属乡镇\r\n高家集红枣专业合作社,通镇\r\n"),
                       ("运营.csv", "起点,终点,终点乡镇\r\n高家集红枣专业合作社,高家集村,通镇\r\n"))
    assert [str(p).removeprefix(f"{tmp_path}/").split(" (提示 hint")[0] for p in problems] == [
        "运营.csv, 工作表 sheet 运营, 行 row 2, 列 column 终点 (to): “高家集村”是村/社区 通镇高家集村 (610828105211)，运营的终点只能是"
        "产业项目 / '高家集村' is the Village 通镇高家集村 (610828105211); 运营 OPERATES ends at 产业项目 only"]


def test_a_project_named_after_its_village_still_introduces_a_project(tmp_path):
    """A project's own name that contains a village's (高家集村红枣加工厂) is no village: the row introduces it."""
    cooperatives = write(tmp_path / "合作社.csv", "名称,所属乡镇\r\n高家集红枣专业合作社,通镇\r\n")
    ties = write(tmp_path / "运营.csv", "起点,终点,终点乡镇\r\n高家集红枣专业合作社,高家集村红枣加工厂,通镇\r\n")
    graph = load_sources([ROSTER, cooperatives, ties]).graph
    assert [(graph.nodes[t.target_id].kind, graph.nodes[t.target_id].name) for t in graph.ties.values()
            if t.type == "OPERATES"] == [("Project", "高家集村红枣加工厂")]


def test_an_enterprise_that_is_also_an_assistance_unit_pairs_when_listed_as_one(tmp_path):
    """A state-owned company that is an assistance unit too (国企帮扶), listed on the 帮扶单位 sheet as well (as
    planners did while only an assistance unit could pair): its pairing stays the assistance unit's, the kind
    the tie names first, not a question which of the two it is."""
    enterprises = write(tmp_path / "企业.csv", "名称,所属乡镇\r\n佳县红枣食品有限公司,通镇\r\n")
    units = write(tmp_path / "帮扶单位.csv", "名称\r\n佳县红枣食品有限公司\r\n")
    table = write(tmp_path / "结对帮扶.csv", "帮扶单位,结对村,所属乡镇\r\n佳县红枣食品有限公司,高家集村,通镇\r\n")
    graph = load_sources([ROSTER, enterprises, units, table]).graph
    assert [(t.source_id, t.target_id) for t in graph.ties.values() if t.type == "PAIRED_ASSISTANCE"] == [
        ("AssistanceUnit:-:佳县红枣食品有限公司", "610828105211")]


def test_codes_typed_in_full_width_digits_are_read_as_their_codes(tmp_path):
    """A Chinese input method types ６１０８２８１０５２１１: it is 高家集村's code 610828105211, in a tie's end
    and in its town column (通镇 610828105) alike."""
    table = write(tmp_path / "结对帮扶.csv", "帮扶单位,结对村,所属乡镇\r\n佳县水利局,６１０８２８１０５２１１,６１０８２８１０５\r\n")
    graph = load_sources([ROSTER, table]).graph
    assert [(graph.nodes[t.source_id].name, t.target_id, graph.nodes[t.target_id].name)
            for t in graph.ties.values() if t.type == "PAIRED_ASSISTANCE"] == [("佳县水利局", "610828105211", "高家集村")]


def test_a_village_code_outside_the_town_the_row_gives_is_a_problem_not_taken_silently(tmp_path):
    """高家集村 (610828105211) is in 通镇: a row that gives its code with 所属乡镇 乌镇 contradicts itself."""
    table = write(tmp_path / "结对帮扶.csv", "帮扶单位,结对村,所属乡镇\r\n佳县水利局,610828105211,乌镇\r\n"
                  "佳县林业局,610828105211,通镇\r\n")
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, table])
    assert [str(p).removeprefix(f"{tmp_path}/") for p in caught.value.problems] == [
        "结对帮扶.csv, 工作表 sheet 结对帮扶, 行 row 2, 列 column 结对村 (to): 编码 610828105211（通镇高家集村）不在乌镇 / the code "
        "610828105211 (通镇高家集村) does not lie in 乌镇 (提示 hint: 请核对编码和所属乡镇 / check the code and the town)"]


def test_keep_valid_loads_the_rest_and_lists_what_was_left_out(tmp_path):
    def fill(book):
        book["企业"].append(["陕西贺寨酒业有限公司", None, "刘国具镇"])
        book["合作社"].append(["酿酒合作社", None, "刘国具镇", None, None, "一"])

    with pytest.raises(InputError):
        load_sources([ROSTER, _workbook(tmp_path, fill)])
    result = load_sources([ROSTER, _workbook(tmp_path, fill)], keep_valid=True)
    assert [n.name for n in result.graph.nodes_of("Enterprise")] == ["陕西贺寨酒业有限公司"]
    assert list(result.graph.nodes_of("Cooperative")) == []
    assert [str(p).split(": ", 1)[1] for p in result.left_out] == ["应为整数 / expected a whole number, got '一'"]


def test_a_row_left_out_introduces_nothing_and_lists_every_problem(tmp_path):
    table = write(tmp_path / "结对帮扶.csv", "帮扶单位,结对村,所属乡镇,结对时间\r\n新单位,王家村,通镇,二〇二二\r\n"
                  "佳县县委办公室,崔家西山村,通镇,2022\r\n", "gbk")
    result = load_sources([ROSTER, table], keep_valid=True)
    assert [n.name for n in result.graph.nodes_of("AssistanceUnit")] == ["佳县县委办公室"]  # not 新单位
    assert [(p.origin.row, p.origin.column) for p in result.left_out] == [(2, "to"), (2, "start_date")]
    assert "expected a date (2021, 2021-05, 2021-05-01 or 2021年5月), got '二〇二二'" in str(result.left_out[1])


def test_the_planner_workbook_is_the_template_filled_in():
    book = openpyxl.load_workbook(PLANNER / "刘国具镇填报.xlsx")
    schema = __import__("graph_model.schema").schema.default_schema()
    for name, _, columns in sheets(schema):
        assert [c.value for c in book[name][1]] == [c.zh for c in columns], name
    assert book["说明"]["B1"].value.startswith("刘国具镇填报")


def test_the_template_workbook(tmp_path):
    schema = __import__("graph_model.schema").schema.default_schema()
    path = write_template(tmp_path / "t.xlsx", schema, towns=["通镇", "乌镇"])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["说明", "_lists", "党组织", "企业", "合作社", "帮扶单位", "产业项目", "产业", "关系"]
    ties = book["关系"]
    assert ties.freeze_panes == "A2"
    assert ties["A1"].comment.text.startswith("Tie type")
    lists = {str(v.sqref): v.formula1 for v in ties.data_validations.dataValidation}
    kinds = [c.value for c in book["_lists"][lists["A2:A2000"].split("!")[1].replace("$", "").split(":")[0][0]]]
    assert "结对帮扶" in kinds and "联建共建" in kinds
    towns = lists["D2:D2000"].split("!")[1].replace("$", "")
    assert [c.value for c in book["_lists"][towns.split(":")[0][0]] if c.value] == ["通镇", "乌镇"]
    assert ties.column_dimensions["B"].number_format == "@"
    guide = [[c.value for c in row] for row in book["说明"].iter_rows()]
    assert ["表 关系 Ties: one row per tie (起点 → 终点)"] == [v for v in guide[guide.index(next(
        r for r in guide if r[0] == "表 关系 Ties: one row per tie (起点 → 终点)"))] if v]
    assert any(row[:3] == ["结对帮扶", "佳县县委办公室", None] for row in guide)
    empty = load_sources([ROSTER, path])
    assert len(empty.graph.ties) == 349 and empty.sources[-1].ref.title == "t.xlsx"


def test_the_csv_template_loads_as_the_workbook_does(tmp_path):
    schema = __import__("graph_model.schema").schema.default_schema()
    files = write_csv_template(tmp_path / "表格", schema)
    assert [f.name for f in files][-2:] == ["关系.csv", "说明.txt"]
    enterprise = tmp_path / "表格" / "企业.csv"
    enterprise.write_text(enterprise.read_text(encoding="utf-8-sig") + "陕西贺寨酒业有限公司,贺寨酒业,刘国具镇\r\n",
                          encoding="utf-8-sig")
    result = load_sources([ROSTER, *[f for f in files if f.suffix == ".csv"]])
    assert next(result.graph.nodes_of("Enterprise")).props["aliases"] == ["贺寨酒业"]


@pytest.mark.parametrize("text, row, words", [
    ('帮扶单位,结对村,所属乡镇\n佳县县委办公室,"崔家西山村,通镇\n县委办,西山村,店镇\n', 2, "引号未闭合"),
    ('帮扶单位,结对村,所属乡镇\n县委办,西山村,店镇\n佳县县委办公室,"崔家西山村"村,通镇\n', 3, "右引号后还有文字"),
    ("帮扶单位,结对村\n县委办," + "县" * 200_000 + "\n", None, "单元格过长"),
])
def test_a_broken_quote_or_a_huge_cell_is_one_line_naming_the_row(text, row, words):
    """An unclosed quote used to swallow every row after it into one cell."""
    with pytest.raises(InputError) as caught:
        read_csv(text, "结对帮扶.csv", "结对帮扶")
    [problem] = caught.value.problems
    assert problem.origin.row == row and words in problem.message


def test_a_rows_origin_and_its_columns_keep_the_sheet_and_the_headers_the_planner_wrote():
    from loaders.tables import TableOrigin

    sheet = TableOrigin("/data/通镇.xlsx", sheet="关系", headers=(("to", "终点"), ("from", "起点")))
    row = sheet.at_row(7)
    assert (row.file, row.sheet, row.row, row.column, row.headers) == ("/data/通镇.xlsx", "关系", 7, None, sheet.headers)
    assert str(row.at("to")) == "/data/通镇.xlsx, 工作表 sheet 关系, 行 row 7, 列 column 终点 (to)"
    assert row.at("to").at_row(8).row == 8 and row.at("to").at_row(8).column == "to"
    assert sheet.row is None  # the sheet's origin is not changed


def test_a_pairing_list_headed_帮扶村_and_乡镇_loads():
    """A county's pairing list headed 帮扶单位 / 帮扶村 / 乡镇 (the words planners use): the village and its town,
    not three unknown columns."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        table = write(Path(folder) / "结对帮扶.csv", "帮扶单位,帮扶村,乡镇\r\n佳县水利局,高家集村,通镇\r\n")
        graph = load_sources([ROSTER, table]).graph
    assert [(graph.nodes[t.source_id].name, t.target_id) for t in graph.ties.values()
            if t.type == "PAIRED_ASSISTANCE"] == [("佳县水利局", "610828105211")]


def test_an_unknown_header_is_told_to_be_renamed_first_as_a_browser_upload_can(tmp_path):
    """An upload in ``serve`` has no --columns: the hint of an unknown column says first to rename the header,
    then how the command line maps it (it said only --columns, which the browser's planner cannot give)."""
    [problem] = refused(tmp_path, ("结对帮扶.csv", "帮扶单位,结对村,所属乡镇,帮扶年度备注\r\n佳县水利局,高家集村,通镇,x\r\n"))
    assert problem.message.startswith("未知的列“帮扶年度备注” / unknown column '帮扶年度备注'")
    assert problem.hint.startswith("请把表头改成已知的列名，或在命令行用 --columns '帮扶年度备注=FIELD' 对应 / rename the header")


def test_a_unit_pairing_several_villages_in_one_cell_gives_a_tie_to_each(tmp_path):
    """A planner lists the villages a unit helps in one cell, separated by 、 or ， (大化县's 结对帮扶 sheet: "弄合村、
    弄京村、弄良村"): one tie to each village, with the row's date and its place as evidence; it was refused as no
    village of that whole name, although each part is one."""
    table = write(tmp_path / "结对帮扶.csv", "帮扶单位,结对村,所属乡镇,结对时间\r\n"
                  "佳县县委办公室,高家集村、杨道渠村，曹家坬,通镇,2021.10\r\n")
    result = load_sources([ROSTER, table])
    ties = sorted((t.source_id, t.target_id, t.props["start_date"], t.props["evidence"])
                  for t in result.graph.ties.values() if t.type == "PAIRED_ASSISTANCE")
    unit = "AssistanceUnit:-:佳县县委办公室"
    assert ties == [(unit, code, "2021-10", "结对帮扶.csv 工作表 sheet 结对帮扶, 行 row 2")
                    for code in ("610828105201", "610828105204", "610828105211")]
    assert "一格列出 3 个名称，按 3 条关系载入 / one cell lists 3 names: read as 3 ties: " \
           f"{tmp_path}/结对帮扶.csv, 工作表 sheet 结对帮扶, 行 row 2, 列 column 结对村 (to)" in result.notes


def test_several_units_in_one_cell_are_several_units_not_one_new_unit_of_the_whole_text(tmp_path):
    """Two units in the 帮扶单位 cell ("县财政局、县教育局") introduced ONE assistance unit named with the 、: wrong data.
    Each is its own unit; a list of names in both ends of a row is refused (which pairs are meant is not said), and
    a part that names nothing is a problem of its own, with the part named."""
    table = write(tmp_path / "结对帮扶.csv", "帮扶单位,结对村,所属乡镇\r\n佳县财政局、佳县教育局,高家集村,通镇\r\n")
    graph = load_sources([ROSTER, table]).graph
    assert sorted(graph.nodes[t.source_id].name for t in graph.ties.values() if t.type == "PAIRED_ASSISTANCE") == [
        "佳县教育局", "佳县财政局"]
    assert not [n for n in graph.nodes.values() if "、" in n.name]
    problems = refused(tmp_path, ("结对帮扶.csv", "帮扶单位,结对村,所属乡镇\r\n"
                                  "佳县财政局、佳县教育局,高家集村、杨道渠村,通镇\r\n佳县财政局,高家集村、无此村,通镇\r\n"))
    assert [str(p).removeprefix(f"{tmp_path}/").split(" / ")[0] for p in problems] == [
        "结对帮扶.csv, 工作表 sheet 结对帮扶, 行 row 2, 列 column 帮扶单位 (from): 起点和终点都列了多个名称，无法确定哪些结对",
        "结对帮扶.csv, 工作表 sheet 结对帮扶, 行 row 3, 列 column 结对村 (to): 找不到通镇“无此村”"]


def test_a_joint_committees_member_list_as_planners_head_it(tmp_path):
    """A 联村党委 member list kept in GBK (大化县's 联村党委成员.csv): 成员村 is the member, 联合党组织 the joint
    committee, 加入时间 the start; the first two were unknown columns."""
    table = write(tmp_path / "联村党委成员.csv", "序号,联合党组织,成员村,所属乡镇,加入时间\r\n1,通镇联村党委,高家集村,通镇,2022-03\r\n"
                  "2,通镇联村党委,杨道渠村,通镇,2022-03\r\n", "gbk")
    graph = load_sources([ROSTER, table]).graph
    assert sorted((t.source_id, graph.nodes[t.target_id].name, t.props["start_date"]) for t in graph.ties.values()
                  if t.type == "MEMBER_OF") == [("610828105201", "通镇联村党委", "2022-03"),
                                                ("610828105211", "通镇联村党委", "2022-03")]


def test_a_unit_named_with_the_autonomous_countys_full_or_short_name_is_one_unit(tmp_path):
    """大化瑶族自治县财政局 and 大化县财政局 are one office (its county's short name, which its own seal uses): two
    rows naming it each way made two assistance units, each with half its villages."""
    roster = write(tmp_path / "roster_451229.csv", "code,name,level,parent_code\r\n45,广西壮族自治区,province,\r\n"
                   "4512,河池市,city,45\r\n451229,大化瑶族自治县,county,4512\r\n451229211,七百弄乡,town,451229\r\n"
                   "451229211201,弄合村委会,village,451229211\r\n451229211202,弄京村委会,village,451229211\r\n")
    table = write(tmp_path / "结对帮扶.csv", "帮扶单位,结对村,所属乡镇\r\n大化瑶族自治县财政局,弄合村,七百弄乡\r\n"
                  "大化县财政局,弄京村,七百弄乡\r\n")
    graph = load_sources([roster, table]).graph
    units = {graph.nodes[t.source_id].name: set() for t in graph.ties.values() if t.type == "PAIRED_ASSISTANCE"}
    for tie in graph.ties.values():
        if tie.type == "PAIRED_ASSISTANCE":
            units[graph.nodes[tie.source_id].name].add(tie.target_id)
    assert units == {"大化瑶族自治县财政局": {"451229211201", "451229211202"}}


def test_keep_valid_keeps_a_company_row_without_its_one_bad_cell(tmp_path):
    """A company row whose 所在村 the roster lacks was left out whole: its aliases, brand and town were lost, and the
    pairing row naming it introduced a bare company placed nowhere. The row is read without that cell; the
    problem names the cell as written (file, sheet, row, 所在村), Chinese first, and says only it is left out."""
    companies = tmp_path / "企业.csv"
    companies.write_text("名称,别名,所属乡镇,所在村,品牌\r\n佳县测试食品有限公司,测试食品,通镇,没有这个村,测试牌\r\n",
                         encoding="utf-8")
    ties = tmp_path / "关系.csv"
    ties.write_text("关系类型,起点,终点,终点乡镇\r\n结对帮扶,测试食品,高家塄村,通镇\r\n", encoding="utf-8")
    result = load_sources([ROSTER, companies, ties], keep_valid=True)
    [company] = [n for n in result.graph.nodes.values() if n.kind == "Enterprise"]
    assert (company.id, company.props["aliases"], company.props["brand"]) == (
        "Enterprise:610828105:佳县测试食品有限公司", ["测试食品"], ["测试牌"])
    assert ("LOCATED_IN", company.id, "610828105") in result.graph.ties  # its town, the cell that was right
    assert ("PAIRED_ASSISTANCE", company.id, "610828105200") in result.graph.ties
    [problem] = result.left_out
    assert str(problem).startswith(f"{companies}, 工作表 sheet 企业, 行 row 2, 列 column 所在村 (village): 名册中无此名称")
    assert str(problem).endswith(CELL_LEFT_OUT + ")")
    with pytest.raises(InputError):  # without --keep-valid the load stops, as before
        load_sources([ROSTER, companies, ties])
