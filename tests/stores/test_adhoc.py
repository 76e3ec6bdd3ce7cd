"""Ad hoc Cypher: read-only unless asked, files out of reach, a row limit and a timeout; both stores."""

from datetime import date

import pytest

from queries import guard
from queries.catalog import QueryError

WRITES = [
    "CREATE (:Town {id: 'x', name: 'x'})",
    "MERGE (t:Town {id: 'x'}) RETURN t.id",
    "MATCH (t:Town) SET t.name = 'x'",
    "MATCH (n:Village) DETACH DELETE n",
]


@pytest.fixture
def jia_store(store, jia):
    store.write(jia.graph)
    return store


@pytest.mark.parametrize("cypher", WRITES)
def test_writes_are_refused_and_the_store_itself_refuses_them(jia_store, cypher, monkeypatch):
    before = jia_store.counts()
    with pytest.raises(QueryError, match="ad hoc queries are read-only"):
        jia_store.query(cypher)
    # without linkgraph's checks (on LadybugDB its write words and the check of its plan, on Neo4j the check of the
    # server's plan), the store's read-only mode refuses: the store's own words
    no_write_words = {**guard.policy(), "write_words": frozenset()}
    monkeypatch.setattr("queries.guard.policy", lambda: no_write_words)
    monkeypatch.setattr("stores.embedded.check_plan", lambda plan, write=False: None)
    monkeypatch.setattr("stores.neo4j_store.refusal", lambda *args, **kwargs: None)
    with pytest.raises(QueryError, match="查询会修改数据，临时查询只读 / this query writes and ad hoc queries are read-only"):
        jia_store.query(cypher)
    assert jia_store.counts() == before


@pytest.mark.parametrize("cypher", [
    "COPY (MATCH (n:Village) RETURN n.id) TO '/tmp/linkgraph-adhoc.csv'",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "LOAD FROM '/etc/passwd' RETURN *",
])
def test_files_are_out_of_reach(jia_store, cypher, tmp_path):
    with pytest.raises(QueryError, match="may not use (COPY|LOAD)|may not read files or URLs|does not accept this query"):
        jia_store.query(cypher, write=True)


def test_a_procedure_that_writes_is_refused(jia_store):
    call = "CALL clear_warnings() RETURN *" if jia_store.backend == "ladybug" else "CALL db.createLabel('Hacked')"
    with pytest.raises(QueryError, match="may not CALL clear_warnings|may not call db.createLabel"):
        jia_store.query(call)


def test_rows_limit_timeout_and_writes_when_asked(jia_store):
    answer = jia_store.query("MATCH (v:Village) RETURN v.id AS id ORDER BY id", limit=5)
    assert answer.columns == ["id"] and [r["id"] for r in answer.rows][:2] == ["610828001001", "610828001002"]
    assert len(answer.rows) == 5 and answer.truncated
    assert not jia_store.query("MATCH (t:Town) RETURN count(t) AS n", limit=5).truncated
    answer = jia_store.query("MATCH (t:Town {id: $id}) SET t.note = $note RETURN t.note AS note",
                             {"id": "610828105", "note": "试点"}, write=True)
    assert answer.rows == [{"note": "试点"}]
    assert jia_store.export().nodes["610828105"].props["note"] == "试点"
    with pytest.raises(QueryError, match="^查询超时，已停止 / the query took longer than"):
        jia_store.query("MATCH (a)-[*1..8]-(b) RETURN count(*)", timeout=0.01)


def test_the_guard_reads_past_literals_and_comments():
    guard.check_query("MATCH (n) WHERE n.name = 'CREATE COPY' RETURN n /* DELETE */ // SET")
    with pytest.raises(QueryError, match="may not CALL read_csv_parallel"):
        guard.check_query("CALL read_csv_parallel('/etc/passwd') RETURN *", backend="ladybug")
    guard.check_query("CALL show_tables() RETURN name", backend="ladybug")


def test_embedded_answers_read_by_column_equal_those_read_row_by_row(embedded_store, monkeypatch):
    """Without a limit a large answer of plain types is read through Arrow; with one, row by row: the same
    values of the same Python types, nulls included. A map (which Arrow reads as pairs) is read row by row."""
    monkeypatch.setattr("stores.embedded.ARROW_ROWS", 1)
    cypher = ("UNWIND [1, NULL] AS i RETURN 'a' AS s, i, i * 1.5 AS f, i = 1 AS b, date('2021-05-01') AS d, "
              "['x', NULL] AS texts, [i, 2] AS numbers, CASE WHEN i IS NULL THEN NULL ELSE 'b' END AS maybe")
    by_column, by_row = embedded_store.query(cypher).rows, embedded_store.query(cypher, limit=5).rows
    assert by_column == by_row == [
        {"s": "a", "i": 1, "f": 1.5, "b": True, "d": date(2021, 5, 1), "texts": ["x", None], "numbers": [1, 2],
         "maybe": "b"},
        {"s": "a", "i": None, "f": None, "b": None, "d": date(2021, 5, 1), "texts": ["x", None], "numbers": [None, 2],
         "maybe": None},
    ]
    assert [{k: type(v) for k, v in row.items()} for row in by_column] == [
        {k: type(v) for k, v in row.items()} for row in by_row]
    assert embedded_store.query("RETURN map(['a'], [1]) AS m").rows == [{"m": {"a": 1}}]
