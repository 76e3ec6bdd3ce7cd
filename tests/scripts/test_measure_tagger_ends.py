"""scripts/measure_tagger_ends.py on the texts written for the tests (tests/data/extract/real_like): the ends the
recognizer finds, each report drafted with the roster of its scope and of every county its gold names; and
``--names``, the annotated names of a third-collection file it finds."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
REAL_LIKE = REPO / "tests" / "data" / "extract" / "real_like"
sys.path.insert(0, str(REPO / "scripts"))
spec = importlib.util.spec_from_file_location("measure_tagger_ends", REPO / "scripts" / "measure_tagger_ends.py")
measuring = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = measuring
spec.loader.exec_module(measuring)

XILONG = REAL_LIKE / "gold" / "zhejiang-xilong-cunqi.yaml"


def test_the_recognizer_finds_the_ends_of_the_ties_in_words():
    pairs = [(XILONG, REAL_LIKE / "reports" / "dev" / XILONG.with_suffix(".txt").name)]
    counts, cost = measuring.measure(pairs, lambda texts: [[] for _ in texts], set(), True)
    exact = {(rules, tagger): n for (how, _, rules, tagger), n in counts.items() if how == "exact"}
    # the three ties in words have five ends: 黄杜村党支部, the company's branch, the cooperative, the company, 后河村
    assert sum(exact.values()) == 5 and exact.get((True, False)) == 5  # all found by the rules, none by no tagger
    assert cost["sentences"] == 5  # the title, the line saying the text is ours and the three sentences


def test_names_counts_the_annotated_names_the_recognizer_finds(tmp_path):
    data = yaml.safe_load(XILONG.read_text(encoding="utf-8"))
    data["entities"] = [{"text": "黄杜村白茶专业合作社", "type": "cooperative"}, {"text": "后河村", "type": "village"},
                        {"text": "白茶", "type": "industry"}, {"text": "溪龙乡政府", "type": "assistance_unit"}]
    gold = tmp_path / XILONG.name
    gold.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    counts = measuring.names_found([(gold, REAL_LIKE / "reports" / "dev" / XILONG.with_suffix(".txt").name)])
    assert counts[("cooperative", True)] == 1 and counts[("village", True)] == 1
    assert counts[("assistance_unit", False)] == 1  # named nowhere in the text
