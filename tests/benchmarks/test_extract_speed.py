"""The extraction benchmark's own logic (the timed runs are not part of the test suite)."""

import argparse

from benchmarks.extract_speed import report_text, run_case
from loaders.extract.document import parse_text


def test_the_synthetic_reports_are_of_the_size_asked_and_the_same_for_a_seed():
    text = report_text(20_000, seed=3)
    assert 20_000 <= len(text.encode()) < 24_000 and text == report_text(20_000, seed=3) != report_text(20_000, 4)
    assert text.startswith("佳县党建引领村企联合发展情况（合成文本 synthetic）\n")
    assert len(parse_text(text, "t.txt").paragraphs) > 5


def test_a_case_drafts_its_reports_and_reports_its_measures(tmp_path):
    args = argparse.Namespace(mb=0.01, reports=3, kb=2, seed=1)
    result = run_case("many", tmp_path, args)
    assert (result["case"], result["reports"]) == ("many", 3) and result["bytes"] >= 3 * 2048
    assert result["ties"] > 0 and result["entities"] > 0 and result["peak_mb"] > 0
    assert result["scope"].startswith("3 篇报道所提区县：佳县 610828")
    assert (tmp_path / "many.xlsx").exists()
