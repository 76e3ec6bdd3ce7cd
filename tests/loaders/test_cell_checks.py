"""A table's cells are checked by :func:`loaders.tables._cell_problem` only when they may be wrong (the fast
condition in :func:`loaders.tables._row_values`): every problem the full check finds is still reported."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from graph_model.records import Origin
from loaders.sheets import MAX_CELL
from loaders.tables import CODE_FIELDS, EXCEL_ERRORS, _cell_problem, _row_values

NAMES = ("id", "from", "to", "town", "name", "evidence", "note")
ORIGIN = Origin("表.csv", row=7)
ODD = [*EXCEL_ERRORS, *(e.lower() for e in EXCEL_ERRORS), "#ref!", "#N/A ", "6.10828E+11", "6.10828e+11",
       "-6.1E-11", "+6e11", "６.１０８２８E+11", "６１０８２８E１１", "6.1Ｅ+11", "６１０８２８１０５２１１", "610828105211",
       "１２３４５６７８９０１２Ｅ", "乡" * (MAX_CELL + 1), "x" * MAX_CELL, "#", "＃REF!", "e", "E+11", "1e", "佳县Ｅ村"]


def missed(texts: list[str]) -> list:
    """The problems :func:`_cell_problem` finds in ``texts`` (one per column of :data:`NAMES`) that
    :func:`_row_values` does not report."""
    names = NAMES[:len(texts)]
    _, reported = _row_values(list(texts), names, ORIGIN)
    expected = [p for name, text in zip(names, texts) if (p := _cell_problem(name, text, ORIGIN))]
    return [p for p in expected if p not in reported]


def test_every_odd_cell_in_every_column_is_reported_as_the_full_check_reports_it():
    rows = [[text] * len(NAMES) for text in ODD] + [list(t) for t in itertools.combinations(ODD, len(NAMES))][:2000]
    assert [row for row in rows if missed(row)] == []
    _, reported = _row_values(["６.１０８２８E+11", "#n/a"], ("id", "note"), ORIGIN)
    assert [p.origin.column for p in reported] == ["id", "note"]  # (a full-width code in scientific notation too)


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.text(alphabet="0123456789６１.+-eEＥ#!/ANREFVLUDIM?乡 ", min_size=1, max_size=14),
                min_size=1, max_size=len(NAMES)))
def test_no_problem_the_full_check_finds_is_left_out(texts):
    assert missed(texts) == []


def test_rows_stating_the_same_values_load_each_with_its_row_and_a_bad_one_is_named_by_its_own(tmp_path):
    """A pairing table's rows repeat their 结对时间, 帮扶措施 and 依据 (the memo of valid tie values answers for the
    later ones): each tie keeps its own row, and a row that repeats them with an end before its start, or a
    value of no date, is named by its own row."""
    from loaders import load_sources
    from tests.loaders.test_tables import ROSTER

    table = tmp_path / "结对帮扶.csv"
    table.write_text("帮扶单位,结对村,所属乡镇,结对时间,结束时间,帮扶方式,依据\r\n"
                     + "".join(f"佳县县委办公室,{village},通镇,2022-05,{end},八联八帮,县委文件\r\n" for village, end in
                               [("王家川村", ""), ("崔家西山村", ""), ("高家集村", "2021"), ("王家沟村", "二〇二二")]),
                     encoding="utf-8")
    result = load_sources([ROSTER, table], keep_valid=True)
    ties = {t.target_id: t for t in result.graph.ties.values() if t.type == "PAIRED_ASSISTANCE"}
    assert sorted((t.props["provenance"][0]["at"], t.props["start_date"], t.props["evidence"]) for t in ties.values()) \
        == [("工作表 sheet 结对帮扶, 行 row 2", "2022-05", "县委文件"), ("工作表 sheet 结对帮扶, 行 row 3", "2022-05", "县委文件")]
    assert [(p.origin.row, p.origin.column) for p in result.left_out] == [(4, "end_date"), (5, "end_date")]
