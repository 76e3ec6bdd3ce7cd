"""The embedded store's index of names (:mod:`stores.name_index`), on real LadybugDB: after every kind of write
(roster, load, ``--replace``, a withdrawal, a failed load, a killed load) it equals what the nodes' names imply,
a store written before it existed still answers the same, and names find the same rows on both stores."""

from __future__ import annotations

import logging
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import ladybug
import pytest

from graph_model.records import GraphData
from loaders import load_sources
from queries import statements
from queries.catalog import QueryError
from stores import open_store
from stores.name_index import changed_lists, index_from_nodes
from tests.conftest import EXAMPLE, REPO

WORKBOOK = EXAMPLE / "planner" / "刘国具镇填报.xlsx"
BY_NAME = [("ego_network", {"org": "佳县县委办公室", "hops": 2}),
           ("ego_network", {"org": "核桃樹墕村"}),  # Traditional spelling
           ("shortest_paths", {"from": "核桃树墕村", "to": "联村合作社养牛场"}),
           ("shortest_paths", {"from": "610828103224", "to": "jia:cattle_farm"}),
           ("villages_of_enterprise", {"enterprise": "贺寨酒业"}),  # an alias
           ("villages_without_recorded_assistance", {"town": "通镇"}),
           ("assistance_units_ranked", {"within": "佳县"})]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "linkgraph", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300)


def index_and_implied(path: Path, schema) -> tuple[dict, dict]:
    """The store's index of names, and the index its nodes' ``match_text`` implies."""
    with open_store(path, schema, read_only=True) as store:
        index = {row["key"]: sorted(row["nodes"]) for row in store.run(statements.name_index_rows())}
        return index, index_from_nodes(lambda cypher, params: store.run(cypher, params), schema.node_labels)


def assert_exact(path: Path, schema) -> dict:
    index, implied = index_and_implied(path, schema)
    assert index == implied
    return index


def load(path: Path, schema, *sources: Path, replace: bool = False) -> None:
    with open_store(path, schema, create=True) as store:
        result = load_sources(list(sources), known=None if replace else store.known())
        store.write(result.graph, sources=result.sources, replace=replace)


def answers(path: Path, schema) -> list:
    """The by-name queries' rows (or their refusal) on the store at ``path``, opened read-only as a command does."""
    found = []
    with open_store(path, schema, read_only=True) as store:
        for name, params in [*BY_NAME, ("ego_network", {"org": "西山村"})]:  # 西山村 names two villages
            try:
                found.append(store.run_named(name, params))
            except QueryError as err:
                found.append(str(err))
    return found


def test_changed_lists_remove_and_add_only_what_changed():
    current = {"a": ["V:1", "V:2"], "b": ["V:1"], "x": ["T:3"]}
    assert changed_lists(current, {"V:1": ["a", "b"], "V:2": ["a"]}, {"V:1": ["a", "c"]}) == {
        "a": ["V:1"], "b": [], "c": ["V:1"]}
    assert changed_lists(current, {"V:1": ["a"]}, {"V:1": ["a"]}) == {}


def test_the_index_equals_the_names_after_a_roster_a_load_a_replace_and_a_withdrawal(tmp_path, schema):
    path = tmp_path / "g.lbug"
    assert run("roster", "--county", "610828", "--store", str(path)).returncode == 0
    index = assert_exact(path, schema)
    assert index["核桃树墕"] == ["Village:610828103224"]  # the place key of 核桃树墕村委会
    assert len(index) > 700
    load(path, schema, EXAMPLE / "case.yaml")
    index = assert_exact(path, schema)
    assert index["佳县县委办公室"] == ["AssistanceUnit:jia:county_committee_office"]
    table = tmp_path / "组织.csv"  # a new cooperative, and a second name for the county's office
    table.write_text("id,kind,name,county\njia:test_coop,Cooperative,新建测试合作社,610828\n"
                     "jia:county_committee_office,AssistanceUnit,县委办,610828\n", encoding="utf-8")
    load(path, schema, table)
    with_table = assert_exact(path, schema)
    assert with_table["新建测试合作社"] == ["Cooperative:jia:test_coop"]
    assert with_table["县委办"] == ["AssistanceUnit:jia:county_committee_office"]
    with open_store(path, schema, create=True) as store:
        store.withdraw("组织.csv")
    assert assert_exact(path, schema) == index
    load(path, schema, EXAMPLE / "case.yaml", table, replace=True)
    assert assert_exact(path, schema) == with_table
    with open_store(path, schema, create=True) as store:
        store.write(GraphData(), replace=True)
    assert assert_exact(path, schema) == {}


def test_a_failed_load_leaves_index_and_nodes_as_they_were(tmp_path, schema, monkeypatch):
    from stores.embedded import EmbeddedStore

    path = tmp_path / "g.lbug"
    load(path, schema, EXAMPLE / "case.yaml")
    before = assert_exact(path, schema)

    def broken(self, execute, rows, folder):
        raise RuntimeError("disk full")  # after the nodes were written into the copy, before the new keys

    monkeypatch.setattr(EmbeddedStore, "_create_keys", broken)
    with pytest.raises(RuntimeError):
        load(path, schema, WORKBOOK)
    monkeypatch.undo()
    assert assert_exact(path, schema) == before
    with open_store(path, schema, read_only=True) as store:
        assert "刘国具镇填报.xlsx" not in {row["key"] for row in store.loaded_sources()}


def test_a_killed_load_leaves_the_index_exact(tmp_path, schema):
    """Kills at shares of the time a whole load took on this machine just before (a fixed delay lands after
    the end on a quiet machine and before the start on a busy one), until three landed mid-load."""
    start = tmp_path / "roster.lbug"
    assert run("roster", "--county", "610828", "--store", str(start)).returncode == 0
    path = tmp_path / "kill" / "g.lbug"

    def started() -> subprocess.Popen:
        shutil.rmtree(path.parent, ignore_errors=True)
        path.parent.mkdir()
        shutil.copyfile(start, path)
        return subprocess.Popen([sys.executable, "-m", "linkgraph", "load", str(EXAMPLE / "case.yaml"),
                                 "--store", str(path)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    states = [assert_exact(start, schema)]
    began = time.monotonic()
    assert started().wait() == 0  # the load whole: the state after it
    whole = time.monotonic() - began
    states.append(assert_exact(path, schema))
    killed = 0
    for share in (0.3, 0.5, 0.65, 0.8, 0.9, 0.4, 0.6, 0.75, 0.85, 0.95):
        process = started()
        time.sleep(share * whole)
        killed += process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert assert_exact(path, schema) in states, f"killed at {share:.0%} of a load"
        if killed == 3:
            break
    assert states[0] != states[1]
    assert killed == 3


def older_store(path: Path) -> None:
    """Make ``path`` a store as linkgraph wrote it before the index of names: the same tables but that one."""
    database = ladybug.Database(str(path))
    connection = ladybug.Connection(database)
    connection.execute(f"DROP TABLE {statements.NAME_INDEX}")
    connection.close()
    database.close()


def test_a_store_without_the_index_answers_the_same_and_its_first_writer_builds_it(tmp_path, schema, caplog):
    path, old = tmp_path / "g.lbug", tmp_path / "old.lbug"
    load(path, schema, EXAMPLE / "case.yaml")
    shutil.copyfile(path, old)
    older_store(old)
    expected = answers(path, schema)
    assert any(isinstance(found, str) and "610828102209" in found for found in expected)  # 西山村 names two
    with caplog.at_level(logging.WARNING, logger="linkgraph.stores"):
        assert answers(old, schema) == expected
        assert answers(old, schema) == expected  # opened again, as serve does for every request: said once
    hints = [r.getMessage() for r in caplog.records if r.name == "linkgraph.stores"]
    assert len(hints) == 1 and "no index of names" in hints[0]
    with open_store(old, schema, read_only=True) as store:
        assert statements.NAME_INDEX not in {row["name"] for row in store.run(statements.ladybug_tables())}
    with open_store(old, schema, create=True) as store:
        store.ensure_schema()  # a writer's first open: the index is built whole
    assert assert_exact(old, schema) == assert_exact(path, schema)
    assert answers(old, schema) == expected


def test_an_ad_hoc_write_empties_the_index_and_the_next_load_builds_it(tmp_path, schema):
    path = tmp_path / "g.lbug"
    load(path, schema, EXAMPLE / "case.yaml")
    expected = answers(path, schema)
    with open_store(path, schema, create=True) as store:
        store.query("MATCH (n:AssistanceUnit {id: 'jia:county_committee_office'}) SET n.match_text = '|县办|'",
                    write=True)
    with open_store(path, schema, read_only=True) as store:
        assert store.run(statements.count_name_keys())[0]["count"] == 0
        assert store.resolve("any", "县办") == "jia:county_committee_office"  # searched in every table
        with pytest.raises(QueryError):
            store.resolve("any", "佳县县委办公室")
    load(path, schema, WORKBOOK)
    assert assert_exact(path, schema)["县办"] == ["AssistanceUnit:jia:county_committee_office"]
    assert answers(path, schema)[1:3] == expected[1:3]


@pytest.mark.neo4j
def test_names_find_the_same_rows_on_both_stores(embedded_store, neo4j_store, jia):
    embedded_store.write(jia.graph)
    neo4j_store.write(jia.graph)
    for name, params in [*BY_NAME, ("ego_network", {"org": "西山村"}), ("ego_network", {"org": "无此单位"})]:
        found = []
        for store in (embedded_store, neo4j_store):
            try:
                found.append(store.run_named(name, params))
            except QueryError as err:
                found.append(str(err))
        assert found[0] == found[1], (name, params)
        assert found[0], (name, params)


def test_an_ad_hoc_write_to_a_store_without_the_index_is_written(tmp_path, schema):
    """A store of an older linkgraph has no index to empty: an ad hoc write changes it all the same (it was
    refused: ``Table NameKey does not exist``), and names are still searched in every table."""
    path = tmp_path / "old.lbug"
    load(path, schema, EXAMPLE / "case.yaml")
    older_store(path)
    with open_store(path, schema, create=True) as store:
        store.query("MATCH (n:AssistanceUnit {id: 'jia:county_committee_office'}) SET n.match_text = '|县办|'",
                    write=True)
    with open_store(path, schema, read_only=True) as store:
        assert statements.NAME_INDEX not in {row["name"] for row in store.run(statements.ladybug_tables())}
        assert store.resolve("any", "县办") == "jia:county_committee_office"
