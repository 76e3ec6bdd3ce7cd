"""Precision and recall per text (scripts/evaluate_extraction.py), at the level of (kind, from, to)."""

from __future__ import annotations

import importlib.util

import pytest

from .conftest import REPO, TEXTS

spec = importlib.util.spec_from_file_location("evaluate_extraction", REPO / "scripts" / "evaluate_extraction.py")
evaluation = importlib.util.module_from_spec(spec)
spec.loader.exec_module(evaluation)

# text: (expected ties, matched, missed, extra); the README lists the same figures. The held-out
# text was written after the rules were last changed and never used to change them: it measures
# how the rules carry to a new text, so it is held to its figures, not to the target.
FIGURES = {
    "fangta_news_heldout": (17, 13, ["SUPPLIES 方塌镇/方塌村 → 榆林市塞上农业发展有限公司",
                                     "SUPPLIES 方塌镇/杨塌村 → 榆林市塞上农业发展有限公司",
                                     "SUPPLIES 方塌镇/谢家沟村 → 榆林市塞上农业发展有限公司",
                                     "SERVES 佳县市场监督管理局 → 杨塌村谷子种植专业合作社"],
                            # 三村抱团发展小米产业 (three villages, issue 20's counted reference and 产业 ending):
                            # stated by the text, but not in the held-out set, which stays as it was written
                            ["ENGAGED_IN 杨塌村 → 小米产业", "ENGAGED_IN 谢家沟村 → 小米产业", "ENGAGED_IN 方塌村 → 小米产业",
                             "LOCATED_IN 佳县城投公司 → 佳县"]),
    "jia_county_article": (34, 34, [], []),
    "jia_pairing_list": (13, 13, [], []),
    "mutouyu_wechat": (11, 10, ["SUPPLIES 木头峪镇/曹家坬村 → 陕西枣乡人农业科技有限公司"], []),
    "zhujiagua_briefing": (18, 18, [], ["LOCATED_IN 佳县枣香食品有限公司 → 佳县", "LOCATED_IN 佳县供电公司 → 佳县"]),
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_the_figures_of_each_text(name, tmp_path):
    expected, matched, missed, extra = FIGURES[name]
    _, result, graph = evaluation.evaluate(TEXTS / f"{name}.expected.yaml", tmp_path)
    assert len(result.matched) + len(result.missed) == expected and len(result.matched) == matched
    assert [t.label for t in result.missed] == missed
    assert [evaluation.describe(t, graph) for t in result.extra] == extra
    if name != "fangta_news_heldout":
        target = 0.9 if name == "jia_county_article" else 0.8
        assert result.precision >= target and result.recall >= target
