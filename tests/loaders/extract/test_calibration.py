"""The calibrated confidence of drafted ties (loaders/extract/calibration.py): the fit on counts made by hand,
the groups of proposals from texts written for the test, the table read, written and applied in the draft
(whose sheets go from the most confident row to the least), and --accept-above on it.

Every calibrated value below is worked out by hand: (right + 4 × hand-set mean) / (drafted + 4).
"""

from __future__ import annotations

import openpyxl
import pytest

from loaders.extract.calibration import (DEFAULT_FILE, Calibration, beta_lower, beta_mean, family, fit, read_calibration,
                                         stratum, write_calibration)
from loaders.extract.document import Document
from loaders.extract.draft import draft_sheets, write_draft
from loaders.extract import extract

from .test_draft import rows

# (family, stratum, hand-set confidence, right): 6 MEMBER_OF of 0.8, 3 right; 2 GUIDES of 0.8 and 0.6, both
# right; 16 LOCATED_IN:name of 0.5, none right; 1 earlier SERVES of 0.45, wrong.
LABELLED = ([("MEMBER_OF", "same", 0.8, r) for r in (True, True, True, False, False, False)]
            + [("GUIDES", "same", 0.8, True), ("GUIDES", "same", 0.6, True)]
            + [("LOCATED_IN:name", "same", 0.5, False)] * 16
            + [("SERVES", "earlier", 0.45, False)])


def test_the_fit_of_counts_made_by_hand():
    table = fit(LABELLED, quantile=None)  # the posterior mean
    assert table["MEMBER_OF"]["same"] == {"drafted": 6, "right": 3, "hand_set": 0.8, "confidence": 0.62}  # 6.2/10
    assert table["GUIDES"]["same"] == {"drafted": 2, "right": 2, "hand_set": 0.7, "confidence": 0.8}  # 4.8/6
    assert table["LOCATED_IN:name"]["same"] == {"drafted": 16, "right": 0, "hand_set": 0.5, "confidence": 0.1}  # 2/20
    assert table["SERVES"] == {"earlier": {"drafted": 1, "right": 0, "hand_set": 0.45, "confidence": 0.36}}  # 1.8/5
    assert list(table) == ["GUIDES", "LOCATED_IN:name", "MEMBER_OF", "SERVES"]


def test_few_ties_stay_near_the_hand_set_value_and_many_go_to_their_share():
    assert beta_mean(0, 0, 0.7) == pytest.approx(0.7)
    assert beta_mean(1, 1, 0.7) == pytest.approx(3.8 / 5)
    assert beta_mean(90, 100, 0.5) == pytest.approx(92 / 104)
    assert fit(LABELLED, strength=0, quantile=None)["MEMBER_OF"]["same"]["confidence"] == 0.5  # the share right


def test_the_calibrated_value_is_a_low_quantile_of_the_share_right():
    # 9 of 9 right, hand-set 0.5, prior worth 2 ties: Beta(10, 1), whose distribution function is x**10, so its
    # 20th percentile is 0.2 ** (1 / 10)
    assert beta_lower(9, 9, 0.5, strength=2) == pytest.approx(0.2 ** 0.1)
    assert beta_lower(9, 9, 0.5, strength=2) < beta_mean(9, 9, 0.5, strength=2) == pytest.approx(10 / 11)
    # 16 of 18 right, hand-set 0.6, prior worth 4 ties: Beta(18.4, 3.6), mean 0.836, put below 0.8
    assert beta_lower(16, 18, 0.6) < 0.8 < beta_mean(16, 18, 0.6)
    assert beta_lower(160, 180, 0.6) > beta_lower(16, 18, 0.6)  # more ties, less doubt
    table = fit(LABELLED)  # the shipped quantile: below the mean, in the order of the means
    assert table["GUIDES"]["same"]["confidence"] < 0.8 and table["MEMBER_OF"]["same"]["confidence"] < 0.62


def test_a_rule_family_is_its_kind_or_its_name_rule():
    assert family("MEMBER_OF:组建") == "MEMBER_OF"
    assert family("CO_BUILDS:党组织 party branch named later") == "CO_BUILDS"
    assert family("PARTY_ORG_OF:name") == "PARTY_ORG_OF:name"


def _proposals(roster_units, *paragraphs):
    found = extract([Document("t.txt", None, None, list(paragraphs))], roster_units)
    return found, {(p.type, p.target.name): p for p in found.proposals}


def test_the_stratum_of_a_tie_says_where_its_ends_were_found(roster_units, rules_alone):
    _, same = _proposals(roster_units, "佳县县委办公室是通镇高家塄村的帮扶单位。")
    _, earlier = _proposals(roster_units, "佳县县委办公室深入一线。结对帮扶通镇高家塄村。")
    _, candidate = _proposals(roster_units, "佳县县委办公室是通镇西山村的帮扶单位。")  # 通镇 has only 崔家西山村
    _, unknown = _proposals(roster_units, "通镇李家庄村党支部召开会议。")  # no 李家庄村 in the roster
    assert stratum(same[("PAIRED_ASSISTANCE", "高家塄村")]) == "same"
    assert stratum(earlier[("PAIRED_ASSISTANCE", "高家塄村")]) == "earlier"
    assert stratum(candidate[("PAIRED_ASSISTANCE", "崔家西山村")]) == "unresolved"
    assert stratum(unknown[("PARTY_ORG_OF", "李家庄村")]) == "unresolved"
    assert stratum(same[("LOCATED_IN", "佳县")]) == "same"


TABLE = Calibration({"PAIRED_ASSISTANCE": {"same": {"drafted": 11, "right": 8, "hand_set": 0.8, "confidence": 0.75}},
                     "LOCATED_IN:name": {"same": {"drafted": 20, "right": 1, "hand_set": 0.5, "confidence": 0.12}},
                     "PARTY_ORG_OF:name": {"same": {"drafted": 35, "right": 32, "hand_set": 0.8, "confidence": 0.9}}},
                    {"split": "dev"})


def test_the_stratum_of_a_tie_the_model_weighed_says_whether_it_agrees(roster_units):
    _, same = _proposals(roster_units, "佳县县委办公室是通镇高家塄村的帮扶单位。")
    paired = same[("PAIRED_ASSISTANCE", "高家塄村")]
    assert paired.model is not None  # the shipped model weighed it: both names in one sentence
    for model, expected in ((0.5, "agreed"), (0.93, "agreed"), (0.49, "doubted"), (0.0, "doubted"), (None, "same")):
        paired.model = model
        assert stratum(paired) == expected
    paired.earlier = True  # where an end was found comes first
    assert stratum(paired) == "earlier"


def test_a_proposal_gets_its_groups_value_else_its_hand_set_one(roster_units, rules_alone):
    _, same = _proposals(roster_units, "佳县县委办公室是通镇高家塄村的帮扶单位。")
    _, earlier = _proposals(roster_units, "佳县县委办公室深入一线。结对帮扶通镇高家塄村。")
    assert TABLE.confidence(same[("PAIRED_ASSISTANCE", "高家塄村")]) == 0.75
    assert TABLE.confidence(same[("LOCATED_IN", "佳县")]) == 0.12
    hand_set = earlier[("PAIRED_ASSISTANCE", "高家塄村")]
    assert hand_set.confidence == 0.65 and TABLE.confidence(hand_set) == 0.65  # no earlier group in the table
    assert Calibration().confidence(same[("PAIRED_ASSISTANCE", "高家塄村")]) == 0.8


def test_the_table_is_written_and_read_back(tmp_path):
    path = write_calibration(TABLE, tmp_path / "calibration.yaml")
    assert read_calibration(path) == TABLE
    assert read_calibration(tmp_path / "none.yaml") == Calibration()


def test_the_shipped_table_was_fitted_on_reports_no_rule_was_written_from():
    shipped = read_calibration()
    assert DEFAULT_FILE.is_file() and shipped.fitted["split"] == "train" and "--calibrate" in shipped.fitted["command"]
    assert "--fold-models" in shipped.fitted["command"]  # each report weighed by a tie model trained without it
    for groups in shipped.groups.values():
        for group in groups.values():
            assert 0 <= group["right"] <= group["drafted"]
            value = beta_lower(group["right"], group["drafted"], group["hand_set"], shipped.fitted["prior_strength"],
                               shipped.fitted["quantile"])
            assert group["confidence"] == pytest.approx(value, abs=0.01)  # hand_set is itself rounded


TEXT = ("通镇李家庄村党支部召开会议。",
        "佳县县委办公室是通镇高家塄村的帮扶单位。通镇党委书记到会。")


def test_the_draft_gives_each_tie_its_groups_value_most_confident_first(roster_units, rules_alone):
    found = extract([Document("t.txt", None, None, list(TEXT))], roster_units)
    ties = next(r for name, _, r in draft_sheets(found, _schema(), TABLE) if name == "关系")
    confidences = [(row.values["rule"], row.confidence) for row in ties]
    assert confidences[0] == ("PARTY_ORG_OF:name", 0.9)  # 通镇党委 → 通镇, proposed last
    assert confidences[1] == ("PAIRED_ASSISTANCE:帮扶单位", 0.75)
    assert [c for _, c in confidences] == sorted((c for _, c in confidences), reverse=True)
    assert ("PARTY_ORG_OF:name", 0.6) in confidences  # 李家庄村 unresolved: no such group, hand-set kept
    assert ("LOCATED_IN:name", 0.12) in confidences


def _schema():
    from graph_model.schema import default_schema
    return default_schema()


@pytest.mark.parametrize("threshold", [0.75, 0.6, 0.9])
def test_accept_above_marks_exactly_the_rows_at_or_above_it(roster_units, tmp_path, threshold, rules_alone):
    found = extract([Document("t.txt", None, None, list(TEXT))], roster_units)
    path = write_draft(found, _schema(), tmp_path / "d.xlsx", accept_above=threshold, calibration=TABLE)
    workbook = openpyxl.load_workbook(path)
    checked = 0
    for name in workbook.sheetnames[1:]:
        sheet = rows(workbook[name])
        assert [r["置信度"] for r in sheet] == sorted((r["置信度"] for r in sheet), reverse=True)
        for row in sheet:
            assert (row["采纳"] == "是") == (row["置信度"] >= threshold) and row["采纳"] in ("是", None)
            checked += 1
    ties = rows(workbook["关系"])
    assert checked > len(ties) >= 4
    assert [r["置信度"] for r in ties if r["采纳"] == "是"] == [c for c in (0.9, 0.75, 0.6) if c >= threshold]


def test_the_shipped_table_is_the_drafts_by_default(roster_units, tmp_path):
    found = extract([Document("t.txt", None, None, list(TEXT))], roster_units)
    shipped = read_calibration()
    path = write_draft(found, _schema(), tmp_path / "d.xlsx")
    ties = rows(openpyxl.load_workbook(path)["关系"])
    drafted = sorted((r["规则"], r["置信度"]) for r in ties)
    paired = next(p for p in found.proposals if p.type == "PAIRED_ASSISTANCE")
    assert stratum(paired) == "agreed"  # the shipped tie model agrees with 是…的帮扶单位
    wanted = shipped.groups["PAIRED_ASSISTANCE"]["agreed"]["confidence"]
    assert ("PAIRED_ASSISTANCE:帮扶单位", wanted) in drafted
    assert sorted((p.rule, shipped.confidence(p)) for p in found.proposals) == drafted


def test_extract_accept_above_on_the_example_marks_exactly_the_rows_at_or_above_it(tmp_path):
    from linkgraph.cli import main

    from .conftest import ARTICLE, ROSTER

    out = tmp_path / "draft.xlsx"
    assert main(["extract", str(ARTICLE), "--roster", str(ROSTER), "--accept-above", "0.8", "--out", str(out)]) == 0
    workbook = openpyxl.load_workbook(out)
    ties = rows(workbook["关系"])
    assert [r["置信度"] for r in ties] == sorted((r["置信度"] for r in ties), reverse=True)
    accepted = [r for r in ties if r["采纳"] == "是"]
    assert accepted == ties[:len(accepted)] and 0 < len(accepted) < len(ties)
    assert all(r["置信度"] >= 0.8 for r in accepted) and all(r["置信度"] < 0.8 for r in ties[len(accepted):])
    shipped = read_calibration()
    assert {r["置信度"] for r in ties if r["规则"] == "PARTY_ORG_OF:name"} >= {
        shipped.groups["PARTY_ORG_OF:name"]["same"]["confidence"]}
