"""A CSV read as a stream (loaders.csv_rows) gives what the CSV read whole gives: rows, framing, records, errors."""

import pytest

from graph_model.records import InputError
from graph_model.schema import default_schema
from loaders import load_sources
from loaders.context import LoadContext
from loaders.csv_rows import SHARED_CELLS, CsvRows
from loaders.framing import frame, is_note_row
from loaders.roster import load_roster
from loaders.tables import parse_tables, read_csv, stream_csv
from graph_model.records import GraphData, SourceRef
from tests.conftest import EXAMPLE

ROSTER = EXAMPLE / "nbs_roster_610828.csv"
TITLED = ("佳县通镇2023年结对帮扶关系统计表,,,\n"
          "帮扶单位,结对村,所属乡镇,帮扶机制\n"
          "佳县县委办公室,崔家西山村,通镇,八联八帮\n"
          '佳县农业农村局,贺家坬村,通镇,"八联\n八帮"\n'
          ",,,\n"
          "佳县水利局,核桃树墕村,乌镇,\n"
          "填表人：张三,,,\n"
          "审核人：李四,,,\n")


@pytest.mark.parametrize("text", [
    TITLED,
    "\ufefffrom\tto\ttype\n610828105236\tjia:a\tGUIDES\n\n",  # a BOM, tabs, a blank last line
    "帮扶单位,结对村\n备注：第一行就是说明,\n县委办,西山村\n",  # a note first: nothing is data
    "帮扶单位,结对村\n",  # a header alone
    "",
])
def test_a_stream_gives_the_rows_and_the_frame_of_the_whole_read(text):
    whole, streamed = read_csv(text, "x.csv", "结对帮扶"), stream_csv(text, "x.csv", "结对帮扶")
    assert streamed.header == whole.header and list(streamed.rows) == whole.rows
    assert list(streamed.rows) == whole.rows  # read again: the same rows
    schema = default_schema()
    framed, framed_stream = frame(whole, schema, "x.csv", {}), frame(streamed, schema, "x.csv", {})
    assert (framed_stream.header_row, framed_stream.header, framed_stream.notes, framed_stream.problems) == (
        framed.header_row, framed.header, framed.notes, framed.problems)
    assert list(framed_stream.rows) == framed.rows and len(framed_stream.rows) == len(framed.rows)


def test_the_titled_table_frames_its_rows_and_notes():
    framed = frame(stream_csv(TITLED, "x.csv", "结对帮扶"), default_schema(), "x.csv", {})
    assert [number for number, _ in framed.rows] == [3, 4, 5, 6]
    assert framed.notes[-1] == ("跳过表格下方第 7–8 行的说明“填表人：张三；审核人：李四” / skipped notes below the table, "
                                "row 7–8: x.csv, sheet 结对帮扶")


@pytest.mark.parametrize("text", [
    '帮扶单位,结对村,所属乡镇\n佳县县委办公室,"崔家西山村,通镇\n县委办,西山村,店镇\n',
    '帮扶单位,结对村,所属乡镇\n县委办,西山村,店镇\n佳县县委办公室,"崔家西山村"村,通镇\n',
    "帮扶单位,结对村\n县委办," + "县" * 200_000 + "\n",
    '"帮扶单位"x,结对村\n县委办,西山村\n',
])
def test_a_stream_refuses_a_csv_with_the_error_of_the_whole_read_before_any_row(text):
    with pytest.raises(InputError) as whole:
        read_csv(text, "结对帮扶.csv", "结对帮扶")
    with pytest.raises(InputError) as streamed:
        stream_csv(text, "结对帮扶.csv", "结对帮扶")
    assert [(str(p.origin), p.message) for p in streamed.value.problems] == [
        (str(p.origin), p.message) for p in whole.value.problems]


def test_too_many_rows_are_refused_as_the_whole_read_refuses_them(monkeypatch):
    import loaders.sheets

    monkeypatch.setattr(loaders.sheets, "MAX_ROWS", 3)
    text = "from,to\n" + "".join(f"a{i},b{i}\n" for i in range(5))
    with pytest.raises(InputError) as whole:
        read_csv(text, "t.csv", "t")
    with pytest.raises(InputError) as streamed:
        stream_csv(text, "t.csv", "t")
    assert str(streamed.value) == str(whole.value) and streamed.value.problems[0].origin.row == 5
    assert streamed.value.problems[0].message == "行数过多 / more than 3 rows"


def test_views_read_only_their_rows_and_share_repeated_texts():
    text = "from,to,type\n" + "".join(f"jia:o{i},610828105236,GUIDES\n" for i in range(2 * SHARED_CELLS + 10))
    rows = CsvRows.scan(text, "t.csv", ",", is_note_row)
    assert len(rows) == 2 * SHARED_CELLS + 10 and rows.notes == ()
    assert list(rows[5:7]) == [(7, ["jia:o5", "610828105236", "GUIDES"]), (8, ["jia:o6", "610828105236", "GUIDES"])]
    first, second = list(rows[:2])
    assert first[1][2] is second[1][2]  # one string for the kind of every row
    with pytest.raises(ValueError):
        rows[::2]


def _parsed(sheet):
    schema = default_schema()
    roster = load_roster(ROSTER, schema)
    ctx = LoadContext(schema, graph=GraphData(schema=schema))
    ctx.add_places(roster.nodes.values())
    ctx.graph.extend(roster)
    problems = parse_tables([sheet], "结对帮扶.csv", ctx, SourceRef("结对帮扶.csv", "结对帮扶", "结对帮扶.csv"))
    return ctx, problems


def test_a_streamed_table_states_what_the_whole_table_states_with_the_same_problems():
    text = TITLED + "佳县交通局,不存在村,通镇,八联八帮\n"  # below the notes: not data
    text = text.replace("佳县水利局,核桃树墕村,乌镇,", "佳县水利局,核桃树墕村,乌镇,,多余")  # a cell with no header
    rows = ("帮扶单位,结对村,所属乡镇,帮扶机制\n佳县县委办公室,崔家西山村,通镇,八联八帮\n佳县水利局,没有这个村,乌镇,\n"
            "佳县水利局,6.10828E+11,乌镇,\n")
    for table in (text, rows):
        whole, whole_problems = _parsed(read_csv(table, "结对帮扶.csv", "结对帮扶"))
        streamed, streamed_problems = _parsed(stream_csv(table, "结对帮扶.csv", "结对帮扶"))
        assert [(str(p.origin), p.message) for p in streamed_problems] == [
            (str(p.origin), p.message) for p in whole_problems]
        assert streamed.graph.nodes == whole.graph.nodes and streamed.graph.ties == whole.graph.ties
        assert streamed.notes == whole.notes
    assert [p.message.split(" / ")[0] for p in streamed_problems] == [
        "找不到乌镇“没有这个村”", "编码被 Excel 改成了科学计数法 6.10828E+11，后几位已丢失"]


def test_a_load_reads_a_csv_as_a_stream_with_the_result_it_had(tmp_path):
    table = tmp_path / "结对帮扶.csv"
    table.write_text(TITLED, encoding="utf-8")
    result = load_sources([ROSTER, table])
    ties = sorted((t.source_id, t.target_id) for t in result.graph.ties.values() if t.type == "PAIRED_ASSISTANCE")
    assert ties == [("AssistanceUnit:-:佳县农业农村局", "610828105203"), ("AssistanceUnit:-:佳县县委办公室", "610828105236"),
                    ("AssistanceUnit:-:佳县水利局", "610828103224")]
    assert result.notes[-1].startswith("跳过表格下方第 7–8 行的说明")
