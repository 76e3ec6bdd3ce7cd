"""Precision and recall per text (scripts/evaluate_extraction.py), at the level of (kind, from, to)."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from .conftest import REPO, TEXTS

spec = importlib.util.spec_from_file_location("evaluate_extraction", REPO / "scripts" / "evaluate_extraction.py")
evaluation = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = evaluation  # its dataclasses look their module up
spec.loader.exec_module(evaluation)

# text: (expected ties, matched, missed, extra); the README lists the same figures. The held-out
# text was written after the rules were last changed and never used to change them: it measures
# how the rules carry to a new text, so it is held to its figures, not to the target.
FIGURES = {
    "fangta_news_heldout": (17, 16, ["SERVES 佳县市场监督管理局 → 杨塌村谷子种植专业合作社"],
                            # 三村抱团发展小米产业 (three villages, issue 20's counted reference and 产业 ending):
                            # stated by the text, but not in the held-out set, which stays as it was written; the
                            # same reference (收购三个村的谷子) found the three SUPPLIES it had missed (12 → 16)
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


REAL_LIKE = TEXTS / "real_like"
# Own texts in the real corpus's format (tests/data/extract/real_like): report -> gold ties, of them stated in
# words, and gold village/town ends with a code (all from the gold files, whatever the rules); then what the
# current rules find: (found, matched, found in words, matched in words, ends resolved rightly).
REAL_GOLD = {"jiangsu-shuanggou-jiedui": (4, 2, 2), "shandong-dadian-liancun": (11, 9, 10),
             "zhejiang-xilong-cunqi": (5, 3, 2)}
# Issue 20's recognition rules (四个村 for the villages just named, 黄桃种植, no 提供茶叶加工) raised them from
# (8, 6, 6, 4) and (7, 5, 3, 3); 四个村…新建冷库 now makes the four villages operate the cold store (4 extra).
# The LOCATED_IN rows the draft only infers are set apart, not scored (one in jiangsu, two in zhejiang: they were
# extras at (5, 4) and (7, 5)).
REAL_FOUND = {"jiangsu-shuanggou-jiedui": (4, 4, 2, 2, 2), "shandong-dadian-liancun": (15, 11, 13, 9, 10),
              "zhejiang-xilong-cunqi": (5, 5, 3, 3, 2)}
REAL_SET_APART = {"jiangsu-shuanggou-jiedui": 1, "shandong-dadian-liancun": 0, "zhejiang-xilong-cunqi": 2}


@pytest.mark.parametrize("name", sorted(REAL_GOLD))
def test_the_real_report_mode_on_own_texts(name, tmp_path):
    pairs = dict((gold.stem, (gold, text)) for gold, text in
                 evaluation.real_reports(REAL_LIKE / "gold", REAL_LIKE / "reports", "all"))
    report = evaluation.evaluate_real(*pairs[name], tmp_path)
    gold, words, coded_ends = REAL_GOLD[name]
    assert (report.result.counts[0], report.words.counts[0], report.places.ends) == (gold, words, coded_ends)
    found, matched, found_words, matched_words, right = REAL_FOUND[name]
    assert report.result.counts[1:] == (found, matched) and report.words.counts[1:] == (found_words, matched_words)
    assert (report.places.right, report.places.other_town) == (right, 0)
    assert report.inferred == REAL_SET_APART[name]


def test_the_real_report_mode_takes_one_split_and_prints_markdown(capsys):
    assert evaluation.main(["--real", str(REAL_LIKE / "gold"), "--reports", str(REAL_LIKE / "reports"),
                            "--split", "heldout", "--markdown", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "split heldout: 1 reports scored, 0 skipped" in out
    assert "| jiangsu-shuanggou-jiedui | 泗洪县 321324 | 4 | 4 | 4 | 1.00 | 1.00 | 2 | 2 | 2 | 1.00 | 1.00 | 2/2 | 0 | 0 |" in out
    assert "| all ties 全部 | 4 | 4 | 4 | 1.00 | 1.00 |" in out
    assert "inferred LOCATED_IN rows set apart, not scored 推断的所在地关系（不计分）: 1" in out
    assert "shandong" not in out and "zhejiang" not in out
    # the gold's script and form, as groups: the one report is simplified and 机关联村
    assert "| simplified | 1 | 4 | 4 | 4 | 1.00 | 1.00 | 2 | 2 | 2 | 1.00 | 1.00 |" in out
    assert "| 机关联村 | 1 | 4 | 4 | 4 | 1.00 | 1.00 |" in out and "村村联合 |" not in out


def test_without_being_told_the_scope_the_report_is_placed_from_its_text(capsys):
    """The held-out own text names 泗洪县 (its gold scope): found from the text, the same ties are scored."""
    assert evaluation.main(["--real", str(REAL_LIKE / "gold"), "--reports", str(REAL_LIKE / "reports"),
                            "--split", "heldout", "--no-scope", "--markdown", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "| all ties 全部 | 4 | 4 | 4 | 1.00 | 1.00 |" in out


def test_a_gold_file_without_its_text_is_skipped_and_said(capsys, tmp_path):
    (tmp_path / "dev").mkdir()
    assert evaluation.main(["--real", str(REAL_LIKE / "gold"), "--reports", str(tmp_path), "--split", "dev"]) == 0
    out = capsys.readouterr().out
    assert "split dev: 0 reports scored, 2 skipped" in out
    assert f"skipped 跳过 shandong-dadian-liancun: 无文本 / no text at {tmp_path}/dev/shandong-dadian-liancun.txt" in out


@pytest.mark.parametrize("province, scope, code", [
    ("湖南省", ["新晃县", "方家屯乡"], "431227"),   # 新晃侗族自治县, named without its ending; a town is passed over
    ("山东省", ["济南市", "长清区"], "370113"),
    ("江苏省", ["徐州市", "鼓楼区"], "320302"),     # 南京市 has a 鼓楼区 too
    ("江苏省", ["鼓楼区"], None),                  # two in the province, no city to tell them apart
    ("浙江省", ["长清区"], None),                  # not in that province
    ("福建省", ["宁德市"], "3509"),                # no county: the city
    ("海南省", ["儋州市", "南丰镇"], "460400"),     # a city whose one county has its name: the county
    ("重庆市", ["车田乡"], "500242"),              # only a town, the one of its name in 重庆: its county
    ("山东省", ["大店镇"], "371327"),              # likewise (莒南县)
    ("浙江省", ["城关镇"], None),                  # no 城关镇 in 浙江 at all
    ("贵州省", ["党武镇"], "520111"),              # a town become a 街道 since (党武街道, 花溪区)
    ("山东省", ["东关街道"], None),                # several in 山东: which county is not known
])
def test_the_scope_of_a_gold_file_is_its_most_specific_county(province, scope, code):
    found = evaluation.scope_of(evaluation.nbs.national_roster(), province, scope)
    assert (found.code if found else None) == code


def test_a_report_is_drafted_in_every_county_that_holds_a_gold_place(tmp_path):
    table = evaluation.nbs.national_roster()
    scope = evaluation.scope_of(table, "四川省", ["成华区", "蒲江县", "朝阳湖镇"])
    ties = [{"kind": "CO_BUILDS", "from": "成华城投园林公司党支部", "to": "鞍山村党总支"},
            {"kind": "PARTY_ORG_OF", "from": "鞍山村党总支", "to": "朝阳湖镇/鞍山村", "to_code": "510131103209"},
            {"kind": "LOCATED_IN", "from": "天鹅社区党委", "to": "保和街道/天鹅社区", "to_code": "510108004003"}]
    others = evaluation.gold_counties(table, scope, ties)
    assert scope.code == "510108" and [(s.code, s.name) for s in others] == [("510131", "蒲江县")]
    roster = evaluation.write_scope_roster(table, [scope, *others], tmp_path / "r.csv").read_text(encoding="utf-8")
    codes = [line.split(",")[0] for line in roster.splitlines()[1:]]
    assert len(codes) == len(set(codes))  # 四川省 and 成都市, above both counties, once each
    assert {"510131103209", "510108", "510131", "5101", "51"} <= set(codes)
    assert not any(code.startswith("510112") for code in codes)


def test_calibrate_fits_on_the_development_half_and_reliability_reads_it(capsys, tmp_path):
    table = tmp_path / "calibration.yaml"
    common = ["--real", str(REAL_LIKE / "gold"), "--reports", str(REAL_LIKE / "reports"), "--quiet",
              "--calibration", str(table)]
    assert evaluation.main([*common, "--split", "dev", "--calibrate"]) == 0
    fitted = evaluation.read_calibration(table)
    assert fitted.fitted["split"] == "dev" and fitted.fitted["reports"] == 2 and "--calibrate" in fitted.fitted["command"]
    groups = [g for family in fitted.groups.values() for g in family.values()]
    # the two development texts drafted 15 + 7 ties, 11 + 5 of them matched (REAL_FOUND)
    assert sum(g["drafted"] for g in groups) == 22 and sum(g["right"] for g in groups) == 16
    capsys.readouterr()
    assert evaluation.main([*common, "--split", "dev", "--reliability"]) == 0
    out = capsys.readouterr().out
    bands = [line.split() for line in out.splitlines() if line.startswith(("≥ 0.8", "0.5–0.8", "< 0.5"))]
    assert [b[0] for b in bands] == ["≥", "0.5–0.8", "<"]
    for at in (-6, -3):  # at the calibrated and at the hand-set confidence: every drafted tie in one band
        assert sum(int(b[at]) for b in bands) == 22 and sum(int(b[at + 1]) for b in bands) == 16
        for band in bands:
            rows, right, share = int(band[at]), int(band[at + 1]), band[at + 2]
            assert share == (f"{right / rows:.2f}" if rows else "—")


def test_calibrate_refuses_the_held_out_half(capsys):
    with pytest.raises(SystemExit):
        evaluation.main(["--real", str(REAL_LIKE / "gold"), "--reports", str(REAL_LIKE / "reports"),
                         "--split", "heldout", "--calibrate"])
    assert "--calibrate never fits on the held-out half" in capsys.readouterr().err


def test_a_report_extract_refuses_is_scored_as_nothing_drafted(capsys, tmp_path):
    """Not told its scope, a text whose one place (城关镇) lies in many counties is refused by extract: the run
    goes on, its gold ties all count as missed (none found), and the refusal is said."""
    gold = REAL_LIKE / "gold" / "shandong-dadian-liancun.yaml"
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / gold.name).write_text(gold.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "reports" / "dev").mkdir(parents=True)
    (tmp_path / "reports" / "dev" / "shandong-dadian-liancun.txt").write_text(
        "多村抱团\nhttps://example.invalid/x\n今年3月，城关镇甲子山村、天湖村组建联村党委，发展黄桃种植。\n", encoding="utf-8")
    assert evaluation.main(["--real", str(tmp_path / "gold"), "--reports", str(tmp_path / "reports"), "--split", "dev",
                            "--no-scope", "--markdown"]) == 0
    out = capsys.readouterr().out
    assert "split dev: 1 reports scored, 0 skipped" in out
    assert "| all ties 全部 | 11 | 0 | 0 | 0.00 | 0.00 |" in out
    assert "| stated in words 文字明述 | 9 | 0 | 0 | 0.00 | 0.00 |" in out
    assert "报道所提地名在多个区县都有，无法判断所在县：城关镇" in out
