"""Loading from an upload, as data, on both stores: the dry run (counts, problems where the planner wrote them,
names to reconcile with candidates), the load with the picked candidate (saved for the next upload), the
uploader recorded, the audit log, hostile uploads, the time bound, and a draft's review loaded as the
reviewer. The uploads run through the real worker process and the real stores."""

import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from graph_model.records import GraphData
from linkgraph import pipeline
from linkgraph.audit import audit_for
from linkgraph.uploads import (Choice, Verdict, apply_upload, check_upload, decisions_path, draft_report, draft_rows,
                               reviewed_draft)
from loaders.upload import UploadLimits
from stores import open_store
from tests.conftest import EXAMPLE

PAIRS = EXAMPLE / "planner" / "结对帮扶.csv"
WORKBOOK = EXAMPLE / "planner" / "刘国具镇填报.xlsx"
XISHAN = ("Village", "通镇", "西山村")


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def spec(request, tmp_path, monkeypatch, schema):
    """A store (its spec) holding Jia County's roster; the team's files in ``tmp_path``."""
    monkeypatch.setenv("LINKGRAPH_DECISIONS_FILE", str(tmp_path / "decisions.csv"))
    monkeypatch.setenv("LINKGRAPH_AUDIT_FILE", str(tmp_path / "audit.jsonl"))
    if request.param == "embedded":
        where = str(tmp_path / "jia.lbug")
    else:
        where = request.getfixturevalue("neo4j_uri")
        with open_store(where, schema) as store:
            store.write(GraphData(), replace=True)
    pipeline.load_roster("county", "610828", where, loaded_by="管理员")
    return where


def sources(spec) -> dict:
    return {row["key"]: row for row in pipeline.sources(spec)}


def test_an_ambiguous_village_is_picked_from_its_candidates_and_the_upload_loads_once(spec):
    data = PAIRS.read_bytes()
    check = check_upload(spec, "结对帮扶.csv", data)
    assert not check.ready and check.problems == []
    [name] = check.to_reconcile
    assert (name.key, name.file, name.where, name.status) == (XISHAN, "结对帮扶.csv",
                                                             "工作表 sheet 结对帮扶, 行 row 2, 列 column 结对村 (to)", "missing")
    assert [(c.id, c.label) for c in name.candidates] == [("610828105236", "通镇崔家西山村"),
                                                          ("610828105252", "通镇罗山村"), ("610828102209", "店镇西山村")]
    assert "结对帮扶.csv" not in sources(spec)  # the dry run wrote nothing
    done = apply_upload(spec, "结对帮扶.csv", data, by="李干事", choices={name.key: Choice("610828105236")})
    assert done.loaded and done.sources == ["结对帮扶.csv"]
    assert (done.counts["create_ties"], done.counts["create_nodes"]) == (1, 1)
    row = sources(spec)["结对帮扶.csv"]
    assert (row["loaded_by"], row["ties_stated"]) == ("李干事", 1)
    with open_store(spec, read_only=True) as store:
        graph = store.export()
    [tie] = [t for t in graph.ties.values() if t.type == "PAIRED_ASSISTANCE"]
    assert tie.target_id == "610828105236"
    assert [(s["key"], s["loaded_by"]) for s in tie.props["provenance"]] == [("结对帮扶.csv", "李干事")]
    saved = decisions_path(spec).read_text(encoding="utf-8-sig")
    assert "西山村,,,610828105236,李干事" in saved
    again = check_upload(spec, "结对帮扶.csv", data)  # the saved choice serves the next upload
    assert again.ready and again.unchanged_sources == ["结对帮扶.csv"]
    assert apply_upload(spec, "结对帮扶.csv", data, by="王科长").counts["create_ties"] == 0
    assert sources(spec)["结对帮扶.csv"]["loaded_by"] == "李干事"  # applied once
    entries = audit_for(spec).entries()
    assert [(e["actor"], e["action"], e["detail"]["sources"]) for e in entries[:2]] == [
        ("王科长", "load", []), ("李干事", "load", ["结对帮扶.csv"])]


def test_a_zip_of_a_folder_loads_each_file_as_a_source(spec):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as folder:
        folder.write(EXAMPLE / "case.yaml", "佳县/case.yaml")
        folder.write(EXAMPLE / "nbs_roster_610828.csv", "佳县/nbs_roster_610828.csv")
    check = check_upload(spec, "佳县.zip", archive.getvalue())
    assert check.ready and check.files == ["case.yaml", "nbs_roster_610828.csv"]
    assert (check.counts["create_nodes"], check.counts["create_ties"]) == (18, 37)
    done = apply_upload(spec, "佳县.zip", archive.getvalue(), by="李干事")
    assert done.loaded and set(done.sources) == {"case.yaml", "nbs_roster_610828.csv"}
    assert sources(spec)["case.yaml"]["loaded_by"] == "李干事"


def test_an_old_xls_upload_is_read_and_its_problems_are_where_the_planner_wrote_them(spec):
    """A town's .xls (Excel 97–2003) through the upload worker: the dry run reads it past its title, notes and
    hidden sheet and names the two codes Excel mangled where the planner wrote them; nothing is loaded."""
    data = (EXAMPLE / "planner_real" / "通镇填报2023.xls").read_bytes()
    check = check_upload(spec, "通镇填报2023.xls", data)
    assert not check.ready and [(p.file, p.sheet, p.row, p.column) for p in check.problems] == [
        ("通镇填报2023.xls", "结对帮扶情况", 6, "结对村 (to)"), ("通镇填报2023.xls", "结对帮扶情况", 7, "结对村 (to)")]
    assert "科学计数法 6.10828E+11" in check.problems[0].message
    assert apply_upload(spec, "通镇填报2023.xls", data, by="李干事").loaded is False
    assert "通镇填报2023.xls" not in sources(spec)


def workbook_with(edits) -> bytes:
    book = load_workbook(WORKBOOK)
    for (sheet, cell), value in edits.items():
        book[sheet][cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_every_problem_says_where_the_planner_wrote_it_and_nothing_is_loaded(spec):
    data = workbook_with({("合作社", "F2"): "一", ("合作社", "A3"): '=HYPERLINK("http://evil.example","点我")',
                          ("合作社", "C3"): "刘国具镇"})
    check = check_upload(spec, "刘国具镇填报.xlsx", data)
    where = {(p.sheet, p.row, p.column): p.message for p in check.problems}
    assert where[("合作社", 2, "合计个数 (aggregate_count)")] == "应为整数 / expected a whole number, got '一'"
    assert "a formula" in where[("合作社", 3, "A3")] and "HYPERLINK" in where[("合作社", 3, "A3")]
    done = apply_upload(spec, "刘国具镇填报.xlsx", data, by="李干事")
    assert not done.loaded and {(p.sheet, p.row) for p in done.problems} >= {("合作社", 2), ("合作社", 3)}
    assert "刘国具镇填报.xlsx" not in sources(spec)


def test_a_name_with_markup_is_loaded_as_text(spec):
    name = "<script>alert(1)</script><img src=x onerror=alert(2)>合作社"
    data = workbook_with({("合作社", "A3"): name, ("合作社", "C3"): "刘国具镇"})
    with open_store(spec, read_only=True) as store:
        assert store.counts()["Cooperative"] == 0
    apply_upload(spec, "case.yaml", EXAMPLE.joinpath("case.yaml").read_bytes(), by="李干事")
    done = apply_upload(spec, "刘国具镇填报.xlsx", data, by="李干事")
    assert done.loaded, done.problems
    with open_store(spec, read_only=True) as store:
        names = {n.name for n in store.export().nodes_of("Cooperative")}
    assert name in names


def test_an_xml_entity_bomb_is_refused_in_one_line(spec):
    with zipfile.ZipFile(WORKBOOK) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    laughs = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10 if i else "ha"}">' for i in range(10))
    parts[sheet] = (f'<?xml version="1.0"?><!DOCTYPE worksheet [{laughs}]><worksheet '
                    'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" '
                    't="inlineStr"><is><t>&l9;</t></is></c></row></sheetData></worksheet>').encode()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    check = check_upload(spec, "刘国具镇填报.xlsx", bomb.getvalue())
    [problem] = check.problems
    assert problem.file == "刘国具镇填报.xlsx" and "\n" not in problem.message
    assert "entit" in problem.message.lower() or "DTD" in problem.message


def test_an_upload_that_outruns_the_time_bound_is_stopped_and_nothing_is_written(spec):
    quick = UploadLimits(max_seconds=0.01)
    check = check_upload(spec, "刘国具镇填报.xlsx", WORKBOOK.read_bytes(), limits=quick)
    assert [p.message.split(" / ")[0] for p in check.problems] == ["处理超时"]
    done = apply_upload(spec, "case.yaml", EXAMPLE.joinpath("case.yaml").read_bytes(), by="李干事",
                        limits=UploadLimits(max_seconds=-59.99))  # (the writer's wait, 60 s, is added)
    assert not done.loaded and "case.yaml" not in sources(spec)


def test_a_reviewed_draft_loads_its_accepted_rows_as_the_reviewers_source(spec, tmp_path):
    draft = pipeline.extract_draft([EXAMPLE / "article_2024-01-18.txt"], tmp_path / "draft.xlsx", county="610828")
    data = draft.path.read_bytes()
    rows = draft_rows(data)
    ties = [r for r in rows if r.sheet == "关系"]
    assert len(ties) == 34 and all(r.quote and not r.accepted for r in ties)
    rejected = next(r for r in ties if r.cells["关系类型"] == "位于" and r.cells["起点"] == "陕西贺寨酒业有限公司")
    company = next(r for r in rows if r.sheet == "企业")
    verdicts = {(r.sheet, r.row): Verdict(r is not rejected) for r in rows}
    verdicts[(company.sheet, company.row)] = Verdict(True, {"备注": "=核实 checked by 审核员"})
    reviewed = reviewed_draft(data, verdicts)
    assert [r.accepted for r in draft_rows(reviewed)] == [r is not rejected for r in rows]
    done = apply_upload(spec, "draft.xlsx", reviewed, by="审核员")
    assert done.loaded, done.problems
    assert (done.counts["create_ties"], done.counts["create_nodes"]) == (33, 18)
    with open_store(spec, read_only=True) as store:
        graph = store.export()
    [enterprise] = list(graph.nodes_of("Enterprise"))
    assert [t.type for t in graph.ties.values() if enterprise.id in (t.source_id, t.target_id)].count("LOCATED_IN") == 0
    assert [t.type for t in graph.ties.values() if t.target_id == "610828111"].count("LOCATED_IN") == 3
    assert enterprise.props["note"] == "=核实 checked by 审核员"
    assert {s["loaded_by"] for t in graph.ties.values() if "draft.xlsx" in t.props["source_keys"]
            for s in t.props["provenance"]} == {"审核员"}
    assert json.dumps(sources(spec)["draft.xlsx"]["loaded_by"], ensure_ascii=False) == '"审核员"'


def test_a_report_text_is_drafted_as_linkgraph_extract_drafts_it(tmp_path):
    article = EXAMPLE / "article_2024-01-18.txt"
    drafted = draft_report("C:\\报道\\" + article.name, article.read_bytes())
    assert (drafted.name, drafted.problems) == ("article_2024-01-18.xlsx", [])
    expected = pipeline.extract_draft([article], tmp_path / "draft.xlsx").path.read_bytes()
    assert [(r.sheet, r.row, r.cells) for r in draft_rows(drafted.data)] == \
        [(r.sheet, r.row, r.cells) for r in draft_rows(expected)]
    refused = draft_report("notes.txt", b"no report here")
    assert [p.message.split(" / ")[0] for p in refused.problems] == ["报道中没有中文"] and refused.data == b""
    late = draft_report("a.txt", article.read_bytes(), UploadLimits(max_seconds=0.01))
    assert [p.message.split(" / ")[0] for p in late.problems] == ["处理超时"]
    long_name = draft_report("佳县" * 45 + ".txt", article.read_bytes())  # 274 bytes: too long for a file's name
    assert (long_name.name, long_name.problems) == ("report.xlsx", []) and draft_rows(long_name.data)


def test_choices_join_the_teams_decisions_only_when_the_load_succeeds(spec):
    bad = workbook_with({("合作社", "F2"): "一"})
    done = apply_upload(spec, "刘国具镇填报.xlsx", bad, by="李干事", choices={XISHAN: Choice("610828105236")})
    assert not done.loaded and not decisions_path(spec).exists()
    done = apply_upload(spec, "结对帮扶.csv", PAIRS.read_bytes(), by="李干事", choices={XISHAN: Choice("610828105236")})
    assert done.loaded and "610828105236" in decisions_path(spec).read_text(encoding="utf-8-sig")


def test_an_unreadable_memory_limit_is_said_in_its_own_words_and_nothing_is_written(tmp_path, monkeypatch, schema):
    """A bad ``$LINKGRAPH_MEMORY_LIMIT`` of the server: the upload says what is wrong with it, as the commands do
    (it said only that reading the upload failed, and to read the server's log)."""
    monkeypatch.setenv("LINKGRAPH_DECISIONS_FILE", str(tmp_path / "decisions.csv"))
    monkeypatch.setenv("LINKGRAPH_AUDIT_FILE", str(tmp_path / "audit.jsonl"))
    where = str(tmp_path / "jia.lbug")
    pipeline.load_roster("county", "610828", where, loaded_by="管理员")
    with open_store(where, schema, read_only=True) as store:
        before = store.counts()
    monkeypatch.setenv("LINKGRAPH_MEMORY_LIMIT", "-1")
    done = apply_upload(where, "结对帮扶.csv", PAIRS.read_bytes(), by="李干事")
    assert not done.loaded and len(done.problems) == 1
    assert done.problems[0].message.startswith("内存上限应写成 1G、800M 或 2048")
    assert "not '-1' (LINKGRAPH_MEMORY_LIMIT)" in done.problems[0].message
    monkeypatch.delenv("LINKGRAPH_MEMORY_LIMIT")
    with open_store(where, schema, read_only=True) as store:
        assert store.counts() == before


def pairing_csv(unit: str, village_code: str, town: str) -> bytes:
    """A town's ``结对帮扶.csv`` as Excel on Chinese Windows saves it (GBK): one pairing, the village by its code."""
    return f"帮扶单位,结对村,所属乡镇,结对时间\n{unit},{village_code},{town},2022\n".encode("gbk")


def test_an_upload_that_would_replace_another_files_source_of_its_name_loads_only_when_confirmed(spec):
    # two towns' planners both name their file 结对帮扶.csv: the file name is the source's key, so the second
    # upload would silently take away the first town's pairing unless the editor confirms it replaces it
    first = pairing_csv("县农业农村局", "610828105236", "通镇")
    assert apply_upload(spec, "结对帮扶.csv", first, by="小李").loaded
    second = pairing_csv("县财政局", "610828102209", "店镇")
    check = check_upload(spec, "结对帮扶.csv", second)
    assert check.counts["delete_ties"] == 1 and check.needs_confirmation
    [replaced] = check.replaces
    assert (replaced.key, replaced.loaded_by) == ("结对帮扶.csv", "小李") and replaced.loaded_at
    held = apply_upload(spec, "结对帮扶.csv", second, by="小王")
    assert not held.loaded
    [problem] = held.problems
    assert problem.message.startswith("载入将替换已有的来源“结对帮扶.csv”（小李 ") and "replace" in problem.message
    with open_store(spec, read_only=True) as store:
        pairs = {(t.source_id, t.target_id) for t in store.export().ties.values() if t.type == "PAIRED_ASSISTANCE"}
    assert {target for _, target in pairs} == {"610828105236"}  # the first town's pairing is still there
    assert sources(spec)["结对帮扶.csv"]["loaded_by"] == "小李"
    done = apply_upload(spec, "结对帮扶.csv", second, by="小王", replace_confirmed=True)
    assert done.loaded and done.counts["delete_ties"] == 1
    with open_store(spec, read_only=True) as store:
        pairs = {(t.source_id, t.target_id) for t in store.export().ties.values() if t.type == "PAIRED_ASSISTANCE"}
    assert {target for _, target in pairs} == {"610828102209"}
    assert sources(spec)["结对帮扶.csv"]["loaded_by"] == "小王"


def test_an_upload_of_a_new_source_or_an_edit_that_only_adds_needs_no_confirmation(spec):
    first = pairing_csv("县农业农村局", "610828105236", "通镇")
    check = check_upload(spec, "结对帮扶.csv", first)
    assert check.replaces == [] and not check.needs_confirmation
    assert apply_upload(spec, "结对帮扶.csv", first, by="小李").loaded
    grown = first + "县农业农村局,610828102209,店镇,2023\n".encode("gbk")
    check = check_upload(spec, "结对帮扶.csv", grown)
    assert [r.key for r in check.replaces] == ["结对帮扶.csv"] and check.counts["delete_ties"] == 0
    assert not check.needs_confirmation
    assert apply_upload(spec, "结对帮扶.csv", grown, by="小李").loaded


def test_the_dry_runs_notes_name_the_uploaded_file_not_the_servers_folder(spec):
    """A title row read past is said with the file's name (结对帮扶名单2023.csv), never the temporary folder the
    upload was unpacked into on the server (/tmp/linkgraph-upload-…/)."""
    data = "佳县通镇2023年结对帮扶名单\n帮扶单位,结对村,所属乡镇\n县农业农村局,610828105236,通镇\n".encode("gbk")
    check = check_upload(spec, "结对帮扶名单2023.csv", data)
    assert check.notes and all("linkgraph-upload-" not in note for note in check.notes), check.notes
    assert any(note.endswith(": 结对帮扶名单2023.csv, sheet 结对帮扶名单2023") for note in check.notes), check.notes


@pytest.mark.parametrize("keep_valid", [False, True])
def test_a_load_asked_not_to_replace_is_refused_under_the_writers_lock_on_either_path(spec, tmp_path, keep_valid):
    """``pipeline.load(ask_before_replacing=True)`` (what an unconfirmed upload asks): the decision is the write's
    own, made while it holds the store (a load in parts and a whole load alike), so an editor who loaded a file of
    that name meanwhile is never overwritten; nothing is written."""
    from graph_model.records import InputError

    first, second = tmp_path / "a" / "结对帮扶.csv", tmp_path / "b" / "结对帮扶.csv"
    for path, data in ((first, pairing_csv("县农业农村局", "610828105236", "通镇")),
                       (second, pairing_csv("县财政局", "610828102209", "店镇"))):
        path.parent.mkdir()
        path.write_bytes(data)
    # as an upload loads them: known by their name alone (folders=False), so the folders do not tell them apart
    pipeline.load([first], spec, loaded_by="小李", ask_before_replacing=True, folders=False)  # nothing to replace
    with pytest.raises(InputError) as caught:
        pipeline.load([second], spec, loaded_by="小王", ask_before_replacing=True, keep_valid=keep_valid,
                      folders=False)
    assert str(caught.value.problems[0]).startswith("载入将替换已有的来源“结对帮扶.csv”（小李 ")
    assert sources(spec)["结对帮扶.csv"]["loaded_by"] == "小李"
    with open_store(spec, read_only=True) as store:
        assert {t.target_id for t in store.export().ties.values() if t.type == "PAIRED_ASSISTANCE"} == {"610828105236"}


def test_an_upload_is_known_by_its_name_alone_as_before_and_records_no_folder(spec, tmp_path):
    """An upload has no folder of its own (the server unpacks it into one made for it): a same-named upload,
    confirmed (it deletes what the source stated), replaces the source loaded from a folder, and the registry then records no folder, so that a
    later load from a folder replaces it too, with a note (``graph_model.sources.folder_clashes``)."""
    town = tmp_path / "通镇"
    town.mkdir()
    (town / "结对帮扶.csv").write_text("帮扶单位,结对村,所属乡镇\n佳县民政局,高家塄村,通镇\n", encoding="utf-8")
    pipeline.load([town / "结对帮扶.csv"], spec)
    assert sources(spec)["结对帮扶.csv"]["folder"] == str(town.resolve())
    done = apply_upload(spec, "结对帮扶.csv", "帮扶单位,结对村,所属乡镇\n佳县林业局,马连塌村,坑镇\n".encode(), by="李干事",
                        replace_confirmed=True)
    assert done.loaded and (done.counts["create_nodes"], done.counts["delete_nodes"]) == (1, 1)
    assert (sources(spec)["结对帮扶.csv"]["folder"], sources(spec)["结对帮扶.csv"]["loaded_by"]) == ("", "李干事")
    again = pipeline.load([town / "结对帮扶.csv"], spec)
    assert again.result.notes[0].startswith("库中的 结对帮扶.csv 没有记录来自哪个文件夹")
    assert sources(spec)["结对帮扶.csv"]["folder"] == str(town.resolve())


def test_a_header_unknown_on_two_sheets_is_mapped_once_to_a_field_of_both(spec):
    """A workbook whose pairing sheet and enterprise sheet both have a 情况说明 column: one header to map (as
    ``--columns`` maps a header once for every sheet), found on both sheets, offering the fields of both tables
    (an enterprise's 品牌 and a tie's 起点); mapped to 备注 note, both sheets load with their notes."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "结对帮扶"
    for row in [("帮扶单位", "结对村", "所属乡镇", "情况说明"), ("佳县水利局", "高家集村", "通镇", "每月走访")]:
        book.active.append(row)
    firms = book.create_sheet("企业")
    for row in [("名称", "所属乡镇", "情况说明"), ("陕西贺寨酒业有限公司", "刘国具镇", "酒厂")]:
        firms.append(row)
    data = io.BytesIO()
    book.save(data)
    check = check_upload(spec, "填报.xlsx", data.getvalue())
    [unknown] = check.unknown_columns
    assert check.problems == [] and not check.ready
    assert (unknown.header, sorted(unknown.where)) == ("情况说明", ["填报.xlsx, 工作表 sheet 企业", "填报.xlsx, 工作表 sheet 结对帮扶"])
    assert {("brand", "品牌 Brands"), ("from", "起点 From"), ("note", "备注 Note")} <= set(unknown.choices)
    check = check_upload(spec, "填报.xlsx", data.getvalue(), columns={"情况说明": "note"})
    assert check.ready and check.unknown_columns == [] and check.counts["create_ties"] == 2  # pairing, LOCATED_IN
    done = apply_upload(spec, "填报.xlsx", data.getvalue(), by="李干事", columns={"情况说明": "note"})
    assert done.loaded, done.problems
    with open_store(spec, read_only=True) as store:
        graph = store.export()
    [company] = list(graph.nodes_of("Enterprise"))
    [pairing] = [t for t in graph.ties.values() if t.type == "PAIRED_ASSISTANCE"]
    assert (company.props["note"], pairing.props["note"]) == ("酒厂", "每月走访")
