"""Ad hoc Cypher on a real Neo4j cannot read files, fetch URLs, write unasked, or touch the server.

Every attempt of :mod:`tests.stores.bypass_neo4j` (and generated variants of its
templates) must be refused with a :class:`QueryError` while the store, the
server's tokens, indexes, users and query statistics stay as they were, no file
content comes back, the local HTTP server of the test receives no request, and
the server still answers. Allowed reads (the introspection procedures of the
allowlist, ordinary MATCH, the catalog's queries) still work. With linkgraph's
check bypassed (the driver used directly), the managed server's own settings
still refuse LOAD CSV of a file or a URL.
"""

from __future__ import annotations

import http.server
import os
import threading
import urllib.request

import neo4j
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queries.catalog import QueryError
from stores.base import StoreError
from tests.stores.bypass import ATTACKS as LADYBUG_ATTACKS
from tests.stores.bypass_neo4j import (ATTEMPT_NAMES, REFUSED_EVEN_WITH_WRITE, TEMPLATE_SEPARATORS, TEMPLATES,
                                       concrete)

pytestmark = pytest.mark.neo4j

MARKER = "linkgraph-secret-7f3a"


class _Counting(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (the http.server API)
        _Counting.requests.append(self.path)
        body = f"a,{MARKER}\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def http_url():
    """A local HTTP server that counts requests; shown to count them before the attempts."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/data.csv"
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            assert MARKER in answer.read().decode()
        assert _Counting.requests == ["/data.csv"]
        _Counting.requests.clear()
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def file_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("secret") / "secret.csv"
    path.write_text(f"a,{MARKER}\n", encoding="utf-8")
    return path.as_uri()


@pytest.fixture(scope="module")
def driver(neo4j_uri):
    with neo4j.GraphDatabase.driver(neo4j_uri, auth=(os.environ.get("NEO4J_USER", "neo4j"),
                                                     os.environ["NEO4J_PASSWORD"])) as opened:
        yield opened


@pytest.fixture(scope="module")
def jia_store(neo4j_uri, schema, jia):
    from stores import open_store

    with open_store(neo4j_uri, schema) as store:
        store.write(jia.graph, replace=True)
        yield store


@pytest.fixture(scope="module")
def attempts(file_url, http_url):
    return {name: (cypher, params) for name, cypher, params in concrete(file_url, http_url)}


def server_state(driver) -> dict:
    """What an attempt might change: the graph, the token sets, indexes, constraints, users, statistics."""
    def rows(cypher, database="neo4j"):
        return driver.execute_query(cypher, database_=database, routing_=neo4j.RoutingControl.READ).records

    return {
        "nodes": rows("MATCH (n) RETURN count(n) AS c")[0]["c"],
        "ties": rows("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"],
        "names": sorted(r["n"] for r in rows("MATCH (n) RETURN n.name AS n") if r["n"]),
        "labels": sorted(r["label"] for r in rows("CALL db.labels()")),
        "keys": sorted(r["propertyKey"] for r in rows("CALL db.propertyKeys()")),
        "types": sorted(r["relationshipType"] for r in rows("CALL db.relationshipTypes()")),
        "indexes": sorted(r["name"] for r in rows("SHOW INDEXES YIELD name")),
        "constraints": sorted(r["name"] for r in rows("SHOW CONSTRAINTS YIELD name")),
        "users": sorted(r["user"] for r in rows("SHOW USERS YIELD user", "system")),
        "statistics": [(r["section"], r["status"]) for r in rows("CALL db.stats.status()")],
    }


@pytest.fixture(scope="module")
def before(jia_store, driver):
    return server_state(driver), jia_store.counts()


def assert_refused(store, driver, before, cypher, params, *, write=False) -> QueryError:
    with pytest.raises(QueryError) as refused:
        store.query(cypher, params, write=write)
    message = str(refused.value)
    assert MARKER not in message and "root:" not in message
    assert len(message.splitlines()) == 1 and " / " in message  # one line, Chinese first
    assert_unchanged(store, driver, before)
    return refused.value


def assert_unchanged(store, driver, before) -> None:
    """Nothing was fetched, and the store and the server are as they were."""
    assert _Counting.requests == []
    assert store.query("RETURN 1 AS one").rows == [{"one": 1}]
    state, counts = before
    assert store.counts() == counts
    assert server_state(driver) == state


@pytest.mark.parametrize("name", ATTEMPT_NAMES)
def test_bypass_attempt_is_refused(jia_store, driver, before, attempts, name):
    cypher, params = attempts[name]
    assert_refused(jia_store, driver, before, cypher, params)


@pytest.mark.parametrize("name", REFUSED_EVEN_WITH_WRITE)
def test_bypass_attempt_is_refused_with_write_too(jia_store, driver, before, attempts, name):
    cypher, params = attempts[name]
    assert_refused(jia_store, driver, before, cypher, params, write=True)


_CASES = {"as written": str, "upper": str.upper, "lower": str.lower, "swapped": str.swapcase}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), template=st.sampled_from(TEMPLATES), case=st.sampled_from(sorted(_CASES)))
def test_generated_variants_are_refused(jia_store, driver, before, file_url, http_url, data, template, case):
    pieces = _CASES[case](template).split("§")
    separators = data.draw(st.lists(st.sampled_from(TEMPLATE_SEPARATORS), min_size=len(pieces) - 1,
                                    max_size=len(pieces) - 1))
    cypher = pieces[0] + "".join(sep + piece for sep, piece in zip(separators, pieces[1:]))
    cypher = cypher.replace("<FILE>", file_url).replace("<HTTP>", http_url)
    cypher = cypher.replace("<file>", file_url).replace("<http>", http_url)
    if comment_hides_code(cypher):  # Neo4j ends a // comment at \n or \r only: part of the attack is a comment,
        try:  # and what is left is refused (WITH 1 AS x alone) or a harmless read (RETURN 'x' AS l)
            assert MARKER not in repr(jia_store.query(cypher).rows)
        except QueryError as refused:
            assert MARKER not in str(refused)
        assert_unchanged(jia_store, driver, before)
    else:
        assert_refused(jia_store, driver, before, cypher, {})


def comment_hides_code(cypher: str) -> bool:
    """Whether a ``//`` comment outside a string hides more than its own text: Neo4j ends it at ``\n`` or
    ``\r`` only, so ``RETURN // c\u2028[x IN … LOAD CSV FROM\n'file:…' AS l`` is ``RETURN 'file:…' AS l``
    (a harmless read of a string), and ``RETURN 'x' AS l // c\u2028UNION LOAD CSV …`` no attack at all."""
    quote, i = None, 0
    while i < len(cypher):
        char = cypher[i]
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif cypher.startswith("//", i):
            ends = [j for j in (cypher.find("\n", i), cypher.find("\r", i)) if j >= 0]
            end = min(ends) if ends else len(cypher)
            if cypher[i + 2:end].strip(" c\u2028\u0085"):
                return True
            i = end
        i += 1
    return False


def test_allowed_reads_still_work(jia_store, before):
    _, counts = before
    assert jia_store.query("MATCH (v:Village) RETURN count(v) AS n").rows == [{"n": counts["Village"]}]
    assert "Village" in {r["label"] for r in jia_store.query("CALL db.labels()").rows}
    assert "PART_OF" in {r["relationshipType"] for r in jia_store.query("CALL db.relationshipTypes()").rows}
    assert "name" in {r["propertyKey"] for r in jia_store.query("CALL db.propertyKeys()").rows}
    schema = jia_store.query("CALL db.schema.visualization() YIELD nodes RETURN size(nodes) AS n").rows
    assert schema[0]["n"] >= 1
    kinds = jia_store.query("CALL db.schema.nodeTypeProperties() YIELD nodeLabels RETURN collect(nodeLabels) AS k")
    assert ["Town"] in kinds.rows[0]["k"]
    assert jia_store.query("CALL db.schema.relTypeProperties() YIELD relType RETURN count(*) AS n").rows[0]["n"] > 0
    assert jia_store.query("CALL db.info() YIELD name RETURN name").rows == [{"name": jia_store.database}]
    assert jia_store.query("CALL db.ping()").rows == [{"success": True}]
    nested = jia_store.query("RETURN [x IN [1] | COUNT { CALL db.labels() YIELD label RETURN label }] AS c").rows
    assert nested[0]["c"][0] >= 1
    degree = jia_store.query("MATCH (t:Town {name: '通镇'}) RETURN COUNT { (t)--() } AS d").rows
    assert degree[0]["d"] > 0
    assert jia_store.query("RETURN 'LOAD CSV FROM file:///etc/passwd' AS text").rows == [
        {"text": "LOAD CSV FROM file:///etc/passwd"}]  # words in a literal are only words


def test_catalog_queries_are_not_ad_hoc(jia_store):
    """The store's own statements (here one that uses SHOW SETTINGS) do not go through the ad hoc check."""
    assert jia_store._memory_limits()["server.memory.heap.max_size"] > 0
    rows = jia_store.run_named("ties_started_in", {"year": "2022"})
    assert rows and all(str(row.get("start", ""))[:4] in ("2022", "") for row in rows) or rows == []


def test_the_server_itself_loads_no_file_and_fetches_no_url(driver, file_url, http_url):
    """With linkgraph's check bypassed, the managed server's settings still refuse LOAD CSV."""
    for url in (file_url, http_url, http_url.replace("127.0.0.1", "localhost")):
        with pytest.raises(neo4j.exceptions.Neo4jError) as refused:
            driver.execute_query("LOAD CSV FROM $url AS l RETURN l", url=url, database_="neo4j")
        assert refused.value.code == "Neo.ClientError.Statement.ExternalResourceFailed"
        assert MARKER not in str(refused.value)
    assert _Counting.requests == []
    assert driver.execute_query("RETURN 1 AS one").records[0]["one"] == 1


def test_without_the_plan_check_the_attacks_are_real(jia_store, attempts, monkeypatch):
    """What the plan check stops: with it switched off, the READ session still lets another session's
    query texts be read (also from inside an expression) and transactions be killed, and only the
    server's settings keep LOAD CSV from the file."""
    monkeypatch.setattr("stores.neo4j_store.refusal", lambda *args, **kwargs: None)
    shown = jia_store.query(*attempts["SHOW TRANSACTIONS query texts"]).rows
    assert {"currentQuery": "SHOW TRANSACTIONS YIELD currentQuery RETURN currentQuery"} in shown
    killed = jia_store.query(*attempts["TERMINATE TRANSACTIONS"]).rows
    assert killed[0]["message"] == "Transaction not found."
    assert jia_store.query(*attempts["db.stats.retrieve in reduce"]).rows[0]["c"] >= 0
    with pytest.raises(StoreError, match="allow_csv_import_from_file_urls"):
        jia_store.query(*attempts["COUNT in a list comprehension"])


@pytest.mark.parametrize("name, kind, cypher", LADYBUG_ATTACKS, ids=[a[0] for a in LADYBUG_ATTACKS])
def test_the_attempts_made_for_ladybug_fail_here_too(jia_store, driver, before, file_url, tmp_path, name, kind, cypher):
    """The LadybugDB corpus (tests/stores/bypass.py: LOAD FROM, COPY TO, table functions, ATTACH, glued and
    hidden keywords …) against Neo4j, each with ``--write`` but the plain writes: refused, nothing read or
    written, the server unchanged."""
    out = tmp_path / "out.csv"
    text = cypher.replace("{secret}", file_url.removeprefix("file://")).replace("{out}", str(out))
    assert_refused(jia_store, driver, before, text, {"rows": [1]}, write=kind != "write")
    assert not out.exists()
