import gc
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from linkgraph.cli import build_parser, format_table, main
from tests.conftest import EXAMPLE, REPO


def commands():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return list(sub.choices)


def test_a_parser_of_one_command_parses_and_helps_as_the_whole_parser():
    """``build_parser(COMMAND)`` (what :func:`main` builds for a command line) builds that command alone: its help
    and its parsed arguments are the whole parser's, every other command is named (``--help``, a mistyped
    command's message) but its options are not built."""
    import argparse

    whole = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name in commands():
        one = next(a for a in build_parser(name)._actions if isinstance(a, argparse._SubParsersAction))
        assert list(one.choices) == list(whole.choices)
        assert one.choices[name].format_help() == whole.choices[name].format_help()
        assert all(not isinstance(sub, argparse.ArgumentParser) for other, sub in one.choices.items() if other != name)
    line = ["query", "ego_network", "org=佳县县委办公室", "hops=2", "--format", "csv", "--store", "x.lbug"]
    assert build_parser("query").parse_args(line) == build_parser().parse_args(line)
    assert build_parser("query").format_help() == build_parser().format_help()


def test_every_command_is_documented_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [c for c in commands() if not re.search(rf"linkgraph {c}\b", readme)]
    assert missing == []
    assert "make demo" in readme and "make test" in readme


def test_demo_writes_everything(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for path in ("linkgraph.lbug", "map.html", "report/report.html", "report/report.xlsx", "report/centrality.csv",
                 "report/untied_villages.csv", "report/network.graphml", "queries/joint_org_members.csv"):
        assert (tmp_path / path).exists(), path
    for path in ("map.html", "report/report.html", "report/report.xlsx"):
        assert str(tmp_path / path) in out, path
    assert "名称核对 reconciliation: 来源称“通镇西山村”" in out
    assert "核桃树墕联村党委 links 2 recorded villages of the 9 it claims." in out
    assert "joint_org_members: 2 rows" in out
    assert (tmp_path / "queries" / "joint_org_members.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_load_query_report_map(tmp_path, capsys):
    store = str(tmp_path / "g.lbug")
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", store]) == 0
    assert "Village 334" in capsys.readouterr().out
    assert main(["query", "joint_org_members", "org=核桃树墕联村党委", "--store", store, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sorted(r["member"] for r in rows) == ["尚家沟村", "核桃树墕村"]
    assert main(["query", "ties_started_in", "year=2021", "--store", store]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["关系", "tie", "起点类型", "from_kind", "起点标识", "from_id", "起点", "from", "终点类型",
                                "to_kind", "终点标识", "to_id", "终点", "to", "开始", "start", "依据", "evidence"]
    assert len(table) == 2 + 3
    assert table[2].startswith("指导 GUIDES               党组织 PartyOrganization  jia:wu_town_party_committee  乌镇党委")
    assert main(["query", "kind_counts", "--store", store, "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeff类型 kind,数量 count\r\n") and "村/社区 Village,334" in out
    assert main(["report", "--store", store, "--out", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r" / "report.html").exists()
    assert main(["map", "--store", store, "--out", str(tmp_path / "m.html"), "--no-admin"]) == 0
    assert (tmp_path / "m.html").stat().st_size > 400_000


def test_query_without_a_name_lists_the_catalog(capsys):
    assert main(["query"]) == 0
    out = capsys.readouterr().out
    assert "assistance_coverage          结对帮扶覆盖（已记录与报道称） / Assistance coverage, recorded beside what sources claim" in out
    assert "e.g. linkgraph query ties_started_in year=2022" in out


def another_county_store(tmp_path) -> str:
    """A store of 大化瑶族自治县 (the shipped roster) with one pairing of our own: a county not Jia's."""
    store = str(tmp_path / "dahua.lbug")
    assert main(["roster", "--county", "451229", "--store", store]) == 0
    ties = tmp_path / "ties.csv"
    ties.write_text("关系类型,起点,起点类型,终点,终点类型,终点乡镇,开始\n"
                    "结对帮扶,大化县试点局,帮扶单位,弄合村,村/社区,七百弄乡,2021\n", encoding="utf-8")
    assert main(["load", str(ties), "--store", store]) == 0
    return store


def test_the_list_of_queries_shows_examples_from_the_store_asked(tmp_path, capsys):
    """A planner of 大化县 listing the queries saw ``org=佳县县委办公室``, ``within=610828``: names that their
    store does not hold. The examples come from the store asked, or are placeholders saying what to write."""
    store = another_county_store(tmp_path)
    capsys.readouterr()
    assert main(["query", "--store", store]) == 0
    out = capsys.readouterr().out
    assert "e.g. linkgraph query ego_network org=大化县试点局 hops=2" in out
    assert "e.g. linkgraph query assistance_units_ranked within=451229" in out
    assert "e.g. linkgraph query enterprise_ties enterprise=<企业>" in out  # none in this store
    assert "e.g. linkgraph query ties_started_in year=2022" in out
    assert not re.search("佳县|610828|贺寨|核桃树墕|通镇", out)
    assert main(["query", "--store", str(tmp_path / "nothing-yet.lbug")]) == 0  # no store: placeholders only
    out = capsys.readouterr().out
    assert "e.g. linkgraph query shortest_paths from=<起点组织> to=<终点组织>" in out
    assert "e.g. linkgraph query assistance_coverage town=<乡镇>" in out
    assert not re.search("佳县|610828|贺寨|核桃树墕|通镇", out)


def test_bad_input_is_one_line_per_problem_and_writes_nothing(tmp_path, capsys):
    store = str(tmp_path / "g.lbug")
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", store]) == 0
    capsys.readouterr()
    bad = tmp_path / "bad.yaml"
    bad.write_text((EXAMPLE / "case.yaml").read_text(encoding="utf-8").replace("role: lead", "role: boss"), encoding="utf-8")
    (tmp_path / "nbs_roster_610828.csv").write_bytes((EXAMPLE / "nbs_roster_610828.csv").read_bytes())
    assert main(["load", str(bad), "--store", store, "--replace"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "错误 error: 输入中有 1 处问题，未写入任何数据 / 1 problem(s) in the input, nothing was written"
    assert re.match(rf"  {re.escape(str(bad))}, 行 row \d+, 列 column role: 取值不在允许范围内 / expected one of lead, member, got 'boss'",
                    err[1])
    assert "Traceback" not in "\n".join(err)
    assert main(["query", "kind_counts", "--store", store, "--format", "json"]) == 0
    assert {"kind": "Village", "count": 334} in json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("argv, message", [
    (["query", "kind_counts", "--store", "{tmp}/missing.lbug"], "该路径没有数据库 / no embedded store at"),
    (["query", "nope", "--store", "{tmp}/g.lbug"], "no query named 'nope'"),
    (["query", "ties_started_in", "year", "--store", "{tmp}/g.lbug"], "is not PARAM=VALUE"),
    (["load", "{tmp}/missing.csv", "--store", "{tmp}/g.lbug"], "missing.csv: 无法读取文件 / cannot read file"),
    (["load", "{tmp}/notes.txt", "--store", "{tmp}/g.lbug"],
     "文本文件（.txt），linkgraph 不能直接读取 / a text file (.txt), which linkgraph does not read"),
])
def test_errors_are_readable(tmp_path, capsys, argv, message):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    main(["load", str(EXAMPLE / "nbs_roster_610828.csv"), "--store", str(tmp_path / "g.lbug")])
    capsys.readouterr()
    assert main([a.replace("{tmp}", str(tmp_path)) for a in argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_neo4j_without_password_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    assert main(["query", "kind_counts", "--store", "bolt://127.0.0.1:1"]) == 1
    assert "set NEO4J_PASSWORD" in capsys.readouterr().err


@pytest.mark.neo4j
def test_cli_against_neo4j(neo4j_store, neo4j_uri, capsys):
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", neo4j_uri, "--replace"]) == 0
    assert "PART_OF 349" in capsys.readouterr().out
    assert main(["query", "villages_without_recorded_assistance", "town=通镇", "--store", neo4j_uri, "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 31


def test_table_aligns_chinese():
    table = format_table(["名称", "n"], [["西山村", 1], ["x" * 80, 22]]).splitlines()
    assert table[0] == "名称" + " " * 44 + "  n"  # 名称 is 4 columns wide; the cut cell is 48
    assert table[2] == "西山村" + " " * 42 + "  1"
    assert table[3] == "x" * 47 + "…  22"


def test_console_script_runs():
    result = subprocess.run([sys.executable, "-m", "linkgraph", "--help"], capture_output=True, text=True, check=True)
    assert "load" in result.stdout and "demo" in result.stdout


def test_the_program_exits_with_its_commands_code(tmp_path):
    """``linkgraph`` (the program: main, then gc.freeze) ends with the command's exit code and its message."""
    done = subprocess.run([sys.executable, "-m", "linkgraph", "query", "kind_counts", "--store", str(tmp_path / "none.lbug")],
                          capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"错误 error: 该路径没有数据库 / no embedded store at {tmp_path / 'none.lbug'}")


QUERY_DOES_NOT_IMPORT = ("loaders", "analysis", "visualizations.map", "visualizations.report", "yaml", "orjson",
                         "rich", "pandas", "pyarrow", "openpyxl", "xlsxwriter", "networkx", "igraph", "pyvis",
                         "IPython", "jinja2", "opencc", "pypinyin", "rapidfuzz", "neo4j", "tempfile",
                         "importlib.resources", "zipfile", "asyncio", "ssl", "ctypes")


@pytest.mark.parametrize("query, shown", [
    (["kind_counts"], r"村/社区 Village\s+334"),
    # by name, in characters of GB2312: matched without OpenCC (issue 22: a query as a command in ≤ 0.3 s)
    (["ego_network", "org=佳县县委办公室", "hops=2"], r"县委办党支部\s+党组织 PartyOrganization"),
    (["shortest_paths", "from=尚家沟村", "to=联村合作社养牛场"], r"尚家沟村 → 核桃树墕联村党委"),
])
def test_a_query_imports_only_what_it_uses(tmp_path, query, shown):
    """``linkgraph query`` imports the store, the catalog and the table formatting, not the loaders nor the
    libraries of other commands (issue 9: a query starts in well under 0.2 s; each of these takes 5–100 ms)."""
    store = str(tmp_path / "g.lbug")
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", store]) == 0
    code = ("import sys; from linkgraph.cli import main; code = main(sys.argv[1:]); "
            "print(' '.join(sorted(sys.modules)), file=sys.stderr); sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", code, "query", *query, "--store", store],
                          capture_output=True, text=True, check=True)
    assert re.search(shown, done.stdout)
    imported = done.stderr.split()
    assert "ladybug" in imported and "queries.catalog" in imported
    assert [m for m in imported if any(m == name or m.startswith(f"{name}.") for name in QUERY_DOES_NOT_IMPORT)] == []


def test_the_program_ends_a_question_at_once_with_its_whole_answer(tmp_path, capsys):
    """``linkgraph query`` (the program) prints the whole answer, byte for byte what :func:`main` prints, and
    then ends without closing the store it read or running Python's exit handlers (issue 22: 4-9 ms of a
    national question); :func:`main` in a process that goes on closes it as before."""
    store = str(tmp_path / "g.lbug")
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", store]) == 0
    question = ["query", "villages_without_recorded_assistance", "--format", "csv", "--store", store]
    capsys.readouterr()
    assert main(question) == 0
    answer = capsys.readouterr().out.encode("utf-8")
    assert answer.count(b"\r\n") == 334  # the header and 333 of the example's 334 villages (one is paired)
    code = ("import atexit, sys; import stores.embedded as e; from linkgraph.cli import program; "
            "atexit.register(lambda: print('exit handlers ran', file=sys.stderr)); "
            "close = e.EmbeddedStore.close; "
            "e.EmbeddedStore.close = lambda self: (print('closed', file=sys.stderr), close(self)); "
            "sys.argv = ['linkgraph', *sys.argv[1:]]; sys.exit(program())")
    done = subprocess.run([sys.executable, "-c", code, *question], capture_output=True)
    assert done.returncode == 0 and done.stderr == b""
    assert done.stdout == b"\xef\xbb\xbf" + answer.removeprefix("\ufeff".encode("utf-8"))
    failed = subprocess.run([sys.executable, "-c", code, "query", "ego_network", "org=无此单位", "--store", store],
                            capture_output=True, text=True)
    assert failed.returncode == 2  # a refusal closes the store and ends as before
    assert failed.stderr.startswith("closed\n错误 error: 找不到名为“无此单位”的节点 node / no 节点 node named '无此单位'")
    assert failed.stderr.endswith("exit handlers ran\n")


def test_the_program_ends_a_report_once_its_files_are_written(tmp_path, capsys):
    """``linkgraph report`` (the program) writes the same files and prints the same findings as :func:`main`,
    then ends without taking its analysis apart or running Python's exit handlers (issue 22: 2-3 s of CPU of
    a national report); :func:`main` in a process that goes on returns as before."""
    store = str(tmp_path / "g.lbug")
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", store]) == 0
    capsys.readouterr()
    assert main(["report", "--store", store, "--out", str(tmp_path / "main")]) == 0
    printed = capsys.readouterr().out.replace(str(tmp_path / "main"), "OUT")
    code = ("import atexit, sys; from linkgraph.cli import program; "
            "atexit.register(lambda: print('exit handlers ran', file=sys.stderr)); "
            "sys.argv = ['linkgraph', *sys.argv[1:]]; sys.exit(program())")
    done = subprocess.run([sys.executable, "-c", code, "report", "--store", store, "--out", str(tmp_path / "program")],
                          capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.replace(str(tmp_path / "program"), "OUT") == printed
    written = sorted(p.name for p in (tmp_path / "main").iterdir())
    assert written == sorted(p.name for p in (tmp_path / "program").iterdir()) and "centrality.csv" in written
    for name in written:  # (not the GraphML: the eigenvectors' last digit may differ from one process to another)
        if name.endswith(".csv"):
            assert (tmp_path / "program" / name).read_bytes() == (tmp_path / "main" / name).read_bytes(), name


def test_a_question_of_the_program_runs_without_the_collector_of_cycles(tmp_path):
    """The program (:func:`linkgraph.cli.program`) leaves Python's collector of cycles off for a question, whose
    process ends with its answer (3-4 ms of a national question); :func:`main` in a process that goes on, and
    the program's other commands, leave it on."""
    store = str(tmp_path / "g.lbug")
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", store]) == 0
    code = ("import gc, sys; import linkgraph.cli as cli; end = cli._end_process; "
            "cli._end_process = lambda code: (print('collector', gc.isenabled(), file=sys.stderr), end(code)); "
            "sys.argv = ['linkgraph', *sys.argv[1:]]; code = cli.program(); "
            "print('collector', gc.isenabled(), file=sys.stderr); sys.exit(code)")
    asked = subprocess.run([sys.executable, "-c", code, "query", "kind_counts", "--store", store],
                           capture_output=True, text=True)
    assert asked.returncode == 0 and asked.stderr == "collector False\n" and "Village" in asked.stdout
    listed = subprocess.run([sys.executable, "-c", code, "sources", "--store", store], capture_output=True, text=True)
    assert listed.returncode == 0 and listed.stderr == "collector True\n"
    assert main(["query", "kind_counts", "--store", store]) == 0 and gc.isenabled()


@pytest.mark.parametrize("closed", [1, 2])
def test_the_program_ends_a_question_with_a_closed_output_as_main_does(tmp_path, closed):
    """``linkgraph query`` run with its standard output or error closed (``>&-``, ``2>&-``: a job started
    without them) ends as :func:`main` ends it: code 0, the answer on the stream still open and nothing else,
    not an internal error for a stream that is not there (Python sets it to None)."""
    import os

    store = str(tmp_path / "g.lbug")
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", store]) == 0
    question = ["query", "kind_counts", "--store", store]
    ends = {}
    for entry in ("program", "main"):
        code = f"import sys; from linkgraph.cli import {entry}; sys.argv = ['linkgraph', *sys.argv[1:]]; sys.exit({entry}())"
        ends[entry] = subprocess.run([sys.executable, "-c", code, *question], capture_output=True, text=True,
                                     cwd=REPO, preexec_fn=lambda: os.close(closed))
    assert ends["main"].returncode == 0 and ends["main"].stderr == ""
    assert (ends["program"].returncode, ends["program"].stdout, ends["program"].stderr) == (
        0, ends["main"].stdout, "")
    assert ("村/社区 Village" in ends["program"].stdout) == (closed == 2)


def test_schema_lists_kinds_and_properties(capsys):
    assert main(["schema"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "节点类型 node kinds (every node: id, name, name_raw, aliases, note, claims):"
    assert "  Cooperative        合作社 / Cooperative; also: aggregate_count (合计个数)" in out
    assert any(line.startswith("  PAIRED_ASSISTANCE  结对帮扶 / paired assistance: AssistanceUnit->Village, "
                               "Enterprise->Village; also: mechanism") for line in out)


def test_cypher_reads_in_every_format_and_refuses_writes(tmp_path, capsys):
    store = str(tmp_path / "g.lbug")
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", store]) == 0
    capsys.readouterr()
    query = "MATCH (v:Village)-[:PART_OF]->(t:Town {name: $town}) RETURN v.id AS id, v.name AS name ORDER BY id"
    assert main(["cypher", query, "--param", "town=通镇", "--limit", "2", "--store", store]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[2].startswith("610828105001  通镇社区") and len(out.splitlines()) == 4
    assert "only the first 2 rows" in err
    assert main(["cypher", query, "--param", "town=通镇", "--format", "jsonl", "--store", store]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 32 and json.loads(lines[0])["id"] == "610828105001"
    (tmp_path / "q.cypher").write_text("MATCH (t:Town) WHERE t.id = $id RETURN t.name AS name", encoding="utf-8")
    assert main(["cypher", "--file", str(tmp_path / "q.cypher"), "--param", "id=610828105", "--format", "csv",
                 "--store", store]) == 0
    assert capsys.readouterr().out == "\ufeffname\r\n通镇\r\n"
    assert main(["cypher", "MATCH (n) DETACH DELETE n", "--store", store]) == 2
    assert "ad hoc queries are read-only" in capsys.readouterr().err
    assert main(["cypher", "MATCH (t:Town {id: $id}) SET t.note = 'x' RETURN t.note AS note", "--param", "id=610828105",
                 "--write", "--format", "json", "--store", store]) == 0
    assert json.loads(capsys.readouterr().out) == [{"note": "x"}]
    assert main(["cypher", "RETURN $n + 1 AS n", "--param", "n:int=41", "--format", "json", "--store", store]) == 0
    assert json.loads(capsys.readouterr().out) == [{"n": 42}]


def test_a_query_prints_its_neo4j_text(capsys):
    assert main(["query", "ego_network", "org=核桃树墕联村党委", "hops=2", "--cypher"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(":param org => '核桃树墕联村党委';\n:param hops => 2;\n")
    assert "relationships(p)" in out and "TIES(" not in out


def test_terminal_output_shows_control_characters_instead_of_obeying_them(tmp_path, capsys):
    store = str(tmp_path / "g.lbug")
    table = tmp_path / "企业.csv"
    table.write_text("名称\r\n\x1b[2J恶意公司\u202e\r\n", encoding="utf-8")
    assert main(["load", str(table), "--store", store]) == 0
    capsys.readouterr()
    assert main(["query", "find_by_name", "text=恶意", "--store", store]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out and "\\x1b[2J恶意公司\\u202e" in out


def test_a_server_that_stops_mid_load_is_one_line(tmp_path, capsys, monkeypatch):
    from neo4j.exceptions import ServiceUnavailable

    from stores.writing import PartsWrite

    def stopped(*args, **kwargs):
        raise ServiceUnavailable("Failed to read from defunct connection")

    monkeypatch.setattr(PartsWrite, "finish", stopped)  # where a load writes (in parts)
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", str(tmp_path / "g.lbug")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("错误 error: Neo4j 服务中断，载入是一个事务，数据库保持原样 / the Neo4j server stopped answering (ServiceUnavailable")
    assert len(err) == 2 and "Traceback" not in "\n".join(err)


def test_an_unexpected_error_is_one_line_and_says_how_to_see_more(tmp_path, capsys, monkeypatch):
    from stores.writing import PartsWrite

    monkeypatch.setattr(PartsWrite, "finish", lambda *a, **k: 1 / 0)  # where a load writes (in parts)
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", str(tmp_path / "g.lbug")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误 error: 内部错误 / unexpected ZeroDivisionError: division by zero") and "LINKGRAPH_DEBUG=1" in err


def test_report_map_and_export_of_a_part_of_the_store(tmp_path, capsys):
    store = str(tmp_path / "g.lbug")
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", store]) == 0
    capsys.readouterr()
    assert main(["report", "--store", store, "--out", str(tmp_path / "r"), "--within", "刘国具镇"]) == 0
    out = capsys.readouterr().out
    # of 17 among 16 in the county: 刘国具镇's 10 (its party committee's SERVES, the town's 2 GUIDES, the joint
    # branch's 3 MEMBER_OF, SUPPLIES, PRODUCES_FOR, the 2 SERVES to the workshops) among the town, its party
    # committee, the company, the joint branch, the workshops and the collectives; PARTY_ORG_OF is administrative
    assert "10 working ties are recorded among 6 organizations and places" in out
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "刘国具镇" in html and "核桃树墕联村党委" not in html  # 乌镇's committee stays out
    assert main(["map", "--store", store, "--out", str(tmp_path / "m.html"), "--around", "贺寨酒业", "--hops", "1"]) == 0
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert "陕西贺寨酒业有限公司" in page and "佳县县委办公室" not in page
    assert main(["export", "--store", store, "--format", "graphml", "--out", str(tmp_path / "n.graphml"),
                 "--around", "佳县县委办公室", "--hops", "1"]) == 0
    import networkx as nx

    exported = nx.read_graphml(tmp_path / "n.graphml")
    # the network of the part: its party branch is read with it (PARTY_ORG_OF) but is not a partner
    assert sorted(exported.nodes[n]["label"] for n in exported) == ["佳县县委办公室", "崔家西山村"]
    assert main(["map", "--store", store, "--within", "西山村"]) == 2
    assert ("“西山村”对应 2 个区划，请改用区划代码 / '西山村' names 2 units, give the code: 村/社区 店镇西山村 "
            "(610828102209); 村/社区 通镇崔家西山村 (610828105236)") in capsys.readouterr().err
    assert main(["report", "--store", store, "--around", "贺寨酒业", "--hops", "4"]) == 2
    assert "跳数应为 1–3 / hops must be 1 to 3, not 4" in capsys.readouterr().err
    assert main(["map", "--store", store, "--within", "刘国局镇"]) == 2
    assert "相近 similar: 刘国具镇 (610828111); 刘国具村 (610828111200)" in capsys.readouterr().err
    assert main(["map", "--store", store, "--around", "贺寨"]) == 2  # like the alias 贺寨酒业
    assert "相近 similar: 陕西贺寨酒业有限公司 (jia:hezhai_liquor)" in capsys.readouterr().err
    assert main(["map", "--store", store, "--hops", "2"]) == 2
    assert "--hops goes with --around NAME" in capsys.readouterr().err


def test_a_store_without_a_roster_says_so_first(tmp_path, capsys):
    assert main(["load", str(EXAMPLE / "planner" / "刘国具镇填报.xlsx"), "--store", str(tmp_path / "g.lbug")]) == 2
    err = capsys.readouterr().err.splitlines()
    # the three organizations' 所属乡镇 (刘国具镇); the tie rows then find the organizations, read without it
    assert err[1].startswith("  数据库中还没有区划名册，3 个地名无从匹配 / the store holds no roster, so 3 place name(s) "
                            "matched nothing")
    assert "linkgraph roster --county 610828" in err[1]


def test_a_load_with_a_roster_among_its_sources_is_not_told_to_load_one(tmp_path, capsys):
    """The roster given (of another county, 410823) holds none of the workbook's places: the problems are
    the places themselves, not a missing roster."""
    other_county = str(EXAMPLE.parent / "roster_names" / "nbs_roster_410823.csv")
    assert main(["load", other_county, str(EXAMPLE / "planner" / "刘国具镇填报.xlsx"),
                 "--store", str(tmp_path / "g.lbug")]) == 2
    err = capsys.readouterr().err
    assert "数据库中还没有区划名册" not in err and "刘国具镇" in err


def test_export_for_neo4j_admin_prints_the_command(tmp_path, capsys):
    store = str(tmp_path / "g.lbug")
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", store]) == 0
    capsys.readouterr()
    assert main(["export", "--store", store, "--format", "neo4j-admin", "--out", str(tmp_path / "import")]) == 0
    out = capsys.readouterr().out
    assert f"import files in {tmp_path / 'import'}: " in out and "Village 334" in out and "PART_OF 349" in out
    command = out.splitlines()[-1].strip()
    assert command.startswith("neo4j-admin database import full neo4j --overwrite-destination=true")
    village_header = (tmp_path / "import" / "Village.header.csv").read_text(encoding="utf-8")
    assert village_header.startswith("id:ID(Village),name")
    assert len((tmp_path / "import" / "Village.csv").read_text(encoding="utf-8").splitlines()) == 334


def test_a_failed_or_dry_run_load_leaves_no_new_store(tmp_path, capsys):
    store = tmp_path / "new" / "folder" / "g.lbug"
    bad = tmp_path / "bad.csv"
    bad.write_text("起点,终点,关系类型\n县委办,不存在村,结对帮扶\n", encoding="utf-8")
    assert main(["load", str(bad), "--store", str(store)]) == 2
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", str(store), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "将 would create 新增 368 nodes, 386 ties" in out  # 349 roster ties and 37 of the case and "库中现有 now in the store: 空 empty" in out
    assert not (tmp_path / "new").exists()
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", str(store)]) == 0
    assert "村/社区 Village 334" in capsys.readouterr().out and store.exists()


def test_every_help_text_is_chinese_first_then_english():
    """``--help`` of every command: each command's, option's and argument's text starts in Chinese."""
    import argparse

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    texts = {f"{name}: {choice.help}" for choice, name in zip(commands._choices_actions, commands.choices)}
    for name, sub in commands.choices.items():
        texts |= {f"{name} {action.option_strings or action.dest}: {action.help}" for action in sub._actions}
        texts.add(f"{name}: {sub.description or ''}" if sub.description else f"{name}: 无 none")
    english_first = sorted(t for t in texts if not re.match(r"[^:]+: [\u4e00-\u9fff]", t))
    assert english_first == []
    assert len(texts) > 90


# ---------------------------------------------------------------- extract: where the report is

TWO_COUNTY_REPORT = ("2023年，成华区保和街道天鹅社区党委与蒲江县朝阳湖镇鞍山村党支部签订结对共建协议。\n"
                     "蒲江县白云村也加入了共建。\n")
TOWN_REPORT = "党武镇党委指导龙井村党支部与当阳村党支部联合共建。\n"


def test_extract_finds_the_counties_from_the_report(tmp_path, capsys):
    report = tmp_path / "两县.txt"
    report.write_text(TWO_COUNTY_REPORT, encoding="utf-8")
    assert main(["extract", str(report), "--out", str(tmp_path / "a.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "名册范围 roster scope: 报道所提区县：成华区 510108、蒲江县 510131 / counties the report names" in out
    town = tmp_path / "党武.txt"
    town.write_text(TOWN_REPORT, encoding="utf-8")
    assert main(["extract", str(town), "--out", str(tmp_path / "b.xlsx")]) == 0
    assert "由报道所提乡镇（党武镇）判断所在县：花溪区 520111" in capsys.readouterr().out


def test_extract_says_a_wrong_or_missing_scope_in_one_line(tmp_path, capsys):
    town = tmp_path / "党武.txt"
    town.write_text(TOWN_REPORT, encoding="utf-8")
    assert main(["extract", str(town), "--county", "蒲江县", "--out", str(tmp_path / "a.xlsx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].strip().startswith(f"{town}: 报道提到的县和乡镇都不在所给范围 蒲江县 510131 中，而在别处")
    assert "--county 520111" in err[-1] and not (tmp_path / "a.xlsx").exists()
    nowhere = tmp_path / "无地名.txt"
    nowhere.write_text("某某合作社与某某公司开展合作。\n", encoding="utf-8")
    assert main(["extract", str(nowhere), "--out", str(tmp_path / "b.xlsx")]) == 2
    assert "报道中没有名册里的县或乡镇，无法判断所在县" in capsys.readouterr().err


def test_extract_takes_a_city_where_a_county_was_expected_through_city(tmp_path, capsys):
    report = tmp_path / "鞍山村.txt"
    report.write_text("鞍山村党支部与茶叶专业合作社联合党支部结对共建。\n", encoding="utf-8")
    assert main(["extract", str(report), "--county", "成都市", "--out", str(tmp_path / "a.xlsx")]) == 2
    assert "use --city 5101" in capsys.readouterr().err
    assert main(["extract", str(report), "--city", "成都市", "--out", str(tmp_path / "a.xlsx")]) == 0
    assert "在成都市 5101全境查找" in capsys.readouterr().out
    assert main(["extract", str(report), "--city", "成都市", "--county", "蒲江县", "--out", str(tmp_path / "b.xlsx")]) == 0
    assert "所给区县：蒲江县 510131" in capsys.readouterr().out


def _cpu_seconds(pid: int) -> float:
    """The user and system CPU time a running process has used so far (Linux /proc)."""
    fields = open(f"/proc/{pid}/stat", encoding="ascii").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_ctrl_c_during_a_load_is_one_line_and_the_store_stays_as_it_was(tmp_path):
    """Ctrl-C (SIGINT) while a roster loads: one line saying so, Chinese first, no traceback, exit code 130; the
    store keeps what it held."""
    store = str(tmp_path / "s.lbug")
    assert main(["roster", "--county", "610828", "--store", store]) == 0
    command = [sys.executable, "-m", "linkgraph", "roster", "--province", "44", "--store", store]
    running = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    while running.poll() is None and _cpu_seconds(running.pid) < 0.5:  # reading the roster by then
        time.sleep(0.02)
    running.send_signal(signal.SIGINT)
    out, err = running.communicate(timeout=120)
    assert running.returncode == 130, (out, err)
    assert "Traceback" not in err and err.startswith("已中断 interrupted") and len(err.strip().splitlines()) == 1
    done = subprocess.run([sys.executable, "-m", "linkgraph", "cypher", "MATCH (v:Village) RETURN count(*) AS n",
                           "--format", "csv", "--store", store], capture_output=True, text=True)
    assert done.stdout.split() == ["\ufeffn", "334"]


def test_a_query_that_does_not_exist_is_named_before_its_parameters_are_read(tmp_path, capsys):
    store = str(tmp_path / "g.lbug")
    assert main(["load", str(EXAMPLE / "nbs_roster_610828.csv"), "--store", store]) == 0
    capsys.readouterr()
    assert main(["query", "帮扶", "通镇", "--store", store]) == 2
    assert capsys.readouterr().err.startswith("错误 error: 没有名为 帮扶 的查询 / no query named '帮扶'")
    assert main(["query", "帮扶", "通镇", "--cypher"]) == 2
    assert capsys.readouterr().err.startswith("错误 error: 没有名为 帮扶 的查询 / no query named '帮扶'")


def test_two_towns_files_of_one_name_are_refused_together_even_when_one_is_loaded_unchanged(tmp_path, capsys):
    """西江镇/结对帮扶.csv loaded, then with 丹江镇/结对帮扶.csv beside it: the second is a different file of the same
    name (the name is the source's key), refused as a clash, not skipped as 'unchanged' and silently left out."""
    store = str(tmp_path / "g.lbug")
    first, second = tmp_path / "通镇" / "结对帮扶.csv", tmp_path / "乌镇" / "结对帮扶.csv"
    for path, row in ((first, "佳县水利局,高家集村,通镇"), (second, "佳县林业局,榆坬村,乌镇")):
        path.parent.mkdir()
        path.write_text(f"帮扶单位,结对村,所属乡镇\r\n{row}\r\n", encoding="utf-8")
    assert main(["load", str(EXAMPLE / "nbs_roster_610828.csv"), str(first), "--store", store]) == 0
    capsys.readouterr()
    assert main(["load", str(EXAMPLE / "nbs_roster_610828.csv"), str(first), str(second), "--store", store]) == 2
    err = capsys.readouterr().err
    assert f"two sources are named 结对帮扶.csv ({first}, {second})" in err and "unchanged" not in err



def test_a_case_file_with_its_roster_given_too_is_skipped_unchanged_not_read_again(tmp_path, capsys):
    """``linkgraph load 案例/*`` gives a case file and the roster it names: one file named twice is one source,
    not two files of one name; loaded again, both are skipped as unchanged (the roster was read and compared again
    on every load: its digest was dropped as a clash)."""
    store, sources = str(tmp_path / "g.lbug"), [str(EXAMPLE / "case.yaml"), str(EXAMPLE / "nbs_roster_610828.csv")]
    assert main(["load", *sources, "--store", store]) == 0
    capsys.readouterr()
    assert main(["load", *sources, "--store", store]) == 0
    out = capsys.readouterr().out
    assert "未改动的来源（跳过）unchanged sources, skipped: nbs_roster_610828.csv, case.yaml" in out, out


def test_extract_refuses_a_wrong_county_though_the_report_says_全县(tmp_path, capsys):
    """A report of 雷山县 with --county 522633 (从江县): its 全县 stands for the county given, which is no place the
    report names; the scope holds none of its places, so it is refused as a report with no 全县 is."""
    report = tmp_path / "雷山.txt"
    report.write_text("雷山县西江镇麻料村成立银匠专业合作社。全县共有36个帮扶单位与58个村结对。\n", encoding="utf-8")
    assert main(["extract", str(report), "--county", "522633", "--out", str(tmp_path / "a.xlsx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].strip().startswith(f"{report}: 报道提到的县和乡镇都不在所给范围 从江县 522633 中，而在别处")
    assert "--county 522634" in err[-1] and not (tmp_path / "a.xlsx").exists()


def test_a_load_that_replaces_a_source_of_its_name_and_deletes_says_whose_it_was(tmp_path, capsys):
    """通镇/结对帮扶.csv loaded by 小李, then 乌镇/结对帮扶.csv alone, said to be its new version (--new-version; without
    it the load is refused, tests/test_source_folders.py): the second load replaces the first town's source; the dry
    run and the load say so, with who loaded it, before it is gone."""
    store = str(tmp_path / "g.lbug")
    first, second = tmp_path / "通镇" / "结对帮扶.csv", tmp_path / "乌镇" / "结对帮扶.csv"
    for path, row in ((first, "佳县水利局,高家集村,通镇"), (second, "佳县林业局,榆坬村,乌镇")):
        path.parent.mkdir()
        path.write_text(f"帮扶单位,结对村,所属乡镇\r\n{row}\r\n", encoding="utf-8")
    assert main(["load", str(EXAMPLE / "nbs_roster_610828.csv"), str(first), "--store", store, "--as", "小李"]) == 0
    out = capsys.readouterr().out
    assert "替换已有的来源" not in out
    assert main(["load", str(second), "--store", store, "--dry-run", "--new-version"]) == 0
    out = capsys.readouterr().out
    assert "delete 删除 1 nodes, 1 ties" in out
    assert "注意 note: 替换已有的来源“结对帮扶.csv”（小李 " in out and "rename it" in out


def test_a_template_for_a_county_of_the_shipped_roster(tmp_path, capsys):
    """A 乡镇 planner has no roster file: `--roster 451229` was "cannot read file"; `--county 大化县` gives the
    county's towns as the drop-down list, from the roster shipped with linkgraph."""
    import openpyxl

    assert main(["template", str(tmp_path / "填报.xlsx"), "--county", "大化县"]) == 0
    lists = openpyxl.load_workbook(tmp_path / "填报.xlsx")["_lists"]
    towns = [row[0] for row in lists.iter_rows(values_only=True) if row[0]]
    assert (len(towns), towns[0], towns[-1], "七百弄乡" in towns) == (16, "大化镇", "六也乡", True)
    assert "如：大化镇 2024 年报送" in openpyxl.load_workbook(tmp_path / "填报.xlsx")["说明"]["C1"].value
    assert main(["template", str(tmp_path / "x.xlsx"), "--roster", "451229"]) == 2
    assert "--county 451229" in capsys.readouterr().err


def test_a_county_templates_examples_name_its_own_places(tmp_path):
    """A 花垣县 template's 说明 sheet showed the Jia County example rows (佳县县委办公室 pairing 通镇西山村, 所属县 佳县), a
    county and towns not in the workbook's own town list; the examples now name the county, its first town in the
    roster (龙潭镇, 433124102) and that town's first village (龙门村, 433124102200)."""
    import openpyxl

    assert main(["template", str(tmp_path / "填报.xlsx"), "--county", "花垣县"]) == 0
    guide = [[c for c in row if c is not None] for row in openpyxl.load_workbook(tmp_path / "填报.xlsx")["说明"].iter_rows(
        values_only=True)]
    assert guide[-1] == ["结对帮扶", "花垣县县委办公室", "龙门村", "龙潭镇", "2022", "花垣县县委办公室是龙潭镇龙门村的帮扶单位",
                         "八联八帮"]
    assert ["花垣县县委办公室", "县委办", "花垣县"] in guide
    assert not [cell for row in guide for cell in row if any(w in str(cell) for w in ("佳县", "通镇", "乌镇", "刘国具镇"))]


def test_roster_of_two_counties_loads_both(tmp_path, capsys):
    """A report about two counties (成华区 and 蒲江县) needs both rosters: --county repeated loads each, not the last
    one only."""
    store = str(tmp_path / "two.lbug")
    assert main(["roster", "--county", "510131", "--county", "成华区", "--store", store]) == 0
    capsys.readouterr()
    assert main(["cypher", "MATCH (c:County) RETURN c.name AS name ORDER BY name", "--format", "csv",
                 "--store", store]) == 0
    assert capsys.readouterr().out.split() == ["\ufeffname", "成华区", "蒲江县"]


def test_reconcile_of_a_draft_with_no_accepted_row_says_nothing_was_checked(tmp_path, capsys):
    """No row to check is no finding: a draft nobody accepted a row of is not a draft whose every name resolves."""
    store = str(tmp_path / "s.lbug")
    assert main(["roster", "--county", "610828", "--store", store]) == 0
    draft = tmp_path / "结对帮扶.csv"
    row = "佳县县委办公室,高家塄村,通镇,佳县县委办公室帮扶高家塄村,{accept},0.8,名册 roster,r\r\n"
    header = "帮扶单位,结对村,所属乡镇,依据,采纳,置信度,名册匹配/候选,规则\r\n"
    draft.write_text(header + row.format(accept=""), encoding="utf-8")
    capsys.readouterr()
    assert main(["reconcile", str(draft), "--store", store, "--out", str(tmp_path / "d.csv")]) == 0
    out = capsys.readouterr().out
    assert out.strip() == ("草稿中没有已采纳的行，未检查任何名称 / no accepted row in the draft (nor any other row to load): "
                           "nothing was checked (提示 hint: 在草稿的“采纳”列对要载入的行填“是”，再运行 reconcile / mark "
                           "the rows to load 是 in the draft's 采纳 column, then run reconcile again)")
    draft.write_text(header + row.format(accept="是"), encoding="utf-8")
    assert main(["reconcile", str(draft), "--store", store, "--out", str(tmp_path / "d.csv")]) == 0
    assert "全部名称已确定 every name resolves" in capsys.readouterr().out  # one row checked, and it resolves
