"""``linkgraph shell`` driven through its standard input in a process of its own, on both stores, and the
Python session (:class:`linkgraph.pipeline.Session`) it is built on."""

import json
import os
import re
import subprocess
import sys

import pytest

from linkgraph.cli import main
from tests.conftest import EXAMPLE, REPO

LINES = """help
list
ego_network org=佳县县委办公室 hops=2
nonsense x=1
ego_network org=
ego_network org="佳县县委
shortest_paths from=核桃树墕村 to=联村合作社养牛场
cypher MATCH (t:Town) RETURN count(*) AS towns
param code=610828
MATCH (c:County {id: $code}) RETURN c.name AS county
params
CREATE (t:Town {id: 'x', name: 'x'})
MATCH (n) DETACH DELETE n
format csv
kind_counts
format xml
format json
joint_org_members org=核桃树墕联村党委
exit
kind_counts
"""


def shell(store: str, lines: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "linkgraph", "shell", "--store", store], input=lines,
                          capture_output=True, text=True, cwd=REPO, timeout=300, env={**os.environ, **env})


def query_output(capsys, *argv: str) -> str:
    assert main(["query", *argv]) == 0
    return capsys.readouterr().out


def check_session(done: subprocess.CompletedProcess, capsys, store: str) -> None:
    """What the shell printed for :data:`LINES`: every answer as ``linkgraph query`` prints it, each error in
    one line, and nothing after ``exit``."""
    assert done.returncode == 0, done.stderr
    out, err = done.stdout, done.stderr
    ego = query_output(capsys, "ego_network", "org=佳县县委办公室", "hops=2", "--store", store)
    paths = query_output(capsys, "shortest_paths", "from=核桃树墕村", "to=联村合作社养牛场", "--store", store)
    members = query_output(capsys, "joint_org_members", "org=核桃树墕联村党委", "--store", store, "--format", "json")
    assert out.startswith("命令 commands:\n")
    assert "e.g. ties_started_in year=2022" in out and "linkgraph query ties_started_in" not in out  # list
    assert ego in out and paths in out and len(ego.splitlines()) == 2 + 3
    assert "towns\n-----\n13\n" in out and "county\n------\n佳县\n" in out and "$code = '610828'\n" in out
    assert "类型 kind,数量 count\n" in out and "村/社区 Village,334\n" in out  # format csv (text mode: \r\n read as \n)
    assert out.endswith(members)  # format json; nothing answered after exit
    errors = err.splitlines()
    assert errors[0].startswith("已打开 opened ") and "只读 read-only" in errors[0]
    assert errors[1].startswith("错误 error: 没有名为 nonsense 的查询 / no query named 'nonsense'; 已有 known: joint_org_members")
    assert errors[2] == ("错误 error: ego_network 缺少参数 org（组织或地名（名称、别名或标识））/ ego_network needs "
                         "parameter org, e.g. org=佳县县委办公室")
    assert errors[3] == ("错误 error: 无法解析此行 / cannot read the line: No closing quotation "
                         "(提示 hint: 请补全引号 / close the quote)")
    assert errors[4].startswith("错误 error: ") and ("CREATE" in errors[4] or "只读" in errors[4])
    assert errors[5].startswith("错误 error: ") and ("DELETE" in errors[5] or "只读" in errors[5])
    assert errors[6] == "错误 error: 格式应为 table / csv / json / the format is one of table, csv, json, not 'xml'"
    assert len(errors) == 7 and "Traceback" not in err


def test_the_shell_answers_line_by_line_on_the_embedded_store(tmp_path, capsys):
    store = str(tmp_path / "g.lbug")
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", store]) == 0
    capsys.readouterr()
    check_session(shell(store, LINES), capsys, store)
    assert main(["query", "kind_counts", "--store", store, "--format", "json"]) == 0  # the writes were refused
    assert {"kind": "Town", "count": 13} in json.loads(capsys.readouterr().out)


@pytest.mark.neo4j
def test_the_shell_answers_line_by_line_on_neo4j(neo4j_store, neo4j_uri, capsys):
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", neo4j_uri, "--replace"]) == 0
    capsys.readouterr()
    check_session(shell(neo4j_uri, LINES), capsys, neo4j_uri)
    assert neo4j_store.counts()["Town"] == 13


def test_end_of_input_leaves_and_a_missing_store_is_one_line(tmp_path, capsys):
    store = str(tmp_path / "g.lbug")
    assert main(["load", str(EXAMPLE / "nbs_roster_610828.csv"), "--store", store]) == 0
    done = shell(store, "kind_counts")  # no exit, no newline: Ctrl-D
    assert done.returncode == 0 and re.search(r"村/社区 Village\s+334", done.stdout)
    missing = shell(str(tmp_path / "none.lbug"), "kind_counts\n")
    assert missing.returncode == 2 and missing.stdout == ""
    assert missing.stderr.startswith(f"错误 error: 该路径没有数据库 / no embedded store at {tmp_path / 'none.lbug'}")


def test_an_unexpected_error_is_one_line_and_the_prompt_goes_on(tmp_path, capsys):
    from linkgraph.shell import Shell

    class Broken:
        def query(self, name, params):
            raise KeyError("lost")

        def cypher(self, text, params):
            raise ZeroDivisionError("nothing")

        def examples(self):  # the help's example call: placeholders where none is fitted
            return {}

    out, err = _Stream(), _Stream()
    shell_ = Shell(Broken(), out, err)
    assert shell_.handle("kind_counts") and shell_.handle("MATCH (n) RETURN n") and shell_.handle("help")
    assert not shell_.handle("退出")
    hint = "(提示 hint: LINKGRAPH_DEBUG=1 显示详细信息 / LINKGRAPH_DEBUG=1 shows the traceback)"
    assert err.lines() == [f"错误 error: 内部错误 / unexpected KeyError: 'lost' {hint}",
                           f"错误 error: 内部错误 / unexpected ZeroDivisionError: nothing {hint}"]
    assert out.lines()[0] == "命令 commands:"


class _Stream:
    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)

    def flush(self):
        pass

    def lines(self):
        return "".join(self.parts).splitlines()


def test_a_session_keeps_the_store_open_and_sees_a_new_load(tmp_path):
    from linkgraph import Session, pipeline

    store = str(tmp_path / "g.lbug")
    pipeline.load([EXAMPLE / "case.yaml"], store)
    with Session(store) as session:
        first = session.store
        assert session.query("ego_network", org="佳县县委办公室", hops=2) == \
            pipeline.run_query(store, "ego_network", {"org": "佳县县委办公室", "hops": "2"})
        paths = session.query("shortest_paths", {"from": "核桃树墕村", "to": "联村合作社养牛场"})
        assert [r["to"] for r in paths] == ["核桃树墕联村党委", "核桃树墕联村合作社", "联村合作社养牛场"]
        assert session.cypher("MATCH (v:Village) RETURN count(*) AS n").rows == [{"n": 334}]
        assert session.store is first  # opened once
        table = tmp_path / "organizations.csv"
        table.write_text("id,kind,name,town,county\nnew:co,Enterprise,佳县新红枣公司,610828103,610828\n", encoding="utf-8")
        pipeline.load([table], store)  # a load puts a new file in place
        found = session.query("find_by_name", text="新红枣")
        assert session.store is not first and [r["id"] for r in found] == ["new:co"]
        assert session.query("ego_network", org="佳县新红枣公司")[0]["from_id"] == "new:co"
    assert session._source is None


def test_the_shell_shows_examples_from_its_own_store(tmp_path, capsys):
    """The shell's help and list named Jia County's 佳县县委办公室 on any store; on one of 大化县 they name its
    own organizations and code (and a placeholder where the store has no node of the kind asked)."""
    import io

    from linkgraph import Session
    from linkgraph.shell import Shell
    from tests.test_cli import another_county_store

    store = another_county_store(tmp_path)
    out = io.StringIO()
    with Session(store) as session:
        shell = Shell(session, out=out, err=out)
        shell.handle("help")
        shell.handle("list")
    text = out.getvalue()
    assert "e.g. ego_network org=大化县试点局 hops=2" in text  # help
    assert "e.g. network_as_of date=2021-12-31 within=451229" in text and "e.g. joint_org_members org=<党组织>" in text
    assert "佳县" not in text and "610828" not in text and "核桃树墕" not in text


def test_a_read_only_embedded_store_keeps_the_names_it_resolved(tmp_path, monkeypatch):
    from linkgraph import Session, pipeline

    store = str(tmp_path / "g.lbug")
    pipeline.load([EXAMPLE / "case.yaml"], store)
    with Session(store) as session:
        assert session.store.resolve("any", "佳县县委办公室") == "jia:county_committee_office"
        monkeypatch.setattr(session.store, "run", lambda *a, **k: pytest.fail("searched again"))
        assert session.store.resolve("any", "佳县县委办公室") == "jia:county_committee_office"
    with pipeline.open_store(store) as writable:  # a store that may change under its handle searches each time
        assert writable.resolve("any", "佳县县委办公室") == "jia:county_committee_office"
        assert writable.__dict__.get("_names_found") is None


@pytest.mark.neo4j
def test_a_session_on_neo4j(neo4j_store, neo4j_uri, jia):
    from linkgraph import Session, pipeline

    neo4j_store.write(jia.graph)
    with Session(neo4j_uri) as session:
        assert session.query("kind_counts") == pipeline.run_query(neo4j_uri, "kind_counts")
        assert session.cypher("MATCH (v:Village) RETURN count(*) AS n").rows == [{"n": 334}]


def test_the_shell_imports_only_what_a_query_uses(tmp_path):
    from tests.test_cli import QUERY_DOES_NOT_IMPORT

    store = str(tmp_path / "g.lbug")
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", store]) == 0
    code = ("import sys; from linkgraph.cli import main; code = main(sys.argv[1:]); "
            "print(' '.join(sorted(sys.modules)), file=sys.stderr); sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", code, "shell", "--store", store], input="kind_counts\nego_network "
                          "org=佳县县委办公室\ncypher MATCH (t:Town) RETURN count(*) AS n\n", capture_output=True,
                          text=True, check=True, cwd=REPO)
    assert re.search(r"村/社区 Village\s+334", done.stdout)
    imported = done.stderr.split()
    assert "ladybug" in imported and "linkgraph.shell" in imported
    assert [m for m in imported if any(m == name or m.startswith(f"{name}.") for name in QUERY_DOES_NOT_IMPORT)] == []


def test_on_a_terminal_the_shell_prompts_and_keeps_its_history(tmp_path):
    """Through a pseudo-terminal, as a planner types: the prompt, readline's history saved on leaving, and
    read back by the next shell (the lines typed before are there to recall)."""
    import pty
    import select

    store = str(tmp_path / "g.lbug")
    assert main(["load", str(EXAMPLE / "nbs_roster_610828.csv"), "--store", store]) == 0
    history = tmp_path / "history"

    def typed(lines: list[str]) -> str:
        leader, follower = pty.openpty()
        process = subprocess.Popen([sys.executable, "-m", "linkgraph", "shell", "--store", store], stdin=follower,
                                   stdout=follower, stderr=follower, cwd=REPO, close_fds=True,
                                   env={**os.environ, "LINKGRAPH_HISTORY": str(history), "TERM": "dumb"})
        os.close(follower)
        seen = b""
        for line in lines:
            while not seen.endswith(b"linkgraph> "):  # wait for the prompt before typing
                ready, _, _ = select.select([leader], [], [], 60)
                assert ready, seen.decode(errors="replace")
                seen += os.read(leader, 65536)
            os.write(leader, line.encode() + b"\n")
            seen += b"\n"
        process.wait(timeout=60)
        while select.select([leader], [], [], 0.5)[0]:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # (the terminal closed with the process)
                break
            if not chunk:
                break
            seen += chunk
        os.close(leader)
        assert process.returncode == 0
        return seen.decode(errors="replace")

    first = typed(["kind_counts", "nonsense", "exit"])
    assert "linkgraph> " in first and re.search(r"村/社区 Village\s+334", first)
    assert "错误 error: 没有名为 nonsense 的查询 / no query named 'nonsense'" in first and "Traceback" not in first
    assert history.read_text(encoding="utf-8").splitlines()[-3:] == ["kind_counts", "nonsense", "exit"]
    typed(["list", "exit"])
    assert history.read_text(encoding="utf-8").splitlines()[-5:] == ["kind_counts", "nonsense", "exit", "list", "exit"]


def test_a_line_that_names_no_query_says_so_before_its_words_are_read_as_parameters(tmp_path):
    """``帮扶 通镇`` (a question in words, not a query): the shell names the unknown query, not its second word."""
    store = str(tmp_path / "g.lbug")
    assert main(["load", str(EXAMPLE / "nbs_roster_610828.csv"), "--store", store]) == 0
    done = shell(store, "帮扶 通镇\nkind_counts x\n")
    errors = done.stderr.splitlines()[1:]
    assert errors[0].startswith("错误 error: 没有名为 帮扶 的查询 / no query named '帮扶'; 已有 known: joint_org_members")
    assert errors[1] == "错误 error: 参数格式应为 名称=值 / parameter 'x' is not PARAM=VALUE"
    assert len(errors) == 2
