"""Ad hoc Cypher on a real LadybugDB store with the Jia County example: the attempts of tests/stores/bypass.py
all fail (refused by the guard, or a syntax error of the engine), in a process of their own so that a crash
of the engine fails the test; nothing is read or written, the store is unchanged; allowed reads still work."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from queries import guard
from queries.catalog import QueryError
from stores import open_store
from tests.conftest import REPO
from tests.stores.bypass import ATTACKS, mutations

SYNTAX_ERROR = "refused a statement: Parser exception"


@pytest.fixture(scope="module")
def target(tmp_path_factory, jia):
    """The Jia store on disk, a secret file with a unique marker, and a path no query may write."""
    folder = tmp_path_factory.mktemp("readonly")
    marker = f"LINKGRAPH-SECRET-{uuid.uuid4().hex}"
    secret = folder / "secret.csv"
    secret.write_text(f"{marker}|{marker}\n{marker}|x\n", encoding="utf-8")
    store = folder / "jia.lbug"
    with open_store(str(store), create=True) as opened:
        opened.write(jia.graph)
        counts = opened.counts()
    return {"store": store, "marker": marker, "secret": secret, "out": folder / "out.csv", "counts": counts}


def _texts(target, attacks) -> list[tuple[str, str]]:
    return [(name, cypher.replace("{secret}", str(target["secret"])).replace("{out}", str(target["out"])))
            for name, _, cypher in attacks]


def _run(target, attacks, *, write: bool) -> tuple[dict[str, dict], str]:
    """Run ``attacks`` in another process; its outcomes by name, and everything it printed."""
    request = {"store": str(target["store"]), "write": write, "attacks": _texts(target, attacks)}
    done = subprocess.run([sys.executable, "-m", "tests.stores.bypass"], input=json.dumps(request), cwd=REPO,
                          capture_output=True, text=True, timeout=900)
    printed = done.stdout + done.stderr
    outcomes = {line["name"]: line for line in map(json.loads, done.stdout.splitlines())}
    last = list(outcomes)[-1] if outcomes else None
    assert done.returncode == 0, f"the process died ({done.returncode}) at {last}: {done.stderr[-2000:]}"
    return outcomes, printed


@pytest.mark.parametrize("write", [False, True])
def test_every_attempt_fails_and_nothing_is_read_or_written(target, write):
    attacks = [a for a in ATTACKS + mutations(60) if not (write and a[1] == "write")]
    assert len(attacks) >= (100 if write else 160)
    outcomes, printed = _run(target, attacks, write=write)
    assert set(outcomes) == {name for name, _, _ in attacks}
    kinds = collections.Counter(o["outcome"] for o in outcomes.values())
    assert kinds["refused"] + kinds["engine"] == len(attacks), [o for o in outcomes.values()
                                                                 if o["outcome"] not in ("refused", "engine")]
    engine = {name: o["message"] for name, o in outcomes.items() if o["outcome"] == "engine"}
    assert all(SYNTAX_ERROR in message for message in engine.values()), engine
    assert all(len(o["message"].splitlines()) == 1 for o in outcomes.values())
    assert target["marker"] not in printed and not target["out"].exists()
    with open_store(str(target["store"]), read_only=True) as store:
        assert store.counts() == target["counts"]
    print(f"\nwrite={write}: {len(attacks)} attempts, {kinds['refused']} refused by the guard, "
          f"{kinds['engine']} rejected by LadybugDB as syntax errors")


def test_crashers_and_multi_statements_are_refused_with_one_clear_line(target):
    crashers = [a for a in ATTACKS if a[1] in ("crash", "multi")]
    outcomes, _ = _run(target, crashers, write=True)
    for name, kind, _ in crashers:
        assert outcomes[name]["outcome"] == "refused", outcomes[name]
    assert outcomes["two_returns"]["message"].startswith("临时查询一次只执行一条语句 / ad hoc queries run one statement")
    assert "may not CALL read_csv_serial" in outcomes["call_read_csv_serial"]["message"]
    assert "may not use read_npy" in outcomes["call_in_exists"]["message"] or \
        "may not use read_parquet" in outcomes["call_in_exists"]["message"]


CLI_SAMPLE = ["load_glued_to_limit", "call_glued_to_limit", "copy_to", "attach", "load_after_comment_cr",
              "two_returns", "setting_timeout", "load_fullwidth", "setting_home_directory"]


@pytest.mark.parametrize("name", CLI_SAMPLE)
def test_the_cli_refuses_with_and_without_write(target, name):
    (cypher,) = [c for n, c in _texts(target, ATTACKS) if n == name]
    for extra in ([], ["--write"]):
        done = subprocess.run([sys.executable, "-m", "linkgraph", "cypher", cypher, "--store", str(target["store"]),
                               *extra], cwd=REPO, capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, done
        assert done.stdout == "" and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert target["marker"] not in done.stderr and not target["out"].exists()
        assert str(Path.home()) not in done.stderr


def test_allowed_reads_still_work(target):
    with open_store(str(target["store"]), read_only=True) as store:
        assert {r["name"] for r in store.query("CALL show_tables() RETURN *").rows} >= {"Village", "PART_OF"}
        assert {r["name"] for r in store.query("CALL table_info('Town') RETURN *").rows} >= {"id", "name"}
        answer = store.query("MATCH (t:Town {id: $id}) RETURN t.name AS `load`, 'COPY x TO y; LOAD FROM z' AS s "
                             "// SET x\n/* DELETE */", {"id": "610828105"})
        assert answer.rows == [{"load": "通镇", "s": "COPY x TO y; LOAD FROM z"}]
        assert store.query("EXPLAIN MATCH (v:Village) RETURN count(v) AS n").columns == ["explain result"]
        assert store.query("MATCH (v:Village) RETURN count(v) AS n;").rows == [{"n": 334}]
        assert store.query("RETURN EXISTS { MATCH (v:Village) } AS e, COUNT { MATCH (t:Town) } AS c").rows == [
            {"e": True, "c": 13}]
        for cypher in READS:
            assert store.query(cypher, {"town": "通镇", "ids": ["610828105"]}, limit=3).columns


READS = [
    "MATCH (v:Village)-[:PART_OF]->(t:Town {name: $town}) RETURN v.id AS id ORDER BY id",
    "UNWIND $ids AS i MATCH (t:Town {id: i}) RETURN t.name",
    "MATCH (a:Village) OPTIONAL MATCH (a)-[:PART_OF]->(t:Town) RETURN a.name, t.name",
    "MATCH p = (a:Village)-[* SHORTEST 1..4]-(b:Town) RETURN length(p)",
    "MATCH p = (a:Village)-[* TRAIL 1..2]-(b) RETURN count(p)",
    "MATCH (a)-[e]->(b) WITH a, count(e) AS d WHERE d > 1 RETURN a.id, d ORDER BY d DESC SKIP 1",
    "MATCH (a:Town), (b:Town) WHERE a.id < b.id RETURN count(*)",
    "UNWIND [1, 2, 2] AS x RETURN DISTINCT x UNION ALL RETURN 4 AS x",
    "MATCH (a:Village) WHERE NOT EXISTS { MATCH (a)-[:PART_OF]->() } RETURN a.id",
    "CALL show_functions() WHERE name = 'LOWER' RETURN name",
]
"""Ad hoc reads of the kinds planners write; their plans' operators must all be known reads."""


def test_the_engine_refuses_what_the_tokens_let_through(target, monkeypatch):
    """With the token checks emptied, LadybugDB's plan still refuses COPY TO (an operator that is not a
    read), and the READ ONLY transaction refuses to plan a write; a store opened read-only refuses too."""
    empty = {**guard.policy.__wrapped__(), "file_words": frozenset(), "write_words": frozenset()}
    monkeypatch.setattr("queries.guard.policy", lambda: empty)
    copy = f"COPY (MATCH (v:Village) RETURN v.id) TO '{target['out']}'"
    for read_only in (False, True):
        with open_store(str(target["store"]), read_only=read_only) as store:
            with pytest.raises(QueryError, match="may not run LadybugDB's operator COPY_TO"):
                store.query(copy)
            with pytest.raises(QueryError, match="ad hoc queries are read-only"):
                store.query("MATCH (t:Town) SET t.name = 'x'")
            assert store.counts() == target["counts"]
    assert not target["out"].exists()


def test_the_policy_knows_every_table_function_of_the_engine(target):
    """A LadybugDB that adds a table function fails this test until adhoc_policy.yaml allows or refuses it."""
    with open_store(str(target["store"]), read_only=True) as store:
        rows = store.query("CALL show_functions() WHERE type CONTAINS 'TABLE FUNCTION' RETURN name").rows
    engine = {row["name"].upper() for row in rows}
    policy = guard.policy()
    assert engine <= policy["ladybug_calls"] | policy["ladybug_refused_functions"], engine - policy["ladybug_calls"]
    assert policy["ladybug_calls"] <= engine and not policy["ladybug_calls"] & policy["ladybug_refused_functions"]
    assert {"READ_CSV_SERIAL", "READ_PARQUET", "READ_NPY", "READ_PANDAS", "CLEAR_WARNINGS"} <= engine


@pytest.mark.parametrize("write", [False, True])
def test_the_attempts_made_for_neo4j_fail_here_too(target, write):
    """The Neo4j corpus (tests/stores/bypass_neo4j.py: LOAD CSV of a file and of a URL, procedures, server
    commands, writes, several statements) against LadybugDB: refused, or rejected by the engine; with
    ``--write``, all but the plain writes."""
    from tests.stores.bypass_neo4j import REFUSED_EVEN_WITH_WRITE, concrete

    attempts = concrete(target["secret"].as_uri(), "http://127.0.0.1:9/data.csv")
    attacks = [(name, "neo4j", cypher) for name, cypher, _ in attempts
               if not write or name in REFUSED_EVEN_WITH_WRITE]
    outcomes, printed = _run(target, attacks, write=write)
    assert {o["outcome"] for o in outcomes.values()} <= {"refused", "engine"}, [
        o for o in outcomes.values() if o["outcome"] not in ("refused", "engine")]
    assert len(outcomes) == len(attacks) >= 100
    assert target["marker"] not in printed and not target["out"].exists()
    with open_store(str(target["store"]), read_only=True) as store:
        assert store.counts() == target["counts"]
