"""A query's timeout on Neo4j (stores/neo4j_store.py): the plan the server is asked for first (EXPLAIN) counts
against it, and a busy server that cannot plan in time gives the same line as one that cannot run in time,
not a store error. A unit test: the server's answer is the error the driver raises (its code as Neo4j 5 sends
it), from a stand-in session."""

from __future__ import annotations

import contextlib

import pytest
from neo4j.exceptions import Neo4jError

from queries.catalog import QueryError
from stores.neo4j_store import Neo4jStore

TIMED_OUT = "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"


class _Session:
    def run(self, *args, **kwargs):
        raise Neo4jError._hydrate_neo4j(code=TIMED_OUT, message="The transaction has been terminated.")


def test_a_plan_the_server_cannot_make_in_time_is_said_as_a_timeout(monkeypatch):
    store = Neo4jStore.__new__(Neo4jStore)  # no server: only the session is used
    monkeypatch.setattr(store, "_session", lambda mode: contextlib.nullcontext(_Session()), raising=False)
    with pytest.raises(QueryError, match="^查询超时，已停止 / the query took longer than 0.01 s"):
        store._check_plan("MATCH (a)-[*1..8]-(b) RETURN count(*)", None, write=False, timeout=0.01)
