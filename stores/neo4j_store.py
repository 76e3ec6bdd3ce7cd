"""The server store: Neo4j 5.26 over Bolt with the official ``neo4j`` driver.

Connection settings come from arguments or the environment (``NEO4J_USER``,
``NEO4J_PASSWORD``, ``NEO4J_DATABASE``); the password is never stored in the
repository nor accepted inside the URI, and a failed connection says whether
the server is down, refused the login or lacks the database
(:mod:`stores.connection`). A load is one managed write transaction (a large
one, batches of them); a load in parts keeps its new records in files until it
writes them (:meth:`Neo4jStore._copy_spool`); queries run in read transactions, which the server
refuses to let write. An ad hoc query (:meth:`Neo4jStore.query`) is first
planned by the server (``EXPLAIN``) and refused by what the plan shows
(:mod:`queries.neo4j_policy`): files and URLs, procedures off the allowlist,
server commands, and writes unless asked.
"""

from __future__ import annotations

import contextlib
import gc
import getpass
import itertools
import os
import re
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterator, Mapping, Sequence

import neo4j
from neo4j.exceptions import DriverError, Neo4jError

from graph_model.records import storage_value
from graph_model.schema import Property, Schema
from queries import statements
from queries.catalog import QueryError
from queries.neo4j_policy import default_policy, refusal, unplannable
from stores.base import Answer, Progress, Statement, Store, StoreError, batches
from stores.connection import connect, parse_store_spec, wait_for_writer
from stores.copy_spool import CopySpool, arrow_table, copy_columns, temporary_folder
from stores.masking import redact
from stores.plan import WritePlan

SINGLE_TRANSACTION_ROWS = 50_000
"""Loads up to this many rows (and within one transaction's memory) run in one transaction: all or nothing."""
STATEMENT_ROWS = 5_000
"""Rows per ``UNWIND`` statement of a batched load."""
SPOOL_FILE_ROWS = 1_000_000
"""Most rows of one of the files a load in parts keeps its new records in until it writes them
(:meth:`Neo4jStore._copy_spool`); they are read back :data:`STATEMENT_ROWS` at a time, whatever their size."""
TRANSACTION_ROWS = 20_000
"""Most rows per transaction of a batched load (fewer if the server's memory asks for it)."""
MIN_TRANSACTION_ROWS = 1_000
"""Fewest rows per transaction, however little memory the server reports."""
TRANSACTION_SHARE = 0.15
"""The share of the server's transaction memory pool one transaction of a batched load may take."""
DEFAULT_TRANSACTION_BYTES = 128 * 2**20
"""One transaction's memory when the server does not say (a database it does not let us ask, such as Aura)."""
ROW_BYTES = 3_500
"""Transaction memory per written row: 2.7–3.3 KB measured for roster rows of about 320 characters
(``SHOW TRANSACTIONS`` … ``estimatedUsedHeapMemory`` of 5,000 and 20,000 new villages or ties)."""


LEASE_SECONDS = 30
"""How long the writer's lease lasts unless renewed (a writer renews it every third of that while it writes, so
a writer that was killed frees it within this time)."""
LEASE_ID = "writer"
LOCK_TIMEOUT = float(os.environ.get("LINKGRAPH_LOCK_TIMEOUT", "60"))
"""Seconds a writer waits for another one's lease before it gives up (as the embedded store's lock)."""


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
        self._plugin_functions: frozenset[str] | None = None

    def describe(self) -> str:
        return f"Neo4j at {redact(self.uri)} (database {self.database})"

    @contextlib.contextmanager
    def exclusive(self, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
        """Hold the database's writer lease (a ``LinkgraphWriter`` node, by the server's clock) while the block
        runs, renewed in a thread; another writer waits for it (``waiting`` is told once), up to
        ``$LINKGRAPH_LOCK_TIMEOUT`` seconds, then fails naming the holder. A killed writer's lease expires
        after :data:`LEASE_SECONDS`."""
        holder = f"{_user()}@{socket.gethostname()} process {os.getpid()} {uuid.uuid4().hex[:8]}"
        wait_for_writer(lambda: self._take_lease(holder),
                        lambda: self._lease(statements.writer_lease(), "") or "another writer", self.describe(),
                        LOCK_TIMEOUT, waiting)
        stop = threading.Event()
        renewer = threading.Thread(target=self._renew, args=(holder, stop), daemon=True)
        renewer.start()
        try:
            yield
        finally:
            stop.set()
            renewer.join()
            self._lease(statements.release_writer_lease(), holder)

    def _take_lease(self, holder: str) -> bool:
        """Whether ``holder`` took the writer's lease. The lease node of a database that has one is taken as it
        is (no schema read: an unchanged reload reads nothing else before it decides, issue 22); a database
        without it gets the schema first (the uniqueness constraint that lets two writers ``MERGE`` the node at
        once), then the node."""
        taken = self._lease(statements.take_held_writer_lease(), holder, "taken")
        if taken is not None:
            return bool(taken)
        self.ensure_schema()
        return self._lease(statements.take_writer_lease(), holder) is not None

    def _lease(self, cypher: str, holder: str, column: str = "holder") -> Any:
        """Run one statement of the writer's lease in a write transaction; the ``column`` of the row it returns
        (by default the holder), or None without one."""
        params = {"id": LEASE_ID, "holder": holder, "seconds": LEASE_SECONDS}

        def work(tx: neo4j.ManagedTransaction) -> Any:
            record = tx.run(cypher, params).single()
            return record[column] if record else None

        with self._session(neo4j.WRITE_ACCESS) as session:
            return session.execute_write(work)

    def _renew(self, holder: str, stop: threading.Event) -> None:
        """Renew ``holder``'s lease every third of :data:`LEASE_SECONDS` until ``stop`` is set."""
        while not stop.wait(LEASE_SECONDS / 3):
            with contextlib.suppress(Neo4jError, DriverError):  # (the load's own statements say what went wrong)
                self._lease(statements.renew_writer_lease(), holder)

    def close(self) -> None:
        self._driver.close()

    def _session(self, access_mode: str):
        return self._driver.session(database=self.database, default_access_mode=access_mode)

    def ensure_schema(self) -> None:
        """The constraints and indexes (:func:`statements.neo4j_ddl`), only those the database lacks: one read of
        their names, where each ``CREATE … IF NOT EXISTS`` is a schema transaction of its own (about 40 ms of the
        server's CPU for all of them, at every open of the store)."""
        if self._schema_ready:
            return
        try:
            present = {(row["name"], row["constraint"]) for row in self._execute(statements.neo4j_schema_names()).rows}
        except StoreError:  # not allowed to list them: create each as before (IF NOT EXISTS)
            present = set()
        for statement in statements.ddl(self.schema, self.backend):
            if statements.ddl_made(statement) not in present:  # (an index of a constraint's name: Neo4j says so)
                self._run_ddl(statement)
        self._schema_ready = True

    def _run_ddl(self, statement: str) -> None:
        try:
            with self._session(neo4j.WRITE_ACCESS) as session:
                session.run(statement).consume()
        except Neo4jError as err:
            raise StoreError(f"数据库拒绝执行语句 / {self.describe()} refused {statement!r}: {_message(err)}") from None

    @contextlib.contextmanager
    def _copy_spool(self, dry_run: bool) -> Iterator[CopySpool | None]:
        """Where a load in parts (:meth:`stores.writing.Writing.writing_parts`) keeps each part's new records
        until it writes them: the Parquet files the embedded store ``COPY``s from (:class:`stores.copy_spool.CopySpool`),
        in a private temporary folder (:func:`stores.copy_spool.temporary_folder`), read back :data:`STATEMENT_ROWS`
        at a time as the rows of the ``CREATE`` statements (:meth:`_create_statements`), so that the client never
        holds a national load's records at once. Removed after the write, or after a failure; a killed load's by
        the next load. None for a dry run (it writes nothing)."""
        if dry_run:
            yield None
            return
        with temporary_folder() as folder:
            spool = CopySpool(folder, self.schema, copy_columns, _spool_file_rows, arrow_table)
            try:
                yield spool
            finally:
                spool.close()

    def _apply(self, plan: WritePlan, registry: list[dict[str, Any]], *, replace: bool,
               progress: Progress | None, forget: Sequence[str] = (), spooled: CopySpool | None = None) -> None:
        """One transaction for an ordinary load; a large one in batches of managed transactions.

        A batched load first records its sources as incomplete
        (``LoadedSource.complete`` false), then writes deletes, updates, new
        nodes and new ties in transactions sized to the server's transaction
        memory, and marks the sources complete with the last one. Every load
        compares with what the store holds before it writes, so running the
        same load again after a failure or a kill writes only what is
        missing. Each transaction is a managed one, which the driver retries
        on a transient error (a cluster's leader change, a deadlock). ``spooled`` holds the new records of a
        load in parts, in its files already (:meth:`_copy_spool`).
        """
        total = plan.rows
        memory_rows = self._rows_per_transaction()
        rows_per_transaction = min(TRANSACTION_ROWS, memory_rows)
        record = statements.record_source(self.backend)
        forgotten = [(statements.forget_source(), {"key": key}) for key in forget]
        done = 0

        def step(items: list[Statement]) -> None:
            nonlocal done
            done += sum(_size(params) for _, params in items)
            if progress:
                progress("write", done, total)

        try:
            with self._session(neo4j.WRITE_ACCESS) as session:
                held = self._node_count(session) if replace else 0
                if max(total, held) <= min(SINGLE_TRANSACTION_ROWS, memory_rows):
                    work = [(statements.delete_all(), {})] if replace else []
                    work += [*self.plan_statements(plan), *self._create_statements(plan, spooled)]
                    session.execute_write(_run_all, work + [(record, {"row": row}) for row in registry] + forgotten)
                    step(work)
                    return
                if replace:
                    self._delete_everything(session, rows_per_transaction)
                session.execute_write(_run_all, [(record, {"row": {**row, "complete": False}}) for row in registry])
                for items in _prefetched(self._transactions(plan, rows_per_transaction, spooled)):
                    session.execute_write(_run_all, items)
                    _free_statements()
                    step(items)
                session.execute_write(_run_all, [(record, {"row": row}) for row in registry] + forgotten)
        except (Neo4jError, DriverError) as err:  # refused, or the server went away (after the driver's retries)
            partly = (f"; 已写入部分数据，重新运行同一载入即可补全 / {done} of {total} rows were written: run the same "
                      "load again to complete it") if done else "; 未写入任何数据 / nothing was written"
            raise StoreError(f"数据库拒绝了载入 / {self.describe()} refused the load: {_message(err)}{partly}") from None

    def _create_statements(self, plan: WritePlan, spooled: CopySpool | None = None) -> Iterator[Statement]:
        """``CREATE`` statements for the plan's new nodes, then its new ties, built a batch at a time: those it
        holds, and those of a load in parts read from its files (``spooled``) a batch at a time."""
        files = spooled.in_order() if spooled is not None else []
        for label, nodes in plan.create_nodes.items():
            cypher = statements.create_nodes(self.schema, label, self.backend)
            for chunk in batches(nodes, STATEMENT_ROWS):
                yield cypher, {"rows": self.node_rows(chunk, plan.loaded, plan.loaded_by)}
        yield from self._spooled_statements([file for file in files if file[0][1] is None])  # every node first
        for (type_, source, target), ties in plan.create_ties.items():
            cypher = statements.create_ties(self.schema, type_, source, target, self.backend)
            for chunk in batches(ties, STATEMENT_ROWS):
                yield cypher, {"rows": self.tie_rows(chunk, plan.loaded, plan.loaded_by)}
        yield from self._spooled_statements([file for file in files if file[0][1] is not None])

    def _spooled_statements(self, files: Sequence[tuple[tuple[str, tuple[str, str] | None], str, int]]
                            ) -> Iterator[Statement]:
        """``CREATE`` statements for the records in the files of a load in parts
        (:meth:`stores.copy_spool.CopySpool.in_order`), :data:`STATEMENT_ROWS` rows read at a time."""
        import pyarrow.parquet as pq

        for (name, ends), path, _ in files:
            cypher = (statements.create_nodes(self.schema, name, self.backend) if ends is None
                      else statements.create_ties(self.schema, name, *ends, self.backend))
            for batch in pq.ParquetFile(path).iter_batches(batch_size=STATEMENT_ROWS):
                yield cypher, {"rows": spooled_rows(batch.to_pydict(), ties=ends is not None)}

    def _transactions(self, plan: WritePlan, rows_per_transaction: int,
                      spooled: CopySpool | None = None) -> Iterator[list[Statement]]:
        """The plan's statements (deletes, updates, creates) grouped into transactions of at most
        ``rows_per_transaction`` rows (a statement is split to fit)."""
        items: list[Statement] = []
        size = 0
        for cypher, params in itertools.chain(self.plan_statements(plan), self._create_statements(plan, spooled)):
            key = "rows" if "rows" in params else "ids"
            values = params[key]
            while values:
                room = rows_per_transaction - size
                items.append((cypher, {**params, key: values[:room]}))
                size += min(room, len(values))
                values = values[room:]
                if size >= rows_per_transaction:
                    yield items
                    items, size = [], 0
        if items:
            yield items

    def _memory_limits(self) -> dict[str, int]:
        """The server's transaction memory settings and heap, in bytes (empty if it does not let us read them)."""
        try:
            return {row["name"]: _bytes(row["value"]) for row in self.run(statements.transaction_memory_settings())}
        except StoreError:  # not allowed to read the settings (a hosted database)
            return {}

    def _rows_per_transaction(self) -> int:
        return transaction_rows(self._memory_limits())

    def _node_count(self, session) -> int:
        return session.execute_read(lambda tx: tx.run(statements.count_all_nodes()).single()["count"])

    def _delete_everything(self, session, rows_per_transaction: int) -> None:
        """Empty the database in transactions of at most ``rows_per_transaction`` nodes with their ties."""
        limit = max(1, rows_per_transaction // 4)
        while session.execute_write(lambda tx: tx.run(statements.delete_some_nodes(), limit=limit).single()["deleted"]):
            pass

    def node_rows(self, nodes, loaded: str, loaded_by: str = "") -> list[dict[str, Any]]:
        """Rows for ``SET n = r``: the declared properties that have a value (JSON ones as text)."""
        columns = _Columns(loaded, loaded_by)
        return [columns.row(self.schema.node_kind(n.kind).properties, n.props) for n in nodes]

    def tie_rows(self, ties, loaded: str, loaded_by: str = "") -> list[dict[str, Any]]:
        """Rows for ``SET e = r.props``: the endpoints, and the declared properties that have a value under
        ``props``."""
        columns = _Columns(loaded, loaded_by)
        return [{"src": t.source_id, "dst": t.target_id, "props": columns.row(self.schema.tie_kind(t.type).properties, t.props)}
                for t in ties]

    def query(self, cypher: str, params: Mapping[str, Any] | None = None, *, write: bool = False,
              limit: int | None = None, timeout: float | None = None) -> Answer:
        """Run an ad hoc query, once the server's plan of it shows nothing :mod:`queries.neo4j_policy`
        refuses; in a READ session unless ``write``."""
        self._check_plan(cypher, params, write=write, timeout=timeout)
        return self._execute(cypher, params, write=write, limit=limit, timeout=timeout)

    def run(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one of the project's own read-only statements (:mod:`queries`) in a READ session."""
        return self._execute(cypher, params).rows

    def read_rows(self, cypher: str, params: Mapping[str, Any] | None, columns: tuple[str, ...]) -> list[dict[str, Any]]:
        """The rows of one of the project's own read statements, fetched as one list (:func:`statements.collected`):
        the driver decodes each record in Python, one list of rows in its compiled codec."""
        def transaction(tx: neo4j.ManagedTransaction) -> list[list[Any]]:
            record = tx.run(statements.collected(cypher, columns), dict(params or {})).single()
            return record["rows"] if record else []  # (not record.data(), which copies every value again)

        try:
            with self._session(neo4j.READ_ACCESS) as session:
                found = session.execute_read(transaction)
        except Neo4jError as err:
            raise StoreError(f"数据库拒绝执行查询 / {self.describe()} refused a query: {_message(err)}") from None
        return [dict(zip(columns, values)) for values in found]

    def counts(self) -> dict[str, int]:
        """Nodes per kind and ties per type, zeros included, in schema order: one statement. Read without
        :meth:`ensure_schema`: Neo4j counts a label or type it has never seen as 0 (its notifications are off,
        :data:`stores.connection.DRIVER_SETTINGS`), so a reload that writes nothing reads no schema."""
        names = [*self.schema.node_labels, *self.schema.tie_types]
        row = self.run(statements.count_every_kind(self.schema))[0]
        return {name: row[f"c{i}"] for i, name in enumerate(names)}

    def loaded_sources(self) -> list[dict[str, Any]]:
        """The registry (:meth:`stores.base.Store.loaded_sources`), read without :meth:`ensure_schema`, as
        :meth:`counts`: a database without it holds no source."""
        return self.run(statements.loaded_sources())

    def is_empty(self) -> bool:
        counts = self.counts()
        return not any(counts[label] for label in self.schema.node_labels)

    def _check_plan(self, cypher: str, params: Mapping[str, Any] | None, *, write: bool,
                    timeout: float | None) -> None:
        """Raise :class:`QueryError` if the server's plan of ``cypher`` (``EXPLAIN``: planned, not run;
        in a READ session all the same) shows what an ad hoc query may not do, or the server will not
        plan it at all (a syntax error, several statements)."""
        try:
            with self._session(neo4j.READ_ACCESS) as session:
                summary = session.run(neo4j.Query(statements.explain(cypher), timeout=timeout),
                                      dict(params or {})).consume()
        except Neo4jError as err:
            if _timed_out(err):  # planning counts against the query's time: a busy server may not plan in time
                raise _timeout_error(timeout) from None
            if (err.code or "").startswith(("Neo.ClientError.Statement.", "Neo.ClientError.Procedure.")):
                raise QueryError(unplannable(_message(err))) from None
            raise StoreError(f"数据库拒绝执行查询 / {self.describe()} refused a query: {_message(err)}") from None
        found = refusal(summary.plan, summary.query_type, write=write, database=self.database,
                        policy=default_policy(), user_functions=self._functions_of_plugins())
        if found:
            raise QueryError(found)

    def _functions_of_plugins(self) -> frozenset[str]:
        """The server's functions that are not built in (asked once per store)."""
        if self._plugin_functions is None:
            self._plugin_functions = frozenset(row["name"] for row in self.run(statements.plugin_functions()))
        return self._plugin_functions

    def _execute(self, cypher: str, params: Mapping[str, Any] | None = None, *, write: bool = False,
                 limit: int | None = None, timeout: float | None = None) -> Answer:
        """Run ``cypher`` in a managed transaction, READ unless ``write``: at most ``limit`` rows, ``timeout`` s."""

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
                raise QueryError("查询会修改数据，临时查询只读 / this query writes and ad hoc queries are read-only "
                                 "(提示 hint: 加 --write 才能修改 / add --write to change the store)") from None
            if _timed_out(err):
                raise _timeout_error(timeout) from None
            raise StoreError(f"数据库拒绝执行查询 / {self.describe()} refused a query: {_message(err)}") from None


def _timed_out(err: Neo4jError) -> bool:
    """Whether the server stopped a statement at its transaction's timeout."""
    code = err.code or ""
    return "Timeout" in code or "TimedOut" in code


def _timeout_error(timeout: float | None) -> QueryError:
    return QueryError(f"查询超时，已停止 / the query took longer than {timeout or 0:g} s and was stopped "
                      "(提示 hint: --timeout)")


def _user() -> str:
    """The operating system's name of the user running linkgraph (``unknown`` where it has none)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def transaction_rows(limits: Mapping[str, int]) -> int:
    """Rows one transaction may hold, given the server's settings in bytes: a share of
    the transaction memory pool (``db.memory.transaction.total.max``; 0 or missing means its default,
    70% of the heap), within 80% of the limit of one transaction (``db.memory.transaction.max``), over
    the transaction memory of a row; :data:`DEFAULT_TRANSACTION_BYTES` when nothing is known."""
    pool = limits.get("db.memory.transaction.total.max") or int(limits.get("server.memory.heap.max_size", 0) * 0.7)
    budget = int(pool * TRANSACTION_SHARE) if pool else DEFAULT_TRANSACTION_BYTES
    if limits.get("db.memory.transaction.max"):
        budget = min(budget, int(limits["db.memory.transaction.max"] * 0.8))
    return max(MIN_TRANSACTION_ROWS, budget // ROW_BYTES)


def spooled_rows(columns: dict[str, list[Any]], *, ties: bool) -> list[dict[str, Any]]:
    """Rows of the ``CREATE`` statements from columns of a load's files (:func:`stores.copy_spool.copy_columns`:
    every declared property, ties first ``src`` and ``dst``), as :meth:`Neo4jStore.node_rows` and
    :meth:`Neo4jStore.tie_rows` make them from records: only the properties that have a value.

    >>> spooled_rows({"src": ["a"], "dst": ["b"], "year": [2023], "note": [None]}, ties=True)
    [{'src': 'a', 'dst': 'b', 'props': {'year': 2023}}]
    """
    ends = (columns.pop("src"), columns.pop("dst")) if ties else ()
    names = list(columns)
    rows = [{name: value for name, value in zip(names, values) if value is not None} for values in zip(*columns.values())]
    if ties:
        return [{"src": src, "dst": dst, "props": props} for src, dst, props in zip(*ends, rows)]
    return rows


def _spool_file_rows(properties: Sequence, sample: Sequence, loaded: str, ends: tuple[str, str] | None) -> int:
    """Rows of one file of a load in parts (:class:`stores.copy_spool.CopySpool`'s ``most``): Neo4j takes them a
    statement at a time, so their size does not depend on the records."""
    return SPOOL_FILE_ROWS


def _free_statements() -> None:
    """Free the rows of the statements of the last transaction. The driver keeps each statement's parameters in
    its result's summary, which it leaves in a reference cycle: while a load pauses Python's cycle collector
    (:func:`analysis.collector.collector_paused`) every row written stayed (a national load in batches grew by
    2.8 GB as it wrote). A collection of the youngest generation finds them: the objects made since the last
    one, a transaction's rows."""
    gc.collect(0)


def _run_all(tx: neo4j.ManagedTransaction, items: list[Statement]) -> None:
    for cypher, params in items:
        tx.run(cypher, dict(params)).consume()


def _size(params: Mapping[str, Any]) -> int:
    return len(params.get("rows", params.get("ids", ())))


def _prefetched(items: Iterator[Any]) -> Iterator[Any]:
    """``items``, each next one built in a thread while the caller works on (waits for the server with) the last."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        upcoming = pool.submit(next, items, None)
        while (item := upcoming.result()) is not None:
            upcoming = pool.submit(next, items, None)
            yield item


def _bytes(value: str) -> int:
    """A memory setting's value (``"2.10GiB"``, ``"0B"``, ``"512m"``) in bytes."""
    match = re.fullmatch(r"\s*([\d.]+)\s*([KMGT]?)I?B?\s*", str(value).upper())
    if not match:
        return 0
    number, unit = match.groups()
    return int(float(number) * 1024 ** " KMGT".index(unit or " "))


class _Columns:
    """A record's properties as a Neo4j row: only those declared and set (Neo4j stores no nulls), JSON ones as
    text (:func:`graph_model.records.storage_value`). Only the record's own properties are visited, not
    every declared column of its kind, as the rows of a load are built a record at a time."""

    def __init__(self, loaded: str, loaded_by: str):
        self.loaded, self.loaded_by = loaded, loaded_by
        self._kinds: dict[int, tuple[dict[str, Property], frozenset[str]]] = {}

    def row(self, properties: tuple[Property, ...], values: Mapping[str, Any]) -> dict[str, Any]:
        declared, json_names = self._declared(properties)
        row = {k: v for k, v in values.items() if v is not None and k in declared}
        for name in json_names.intersection(row):
            row[name] = storage_value(declared[name], row[name], self.loaded, self.loaded_by)
        return row

    def _declared(self, properties: tuple[Property, ...]) -> tuple[dict[str, Property], frozenset[str]]:
        key = id(properties)
        if key not in self._kinds:
            self._kinds[key] = ({p.name: p for p in properties},
                                frozenset(p.name for p in properties if p.type == "json"))
        return self._kinds[key]


def _message(err: BaseException) -> str:
    text = getattr(err, "message", None) or str(err) or type(err).__name__
    return text.strip().splitlines()[0]
