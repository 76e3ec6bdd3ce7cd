"""The server store: Neo4j 5.26 over Bolt with the official ``neo4j`` driver.

Connection settings come from arguments or the environment (``NEO4J_USER``,
``NEO4J_PASSWORD``, ``NEO4J_DATABASE``); the password is never stored in the
repository nor accepted inside the URI, and a failed connection says whether
the server is down, refused the login or lacks the database
(:mod:`stores.connection`). A load is one managed write transaction; queries run
in read transactions, which the server refuses to let write.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

import neo4j
from neo4j.exceptions import Neo4jError

from graph_model.schema import Schema
from stores.base import Progress, Statement, Store, StoreError
from stores.connection import connect, parse_store_spec


class Neo4jStore(Store):
    """Neo4j at ``uri`` (``bolt://127.0.0.1:7687`` or ``neo4j://…``)."""

    backend = "neo4j"

    def __init__(
        self,
        uri: str,
        schema: Schema,
        *,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
    ):
        super().__init__(schema)
        self.uri = parse_store_spec(uri).location
        self.user = user or os.environ.get("NEO4J_USER", "neo4j")
        password = password if password is not None else os.environ.get("NEO4J_PASSWORD")
        self.database = database or os.environ.get("NEO4J_DATABASE", "neo4j")
        self._driver = connect(self.uri, self.user, password, self.database)

    def describe(self) -> str:
        return f"Neo4j at {self.uri} (database {self.database})"

    def close(self) -> None:
        self._driver.close()

    def _session(self, access_mode: str):
        return self._driver.session(database=self.database, default_access_mode=access_mode)

    def _run_ddl(self, statement: str) -> None:
        try:
            with self._session(neo4j.WRITE_ACCESS) as session:
                session.run(statement).consume()
        except Neo4jError as err:
            raise StoreError(f"{self.describe()} refused {statement!r}: {_message(err)}") from None

    def _write(self, work: list[Statement], progress: Progress | None) -> None:
        total = sum(len(p.get("rows", ())) for _, p in work)

        def transaction(tx: neo4j.ManagedTransaction) -> None:
            done = 0
            for cypher, params in work:
                tx.run(cypher, dict(params)).consume()
                done += len(params.get("rows", ()))
                if progress:
                    progress("write", done, total)

        try:
            with self._session(neo4j.WRITE_ACCESS) as session:
                session.execute_write(transaction)
        except Neo4jError as err:
            raise StoreError(f"{self.describe()} refused the load, nothing was written: {_message(err)}") from None

    def run(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        def transaction(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            return [record.data() for record in tx.run(cypher, dict(params or {}))]

        try:
            with self._session(neo4j.READ_ACCESS) as session:
                return session.execute_read(transaction)
        except Neo4jError as err:
            raise StoreError(f"{self.describe()} refused a query: {_message(err)}") from None


def _message(err: BaseException) -> str:
    text = getattr(err, "message", None) or str(err) or type(err).__name__
    return text.strip().splitlines()[0]
