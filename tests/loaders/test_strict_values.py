"""Dates and whole numbers as planners' files hold them: workbook cells, CSV text and case-file YAML scalars.

Excel keeps a typed 2021.10 as the number 2021.1, and YAML 1.1 reads 2022.10 as 2022.1, 046 as octal 38,
0x26 and 3_8 as 38: none of them may become January or 38 silently.
"""

from __future__ import annotations

import openpyxl
import pytest

from graph_model.records import InputError, NumberCell, parse_date, parse_float, parse_int
from loaders import load_sources
from loaders.template import write_template
from tests.conftest import EXAMPLE

ROSTER = EXAMPLE / "nbs_roster_610828.csv"


@pytest.mark.parametrize("value, expected", [
    ("2022.10", "2022-10"), ("2021.1", "2021-01"), ("２０２２.１０", "2022-10"),  # text: as typed
    (2021.12, "2021-12"), (2021.5, "2021-05"), (2022.0, "2022"), (NumberCell("2021.11"), "2021-11"),
])
def test_dates_written_with_a_point(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", [2021.1, 2022.1, NumberCell("2021.1")])
def test_a_number_that_may_be_january_or_october_is_refused_with_the_way_out(value):
    with pytest.raises(ValueError) as caught:
        parse_date(value)
    year = str(value)[:4]
    assert str(caught.value).startswith(f"数字 {year}.1 可能是 {year}年1月，也可能是 {year}年10月")
    assert f"type the date as text, {year}-10 or {year}-01" in str(caught.value)


@pytest.mark.parametrize("value", [2021.13, 2021.123, NumberCell("2021.0001")])
def test_a_number_that_is_no_year_and_month_is_refused(value):
    with pytest.raises(ValueError, match=r"^数字 .* 不是年月；请把日期写成文字"):
        parse_date(value)


@pytest.mark.parametrize("text, why", [
    ("046", "不能以 0 开头"), ("-07", "不能以 0 开头"), ("0x26", "只能用十进制数字"), ("3_8", "只能用十进制数字"),
    ("0b100110", "只能用十进制数字"), ("٣٨", "expected a whole number"), ("38.5", "expected a whole number"),
    ("", "expected a whole number"),
])
def test_whole_numbers_are_plain_decimal(text, why):
    with pytest.raises(ValueError, match=why):
        parse_int(text)
    assert (parse_int("38"), parse_int("+38"), parse_int("０"), parse_int(38.0)) == (38, 38, 0, 38)


@pytest.mark.parametrize("text", ["1_0", "nan", "inf", "0x1p3", "1,5", "一"])
def test_numbers_are_plain_decimal(text):
    with pytest.raises(ValueError):
        parse_float(text)
    assert (parse_float("0.5"), parse_float("-2"), parse_float("3e2")) == (0.5, -2.0, 300.0)


def _workbook(tmp_path, rows):
    path = write_template(tmp_path / "填报.xlsx", __import__("graph_model.schema").schema.default_schema())
    book = openpyxl.load_workbook(path)
    book["帮扶单位"].append(["佳县县委办公室", "县委办", None, "佳县"])
    for row in rows:
        book["关系"].append(row)
    book.save(path)
    return path


def _pairing(village, start):
    return ["结对帮扶", "县委办", None, None, village, None, None, start, None, "表格"]


def test_a_workbook_date_cell_typed_2021_10_is_refused_with_its_cell_and_2021_12_is_read(tmp_path):
    book = _workbook(tmp_path, [_pairing("610828105236", 2021.1), _pairing("610828105239", 2021.12)])
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, book])
    [problem] = caught.value.problems
    assert (problem.origin.sheet, problem.origin.row, problem.origin.column) == ("关系", 2, "start_date")
    assert "可能是 2021年1月，也可能是 2021年10月" in str(problem)
    result = load_sources([ROSTER, book], keep_valid=True)
    [tie] = [t for t in result.graph.ties.values() if t.type == "PAIRED_ASSISTANCE"]
    assert (tie.target_id, tie.props["start_date"]) == ("610828105239", "2021-12")


def test_a_csv_date_2022_10_is_october(tmp_path):
    table = tmp_path / "结对帮扶.csv"
    table.write_text("帮扶单位,结对村,所属乡镇,结对时间\n佳县县委办公室,崔家西山村,通镇,2022.10\n", encoding="utf-8")
    [tie] = [t for t in load_sources([ROSTER, table]).graph.ties.values() if t.type == "PAIRED_ASSISTANCE"]
    assert tie.props["start_date"] == "2022-10"


CASE = """source: 严格取值 strict values
places:
  xishan: {{kind: Village, name: 崔家西山村, town: 通镇, code: '610828105236'}}
organizations:
  office: {{kind: AssistanceUnit, name: 佳县县委办公室}}
  coops: {{kind: Cooperative, name: 刘国具镇酿酒合作社, aggregate_count: {count}}}
ties:
  - {{type: PAIRED_ASSISTANCE, from: office, to: xishan, evidence: 表格, start_date: {start}}}
"""


def _case(tmp_path, start, count):
    path = tmp_path / "case.yaml"
    path.write_text(CASE.format(start=start, count=count), encoding="utf-8")
    return load_sources([ROSTER, path])


@pytest.mark.parametrize("start, expected", [("2022.10", "2022-10"), ("2022.12", "2022-12"), ("2021.5", "2021-05"),
                                             ("'2021.1'", "2021-01")])
def test_a_case_file_date_with_a_point_is_the_month_typed(tmp_path, start, expected):
    [tie] = [t for t in _case(tmp_path, start, 38).graph.ties.values() if t.type == "PAIRED_ASSISTANCE"]
    assert tie.props["start_date"] == expected


@pytest.mark.parametrize("count, why", [("046", "不能以 0 开头"), ("0x26", "只能用十进制数字"), ("3_8", "只能用十进制数字"),
                                        ("0o46", "只能用十进制数字"), ("1:30", "expected a whole number")])
def test_a_case_file_number_yaml_would_read_in_another_base_is_refused_as_typed(tmp_path, count, why):
    """YAML 1.1 reads 046 as octal 38, 0x26 and 3_8 as 38, 1:30 as 90: each is refused with what was typed."""
    with pytest.raises(InputError) as caught:
        _case(tmp_path, "2022", count)
    [problem] = caught.value.problems
    assert problem.origin.column == "aggregate_count" and why in str(problem) and repr(count) in str(problem)
