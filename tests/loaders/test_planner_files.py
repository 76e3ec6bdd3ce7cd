"""The files planners really have (examples/jia_county/planner_real/): titles, notes, hidden sheets, kinds in
file names, tabs, GBK, mangled codes, no town column. Each loads, on both stores, or fails with one line per
problem in the planner's own words."""

import subprocess
import sys

import openpyxl
import pytest

from graph_model.records import InputError
from loaders import load_sources
from loaders.decisions import headers, read_decisions, write_decisions_workbook
from loaders.tables import read_tables
from tests.conftest import EXAMPLE, REPO

ROSTER = EXAMPLE / "nbs_roster_610828.csv"
REAL = EXAMPLE / "planner_real"
UNIT = "AssistanceUnit:-:"


def load(store, paths, **options):
    store.write(load_sources([ROSTER], known=store.known()).graph)
    result = load_sources(paths, known=store.known(), **options)
    store.write(result.graph, sources=result.sources)
    return result, store.export()


def pairings(graph) -> set[tuple[str, str]]:
    return {(t.source_id.removeprefix(UNIT), t.target_id) for t in graph.ties.values() if t.type == "PAIRED_ASSISTANCE"}


def test_the_workbook_refuses_each_mangled_code_with_what_excel_did():
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, REAL / "通镇填报2023.xlsx"])
    lines = [str(p).split(".xlsx, ", 1)[1] for p in caught.value.problems]
    assert lines == [
        "工作表 sheet 结对帮扶情况, 行 row 6, 列 column 结对村 (to): 编码被 Excel 改成了科学计数法 6.10828E+11，后几位已丢失 / Excel turned "
        "the code into scientific notation (6.10828E+11); its last digits are lost (提示 hint: 把编码列设为文本（设置单元格格式 "
        "→ 文本）再重新填入编码 / format the code column as text (Format Cells → Text) and type the codes again)",
        "工作表 sheet 结对帮扶情况, 行 row 7, 列 column 结对村 (to): 编码 610828105000 末尾是 0，可能是 Excel 把编码存成数字后丢了末几位 / the "
        "code 610828105000 ends in zeros: Excel may have stored it as a number and lost its last digits (提示 hint: "
        "把编码列设为文本（设置单元格格式 → 文本）再重新填入编码 / format the code column as text (Format Cells → Text) and "
        "type the codes again)"]


TONG_NOTES = ["跳过表头上方第 1–2 行“佳县通镇2023年结对帮扶关系统计表；填报单位：通镇人民政府”",
              "跳过表格下方第 9 行的说明“填表人：张明    审核人：李华    填表日期：2023年…”",
              "关系类型取自名称“结对帮扶情况”：结对帮扶 PAIRED_ASSISTANCE", "跳过隐藏的工作表"]
"""What loading 通镇填报2023 says it read past, as .xlsx and as .xls."""


def test_the_workbook_skips_its_title_notes_and_hidden_sheet_and_loads_the_rest(store):
    result, graph = load(store, [REAL / "通镇填报2023.xlsx"], keep_valid=True)
    assert pairings(graph) == {("佳县县委办公室", "610828105236"), ("佳县农业农村局", "610828105211")}
    assert [n.split(" / ")[0] for n in result.notes] == TONG_NOTES
    assert result.notes[3].endswith("通镇填报2023.xlsx, sheet 2022年旧表")
    assert len(result.left_out) == 2


def test_an_old_xls_workbook_loads_as_its_xlsx_twin(store):
    """County offices still send Excel 97–2003 .xls files, which were refused with "save it as .xlsx": the same
    workbook as .xls gives the same lines for its mangled codes, skips the same title, notes and hidden sheet, and
    loads the same pairings; its date cell (2022-05-01, typed in Excel or WPS) is the tie's start date."""
    old, new = REAL / "通镇填报2023.xls", REAL / "通镇填报2023.xlsx"
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, old])
    with pytest.raises(InputError) as twin:
        load_sources([ROSTER, new])
    assert [str(p).split(".xls, ", 1)[1] for p in caught.value.problems] == [
        str(p).split(".xlsx, ", 1)[1] for p in twin.value.problems]
    result, graph = load(store, [old], keep_valid=True)
    assert pairings(graph) == {("佳县县委办公室", "610828105236"), ("佳县农业农村局", "610828105211")}
    assert [n.split(" / ")[0] for n in result.notes] == TONG_NOTES
    assert graph.ties[("PAIRED_ASSISTANCE", UNIT + "佳县县委办公室", "610828105236")].props["start_date"] == "2022-05-01"


def test_a_damaged_xls_is_one_line(tmp_path):
    path = tmp_path / "结对帮扶.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, path])
    [problem] = caught.value.problems
    assert problem.message.startswith("无法读取这个 .xls 工作簿（损坏或不是 Excel 97–2003 格式？）") and str(path) in str(problem)
    assert "另存为 .xlsx" in problem.hint


FIRST_SECRETARIES = ("佳县2023年驻村第一书记名单\r\n序号,姓名,性别,派出单位,职务,驻村,所属乡镇,派驻时间,联系电话\r\n"
                     "1,张三,男,佳县财政局,科员,高家集村,通镇,2021年9月,13800000000\r\n"
                     "2,李四,女,佳县教育局,副局长,罗山村,通镇,2021.9,13900000000\r\n填表人：王五\r\n")


def test_a_list_of_first_secretaries_loads_as_pairings_and_keeps_no_personal_data(store, tmp_path):
    """A 驻村第一书记名单 (who is stationed in which village, sent by which unit) was "cannot tell what sheet it
    holds": it is the units' pairings with the villages, from when they were stationed; the names, sex, posts and
    phone numbers of the people are read past, never stored, and the load says so."""
    path = tmp_path / "驻村第一书记名单.csv"
    path.write_bytes(FIRST_SECRETARIES.encode("gbk"))
    result, graph = load(store, [path])
    assert pairings(graph) == {("佳县财政局", "610828105211"), ("佳县教育局", "610828105252")}
    assert {t.props["start_date"] for t in graph.ties.values() if t.type == "PAIRED_ASSISTANCE"} == {"2021-09"}
    assert "个人信息列未载入（隐私）：姓名、性别、职务、联系电话" in "\n".join(result.notes)
    stored = repr([n.props for n in graph.nodes.values()]) + repr([t.props for t in graph.ties.values()])
    assert not any(value in stored for value in ("张三", "李四", "13800000000", "副局长"))


def test_a_company_that_sends_a_first_secretary_pairs_from_its_enterprise_node(tmp_path):
    """State companies send first secretaries too (our own row): the sending unit named with a legal form
    (有限公司) pairs with the village as an enterprise, the office beside it as an assistance unit."""
    path = tmp_path / "驻村第一书记名单.csv"
    path.write_text("序号,姓名,派出单位,驻村,所属乡镇,派驻时间\r\n1,张三,佳县城市投资有限公司,高家集村,通镇,2021年9月\r\n"
                    "2,李四,佳县教育局,罗山村,通镇,2021.9\r\n", encoding="utf-8")
    graph = load_sources([ROSTER, path]).graph
    assert {(graph.nodes[t.source_id].kind, graph.nodes[t.source_id].name, t.target_id) for t in graph.ties.values()
            if t.type == "PAIRED_ASSISTANCE"} == {("Enterprise", "佳县城市投资有限公司", "610828105211"),
                                                   ("AssistanceUnit", "佳县教育局", "610828105252")}


def test_a_unit_sheets_contact_columns_are_read_past(tmp_path):
    """A 帮扶单位 sheet with its 联系人 and 联系电话 loads the units without them."""
    path = tmp_path / "帮扶单位.csv"
    path.write_text("名称,联系人,联系电话\n佳县财政局,赵六,0912-1234567\n", encoding="utf-8")
    result = load_sources([ROSTER, path])
    [unit] = [n for n in result.graph.nodes.values() if n.kind == "AssistanceUnit"]
    assert unit.name == "佳县财政局" and "赵六" not in repr(unit.props) and "0912" not in repr(unit.props)
    assert any("联系人、联系电话" in note for note in result.notes)


def test_a_tab_separated_csv_loads(store):
    result, graph = load(store, [REAL / "乌镇结对帮扶.csv"])
    assert pairings(graph) == {("佳县林业局", "610828103205"), ("佳县水利局", "610828103207")}
    tie = graph.ties[("PAIRED_ASSISTANCE", UNIT + "佳县水利局", "610828103207")]
    assert tie.props["start_date"] == "2022-03"


def test_a_gbk_csv_named_with_its_kind_and_a_year_loads_past_its_title_and_notes(store):
    assert (REAL / "结对帮扶名单2023.csv").read_bytes().decode("gbk").startswith("佳县店镇2023年结对帮扶名单\r\n")
    result, graph = load(store, [REAL / "结对帮扶名单2023.csv"])
    assert pairings(graph) == {("佳县交通运输局", "610828102203"), ("佳县民政局", "610828102204")}
    assert [n.split(" / ")[1].split(":")[0] for n in result.notes] == [
        "skipped row 1 above the header (a title)", "skipped notes below the table, row 5",
        "tie kind taken from the name"]


def test_a_table_without_towns_resolves_unique_names_and_lists_same_named_ones_with_their_towns(store):
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, REAL / "结对帮扶村名单.csv"])
    assert [str(p).split(".csv, ", 1)[1] for p in caught.value.problems] == [
        "工作表 sheet 结对帮扶村名单, 行 row 5, 列 column 结对村 (to): 名册中有 3 个“王家墕村”，须注明所属乡镇 / 3 villages of the roster "
        "are named 王家墕村; give its town; 候选 candidates: 佳州街道王家墕村 (610828001216); 金明寺镇王家墕村 (610828104250); "
        "螅镇王家墕村 (610828109245) (提示 hint: 请填写所属乡镇或村的编码 / add the town (乡镇), or the village's code)"]
    result, graph = load(store, [REAL / "结对帮扶村名单.csv"], keep_valid=True)
    assert pairings(graph) == {("佳县县委办公室", "610828105236"), ("佳县统计局", "610828103224"),
                               ("佳县审计局", "610828105211")}
    assert sorted(m.node.name for m in result.unique_names) == ["崔家西山村", "核桃树墕村", "高家集村"]
    village = graph.nodes["610828103224"]
    assert "未注明乡镇，名册中仅此一个同名村" in village.props["reconciliation"]


def test_the_examples_are_what_the_script_writes(tmp_path):
    """The committed examples and their generator agree (the script is the examples' record)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_examples", REAL / "make_examples.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.write_csv(tmp_path / "x.csv", [["帮扶单位", "结对村"], ["a", "b"]], "gbk", "\t")
    assert (tmp_path / "x.csv").read_bytes() == "帮扶单位\t结对村\r\na\tb\r\n".encode("gbk")
    book = openpyxl.load_workbook(script.write_workbook(tmp_path / "w.xlsx"))
    committed = openpyxl.load_workbook(REAL / "通镇填报2023.xlsx")
    for name in committed.sheetnames:
        assert [[c.value for c in r] for r in book[name].iter_rows()] == [[c.value for c in r]
                                                                          for r in committed[name].iter_rows()]
    assert committed["2022年旧表"].sheet_state == "hidden" and str(committed["结对帮扶情况"].merged_cells) == "A1:F1"


def test_kind_option_and_sniffed_semicolons(tmp_path):
    table = tmp_path / "名单.csv"
    table.write_text("起点;终点;终点乡镇\r\n佳县县委办公室;崔家西山村;通镇\r\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, table])
    assert str(caught.value.problems[0]).split("column ")[1].startswith(
        "type: 关系类型为空或无法识别 / unknown or missing tie kind")
    assert "or with --kind 结对帮扶" in caught.value.problems[0].hint
    with pytest.raises(InputError, match="--kind“帮忙”不是关系或节点类型 / --kind '帮忙' names no tie or node kind"):
        load_sources([ROSTER, table], kind="帮忙")
    result = load_sources([ROSTER, table], kind="结对帮扶")
    assert pairings(result.graph) == {("佳县县委办公室", "610828105236")}
    assert result.notes == [f"关系类型取自 --kind：结对帮扶 PAIRED_ASSISTANCE / tie kind from --kind: {table}, sheet 名单"]
    table.write_text("帮扶单位;结对村;所属乡镇\r\n佳县县委办公室;崔家西山村;通镇\r\n", encoding="utf-8")  # a pairing's headers
    result = load_sources([ROSTER, table])
    assert pairings(result.graph) == {("佳县县委办公室", "610828105236")}
    assert result.notes == [f"关系类型取自表头：结对帮扶 PAIRED_ASSISTANCE / tie kind taken from the headers: {table}, sheet 名单"]


@pytest.mark.parametrize("value", ["#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!"])
def test_error_cells_are_refused_with_the_cell(tmp_path, value):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "结对帮扶"
    sheet.append(["帮扶单位", "结对村", "所属乡镇", "依据"])
    sheet.append(["佳县县委办公室", "崔家西山村", "通镇", "=1/0"])
    sheet["D2"].value = value
    sheet["D2"].data_type = "e"
    book.save(tmp_path / "结对帮扶.xlsx")
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, tmp_path / "结对帮扶.xlsx"])
    assert [str(p).split(".xlsx, ")[1].split(" (提示 hint")[0] for p in caught.value.problems] == [
        f"工作表 sheet 结对帮扶, 行 row 2, 列 column 依据 (evidence): 单元格是 Excel 的错误值 {value} / the cell holds Excel's error "
        f"value {value}"]
    text = tmp_path / "结对帮扶.csv"
    text.write_text(f"帮扶单位,结对村,所属乡镇,依据\r\n佳县县委办公室,崔家西山村,通镇,{value}\r\n", encoding="utf-8")
    with pytest.raises(InputError, match="Excel's error value"):
        load_sources([ROSTER, text])


def test_notes_words_end_a_table_only_as_notes():
    from loaders.framing import notes_start

    rows = [(2, ["说明书印刷厂", "x"]), (3, ["注塑厂", "y"]), (4, ["注：本表按乡镇填写", None]), (5, ["z", "w"])]
    assert notes_start(rows) == 2
    assert notes_start(rows[:2]) == 2


def test_a_filling_instruction_under_the_table_is_read_past_as_a_note():
    """填表说明：… / 填报说明：… under a table (the line a county's template keeps there) is a note, not a tie row
    whose kind is missing."""
    from loaders.framing import notes_start

    for words in ("填表说明：关系类型见下拉", "填报说明：编码填12位"):
        rows = [(2, ["订单供应", "甲合作社", "乙公司"]), (3, [words, None, None])]
        assert notes_start(rows) == 1, words


def test_a_resolve_to_in_another_town_with_another_name_needs_the_planners_own_note(tmp_path):
    decisions = tmp_path / "decisions.csv"
    header = ",".join(headers())
    decisions.write_text(f"{header}\r\nx,行 row 2,村/社区 Village,通镇,西山村,未找到 missing,,610828102209,\r\n",
                         encoding="utf-8-sig")
    table = tmp_path / "结对帮扶.csv"
    table.write_text("帮扶单位,结对村,所属乡镇\r\n佳县县委办公室,西山村,通镇\r\n", encoding="utf-8")
    from linkgraph.pipeline import read_decisions_file

    answers, _ = read_decisions_file(decisions, __import__("graph_model.schema").schema.default_schema())
    with pytest.raises(InputError, match="resolve_to 610828102209 is 店镇西山村 \\(610828102209\\), not 通镇西山村: say why"):
        load_sources([ROSTER, table], decisions=answers)


def test_a_decisions_file_excel_mangled_is_refused_and_the_workbook_keeps_codes_as_text(tmp_path, schema):
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(",".join(headers()) + "\r\nx,行 row 2,村/社区 Village,通镇,西山村,未找到 missing,,6.10828E+11,崔\r\n",
                         encoding="utf-8-sig")
    from linkgraph.pipeline import read_decisions_file

    with pytest.raises(InputError, match="行 row 2, 列 column resolve_to: 编码被 Excel 改成了科学计数法 6.10828E\\+11"):
        read_decisions_file(decisions, schema)
    rows = [["x.csv", "行 row 2", "村/社区 Village", "通镇", "西山村", "未找到 missing", "通镇崔家西山村 (610828105236)",
             "610828105236", "=说明"]]
    path = write_decisions_workbook(tmp_path / "decisions.xlsx", headers(), rows)
    sheet = openpyxl.load_workbook(path)["决定 decisions"]
    assert [c.value for c in sheet[2]][7:] == ["610828105236", "'=说明"]
    assert sheet["H2"].data_type == "s" and sheet["H2"].number_format == "@"
    columns = sheet.column_dimensions["A"]  # A:I, one range: codes typed into the empty cells stay text
    assert (columns.min, columns.max, columns.number_format) == (1, 9, "@")
    answers = read_decisions(read_tables(path, path.read_bytes())[0], schema)
    assert list(answers.values()) == [{"resolve_to": "610828105236", "resolution": "'=说明"}]


def test_reconcile_writes_the_decisions_workbook_beside_the_csv(tmp_path):
    out = tmp_path / "decisions.csv"
    done = subprocess.run([sys.executable, "-m", "linkgraph", "reconcile", str(ROSTER), str(REAL / "结对帮扶村名单.csv"),
                           "--out", str(out), "--store", str(tmp_path / "none.lbug")], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"in Excel, open {tmp_path / 'decisions.xlsx'}: its columns are text" in done.stdout
    sheet = openpyxl.load_workbook(tmp_path / "decisions.xlsx")["决定 decisions"]
    row = [c.value for c in sheet[2]]
    assert row[4:7] == ["王家墕村", "多个候选 ambiguous",
                        "佳州街道王家墕村 (610828001216)；金明寺镇王家墕村 (610828104250)；螅镇王家墕村 (610828109245)"]
    assert out.read_text(encoding="utf-8-sig").count("王家墕村") == 4


def test_same_named_organizations_are_listed_with_their_towns(tmp_path):
    units = tmp_path / "帮扶单位.csv"
    units.write_text("名称,所属乡镇\r\n县供电所,通镇\r\n县供电所,乌镇\r\n", encoding="utf-8")
    ties = tmp_path / "结对帮扶.csv"
    ties.write_text("帮扶单位,结对村,所属乡镇\r\n县供电所,崔家西山村,通镇\r\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, units, ties])
    assert str(caught.value.problems[0]).split(".csv, ")[1].split(" (提示 hint")[0] == (
        "工作表 sheet 结对帮扶, 行 row 2, 列 column 帮扶单位 (from): “县供电所”对应 2 个帮扶单位、企业 / '县供电所' names 2 of 帮扶单位、企业: "
        "佳县通镇 县供电所 (AssistanceUnit:610828105:县供电所); 佳县乌镇 县供电所 (AssistanceUnit:610828103:县供电所)")


def test_the_kind_option_through_the_command_line(tmp_path):
    table = tmp_path / "名单.csv"
    table.write_text("帮扶单位\t结对村\t所属乡镇\r\n佳县县委办公室\t崔家西山村\t通镇\r\n", encoding="gbk")
    done = subprocess.run([sys.executable, "-m", "linkgraph", "load", str(ROSTER), str(table), "--kind", "结对帮扶",
                           "--dry-run", "--store", str(tmp_path / "s.lbug")], capture_output=True, text=True, cwd=REPO,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "将 would create 新增 351 nodes, 350 ties" in done.stdout  # the roster (350, 349) and the pairing
    assert f"说明 note: 关系类型取自 --kind：结对帮扶 PAIRED_ASSISTANCE / tie kind from --kind: {table}, sheet 名单" in done.stdout


def test_excels_unicode_text_saved_as_csv_loads(tmp_path):
    """Excel's "Unicode text": UTF-16 with a BOM, tab-separated; saved under a .csv name."""
    table = tmp_path / "结对帮扶.csv"
    table.write_bytes("帮扶单位\t结对村\t所属乡镇\r\n佳县县委办公室\t崔家西山村\t通镇\r\n".encode("utf-16"))
    assert pairings(load_sources([ROSTER, table]).graph) == {("佳县县委办公室", "610828105236")}


@pytest.mark.parametrize("name, header, role", [
    ("结对帮扶名单2023", ["帮扶单位", "结对村"], ("ties:PAIRED_ASSISTANCE", "name")),
    ("paired_assistance_2023", ["from", "to"], ("ties:PAIRED_ASSISTANCE", "name")),
    ("帮扶单位名单", ["名称", "所属乡镇"], ("AssistanceUnit", "name")),  # the longest word: 帮扶单位, not 帮扶
    ("企业名录（2023）", ["名称"], ("Enterprise", "name")),
    ("结对帮扶", ["帮扶单位", "结对村"], ("ties:PAIRED_ASSISTANCE", "")),
    ("Sheet1", ["关系类型", "起点", "终点"], ("ties", "")),
    ("Sheet1", ["名称"], (None, "")),
    ("mandates", ["名称"], (None, "")),  # an English word only as a whole word
    ("联村党委", ["序号", "成员村", "所属乡镇", "联合党组织", "加入时间"], ("ties:MEMBER_OF", "header")),  # a member list
    ("Sheet1", ["帮扶单位", "结对村", "所属乡镇"], ("ties:PAIRED_ASSISTANCE", "header")),
    ("Sheet1", ["帮扶单位", "联合党组织"], ("ties", "")),  # headers of two kinds tell none
])
def test_the_kind_a_table_name_contains(schema, name, header, role):
    from loaders.columns import table_role
    from loaders.sheets import Sheet

    assert table_role(schema, Sheet(name, header, [])) == role


def test_a_refused_load_still_says_what_it_read_past(tmp_path):
    done = subprocess.run([sys.executable, "-m", "linkgraph", "load", str(ROSTER), str(REAL / "通镇填报2023.xlsx"),
                           "--store", str(tmp_path / "s.lbug")], capture_output=True, text=True, cwd=REPO, timeout=120)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and lines[0].startswith("错误 error: 输入中有 2 处问题，未写入任何数据 / 2 problem(s) in the input")
    assert [line.split(" / ")[0] for line in lines[3:]] == [
        "说明 note: 跳过表头上方第 1–2 行“佳县通镇2023年结对帮扶关系统计表；填报单位：通镇人民政府”",
        "说明 note: 跳过表格下方第 9 行的说明“填表人：张明    审核人：李华    填表日期：2023年…”",
        "说明 note: 关系类型取自名称“结对帮扶情况”：结对帮扶 PAIRED_ASSISTANCE", "说明 note: 跳过隐藏的工作表"]
    assert not (tmp_path / "s.lbug").exists()


def _member_list(path, rows):
    """A 联村党委 member list as a planner saves it: a title row, then 联合党组织 / 成员村 / 所属乡镇."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "成员村"
    sheet.append(["弄合片区联村党委成员村名单"])
    sheet.append(["联合党组织", "成员村", "所属乡镇"])
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def test_a_member_lists_town_column_is_the_member_villages_town(tmp_path):
    """大化瑶族自治县 has a 弄冠村 in 北景镇 and in 板升乡: on a member list the 所属乡镇 column is the member village's
    (the other end, a joint committee, is no place), so each 弄冠村 resolves to its code in a LadybugDB store; a
    row without its town is refused with both candidates."""
    from linkgraph import pipeline

    store = str(tmp_path / "s.lbug")
    pipeline.load_roster("county", "451229", store)
    org = "弄合片区联村党委"
    pipeline.load([_member_list(tmp_path / "联村党委成员名单.xlsx", [(org, "弄冠村", "北景镇"), (org, "弄冠村", "板升乡"),
                                                                    (org, "弄合村", None)])], store)
    members = pipeline.run_query(store, "joint_org_members", {"org": org})
    assert sorted(r["member_id"] for r in members) == ["451229103208", "451229210205", "451229211201"]
    with pytest.raises(InputError) as caught:
        pipeline.load([_member_list(tmp_path / "联村党委成员名单2.xlsx", [(org, "弄冠村", None)])], store)
    assert [str(p).split(".xlsx, ", 1)[1].split(" (提示 hint")[0] for p in caught.value.problems] == [
        "工作表 sheet 成员村, 行 row 3, 列 column 成员村 (from): 名册中有 2 个“弄冠村”，须注明所属乡镇 / 2 villages of the roster "
        "are named 弄冠村; give its town; 候选 candidates: 北景镇弄冠村 (451229103208); 板升乡弄冠村 (451229210205)"]


def test_a_member_list_on_a_sheet_named_after_the_joint_committee_takes_its_kind_from_its_headers(tmp_path):
    """花垣县's workbook keeps the 十八洞联村党委's members on a sheet named 联村党委 (序号 | 成员村 | 所属乡镇 | 联合党组织 |
    加入时间): the name says no tie kind, so every row was refused as of no tie kind (with a hint about 结对帮扶);
    成员村 and 联合党组织 are a member list's headers and give 加入联合党组织, which the load says."""
    roster = tmp_path / "roster_433124.csv"
    roster.write_text("code,name,level,parent_code\r\n43,湖南省,province,\r\n4331,湘西土家族苗族自治州,city,43\r\n"
                      "433124,花垣县,county,4331\r\n433124110,双龙镇,town,433124\r\n"
                      "433124110226,十八洞村村委会,village,433124110\r\n433124110239,排碧村村委会,village,433124110\r\n",
                      encoding="utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "联村党委"
    for row in (["双龙镇十八洞联村党委成员名单"], ["序号", "成员村", "所属乡镇", "联合党组织", "加入时间"],
                [1, "十八洞村", "双龙镇", "十八洞联村党委", "2021.7"], [2, "排碧村", "双龙镇", "十八洞联村党委", "2021年7月"]):
        sheet.append(row)
    book.save(tmp_path / "花垣县填报.xlsx")
    result = load_sources([roster, tmp_path / "花垣县填报.xlsx"])
    assert sorted((t.source_id, result.graph.nodes[t.target_id].name, t.props["start_date"])
                  for t in result.graph.ties.values() if t.type == "MEMBER_OF") == [
        ("433124110226", "十八洞联村党委", "2021-07"), ("433124110239", "十八洞联村党委", "2021-07")]
    assert any(note.startswith("关系类型取自表头：加入联合党组织 MEMBER_OF") for note in result.notes)
