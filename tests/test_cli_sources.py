"""``linkgraph load --as``, ``linkgraph sources [list]`` and ``linkgraph sources withdraw [--dry-run]``, and a
second writer that waits with a message (real processes)."""

import json
from pathlib import Path
import subprocess
import sys

from linkgraph.cli import main
from tests.conftest import EXAMPLE, REPO


def loaded(tmp_path, capsys) -> str:
    store = str(tmp_path / "jia.lbug")
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", store, "--as", "王科长"]) == 0
    capsys.readouterr()
    return store


def test_sources_lists_who_loaded_each_when_and_what_it_states(tmp_path, capsys):
    store = loaded(tmp_path, capsys)
    assert main(["sources", "--store", store]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].split()[:10] == ["来源", "title", "文件", "key", "文件夹", "folder", "类型", "kind", "载入者", "by"]
    case = next(line for line in listed if " case.yaml " in line).split()
    assert case[case.index("case.yaml") + 1:case.index("case.yaml") + 3] == [str(EXAMPLE.resolve()), "case"]
    assert case[-8:] == ["王科长", case[-7], "25", "18", "37", "37", "是", "yes"] and "T" in case[-7]
    assert main(["sources", "list", "--store", store]) == 0
    assert capsys.readouterr().out.splitlines() == listed


def test_withdraw_says_what_would_go_then_withdraws_and_is_audited(tmp_path, capsys):
    store = loaded(tmp_path, capsys)
    assert main(["sources", "withdraw", "case.yaml", "--dry-run", "--store", store]) == 0
    dry = capsys.readouterr().out
    assert "将 would delete 删除 18 nodes, 37 ties (only it states them); keep 保留 7 nodes, 0 ties" in dry
    assert "  删除 delete node: Enterprise jia:hezhai_liquor 陕西贺寨酒业有限公司" in dry
    assert "  保留 keep node: Village 610828105236 崔家西山村" in dry
    assert dry.rstrip().endswith("试运行，未写入 dry run: nothing was written")
    assert main(["query", "kind_counts", "--store", store, "--format", "json"]) == 0
    assert {"kind": "Enterprise", "count": 1} in json.loads(capsys.readouterr().out)
    assert main(["sources", "withdraw", "佳县“党建综合体”新闻报道 Jia County party-building complexes, news report 2024-01-18",
                 "--store", store, "--as", "管理员"]) == 0
    assert "已 did delete 删除 18 nodes, 37 ties" in capsys.readouterr().out
    assert main(["query", "kind_counts", "--store", store, "--format", "json"]) == 0
    assert "Enterprise" not in {row["kind"] for row in json.loads(capsys.readouterr().out)}
    assert main(["sources", "--store", store]) == 0
    assert " case.yaml " not in capsys.readouterr().out
    entries = [json.loads(line) for line in (tmp_path / "jia.lbug.audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["actor"], e["action"]) for e in entries] == [("王科长", "load"), ("管理员", "withdraw")]
    assert entries[1]["detail"]["source"] == "case.yaml" and entries[1]["detail"]["delete_nodes"] == 18


def test_another_towns_table_of_one_name_is_refused_in_one_line_and_new_version_loads_it(tmp_path, capsys):
    store = str(tmp_path / "jia.lbug")
    header = "帮扶单位,结对村,所属乡镇,结对时间\n"
    for town, row in (("通镇", "佳县民政局,高家塄村,通镇,2021\n"), ("坑镇", "佳县林业局,马连塌村,坑镇,2021\n")):
        (tmp_path / town).mkdir()
        (tmp_path / town / "结对帮扶.csv").write_text(header + row, encoding="utf-8")
    roster = str(EXAMPLE / "nbs_roster_610828.csv")
    assert main(["load", roster, str(tmp_path / "通镇" / "结对帮扶.csv"), "--store", store]) == 0
    capsys.readouterr()
    assert main(["load", str(tmp_path / "坑镇" / "结对帮扶.csv"), "--store", store]) == 2
    refused = capsys.readouterr().err.splitlines()
    assert refused[0] == "错误 error: 输入中有 1 处问题，未写入任何数据 / 1 problem(s) in the input, nothing was written"
    assert refused[1].startswith(f"  {(tmp_path / '坑镇' / '结对帮扶.csv').resolve()}: 库中已有另一个文件夹的同名来源 结对帮扶.csv"
                                 f"（载入自 {(tmp_path / '通镇').resolve()}），内容不同")
    assert main(["load", str(tmp_path / "坑镇" / "结对帮扶.csv"), "--store", store, "--new-version"]) == 0
    out = capsys.readouterr().out
    assert "delete 删除 1 nodes, 1 ties" in out and "说明 note: 结对帮扶.csv 作为 " in out
    assert main(["sources", "--store", store]) == 0
    listed = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("结对帮扶.csv "))
    folder = str((tmp_path / "坑镇").resolve())
    cell = listed.split()[2]  # a long folder keeps its end, which says which town's
    assert cell == folder or (cell.startswith("…") and folder.endswith(cell[1:]) and cell.endswith("/坑镇"))


def test_an_unknown_source_is_refused_with_the_known_ones(tmp_path, capsys):
    store = loaded(tmp_path, capsys)
    assert main(["sources", "withdraw", "nothing.csv", "--store", store]) == 2
    error = capsys.readouterr().err
    assert "no source is named 'nothing.csv'" in error and "(case.yaml)" in error


HOLD = """
import sys
from stores import open_store
with open_store(sys.argv[1], create=True):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_second_load_waits_for_the_first_and_says_so(tmp_path, capsys):
    store = loaded(tmp_path, capsys)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, store], cwd=REPO, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        second = subprocess.Popen([sys.executable, "-m", "linkgraph", "load", str(EXAMPLE / "planner" / "刘国具镇填报.xlsx"),
                                   "--store", store, "--as", "李干事"], cwd=REPO, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        assert second.stderr.readline().startswith("等待 waiting: 另一个写入正在进行，等待中 / ")
        holder.stdin.close()
        holder.wait(30)
        out, _ = second.communicate(timeout=120)
        assert second.returncode == 0 and "已 did" in out
    finally:
        holder.kill()
    assert main(["sources", "--store", store]) == 0
    assert "李干事" in capsys.readouterr().out


def _state(store):
    """The store's sources and records, with the load's stamps taken out (as a reader sees it)."""
    from stores import open_store
    from tests.stores.test_sources import unstamped

    with open_store(store, read_only=True) as source:
        return {r["key"] for r in source.loaded_sources()}, unstamped(source.export())


def test_a_killed_withdrawal_leaves_the_store_as_it_was(tmp_path, capsys):
    import time

    store = loaded(tmp_path, capsys)
    before = _state(store)
    for delay in (0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0, 1.5):  # kills at points of the withdrawal (or after it)
        process = subprocess.Popen([sys.executable, "-m", "linkgraph", "sources", "withdraw", "case.yaml", "--store", store],
                                   cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.kill()
        process.wait()
        keys, graph = _state(store)
        if "case.yaml" not in keys:  # it finished before the kill: withdrawn whole
            assert not any("case.yaml" in p["source_keys"] for records in graph for p in records.values())
            break
        assert (keys, graph) == before  # killed: as it was, and readable
    if "case.yaml" in _state(store)[0]:
        assert main(["sources", "withdraw", "case.yaml", "--store", store]) == 0
    else:  # the next writer tidies what a killed one left
        assert main(["load", str(EXAMPLE / "nbs_roster_610828.csv"), "--store", store]) == 0
    assert not list(tmp_path.glob("jia.lbug.building-*"))
    keys, graph = _state(store)
    assert keys == {"nbs_roster_610828.csv"} and len(graph[0]) == 350


def test_a_load_and_a_withdrawal_from_the_command_line_go_into_the_teams_audit_log_too(tmp_path, capsys):
    from linkgraph.userdb import UserDB
    from tests.test_serve_auth import team_db

    store = str(tmp_path / "jia.lbug")
    team_db(Path(store + ".users.sqlite"))
    assert main(["load", str(EXAMPLE / "case.yaml"), "--store", store, "--as", "王科长"]) == 0
    assert main(["sources", "withdraw", "case.yaml", "--store", store, "--as", "管理员"]) == 0
    entries = [e for e in UserDB(Path(store + ".users.sqlite")).audit(20) if e["action"].startswith("source.")]
    assert [(e["actor"], e["action"]) for e in entries] == [("cli:管理员", "source.withdraw"), ("cli:王科长", "source.load")]
    assert json.loads(entries[1]["detail"])["sources"] == ["case.yaml", "nbs_roster_610828.csv"]
