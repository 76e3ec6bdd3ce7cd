"""The trained tie model (loaders/extract/learned.py): the features of a pair of names, a model trained here
on pairs of sentences written for the test (the model's ties and its weighing of the rules' ties, through
``extract``), and the shipped model on sentences written for the test.
"""

from __future__ import annotations

import pycrfsuite
import pytest

from loaders.extract import extract, learned
from loaders.extract.document import Document
from loaders.extract.lexicon import default_lexicon


def test_a_pair_is_told_by_its_kinds_and_the_words_between_them():
    key = "县农业农村局结对帮扶高家塄村"
    features = learned.pair_features(key, (0, 6, "AssistanceUnit"), (10, 14, "Village"), 0, [])
    assert {"lk=AssistanceUnit", "rk=Village", "pair=AssistanceUnit|Village", "g2=结对", "g2=帮扶",
            "first=结对", "last=帮扶", "d<=8", "between=0", "rule=none"} <= set(features)
    assert "pg2=AssistanceUnit|Village|帮扶" in features  # the words between, for this pair of kinds
    ruled = learned.pair_features(key, (0, 6, "AssistanceUnit"), (10, 14, "Village"), 2,
                                  ["PAIRED_ASSISTANCE>", "PAIRED_ASSISTANCE>"])
    assert "rule=PAIRED_ASSISTANCE>" in ruled and "rule=none" not in ruled and "between=2" in ruled


def test_a_long_gap_is_read_by_its_two_edges():
    gap = "在" + "很" * 40 + "的帮助下"
    key = "甲局" + gap + "乙村"
    features = learned.pair_features(key, (0, 2, "AssistanceUnit"), (2 + len(gap), 4 + len(gap), "Village"), 5, [])
    assert "d<=far" in features and "between=3" in features  # 5 names between count as 3 or more
    assert "last=助下" in features and "first=在很" in features
    assert sum(f.startswith("g1=") for f in features) == len(set("在很的帮助下…"))


def test_a_class_is_a_tie_kind_and_its_direction():
    assert learned.pair_label("ENGAGED_IN", True) == "ENGAGED_IN>"
    assert learned.pair_label("ENGAGED_IN", False) == "ENGAGED_IN<"


# Pairs of our own: an office 结对帮扶 a village (a tie), an office's cadres 走访 a village (none)
PAIRED = ["佳县县委办公室结对帮扶通镇高家塄村。", "佳县林业局结对帮扶通镇高家塄村。"]
VISITED = ["佳县县委办公室干部走访通镇高家塄村。", "佳县林业局干部走访通镇高家塄村。"]


def _pairs(roster_units, texts) -> list:
    log: list = []
    extract([Document("t.txt", None, None, texts)], roster_units, pairs=log)
    return log


@pytest.fixture
def trained(tmp_path, roster_units, tie_model):
    """A model trained on the pairs of PAIRED (each an office pairing a village) and VISITED (none)."""
    tie_model("none")
    trainer = pycrfsuite.Trainer(verbose=False)
    for texts, label in ((PAIRED, "PAIRED_ASSISTANCE>"), (VISITED, learned.NONE)):
        for left, right, features in _pairs(roster_units, texts):
            if left.kind == "AssistanceUnit" and right.kind == "Village":
                trainer.append([features], [label])
            else:
                trainer.append([features], [learned.NONE])
    trainer.set_params({"c2": 0.01, "max_iterations": 100})
    trainer.train(str(tmp_path / "ties.crfsuite"))
    tie_model(tmp_path / "ties.crfsuite")
    return tmp_path / "ties.crfsuite"


def test_training_collects_each_pair_of_names_a_tie_kind_allows(roster_units, tie_model):
    tie_model("none")
    log = _pairs(roster_units, PAIRED[:1])
    pairs = {(left.name, right.name) for left, right, _ in log}
    assert ("佳县县委办公室", "高家塄村") in pairs
    assert ("通镇", "高家塄村") not in pairs  # a locator of the village, not a name of its own
    features = next(f for left, right, f in log if (left.name, right.name) == ("佳县县委办公室", "高家塄村"))
    assert "rule=PAIRED_ASSISTANCE>" in features  # the cue rule proposed it before the pair was read


def test_a_tie_the_model_finds_that_no_rule_proposed_is_proposed_as_learned(roster_units, trained):
    # 对口帮扶 is no cue of cues.yaml: the rules alone propose no pairing here
    text = ["佳县水利局对口联系通镇高家塄村。"]
    found = extract([Document("t.txt", None, None, text)], roster_units)
    learned_ties = [p for p in found.proposals if p.rule.endswith(":learned")]
    if not learned_ties:
        pytest.fail(f"no learned tie in {[(p.type, p.rule) for p in found.proposals]}")
    tie = learned_ties[0]
    assert (tie.type, tie.source.name, tie.target.name) == ("PAIRED_ASSISTANCE", "佳县水利局", "高家塄村")
    assert tie.rule == "PAIRED_ASSISTANCE:learned" and tie.confidence == pytest.approx(tie.model, abs=0.01)
    assert tie.model >= default_lexicon().learned_min_probability


def test_the_rules_ties_keep_the_models_probability(roster_units, trained):
    found = extract([Document("t.txt", None, None, PAIRED[:1])], roster_units)
    paired = next(p for p in found.proposals if p.type == "PAIRED_ASSISTANCE")
    assert paired.rule != "PAIRED_ASSISTANCE:learned" and paired.model > 0.5  # a rule's tie the model agrees with


def test_without_a_model_the_rules_alone_draft(roster_units, tie_model):
    tie_model("none")
    found = extract([Document("t.txt", None, None, ["佳县水利局对口联系通镇高家塄村。"])], roster_units)
    assert not [p for p in found.proposals if p.rule.endswith(":learned")]
    assert all(p.model is None for p in found.proposals)


def test_the_shipped_model_weighs_a_pairing_and_a_visit(roster_units):
    tagger = learned.ties_tagger()
    assert tagger is not None  # shipped in the package (loaders/extract/ties.crfsuite)
    key = "县农业农村局结对帮扶高家塄村"
    paired = learned.pair_probabilities(learned.pair_features(key, (0, 6, "AssistanceUnit"), (10, 14, "Village"), 0,
                                                              ["PAIRED_ASSISTANCE>"]))
    assert max(paired, key=paired.get) == "PAIRED_ASSISTANCE>"
    key = "县农业农村局和高家塄村的干部一起参加了培训会"
    met = learned.pair_probabilities(learned.pair_features(key, (0, 6, "AssistanceUnit"), (7, 11, "Village"), 0, []))
    assert max(met, key=met.get) == learned.NONE


def test_the_shipped_model_proposes_a_pairing_told_without_a_cue_word(roster_units):
    found = extract([Document("t.txt", None, None, ["佳县水利局定点联系通镇高家塄村。"])], roster_units)
    ties = [(p.type, p.source.name, p.target.name, p.rule) for p in found.proposals if p.type != "LOCATED_IN"]
    assert ties == [("PAIRED_ASSISTANCE", "佳县水利局", "高家塄村", "PAIRED_ASSISTANCE:learned")]


def test_a_model_file_that_is_not_there_is_said(tie_model, tmp_path):
    from graph_model.records import InputError

    tie_model(tmp_path / "missing.crfsuite")
    with pytest.raises(InputError, match="no such model file"):
        learned.ties_tagger()
