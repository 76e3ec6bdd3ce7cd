"""The accept column (采纳) and the review columns in the table loader (loaders/tables.py, columns.yaml)."""

from __future__ import annotations

import pytest

from graph_model.records import InputError
from loaders import load_sources

from .conftest import ROSTER

HEADER = "帮扶单位,结对村,所属乡镇,依据,采纳,置信度,名册匹配/候选,规则\r\n"
ROW = "{unit},{village},通镇,{unit}是通镇{village}的帮扶单位,{accept},0.8,名册 roster,PAIRED_ASSISTANCE:帮扶单位\r\n"


def pairings(tmp_path, *rows):
    path = tmp_path / "结对帮扶.csv"
    path.write_text(HEADER + "".join(ROW.format(unit=u, village=v, accept=a) for u, v, a in rows), encoding="utf-8")
    return path


def drafted_ties(result):
    return sorted((t.source_id, t.target_id) for t in result.graph.ties.values() if t.type == "PAIRED_ASSISTANCE")


def test_only_accepted_rows_load(tmp_path):
    table = pairings(tmp_path, ("佳县县委办公室", "高家塄村", "是"), ("佳县财政局", "杨道渠村", "否"),
                     ("佳县农业农村局", "贺家坬村", ""), ("佳县交通运输局", "曹家坬村", "√"))
    result = load_sources([ROSTER, table])
    assert drafted_ties(result) == [("AssistanceUnit:-:佳县交通运输局", "610828105204"),
                                    ("AssistanceUnit:-:佳县县委办公室", "610828105200")]
    assert len(result.graph.ties) == 349 + 2
    tie = result.graph.ties[("PAIRED_ASSISTANCE", "AssistanceUnit:-:佳县县委办公室", "610828105200")]
    assert tie.props["evidence"] == "佳县县委办公室是通镇高家塄村的帮扶单位"  # 依据 is the evidence of a tie


def test_an_accept_value_that_is_neither_yes_nor_no_is_a_problem(tmp_path):
    table = pairings(tmp_path, ("佳县县委办公室", "高家塄村", "也许"))
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, table])
    message = str(caught.value.problems[0])
    assert "行 row 2, 列 column 采纳 (accept): 采纳须填“是”或“否” / 采纳 is 是 or 否" in message


def test_review_columns_are_unknown_in_a_sheet_without_the_accept_column(tmp_path):
    path = tmp_path / "结对帮扶.csv"
    path.write_text("帮扶单位,结对村,所属乡镇,置信度\r\n佳县县委办公室,高家塄村,通镇,0.8\r\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown column '置信度'"):
        load_sources([ROSTER, path])


def test_a_sheet_without_the_accept_column_loads_every_row_as_before(tmp_path):
    path = tmp_path / "结对帮扶.csv"
    path.write_text("帮扶单位,结对村,所属乡镇\r\n佳县县委办公室,高家塄村,通镇\r\n佳县财政局,杨道渠村,通镇\r\n", encoding="utf-8")
    assert len(drafted_ties(load_sources([ROSTER, path]))) == 2
