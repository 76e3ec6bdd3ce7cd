"""The draft workbook of the example article: its sheets, its quotes, and what loading it gives."""

from __future__ import annotations

import openpyxl
import pytest

from linkgraph.cli import main
from linkgraph.pipeline import extract_draft
from loaders import load_sources
from loaders.extract.clean import CleanText, repair_mojibake
from loaders.extract.evaluate import describe, expected_from_graph, score

from .conftest import ARTICLE, REPO, ROSTER


@pytest.fixture(scope="module")
def drafts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("drafts")
    extract_draft([ARTICLE], folder / "review.xlsx", roster=ROSTER)
    extract_draft([ARTICLE], folder / "accepted.xlsx", roster=ROSTER, accept_above=0)
    return folder


def rows(sheet):
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


def test_the_workbook_has_the_tables_format_with_review_columns(drafts):
    workbook = openpyxl.load_workbook(drafts / "review.xlsx")
    assert workbook.sheetnames == ["说明", "县", "乡镇", "村", "党组织", "企业", "合作社", "帮扶单位", "产业项目", "产业", "关系"]
    assert [c.value for c in workbook["说明"][1][:2]] == ["来源 Source", "article_2024-01-18"]
    ties = rows(workbook["关系"])
    assert len(ties) == 34 and all(t["采纳"] is None for t in ties)
    assert {"关系类型", "起点", "终点", "依据", "采纳", "置信度", "名册匹配/候选", "规则"} <= set(ties[0])
    village = next(r for r in rows(workbook["村"]) if r["标识"] == "610828105236")
    assert (village["名称"], village["别名"], village["所属乡镇"]) == ("崔家西山村", "西山村", "通镇")
    assert village["置信度"] == 0.5 and "店镇西山村 (610828102209)" in village["名册匹配/候选"]
    company = next(r for r in rows(workbook["企业"]))
    assert company["名称"] == "陕西贺寨酒业有限公司" and company["原始名称"] == "陜西賀寨酒業有限公司"
    assert "陜西賀寨酒業公司" in company["别名"] and "贺寨酒业" in company["别名"]


def test_every_quote_is_the_articles_text_without_glosses(drafts):
    repaired, _ = repair_mojibake(ARTICLE.read_text(encoding="utf-8"))
    article = CleanText.of(repaired).quote
    workbook = openpyxl.load_workbook(drafts / "review.xlsx")
    quotes = [r["依据"] for name in workbook.sheetnames[1:] for r in rows(workbook[name])]
    assert quotes and all(q in article for q in quotes)
    assert "“四聯”發展方式,成立核桃樹墕聯村黨委" in quotes[-1] or any("成立核桃樹墕聯村黨委" in q for q in quotes)


def test_a_draft_nobody_accepted_loads_nothing_of_it(drafts):
    result = load_sources([ROSTER, drafts / "review.xlsx"])
    assert len(result.graph.ties) == 349 and len(result.graph.nodes) == 350


def test_accepting_every_row_gives_the_ties_of_the_curated_case_file(drafts):
    case = load_sources([REPO / "examples" / "jia_county" / "case.yaml"]).graph
    drafted = load_sources([ROSTER, drafts / "accepted.xlsx"]).graph
    compared = score(drafted, expected_from_graph(case, "case.yaml"), "accepted.xlsx")
    # the draft does not (yet) propose the three ties the curated file adds to the article's 34: the town's GUIDES
    # to the joint branch it set up, and where the joint cooperative and the cattle farm lie (inferred: 乌镇)
    assert sorted(t.label for t in compared.missed) == [
        "GUIDES 刘国具镇 → 上高寨酒业联合党支部", "LOCATED_IN 核桃树墕联村合作社 → 乌镇", "LOCATED_IN 联村合作社养牛场 → 乌镇"]
    assert [describe(t, drafted) for t in compared.extra] == []
    assert len(compared.matched) == 34
    tie = drafted.ties[("PAIRED_ASSISTANCE", "AssistanceUnit:-:佳县县委办公室", "610828105236")]
    assert tie.props["source"] == "article_2024-01-18" and tie.props["evidence"] == "佳縣縣委辦公室是通鎮西山村的幫扶單位。"
    assert tie.props["mechanism"] == "八聯八幫"
    assert {k: v for k, v in tie.props["metrics"].items() if k != "依据"} == {
        "党员骨干": 14, "脱贫户": 57, "联系人次": 653, "代办便民事项": 68, "人居环境整治次": 24, "收益_元": 290000}
    member = next(t for t in drafted.ties.values() if t.type == "MEMBER_OF"
                  and drafted.nodes[t.source_id].name == "陕西贺寨酒业有限公司")
    assert (member.props["role"], member.props["start_date"]) == ("lead", "2022")
    county = drafted.nodes["610828"]
    assert {k: v for k, v in county.props["claims"].items() if k != "依据"} == {"帮扶单位数": 48, "结对帮扶村数": 92}


def test_the_command(tmp_path, capsys):
    out = tmp_path / "草稿.xlsx"
    assert main(["extract", str(ARTICLE), "--roster", str(ROSTER), "--out", str(out), "--title", "佳县报道 2024-01-18"]) == 0
    printed = capsys.readouterr().out
    assert "34 ties, 24 nodes from 1 report(s), 3 mojibake repair(s)" in printed
    assert openpyxl.load_workbook(out)["说明"]["B1"].value == "佳县报道 2024-01-18"
    assert main(["extract", str(tmp_path / "a.pdf"), "--roster", str(ROSTER)]) == 2
    assert "cannot extract from a .pdf" in capsys.readouterr().err


FORMULAS = ("=佳县县委办公室是通镇高家塄村的帮扶单位。\n"
            "@通镇党委指导高家塄村党支部。\n"
            "-2022年以来，高家塄村党支部与佳县县委办公室党支部联合共建。\n"
            "+通镇党委与高家塄村党支部开展结对共建。\n")


def test_a_sentence_starting_like_a_formula_is_a_text_cell_and_the_draft_loads(tmp_path):
    report = tmp_path / "formulas.txt"
    report.write_text(FORMULAS, encoding="utf-8")
    extract_draft([report], tmp_path / "draft.xlsx", roster=ROSTER, accept_above=0)
    workbook = openpyxl.load_workbook(tmp_path / "draft.xlsx")
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    quotes = {c.value for c in cells if isinstance(c.value, str) and c.value[1:2] in "=@-+" and c.value[:1] == "'"}
    assert {"'=佳县县委办公室是通镇高家塄村的帮扶单位。", "'@通镇党委指导高家塄村党支部。"} <= quotes
    graph = load_sources([ROSTER, tmp_path / "draft.xlsx"]).graph
    tie = graph.ties[("PAIRED_ASSISTANCE", next(n.id for n in graph.nodes.values() if n.name == "佳县县委办公室"),
                      "610828105200")]
    assert tie.props["evidence"] == "'=佳县县委办公室是通镇高家塄村的帮扶单位。"


def test_the_draft_may_not_overwrite_a_report(tmp_path, capsys):
    report = tmp_path / "report.txt"
    report.write_text(FORMULAS, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    for out in (report, tmp_path / "sub" / ".." / "report.txt"):
        assert main(["extract", str(report), "--roster", str(ROSTER), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert f"草稿会覆盖报道 {report} / the draft would overwrite the report {report}" in err
    link = tmp_path / "link.txt"
    link.symlink_to(report)
    assert main(["extract", str(link), "--roster", str(ROSTER), "--out", str(report)]) == 2
    assert "the draft would overwrite the report" in capsys.readouterr().err
    assert report.read_text(encoding="utf-8") == FORMULAS


def test_a_folder_of_reports_is_drafted_as_its_files(tmp_path, capsys):
    folder = tmp_path / "报道"
    folder.mkdir()
    (folder / "一.txt").write_text("佳县县委办公室是通镇高家塄村的帮扶单位。\n", encoding="utf-8")
    (folder / "二.txt").write_text("2023年，佳县农业农村局与坑镇官道峁村结对帮扶。\n", encoding="utf-8")
    (folder / "~$旧草稿.docx").write_bytes(b"lock")  # Excel's and Word's lock files are no reports
    (folder / "说明.xlsx").write_bytes(b"not a report")
    assert main(["extract", str(folder), "--roster", str(ROSTER), "--out", str(tmp_path / "draft.xlsx")]) == 0
    assert "from 2 report(s)" in capsys.readouterr().out
    ties = {(r["起点"], r["文章"]) for r in rows(openpyxl.load_workbook(tmp_path / "draft.xlsx")["关系"])
            if r["关系类型"] == "结对帮扶"}
    assert ties == {("佳县县委办公室", "一.txt"), ("佳县农业农村局", "二.txt")}
    (tmp_path / "空").mkdir()
    assert main(["extract", str(tmp_path / "空"), "--roster", str(ROSTER), "--out", str(tmp_path / "d.xlsx")]) == 2
    assert "文件夹中没有报道文件 / the folder holds no report file" in capsys.readouterr().err


def test_ties_of_a_text_copied_from_a_pdf_are_found_across_its_line_breaks(tmp_path):
    from .test_document import PDF_COPY

    (tmp_path / "简报.txt").write_text(PDF_COPY, encoding="utf-8")
    drafted = extract_draft([tmp_path / "简报.txt"], tmp_path / "draft.xlsx", roster=ROSTER)
    paired = {(p.source.name, p.target.name) for p in drafted.extraction.proposals if p.type == "PAIRED_ASSISTANCE"}
    assert paired == {("佳县县委办公室", "高家塄村"), ("佳县农业农村局", "官道峁村")}


def test_an_organization_is_no_surer_than_the_surest_tie_it_is_an_end_of(tmp_path):
    """An organization's row is as sure as the surest tie it is an end of, at most 0.8 (the calibration's values
    are fitted, so the test reads them from the draft): one named only in a weak tie is not accepted with
    ``--accept-above 0.8``, one named in a sure tie is."""
    report = tmp_path / "简讯.txt"
    report.write_text("2023年，佳县计生协会指导通镇高家塄村开展计生服务。通镇党委书记到高家塄村调研。\n", encoding="utf-8")
    extract_draft([report], tmp_path / "draft.xlsx", roster=ROSTER, accept_above=0.8)
    workbook = openpyxl.load_workbook(tmp_path / "draft.xlsx")
    ties = {(r["起点"], r["关系类型"]): (r["置信度"], r["采纳"]) for r in rows(workbook["关系"])}
    organizations = {r["名称"]: (r["置信度"], r["采纳"]) for name in ("帮扶单位", "党组织") for r in rows(workbook[name])}
    guides, party_of = ties[("佳县计生协会", "指导")], ties[("通镇党委", "党组织隶属")]
    assert guides[0] < 0.8 <= party_of[0] and (guides[1], party_of[1]) == (None, "是")
    assert organizations["佳县计生协会"] == (guides[0], None)  # not accepted with it
    assert organizations["通镇党委"] == (0.8, "是")
