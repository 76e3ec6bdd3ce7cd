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
