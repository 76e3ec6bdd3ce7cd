"""Where a planner's table starts and ends (loaders.framing), on real workbooks written with openpyxl."""

import datetime

import openpyxl
import pytest

from graph_model.records import InputError
from loaders import load_sources
from tests.conftest import EXAMPLE

ROSTER = EXAMPLE / "nbs_roster_610828.csv"


def _two_row_header(path, merge_data=False):
    """A pairing table as county offices draw it: a merged title, a header of two rows (a group 结对村情况 merged
    over 结对村 and 所属乡镇, the other headers merged down over both rows), then the data and a note."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "结对帮扶"
    sheet.append(["佳县2024年结对帮扶统计表"])
    sheet.append(["序号", "帮扶单位", "结对村情况", None, "结对\n时间"])
    sheet.append([None, None, "结对村", "所属乡镇", None])
    sheet.append([1, "佳县财政局", "高家集村", "通镇", datetime.date(2021, 6, 1)])
    sheet.append([2, "佳县审计局", "崔家西山村", "通镇", "2022年6月"])
    sheet.append(["注：本表由各乡镇填报"])
    for ref in ("A1:E1", "C2:D2", "A2:A3", "B2:B3", "E2:E3", *(["A4:A5"] if merge_data else [])):
        sheet.merge_cells(ref)
    book.save(path)
    return path


def test_a_header_of_two_rows_under_merged_group_cells_is_read_as_one(tmp_path):
    result = load_sources([ROSTER, _two_row_header(tmp_path / "结对帮扶统计表.xlsx")])
    pairings = {(t.source_id, t.target_id): t.props["start_date"] for t in result.graph.ties.values()
                if t.type == "PAIRED_ASSISTANCE"}
    assert pairings == {("AssistanceUnit:-:佳县财政局", "610828105211"): "2021-06-01",
                        ("AssistanceUnit:-:佳县审计局", "610828105236"): "2022-06"}
    tie = result.graph.ties[("PAIRED_ASSISTANCE", "AssistanceUnit:-:佳县财政局", "610828105211")]
    assert tie.props["provenance"][0]["at"] == "工作表 sheet 结对帮扶, 行 row 4"
    assert any("表头占第 2–3 两行" in note for note in result.notes), result.notes


def test_merged_cells_among_the_data_under_a_two_row_header_are_still_refused(tmp_path):
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, _two_row_header(tmp_path / "结对帮扶统计表.xlsx", merge_data=True)])
    assert [p.message for p in caught.value.problems] == ["有合并单元格 A4:A5 / merged cells A4:A5"]


def test_a_header_typed_on_two_lines_in_its_cell_is_named_on_one(tmp_path):
    """A header cell with a line break (Alt+Enter: 结对⏎时间) is named in a problem on the problem's one line."""
    book = openpyxl.Workbook()
    book.active.title = "结对帮扶"
    book.active.append(["帮扶单位", "结对村", "所属乡镇", "结对\n时间"])
    book.active.append(["佳县财政局", "高家集村", "通镇", "去年"])
    book.save(tmp_path / "结对帮扶.xlsx")
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, tmp_path / "结对帮扶.xlsx"])
    [problem] = caught.value.problems
    assert "\n" not in str(problem) and "行 row 2, 列 column 结对 时间 (start_date): " in str(problem)


def _with_total(path, total, after=()):
    """A pairing table whose planner added a total row at the bottom (合计 in 序号, the count under 结对村)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "结对帮扶"
    sheet.append(["序号", "帮扶单位", "结对村", "所属乡镇"])
    sheet.append([1, "佳县财政局", "高家集村", "通镇"])
    sheet.append([2, "佳县审计局", "崔家西山村", "通镇"])
    sheet.append(total)
    for row in after:
        sheet.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("total", [["合计", None, 2, None], [None, "总 计", 2], [3, "小计", None, None],
                                   ["合计", "2家", "3个村", None], ["共计", None, "12 户", "3.2万元"]])
def test_a_total_row_at_the_bottom_is_read_past_as_a_note_and_said(tmp_path, total):
    result = load_sources([ROSTER, _with_total(tmp_path / "结对帮扶.xlsx", total, after=[[], ["填表人：张三"]])])
    assert sorted(t.target_id for t in result.graph.ties.values() if t.type == "PAIRED_ASSISTANCE") == [
        "610828105211", "610828105236"]
    assert [n.split(": ")[0] for n in result.notes if "合计" in n] == [
        "跳过表格下方第 4–6 行的合计与说明“" + "；".join(str(c) for c in total if c is not None) + "；填表人：张三” / skipped "
        "the total and notes below the table, row 4–6"]


def test_a_subtotal_among_the_data_is_still_read_as_data(tmp_path):
    """A 小计 with data under it is not the bottom of the table: the rows under it are not dropped, and the
    小计 row is refused as a row naming no village, with its row."""
    path = _with_total(tmp_path / "结对帮扶.xlsx", ["小计", None, 2, None], after=[[3, "佳县林业局", "高家集村", "通镇"]])
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, path])
    assert [str(p).split(": ")[0].removeprefix(f"{path}, ") for p in caught.value.problems] == [
        "工作表 sheet 结对帮扶, 行 row 4, 列 column 帮扶单位 (from)", "工作表 sheet 结对帮扶, 行 row 4, 列 column 结对村 (to)"]


def test_a_total_row_at_the_bottom_of_a_csv_is_read_past(tmp_path):
    path = tmp_path / "结对帮扶.csv"
    path.write_text("帮扶单位,结对村,所属乡镇\n佳县财政局,高家集村,通镇\n合计,1,\n", encoding="utf-8")
    result = load_sources([ROSTER, path])
    assert [t.target_id for t in result.graph.ties.values() if t.type == "PAIRED_ASSISTANCE"] == ["610828105211"]
    assert any(n.startswith("跳过表格下方第 3 行的合计与说明“合计；1”") for n in result.notes), result.notes


def test_a_group_header_over_every_named_column_is_read_by_the_lower_row(tmp_path):
    """The upper row holds only 序号 (merged down) and a group 结对帮扶情况 over all the named columns: the lower
    row names them, and the merged cells of the header are no problem."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "结对帮扶"
    for row in (["序号", "结对帮扶情况", None, None], [None, "帮扶单位", "结对村", "所属乡镇"], [1, "佳县财政局", "高家集村", "通镇"]):
        sheet.append(row)
    for ref in ("A1:A2", "B1:D1"):
        sheet.merge_cells(ref)
    book.save(tmp_path / "结对帮扶.xlsx")
    result = load_sources([ROSTER, tmp_path / "结对帮扶.xlsx"])
    assert [(t.source_id, t.target_id) for t in result.graph.ties.values() if t.type == "PAIRED_ASSISTANCE"] == [
        ("AssistanceUnit:-:佳县财政局", "610828105211")]
