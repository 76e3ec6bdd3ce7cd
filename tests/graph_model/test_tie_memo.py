"""The memo of valid tie values (``make_tie(valid=)``, a load's ``LoadContext.valid_ties``): a tie made from it
is the tie made without it, and a row it cannot vouch for is checked as a row of its own."""

import pytest

from graph_model.records import InputError, Origin, SourceRef, make_tie

SOURCE = SourceRef("t", "表", "表.csv")
VALUES = {"start_date": "2021-05", "end_date": "2023", "evidence": "县志 第3页", "product": "核桃"}


def tie(schema, type_, values, row, memo):
    return make_tie(schema, type_, "a", "b", dict(values), Origin("表.csv", row=row), source=SOURCE, valid=memo)


def test_a_tie_from_the_memo_is_the_tie_made_without_it_and_keeps_its_own_row(schema):
    memo = {}
    first, again = tie(schema, "SUPPLIES", VALUES, 2, memo), tie(schema, "SUPPLIES", VALUES, 9, memo)
    assert len(memo) == 1
    assert again == tie(schema, "SUPPLIES", VALUES, 9, None)
    assert [s["at"] for s in (*first.provenance, *again.provenance)] == ["行 row 2", "行 row 9"]
    again.provenance[0]["values"]["product"] = "改了"  # one tie's statement changed: the memo and the other not
    assert first.props["product"] == "核桃" and tie(schema, "SUPPLIES", VALUES, 10, memo).props["product"] == "核桃"


def test_values_valid_for_one_tie_kind_are_checked_again_for_another(schema):
    memo = {}
    tie(schema, "SUPPLIES", VALUES, 2, memo)
    with pytest.raises(InputError) as err:  # PARTY_ORG_OF has no product
        tie(schema, "PARTY_ORG_OF", VALUES, 3, memo)
    assert [(p.origin.row, p.origin.column) for p in err.value.problems] == [(3, "product")]


def test_a_row_with_a_problem_names_its_own_row_whatever_rows_before_it_said(schema):
    memo = {}
    backwards = {**VALUES, "start_date": "2024"}
    for row in (2, 3):
        tie(schema, "SUPPLIES", VALUES, row, memo)
    for row in (4, 5):  # never kept: each such row is checked and named
        with pytest.raises(InputError) as err:
            tie(schema, "SUPPLIES", backwards, row, memo)
        assert [(p.origin.row, p.origin.column) for p in err.value.problems] == [(row, "end_date")]
    assert len(memo) == 1


def test_a_number_cell_is_not_taken_for_the_text_the_memo_holds(schema):
    from graph_model.records import NumberCell

    memo = {}
    tie(schema, "SUPPLIES", {**VALUES, "start_date": "2021.1"}, 2, memo)  # the text 2021.1: January 2021
    with pytest.raises(InputError):  # Excel's number 2021.1 (a typed 2021.10) is refused
        tie(schema, "SUPPLIES", {**VALUES, "start_date": NumberCell("2021.1")}, 3, memo)
