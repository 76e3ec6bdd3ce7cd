"""The rule files mentions.yaml and cues.yaml: read, checked against the schema, errors are clear."""

from __future__ import annotations

import copy

import pytest

from graph_model.schema import default_schema
from loaders.extract.lexicon import LexiconError, _read, build_lexicon, default_lexicon


def test_the_shipped_rules_fit_the_schema():
    lexicon = default_lexicon()
    schema = default_schema()
    assert {r.kind for r in lexicon.suffix_rules} <= {k.label for k in schema.node_kinds}
    assert {c.tie for c in lexicon.cues} <= {t.type for t in schema.tie_kinds}
    assert lexicon.suffix_rules[0].suffix == "人力资源和社会保障局"  # longest first
    assert lexicon.cue_words["结对帮扶"].tie == "PAIRED_ASSISTANCE"
    assert lexicon.cue_words["代工"].tie == "PRODUCES_FOR" and lexicon.cue_words["收购"].tie == "SUPPLIES"
    assert lexicon.anaphora["该镇"] == "Town" and lexicon.anaphora["全县"] == "County"
    assert lexicon.industry_words["酒业"] == "酿酒"


@pytest.mark.parametrize("edit, message", [
    (lambda m, c: m["organizations"].append({"suffix": "农场", "kind": "Farm"}), "unknown kind 'Farm'"),
    (lambda m, c: m["boundaries"].append("來到"), "'來到' is not Simplified"),
    (lambda m, c: c["cues"].append({"tie": "SERVES", "words": ["引进"]}), "'引进' is a cue of GUIDES and SERVES"),
    (lambda m, c: c["cues"][0].update({"from": {"side": "beside"}}), "side must be before, after or any"),
])
def test_a_wrong_rule_is_one_clear_error(edit, message):
    mentions, cues = copy.deepcopy(_read("mentions.yaml")), copy.deepcopy(_read("cues.yaml"))
    edit(mentions, cues)
    with pytest.raises(LexiconError, match=message):
        build_lexicon(mentions, cues, default_schema())
