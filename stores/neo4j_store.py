"""The server store: Neo4j 5.26 over Bolt with the official ``neo4j`` driver.

Connection settings come from arguments or the environment (``NEO4J_USER``,
``NEO4J_PASSWORD``, ``NEO4J_DATABASE``); the password is never stored in the
repository nor accepted inside the URI, and a failed connection says whether
the server is down, refused the login or lacks the database
(:mod:`stores.connection`). A load is one managed write transaction (a large
one, batches of them); queries run in read transactions, which the server
refuses to let write.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

import neo4j
from neo4j.exceptions import Neo4jError

from graph_model.schema import Schema
from queries import statements
from queries.catalog import QueryError
from queries.guard import check_query
from stores.base import Answer, Progress, Statement, Store, StoreError, batches
from stores.connection import connect, parse_store_spec
from stores.plan import WritePlan

SINGLE_TRANSACTION_ROWS = 50_000
"""Loads up to this many rows run in one transaction (all or nothing); larger ones in batches."""
STATEMENTS_PER_TRANSACTION = 5
"""In a batched load, how many statements (of up to 2,000 rows each) make one transaction."""


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

    def _apply(self, plan: WritePlan, registry: list[dict[str, Any]], *, replace: bool,
               progress: Progress | None) -> None:
        """One transaction for an ordinary load; a large one in batches of managed transactions.

        In batches, the registry marks the sources incomplete until the last
        batch is in; because every load first compares with what the store
        holds, running the same load again after a failure writes only what
        is missing.
        """
        work: list[Statement] = [(statements.delete_all(), {})] if replace else []
        work += self.plan_statements(plan)
        for label, nodes in plan.create_nodes.items():
            cypher = statements.create_nodes(self.schema, label, self.backend)
            work += [(cypher, {"rows": list(chunk)}) for chunk in batches(self.node_rows(nodes, plan.loaded))]
        for (type_, source, target), ties in plan.create_ties.items():
            cypher = statements.create_ties(self.schema, type_, source, target, self.backend)
            work += [(cypher, {"rows": list(chunk)}) for chunk in batches(self.tie_rows(ties, plan.loaded))]
        record = statements.record_source(self.backend)
        total = sum(len(p.get("rows", p.get("ids", ()))) for _, p in work)
        done = 0

        def run_all(tx: neo4j.ManagedTransaction, items: list[Statement]) -> None:
            for cypher, params in items:
                tx.run(cypher, dict(params)).consume()

        def step(items: list[Statement]) -> None:
            nonlocal done
            done += sum(len(p.get("rows", p.get("ids", ()))) for _, p in items)
            if progress:
                progress("write", done, total)

        try:
            with self._session(neo4j.WRITE_ACCESS) as session:
                if total <= SINGLE_TRANSACTION_ROWS:
                    session.execute_write(run_all, work + [(record, {"row": row}) for row in registry])
                    step(work)
                    return
                session.execute_write(run_all, [(record, {"row": {**row, "complete": False}}) for row in registry])
                for start in range(0, len(work), STATEMENTS_PER_TRANSACTION):
                    items = work[start : start + STATEMENTS_PER_TRANSACTION]
                    session.execute_write(run_all, items)
                    step(items)
                session.execute_write(run_all, [(record, {"row": row}) for row in registry])
        except Neo4jError as err:
            partly = "" if total <= SINGLE_TRANSACTION_ROWS else (
                f"; {done} of {total} rows were written: run the same load again to complete it "
                "/ 已写入部分数据，重新运行同一载入即可补全")
            raise StoreError(f"{self.describe()} refused the load: {_message(err)}{partly or ', nothing was written / 未写入任何数据'}") from None

    def node_rows(self, nodes, loaded: str) -> list[dict[str, Any]]:
        """Rows for ``SET n = r``: the properties that have a value."""
        return [_present(row) for row in super().node_rows(nodes, loaded)]

    def tie_rows(self, ties, loaded: str) -> list[dict[str, Any]]:
        """Rows for ``SET e = r.props``: the endpoints, and the properties that have a value under ``props``."""
        return [{"src": row.pop("src"), "dst": row.pop("dst"), "props": _present(row)}
                for row in super().tie_rows(ties, loaded)]

    def query(self, cypher: str, params: Mapping[str, Any] | None = None, *, write: bool = False,
              limit: int | None = None, timeout: float | None = None) -> Answer:
        check_query(cypher, write=write)

        @neo4j.unit_of_work(timeout=timeout)
        def transaction(tx: neo4j.ManagedTransaction) -> Answer:
            result = tx.run(cypher, dict(params or {}))
            rows: list[dict[str, Any]] = []
            for record in result:
                if limit is not None and len(rows) >= limit:
                    return Answer(list(result.keys()), rows, True)
                rows.append(record.data())
            return Answer(list(result.keys()), rows)

        try:
            with self._session(neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS) as session:
                return (session.execute_write if write else session.execute_read)(transaction)
        except Neo4jError as err:
            code = err.code or ""
            if code.endswith("AccessMode") or "read access mode" in _message(err).lower():
                raise QueryError("this query writes and ad hoc queries are read-only / 查询会修改数据，临时查询只读 "
                                 "(hint 提示: add --write to change the store)") from None
            if "Timeout" in code or "TimedOut" in code:
                raise QueryError(f"the query took longer than {timeout:g} s and was stopped / 查询超时 "
                                 "(hint 提示: --timeout)") from None
            raise StoreError(f"{self.describe()} refused a query: {_message(err)}") from None


def _present(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if v is not None}


def _message(err: BaseException) -> str:
    text = getattr(err, "message", None) or str(err) or type(err).__name__
    return text.strip().splitlines()[0]
