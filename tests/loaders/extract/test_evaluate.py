"""The scoring of real reports (loaders/extract/evaluate.py) on a small graph made by hand.

The graph: a draft (source ``d.xlsx``) that put 甲子山村 (大店镇) rightly in the 甲子山联村党委 but took
the 天湖村 of another town (坊前镇) for the 天湖村 of 大店镇, stated the town committee's PARTY_ORG_OF,
and added an OPERATES and a name-implied LOCATED_IN the gold does not have. The gold: four ties, one of
them implied by a name. Every figure below is counted by hand from these lists.
"""

from __future__ import annotations

import pytest

from graph_model.records import GraphData, Node, Tie
from loaders.extract.evaluate import (ExpectedTie, Resolution, Score, by_kind, combine, drafted_right, place_resolution,
                                      read_gold, score, set_apart, words_only)

JIAZISHAN, TIANHU, TIANHU_ELSEWHERE = "371327102262", "371327102282", "371327103201"
DADIAN, FANGQIAN = "371327102", "371327103"
SOURCE = {"source_keys": ["d.xlsx"]}


def _graph() -> GraphData:
    graph = GraphData()
    for kind, id_, name in [("Town", DADIAN, "大店镇"), ("Town", FANGQIAN, "坊前镇"),
                            ("Village", JIAZISHAN, "甲子山村"), ("Village", TIANHU, "天湖村"),
                            ("Village", TIANHU_ELSEWHERE, "天湖村"), ("PartyOrganization", "joint", "甲子山联村党委"),
                            ("PartyOrganization", "town-committee", "大店镇党委"), ("Industry", "peach", "黄桃种植")]:
        graph.nodes[id_] = Node(kind, id_, {"name": name})
    for type_, source, target in [("MEMBER_OF", JIAZISHAN, "joint"), ("MEMBER_OF", TIANHU_ELSEWHERE, "joint"),
                                  ("PARTY_ORG_OF", "town-committee", DADIAN), ("OPERATES", "joint", "peach"),
                                  ("LOCATED_IN", "joint", DADIAN)]:
        graph.ties[(type_, source, target)] = Tie(type_, source, target, SOURCE)
    return graph


GOLD = [
    ExpectedTie("MEMBER_OF", ("大店镇/甲子山村",), ("甲子山联村党委",), "words", JIAZISHAN, None),
    ExpectedTie("MEMBER_OF", ("大店镇/天湖村",), ("甲子山联村党委",), "words", TIANHU, None),
    ExpectedTie("PARTY_ORG_OF", ("大店镇党委",), ("大店镇",), "name", None, DADIAN),
    ExpectedTie("ENGAGED_IN", ("大店镇/甲子山村",), ("黄桃种植",), "words", JIAZISHAN, None),
]
# the draft's name-implied proposals, each end by its code or its name
IMPLIED = [("LOCATED_IN", "甲子山联村党委", DADIAN), ("PARTY_ORG_OF", "大店镇党委", DADIAN)]


def _counts(result: Score) -> tuple[int, int, int]:
    return len(result.matched) + len(result.missed), len(result.matched) + len(result.extra), len(result.matched)


def test_all_ties_two_of_four_found_among_five_drafted():
    result = score(_graph(), GOLD, "d.xlsx")
    assert [t.label for t, _ in result.matched] == ["MEMBER_OF 大店镇/甲子山村 → 甲子山联村党委", "PARTY_ORG_OF 大店镇党委 → 大店镇"]
    assert [t.label for t in result.missed] == ["MEMBER_OF 大店镇/天湖村 → 甲子山联村党委", "ENGAGED_IN 大店镇/甲子山村 → 黄桃种植"]
    assert _counts(result) == (4, 5, 2) and result.counts == (4, 5, 2)
    assert result.precision == pytest.approx(0.4) and result.recall == pytest.approx(0.5)


def test_words_only_leaves_out_the_name_implied_gold_tie_and_the_name_implied_extra():
    graph = _graph()
    result = words_only(score(graph, GOLD, "d.xlsx"), IMPLIED, graph)
    assert _counts(result) == (3, 3, 1)  # MEMBER_OF 甲子山村 matched; extras MEMBER_OF 天湖村 (坊前镇) and OPERATES
    assert sorted(t.type for t in result.extra) == ["MEMBER_OF", "OPERATES"]
    assert result.precision == pytest.approx(1 / 3) and result.recall == pytest.approx(1 / 3)


def test_inferred_rows_are_set_apart_neither_right_nor_wrong():
    graph = _graph()
    # the draft inferred LOCATED_IN 甲子山联村党委 → 大店镇 (no gold tie): set apart, no longer an extra
    result, apart = set_apart(score(graph, GOLD, "d.xlsx"), [("LOCATED_IN", "甲子山联村党委", DADIAN)], graph)
    assert apart == 1 and _counts(result) == (4, 4, 2)
    assert "LOCATED_IN" not in {t.type for t in result.extra}
    # a gold tie only an inferred row matched counts as missed
    result, apart = set_apart(score(graph, GOLD, "d.xlsx"), [("PARTY_ORG_OF", "大店镇党委", DADIAN)], graph)
    assert apart == 1 and _counts(result) == (4, 4, 1)
    assert "PARTY_ORG_OF 大店镇党委 → 大店镇" in [t.label for t in result.missed]


def test_by_kind_counts_a_miss_for_its_gold_kind_and_an_extra_for_its_own():
    kinds = by_kind(score(_graph(), GOLD, "d.xlsx"))
    assert {kind: _counts(s) for kind, s in kinds.items()} == {
        "ENGAGED_IN": (1, 0, 0), "LOCATED_IN": (0, 1, 0), "MEMBER_OF": (2, 2, 1), "OPERATES": (0, 1, 0),
        "PARTY_ORG_OF": (1, 1, 1)}
    assert kinds["MEMBER_OF"].precision == pytest.approx(0.5) and kinds["ENGAGED_IN"].precision == 0.0


def test_combine_adds_the_reports():
    graph = _graph()
    first = score(graph, GOLD[:2], "d.xlsx")   # 1 matched, 1 missed, 4 extra
    second = score(graph, GOLD[2:], "d.xlsx")  # 1 matched, 1 missed, 4 extra
    assert _counts(combine([first, second])) == (4, 10, 2)


def test_a_gold_end_with_a_code_matches_the_unit_of_that_code_whatever_its_name():
    graph = _graph()
    by_code = [ExpectedTie("MEMBER_OF", ("甲子山",), ("甲子山联村党委",), "words", JIAZISHAN, None)]
    assert _counts(score(graph, by_code, "d.xlsx"))[2] == 1
    # 天湖村 without a town matches the 天湖村 of 坊前镇 by name, but not when the gold gives 大店镇's code
    by_name = [ExpectedTie("MEMBER_OF", ("天湖村",), ("甲子山联村党委",))]
    wrong_code = [ExpectedTie("MEMBER_OF", ("天湖村",), ("甲子山联村党委",), "words", TIANHU, None)]
    assert _counts(score(graph, by_name, "d.xlsx"))[2] == 1
    assert _counts(score(graph, wrong_code, "d.xlsx"))[2] == 0


def test_place_resolution_counts_every_coded_village_and_town_end_of_the_gold():
    graph = _graph()
    result = score(graph, GOLD, "d.xlsx")
    # ends with a code: 甲子山村 (matched, right), 天湖村 (missed; the draft's 天湖村 is 坊前镇's), 大店镇
    # (matched, right), 甲子山村 of the missed ENGAGED_IN (the draft has 甲子山村 right): 3 of 4
    confident = place_resolution(result, graph, {TIANHU_ELSEWHERE: 0.95, JIAZISHAN: 0.95})
    assert confident == Resolution(ends=4, right=3, other_town=1)
    assert confident.share == pytest.approx(0.75)
    assert place_resolution(result, graph, {TIANHU_ELSEWHERE: 0.5}) == Resolution(4, 3, 0)


def test_place_resolution_of_a_place_the_draft_never_named_is_wrong_but_not_elsewhere():
    graph = _graph()
    gold = [ExpectedTie("MEMBER_OF", ("大店镇/中心村",), ("甲子山联村党委",), "words", "371327102287", None)]
    assert place_resolution(score(graph, gold, "d.xlsx"), graph, {}) == Resolution(1, 0, 0)


def test_read_gold_reads_the_corpus_format():
    data = {"ties": [{"kind": "MEMBER_OF", "from": "大店镇/甲子山村", "to": "甲子山联村党委", "stated": "words",
                      "from_code": "371327102262", "to_code": None},
                     {"kind": "PARTY_ORG_OF", "from": "大店镇党委", "to": "大店镇", "stated": "name", "to_code": 371327102}]}
    assert read_gold(data) == [
        ExpectedTie("MEMBER_OF", ("大店镇/甲子山村",), ("甲子山联村党委",), "words", "371327102262", None),
        ExpectedTie("PARTY_ORG_OF", ("大店镇党委",), ("大店镇",), "name", None, "371327102")]


def test_each_drafted_row_is_right_when_it_loaded_as_a_matched_tie():
    graph = _graph()
    result = score(graph, GOLD, "d.xlsx")
    rows = [("MEMBER_OF", JIAZISHAN, "甲子山联村党委"),      # matched
            ("MEMBER_OF", TIANHU_ELSEWHERE, "甲子山联村党委"),  # loaded, extra (the other town's 天湖村)
            ("PARTY_ORG_OF", "大店镇党委", DADIAN),           # matched (a name-implied gold tie)
            ("OPERATES", "甲子山联村党委", "黄桃种植"),          # loaded, extra
            ("ENGAGED_IN", JIAZISHAN, "黄桃种植"),             # not loaded (left out): not right
            ("MEMBER_OF", "甲子山联村党委", JIAZISHAN)]         # the wrong way round
    assert drafted_right(result, rows, graph) == [True, False, True, False, False, False]
    assert drafted_right(result, rows, graph, symmetric=["MEMBER_OF"])[-1] is True
