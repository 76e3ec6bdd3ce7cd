"""Neo4j's bulk path: large loads in batches of managed transactions sized to the server's memory,
resumable after a failure or a kill, replace in batches, and routing URIs.

The batched path is exercised on 榆林市's roster (3,425 units, 6,849 rows) with
the thresholds lowered, so that it takes seconds rather than a national load.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import neo4j
import pytest

import stores.neo4j_store as neo4j_store_module
from graph_model.records import GraphData
from linkgraph.pipeline import load, load_roster
from loaders import nbs
from stores import open_store
from stores.base import StoreError
from stores.neo4j_store import _bytes, _prefetched, transaction_rows
from tests.conftest import REPO

YULIN_UNITS = 3425  # 榆林市 with 陕西省: 1 province, 1 city, 12 counties, 184 towns, 3,227 villages
YULIN_KEY = "nbs2023:6108"
SMALL_BATCHES = {"SINGLE_TRANSACTION_ROWS": 1000, "TRANSACTION_ROWS": 1000, "STATEMENT_ROWS": 400}


def small_batches(monkeypatch) -> None:
    for name, value in SMALL_BATCHES.items():
        monkeypatch.setattr(neo4j_store_module, name, value)


def expected_yulin_counts() -> dict[str, int]:
    levels = nbs.level_counts(nbs.scope_units(nbs.national_roster(), nbs.parse_scope(nbs.national_roster(), "city", "6108")))
    return {"Province": levels["province"], "City": levels["city"], "County": levels["county"], "Town": levels["town"],
            "Village": levels["village"], "PART_OF": YULIN_UNITS - 1}


def nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}


# ------------------------------------------------------------------ pure helpers


def test_memory_settings_are_read_in_bytes():
    assert _bytes("0B") == 0
    assert _bytes("3.00GiB") == 3 * 2**30
    assert _bytes("512m") == 512 * 2**20
    assert _bytes("750.5KiB") == 768512
    assert _bytes("unlimited") == 0


def test_transaction_rows_follow_the_servers_memory():
    one_gib = 2**30
    # the default pool is 70% of the heap; a transaction takes 15% of it, at 3,500 bytes a row
    assert transaction_rows({"server.memory.heap.max_size": one_gib}) == int(one_gib * 0.7 * 0.15) // 3500 == 32212
    assert transaction_rows({"db.memory.transaction.total.max": 200 * 2**20}) == 8987
    # a limit on one transaction binds (80% of it); never fewer than 1,000 rows
    assert transaction_rows({"server.memory.heap.max_size": one_gib, "db.memory.transaction.max": 20 * 2**20}) == 4793
    assert transaction_rows({"db.memory.transaction.max": 2**20}) == 1000
    assert transaction_rows({"server.memory.heap.max_size": 16 * one_gib}) == 515_396
    assert transaction_rows({}) == 128 * 2**20 // 3500 == 38347  # nothing known: 128 MiB


def test_prefetched_keeps_order_and_raises_what_the_producer_raises():
    assert list(_prefetched(iter([[1], [2], [3]]))) == [[1], [2], [3]]

    def failing():
        yield [1]
        raise ValueError("bad row")

    seen = []
    with pytest.raises(ValueError, match="bad row"):
        for item in _prefetched(failing()):
            seen.append(item)
    assert seen == [[1]]


# ------------------------------------------------------------------ on the server


@pytest.mark.neo4j
def test_the_store_reads_the_servers_memory_settings(neo4j_store):
    limits = neo4j_store._memory_limits()
    assert limits["server.memory.heap.max_size"] >= 256 * 2**20
    assert neo4j_store._rows_per_transaction() == transaction_rows(limits) >= 20_000


@pytest.mark.neo4j
def test_a_batched_load_writes_every_row_once(neo4j_store, neo4j_uri, monkeypatch):
    small_batches(monkeypatch)
    loaded = load_roster("city", "6108", neo4j_uri)
    assert loaded.report.plan.summary()["create_nodes"] == YULIN_UNITS
    assert nonzero(neo4j_store.counts()) == expected_yulin_counts()
    [row] = [r for r in neo4j_store.loaded_sources() if r["key"] == YULIN_KEY]
    assert row["complete"] is True and row["nodes"] == YULIN_UNITS and row["ties"] == YULIN_UNITS - 1
    # ties were created once each, between the right units
    assert neo4j_store.run("MATCH (v:Village {id: '610828105236'})-[e:PART_OF]->(t:Town) RETURN t.id AS town, "
                           "count(e) AS ties") == [{"town": "610828105", "ties": 1}]
    again = load_roster("city", "6108", neo4j_uri)
    assert again.report.unchanged_sources == [YULIN_KEY] and again.report.plan.rows == 0


@pytest.mark.neo4j
def test_a_load_that_fails_midway_says_so_and_a_rerun_writes_only_what_is_missing(neo4j_store, neo4j_uri, monkeypatch):
    small_batches(monkeypatch)
    calls = {"n": 0}
    real = neo4j_store_module._run_all

    def fail_on_fourth(tx, items):
        calls["n"] += 1
        if calls["n"] == 4:  # the registry, then two batches of 1,000 rows, then this one
            raise neo4j.exceptions.ClientError("the server refused a batch (simulated)")
        real(tx, items)

    monkeypatch.setattr(neo4j_store_module, "_run_all", fail_on_fourth)
    with pytest.raises(StoreError) as raised:
        load_roster("city", "6108", neo4j_uri)
    assert str(raised.value).endswith("; 已写入部分数据，重新运行同一载入即可补全 / 2000 of 6849 rows were written: run "
                                      "the same load again to complete it")
    assert str(raised.value).startswith("数据库拒绝了载入 / ")
    assert sum(neo4j_store.counts().values()) == 2000
    [row] = [r for r in neo4j_store.loaded_sources() if r["key"] == YULIN_KEY]
    assert row["complete"] is False
    monkeypatch.setattr(neo4j_store_module, "_run_all", real)
    rerun = load_roster("city", "6108", neo4j_uri)
    summary = rerun.report.plan.summary()
    assert summary["create_nodes"] + summary["create_ties"] == 6849 - 2000
    assert summary["unchanged"] == 2000 and summary["update_nodes"] == summary["update_ties"] == 0
    assert nonzero(neo4j_store.counts()) == expected_yulin_counts()
    [row] = [r for r in neo4j_store.loaded_sources() if r["key"] == YULIN_KEY]
    assert row["complete"] is True


KILLED_LOAD = textwrap.dedent("""
    import os, signal, sys
    import stores.neo4j_store as module
    for name, value in {settings!r}.items():
        setattr(module, name, value)
    from linkgraph.pipeline import load_roster

    def progress(stage, done, total):
        if stage == "write" and done >= total // 2:
            print(done, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

    load_roster("city", "6108", sys.argv[1], progress=progress)
""")


@pytest.mark.neo4j
def test_a_killed_load_is_completed_by_running_it_again(neo4j_store, neo4j_uri):
    killed = subprocess.run([sys.executable, "-c", KILLED_LOAD.format(settings=SMALL_BATCHES), neo4j_uri],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    written = int(killed.stdout.split()[-1])
    assert written == 4000  # four transactions of 1,000 rows had committed when the load was killed
    assert sum(neo4j_store.counts().values()) == written
    rerun = load_roster("city", "6108", neo4j_uri)
    summary = rerun.report.plan.summary()
    assert summary["create_nodes"] + summary["create_ties"] == 6849 - written
    assert nonzero(neo4j_store.counts()) == expected_yulin_counts()
    assert all(r["complete"] for r in neo4j_store.loaded_sources())


@pytest.mark.neo4j
def test_replace_empties_a_large_store_in_batches(neo4j_store, neo4j_uri, jia, monkeypatch):
    small_batches(monkeypatch)
    load_roster("city", "6108", neo4j_uri)
    neo4j_store.write(jia.graph, replace=True)
    assert sum(neo4j_store.counts().values()) == len(jia.graph.nodes) + len(jia.graph.ties)
    assert [r["key"] for r in neo4j_store.loaded_sources()] == sorted({s["key"] for n in jia.graph.nodes.values()
                                                                     for s in n.provenance})


# ------------------------------------------------------------------ routing URIs


@pytest.fixture
def routing_uri(neo4j_uri):
    """The test server through a routing URI: the driver asks it for a routing table, as with a cluster."""
    return neo4j_uri.replace("bolt://", "neo4j://", 1)


@pytest.mark.neo4j
def test_the_store_works_unchanged_through_a_routing_uri(neo4j_store, routing_uri, jia, embedded_store):
    embedded_store.write(jia.graph)
    with open_store(routing_uri) as routed:
        assert routed.describe().startswith(f"Neo4j at {routing_uri}")
        report = routed.write(jia.graph)
        assert report.plan.summary()["create_nodes"] == len(jia.graph.nodes)
        assert routed.counts() == embedded_store.counts()
        assert routed.run_named("ego_network", {"org": "佳县县委办公室"}) == embedded_store.run_named(
            "ego_network", {"org": "佳县县委办公室"})
        exported = routed.export()
        assert exported.nodes.keys() == embedded_store.export().nodes.keys()
        assert exported.nodes["610828105236"].props["name"] == "崔家西山村"
        assert routed.write(jia.graph).plan.rows == 0


@pytest.mark.neo4j
def test_a_batched_load_through_a_routing_uri(neo4j_store, routing_uri, monkeypatch):
    small_batches(monkeypatch)
    load_roster("city", "6108", routing_uri)
    assert nonzero(neo4j_store.counts()) == expected_yulin_counts()
    with open_store(routing_uri) as routed:
        routed.write(GraphData(), replace=True)
    assert sum(neo4j_store.counts().values()) == 0


# ------------------------------------------------------------------ asking the store


def test_a_load_of_ties_to_roster_units_does_not_ask_the_store_id_by_id(tmp_path, monkeypatch):
    """Ties to 佳县's villages by code: the kinds come from the places the load has read once, not from a
    query per id (against Neo4j each is a round trip: 9,299 of them took 30 s of a 58 s 陕西省 load)."""
    from stores.base import Store

    store = str(tmp_path / "graph.lbug")
    load_roster("county", "610828", store)
    (tmp_path / "结对帮扶.csv").write_text(
        "起点,终点,关系类型,依据\n" + "".join(f"县委办,{code},结对帮扶,synthetic row {i}\n" for i, code in
                                       enumerate(("610828105236", "610828102209", "610828001001"))), encoding="utf-8")
    asked = []
    real = Store.kinds_of
    monkeypatch.setattr(Store, "kinds_of", lambda self, ids, absent=(): asked.append(sorted(ids)) or real(self, ids, absent))
    loaded = load([tmp_path / "结对帮扶.csv"], store)
    assert loaded.report.plan.summary()["create_ties"] == 3
    # the one name that is no code, and the write's one batched look-up of the endpoints
    assert asked == [["县委办"], ["610828001001", "610828102209", "610828105236"]]


def test_reads_of_many_rows_and_the_counts_agree_with_a_record_at_a_time(neo4j_store, jia):
    """What a load reads as one list per statement (``read_rows``) and the counts of every kind in one statement
    are what the same statements return a record at a time, and what the per-kind counts say."""
    from queries import statements
    from stores.base import Store

    neo4j_store.write(jia.graph, sources=jia.sources)
    graph = jia.graph
    villages = sorted(n.id for n in graph.nodes.values() if n.kind == "Village")[:40] + ["not-a-village"]
    for cypher, params, columns in [
            (statements.node_names("Village"), None, statements.NODE_NAME_COLUMNS),
            (statements.existing_nodes("Village"), {"ids": villages}, statements.EXISTING_NODE_COLUMNS),
            (statements.ids_present("Town"), {"ids": sorted(graph.nodes)}, statements.ID_COLUMNS)]:
        one_list = neo4j_store.read_rows(cypher, params, columns)
        assert one_list == neo4j_store.run(cypher, params) and one_list
    assert len(neo4j_store.read_rows(statements.existing_nodes("Village"), {"ids": villages},
                                     statements.EXISTING_NODE_COLUMNS)) == 40
    counts = neo4j_store.counts()
    assert counts == Store.counts(neo4j_store) and counts["Village"] == 334 and not neo4j_store.is_empty()
    neo4j_store.write(GraphData(), replace=True)
    assert neo4j_store.is_empty() and neo4j_store.read_rows(statements.node_names("Village"), None,
                                                            statements.NODE_NAME_COLUMNS) == []


def test_one_list_reads_of_one_kind_with_quotes_and_newlines(neo4j_store, schema):
    """A store holding one kind only, whose names carry quotes, backslashes and newlines: the one-list reads
    are what the statements return a record at a time, and the counts of every kind in one statement what
    they say kind by kind (zeros included)."""
    from graph_model.records import make_node
    from queries import statements
    from stores.base import Store

    names = ['贺寨"酒业"', "王家庄'村'企业", "两行\n之名", "反斜杠\\公司", "}) RETURN 1 //", "]]，[[ 括号"]
    graph = GraphData(schema=schema)
    for i, name in enumerate(names):
        graph.add_node(make_node(schema, "Enterprise", {"id": f"e'{i}\n", "name": name, "aliases": [name + "'"],
                                                        "source": "attack"}))
    neo4j_store.write(graph)
    ids = sorted(graph.nodes) + ['"nobody"']
    for cypher, params, columns in [
            (statements.node_names("Enterprise"), None, statements.NODE_NAME_COLUMNS),
            (statements.node_names("Village"), None, statements.NODE_NAME_COLUMNS),
            (statements.existing_nodes("Enterprise"), {"ids": ids}, statements.EXISTING_NODE_COLUMNS),
            (statements.ids_present("Enterprise"), {"ids": ids}, statements.ID_COLUMNS)]:
        assert neo4j_store.read_rows(cypher, params, columns) == neo4j_store.run(cypher, params)
    found = neo4j_store.read_rows(statements.node_names("Enterprise"), None, statements.NODE_NAME_COLUMNS)
    assert sorted(row["name"] for row in found) == sorted(names)
    counts = neo4j_store.counts()
    assert counts == Store.counts(neo4j_store) and counts["Enterprise"] == len(names)
    assert sum(counts.values()) == len(names) and not neo4j_store.is_empty()


def test_an_open_store_creates_only_the_constraints_and_indexes_missing(neo4j_store, schema, monkeypatch):
    """A store opened on a database that has every constraint and index runs no DDL; one missing is created."""
    from queries import statements

    neo4j_store.ensure_schema()
    with neo4j_store._session(neo4j.WRITE_ACCESS) as session:
        session.run("DROP INDEX village_name").consume()
    ran: list[str] = []
    real = neo4j_store_module.Neo4jStore._run_ddl
    monkeypatch.setattr(neo4j_store_module.Neo4jStore, "_run_ddl", lambda self, ddl: (ran.append(ddl), real(self, ddl)))

    with open_store(neo4j_store.uri, schema) as reopened:
        reopened.ensure_schema()
        names = {row["name"] for row in reopened.run(statements.neo4j_schema_names())}
    with open_store(neo4j_store.uri, schema) as again:
        again.ensure_schema()

    assert [statements.ddl_name(ddl) for ddl in ran] == ["village_name"]
    assert {statements.ddl_name(ddl) for ddl in statements.neo4j_ddl(schema)} <= names


def test_an_index_named_as_a_constraint_is_not_taken_for_the_constraint(neo4j_store, schema):
    """An index that has a constraint's name (``village_id`` made by hand on another property) is not that
    constraint: the store does not open as if ids were unique, but says what Neo4j refuses, as
    ``CREATE CONSTRAINT … IF NOT EXISTS`` did before only the missing ones were created."""
    neo4j_store.ensure_schema()
    with neo4j_store._session(neo4j.WRITE_ACCESS) as session:
        session.run("DROP CONSTRAINT village_id").consume()
        session.run("CREATE INDEX village_id FOR (n:Village) ON (n.name_raw)").consume()
    try:
        with pytest.raises(StoreError, match="village_id"):
            with open_store(neo4j_store.uri, schema) as reopened:
                reopened.ensure_schema()
    finally:
        with neo4j_store._session(neo4j.WRITE_ACCESS) as session:
            session.run("DROP INDEX village_id").consume()
        with open_store(neo4j_store.uri, schema) as mended:
            mended.ensure_schema()
            constraints = {row["name"] for row in mended.run("SHOW CONSTRAINTS YIELD name RETURN name")}
    assert "village_id" in constraints


@pytest.mark.neo4j
def test_a_batched_load_with_the_collector_paused_keeps_no_statement_of_a_written_transaction(neo4j_store, neo4j_uri,
                                                                                           monkeypatch):
    """The driver leaves each statement's summary (with its parameters, the rows) in a reference cycle; a load
    pauses the cycle collector, so without a collection after each transaction every row written stayed."""
    import gc

    from analysis.collector import collector_paused
    from neo4j import ResultSummary

    small_batches(monkeypatch)

    def summaries() -> int:
        return sum(isinstance(o, ResultSummary) for o in gc.get_objects())

    gc.collect()
    with collector_paused():
        before = summaries()
        loaded = load_roster("city", "6108", neo4j_uri)
        left = summaries() - before
    assert loaded.report.plan.summary()["create_nodes"] == YULIN_UNITS  # 6,849 rows in 7 transactions
    assert left <= 5, left  # the load's reads, not collected (41 with the writes' statements kept)
