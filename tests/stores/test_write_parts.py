"""A load written in parts (``Store.write_parts``): one part held at a time, the same store as one write."""

import contextlib
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from graph_model.records import GraphData, InputError, SourceRef, make_node, make_tie
from graph_model.sources import SourceInfo
from loaders.roster import roster_graph, roster_parts
from stores import open_store
from stores.name_index import index_from_nodes
from tests.stores.test_embedded_bulk import _roster

REPO = Path(__file__).resolve().parents[2]
ROSTER = SourceRef("r", "名册", "roster.csv")
STAMPS = ("loaded", "loaded_by")


def plain(graph: GraphData) -> tuple[dict, dict]:
    """Every node's and tie's properties, the load's time and loader left out."""
    def props(record):
        return {**record.props, "provenance": [{k: v for k, v in s.items() if k not in STAMPS}
                                               for s in record.props.get("provenance", [])]}

    return ({i: (n.kind, props(n)) for i, n in graph.nodes.items()}, {k: props(t) for k, t in graph.ties.items()})


def content(path, schema) -> tuple:
    """The store's records, its registry (without times) and its index of names."""
    with open_store(path, schema, read_only=True) as store:
        registry = sorted((r["key"], r["digest"], r["nodes"], r["ties"], r["complete"]) for r in store.loaded_sources())
        index = index_from_nodes(store.run, schema.node_labels)
        held = {row["key"]: sorted(row["nodes"]) for row in
                store.run("MATCH (k:NameKey) RETURN k.key AS key, k.nodes AS nodes")}
    with open_store(path, schema, read_only=True) as store:
        return plain(store.export()), registry, index, held


def info(key: str = "r", digest: str = "d1") -> SourceInfo:
    return SourceInfo(SourceRef(key, "名册", "roster.csv"), Path("roster.csv"), digest, "roster")


def test_a_roster_in_parts_is_the_roster_whole_with_every_parent_found_in_an_earlier_part(schema):
    rows = _roster(2_500)
    parts = list(roster_parts(iter(rows), "roster.csv", schema, ROSTER, 300))
    assert len(parts) == 9 and all(len(p.nodes) <= 300 for p in parts)
    whole = roster_graph(rows, "roster.csv", schema, ROSTER)
    joined = GraphData(schema=schema)
    for part in parts:
        joined.nodes.update(part.nodes)
        joined.ties.update(part.ties)
    assert plain(joined) == plain(whole)
    assert ("PART_OF", "610828102499", "610828102") in parts[-1].ties  # its town is in an earlier part


def test_a_code_twice_in_two_parts_is_found_in_the_later_one(schema):
    rows = _roster(50)
    rows.append((len(rows) + 2, "610828100007", "重复村委会", "village", "610828100"))
    parts = roster_parts(iter(rows), "roster.csv", schema, ROSTER, 20)
    with pytest.raises(InputError) as err:
        list(parts)
    assert "code 610828100007 appears twice (first at row 13)" in str(err.value)


def test_a_write_in_parts_gives_the_store_one_write_gives(schema, tmp_path):
    rows = _roster(3_000)
    with open_store(tmp_path / "whole.lbug", schema, create=True) as store:
        store.write(roster_graph(rows, "roster.csv", schema, ROSTER), sources=[info()])
    with open_store(tmp_path / "parts.lbug", schema, create=True) as store:
        report = store.write_parts(roster_parts(iter(rows), "roster.csv", schema, ROSTER, 400), sources=[info()])
        assert report.plan.summary()["create_nodes"] == 3_000 + 3 + 4 and report.read == (3_007, 3_006)
        assert not list(tmp_path.glob("*.building-*"))  # its COPY files are gone
    whole, parts = content(tmp_path / "whole.lbug", schema), content(tmp_path / "parts.lbug", schema)
    assert parts == whole
    assert parts[3] == parts[2] and len(parts[2]) > 3_000  # the index of names holds what the nodes imply


def _changed_roster() -> list[tuple]:
    """The roster of :func:`_roster` (2,000 villages) edited: a village renamed, the last 500 gone."""
    rows = [row for row in _roster(2_000) if not row[1].startswith("610828101") or int(row[1][-3:]) < 500]
    return [(n, code, "改名村委会" if code == "610828100010" else raw, level, parent)
            for n, code, raw, level, parent in rows]


def test_a_reload_in_parts_changes_what_one_write_changes_and_keeps_other_sources_statements(schema, tmp_path):
    article = SourceRef("case.yaml", "新闻报道", "case.yaml")
    other = GraphData(schema=schema)
    other.add_node(make_node(schema, "Village", {"id": "610828100010", "name": "十号村"}, source=article))
    other.add_node(make_node(schema, "Village", {"id": "610828101900", "name": "要删的村"}, source=article))
    other.add_node(make_node(schema, "Cooperative", {"id": "coop:1", "name": "合作社"}, source=article))
    other.add_tie(make_tie(schema, "LOCATED_IN", "coop:1", "610828101400", {"evidence": "报道"}, source=article))
    for name in ("whole", "parts"):
        with open_store(tmp_path / f"{name}.lbug", schema, create=True) as store:
            store.write(roster_graph(_roster(2_000), "roster.csv", schema, ROSTER), sources=[info()])
            store.write(other)
    changed = _changed_roster()
    with open_store(tmp_path / "whole.lbug", schema) as store:
        whole = store.write(roster_graph(changed, "roster.csv", schema, ROSTER), sources=[info(digest="d2")])
    with open_store(tmp_path / "parts.lbug", schema) as store:
        parts = store.write_parts(roster_parts(iter(changed), "roster.csv", schema, ROSTER, 300),
                                  sources=[info(digest="d2")])
    assert parts.plan.summary() == whole.plan.summary()
    assert parts.plan.summary()["delete_nodes"] == 499 and parts.plan.summary()["update_nodes"] == 2
    assert content(tmp_path / "parts.lbug", schema) == content(tmp_path / "whole.lbug", schema)
    records = content(tmp_path / "parts.lbug", schema)[0]
    kept = records[0]["610828101900"][1]  # the article still states it: kept with the article's statement alone
    assert [s["key"] for s in kept["provenance"]] == ["case.yaml"]
    assert [s["key"] for s in records[0]["610828100010"][1]["provenance"]] == ["r", "case.yaml"]


def test_a_reload_in_parts_that_would_delete_a_village_another_sources_tie_ends_at_is_refused(schema, tmp_path):
    """The roster edited without 610828101700, where the article's cooperative lies: the village would go, and
    the article's tie with it; refused, in parts as in one write, and nothing written."""
    article = SourceRef("case.yaml", "新闻报道", "case.yaml")
    other = GraphData(schema=schema)
    other.add_node(make_node(schema, "Cooperative", {"id": "coop:1", "name": "合作社"}, source=article))
    other.add_tie(make_tie(schema, "LOCATED_IN", "coop:1", "610828101700", {"evidence": "报道"}, source=article))
    with open_store(tmp_path / "g.lbug", schema, create=True) as store:
        store.write(roster_graph(_roster(2_000), "roster.csv", schema, ROSTER), sources=[info()])
        store.write(other)
    before = content(tmp_path / "g.lbug", schema)
    with open_store(tmp_path / "g.lbug", schema) as store, pytest.raises(InputError) as err:
        store.write_parts(roster_parts(iter(_changed_roster()), "roster.csv", schema, ROSTER, 300),
                          sources=[info(digest="d2")])
    assert [p.message.split(" / ")[0] for p in err.value.problems] == [
        "来源 case.yaml 的关系 LOCATED_IN coop:1→610828101700 需要节点 610828101700，本次载入的 r 已不再记载它"]
    assert content(tmp_path / "g.lbug", schema) == before


def test_a_part_with_a_problem_leaves_the_store_as_it_was(schema, tmp_path):
    with open_store(tmp_path / "g.lbug", schema, create=True) as store:
        store.write(roster_graph(_roster(100), "roster.csv", schema, ROSTER), sources=[info()])
    before = content(tmp_path / "g.lbug", schema)
    bad = GraphData(schema=schema)
    bad.add_tie(make_tie(schema, "PART_OF", "610828999001", "610828999", {"evidence": "x"}, source=ROSTER))
    parts = [*roster_parts(iter(_roster(1_000)), "roster.csv", schema, ROSTER, 200), bad]
    with open_store(tmp_path / "g.lbug", schema) as store, pytest.raises(InputError) as err:
        store.write_parts(iter(parts), sources=[info(digest="d2")])
    assert "refers to unknown node 610828999001, 610828999" in str(err.value)
    assert content(tmp_path / "g.lbug", schema) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.lbug", "g.lbug.lock"]


def test_a_dry_run_in_parts_counts_what_it_would_write_and_writes_nothing(schema, tmp_path):
    with open_store(tmp_path / "g.lbug", schema, create=True) as store:
        report = store.write_parts(roster_parts(iter(_roster(700)), "roster.csv", schema, ROSTER, 100),
                                   sources=[info()], dry_run=True)
        assert report.plan.summary()["create_nodes"] == 700 + 3 + 1 and report.plan.summary()["create_ties"] == 703
        assert not any(store.counts().values())


KILLED_ROSTER = """
import os, signal, sys
import stores.memory
from linkgraph import pipeline

stores.memory.PART_RECORDS = 8_000  # parts of 4,000 units

def progress(stage, done, total):
    if stage == "read" and done > 12_000:  # the fourth part: three are in COPY files already
        os.kill(os.getpid(), signal.SIGKILL)

pipeline.load_roster("province", "61", sys.argv[1], progress=progress)
"""


def test_a_kill_between_parts_leaves_the_store_as_it_was_and_the_next_load_finishes_it(schema, tmp_path):
    store = tmp_path / "g.lbug"
    run = [sys.executable, "-m", "linkgraph", "roster", "--county", "610828", "--store", str(store)]
    assert subprocess.run(run, cwd=REPO, capture_output=True, timeout=300).returncode == 0
    before = content(store, schema)
    killed = subprocess.run([sys.executable, "-c", KILLED_ROSTER, str(store)], cwd=REPO, capture_output=True,
                            timeout=300)
    assert killed.returncode == -signal.SIGKILL
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("g.lbug.building-"))
    assert left and left[0].endswith(".parquet") and any(Path(tmp_path, left[0]).iterdir())  # its COPY files
    assert content(store, schema) == before
    again = [sys.executable, "-m", "linkgraph", "roster", "--province", "61", "--store", str(store)]
    done = subprocess.run(again, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.lbug", "g.lbug.audit.jsonl", "g.lbug.lock"]
    records = content(store, schema)[0]
    assert sum(kind == "Village" for kind, _ in records[0].values()) == 20_356


# ------------------------------------------------------------------ Neo4j: the parts' new records in files until written


def neo4j_content(store) -> tuple:
    """The Neo4j store's records and its registry (without times)."""
    registry = sorted((r["key"], r["digest"], r["nodes"], r["ties"], r["complete"]) for r in store.loaded_sources())
    return plain(store.export()), registry


@pytest.mark.neo4j
@pytest.mark.parametrize("batched", [False, True], ids=["one transaction", "batches"])
def test_a_write_in_parts_into_neo4j_holds_no_new_record_and_gives_the_store_one_write_gives(
        neo4j_store, schema, tmp_path, monkeypatch, batched):
    """Each part's new records go to files (read back a statement at a time as they are written), not into the plan;
    the store is the one a write of the whole graph makes, in one transaction or in batches."""
    import tempfile

    import stores.neo4j_store as neo4j_store_module

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the load's files go
    monkeypatch.setattr(neo4j_store_module, "STATEMENT_ROWS", 300)  # a file read back in several statements
    if batched:
        for name, value in {"SINGLE_TRANSACTION_ROWS": 1000, "TRANSACTION_ROWS": 1000}.items():
            monkeypatch.setattr(neo4j_store_module, name, value)
    rows = _roster(2_500)
    neo4j_store.write(roster_graph(rows, "roster.csv", schema, ROSTER), sources=[info()])
    whole = neo4j_content(neo4j_store)
    neo4j_store.write(GraphData(), replace=True)
    seen = []
    spool = neo4j_store_module.Neo4jStore._copy_spool

    def watched(self, dry_run):  # the files as the write begins: every part's new records are in them
        with spool(self, dry_run) as files:
            yield files
            seen.append(sorted(p.name for p in Path(files.folder).glob("*.parquet")))

    monkeypatch.setattr(neo4j_store_module.Neo4jStore, "_copy_spool", contextlib.contextmanager(watched))
    report = neo4j_store.write_parts(roster_parts(iter(rows), "roster.csv", schema, ROSTER, 400), sources=[info()])
    assert report.plan.create_nodes == {} and report.plan.create_ties == {}  # none held
    assert report.plan.summary()["create_nodes"] == 2_500 + 3 + 3 and report.read == (2_506, 2_505)
    assert seen == [sorted([f"part-{kind}--0.parquet" for kind in ("Province", "City", "County", "Town", "Village")]
                           + [f"part-PART_OF-{a}-{b}-0.parquet" for a, b in (("City", "Province"), ("County", "City"),
                                                                            ("Town", "County"), ("Village", "Town"))])]
    assert neo4j_content(neo4j_store) == whole
    assert list(tmp_path.iterdir()) == []  # the files are gone


@pytest.mark.neo4j
@pytest.mark.parametrize("fails", ["a part's problem", "the server"])
def test_a_write_in_parts_into_neo4j_that_fails_leaves_the_database_as_it_was(neo4j_store, schema, tmp_path,
                                                                              monkeypatch, fails):
    """A problem in the last part, or the server refusing the write's last statement after it ran every other
    one of the load's transaction: nothing of the load is left, nor its files."""
    import tempfile

    import stores.neo4j_store as neo4j_store_module
    from stores.base import StoreError

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    neo4j_store.write(roster_graph(_roster(100), "roster.csv", schema, ROSTER), sources=[info()])
    before = neo4j_content(neo4j_store)
    parts = list(roster_parts(iter(_roster(1_000)), "roster.csv", schema, ROSTER, 200))
    if fails == "a part's problem":
        bad = GraphData(schema=schema)
        bad.add_tie(make_tie(schema, "PART_OF", "610828999001", "610828999", {"evidence": "x"}, source=ROSTER))
        parts.append(bad)
        expected = InputError
    else:
        real = neo4j_store_module._run_all

        def then_refused(tx, items):  # every statement of the load, then one the server refuses
            real(tx, [*items, ("RETURN 1 / $zero AS x", {"zero": 0})])

        monkeypatch.setattr(neo4j_store_module, "_run_all", then_refused)
        expected = StoreError
    with pytest.raises(expected) as err:
        neo4j_store.write_parts(iter(parts), sources=[info(digest="d2")])
    if fails == "the server":
        assert "/ by zero" in str(err.value) and "未写入任何数据 / nothing was written" in str(err.value)
    assert neo4j_content(neo4j_store) == before
    assert list(tmp_path.iterdir()) == []


@pytest.mark.neo4j
def test_a_kill_between_parts_into_neo4j_leaves_the_database_as_it_was_and_the_next_load_removes_its_files(
        neo4j_store, neo4j_uri, schema, tmp_path, monkeypatch):
    """A load killed while it reads (three parts' new records in its files) wrote nothing; its folder of files
    is left, held by no process, and the next load removes it, not the folder of a load still running."""
    import os
    import tempfile

    from stores.copy_spool import HELD, temporary_folder

    env = {**os.environ, "TMPDIR": str(tmp_path)}
    run = [sys.executable, "-m", "linkgraph", "roster", "--county", "610828", "--store", neo4j_uri]
    assert subprocess.run(run, cwd=REPO, capture_output=True, timeout=300, env=env).returncode == 0
    before = neo4j_content(neo4j_store)
    killed = subprocess.run([sys.executable, "-c", KILLED_ROSTER, neo4j_uri], cwd=REPO, capture_output=True,
                            timeout=300, env=env)
    assert killed.returncode == -signal.SIGKILL
    [left] = list(tmp_path.glob("linkgraph-load-*"))
    assert (left / HELD).is_file() and len(list(left.glob("part-*.parquet"))) >= 2  # its files
    assert neo4j_content(neo4j_store) == before
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with temporary_folder() as running:  # a load of this process, running while the next one starts
        # the next load, of another county (212 villages; the province's 20,356 made it a minute on a busy machine)
        again = [sys.executable, "-m", "linkgraph", "roster", "--county", "610827", "--store", neo4j_uri]
        done = subprocess.run(again, cwd=REPO, capture_output=True, text=True, timeout=300, env=env)
        assert done.returncode == 0, done.stderr
        assert list(tmp_path.glob("linkgraph-load-*")) == [running]
    assert list(tmp_path.iterdir()) == []
    assert neo4j_store.counts()["Village"] == 334 + 212
