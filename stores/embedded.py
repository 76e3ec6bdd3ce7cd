"""The embedded default store: LadybugDB (PyPI ``ladybug``), one file plus its WAL.

No server: the database lives in a file such as ``output/linkgraph.lbug``.
Writes run in one ``BEGIN TRANSACTION … COMMIT`` (tables created in it too)
and roll back on any error; large groups of new rows go through LadybugDB's
``COPY`` from Parquet files inside that transaction (a ``COPY`` from an
in-memory table is not used: after a rollback it crashes the process).
Queries run in ``BEGIN TRANSACTION READ ONLY`` so that a query cannot change
the data.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

import ladybug

from graph_model.records import storage_value
from graph_model.schema import Schema
from queries import statements
from queries.catalog import QueryError
from queries.guard import check_query
from stores.base import Answer, Progress, Store, StoreError, batches
from stores.connection import StoreUnavailable
from stores.plan import WritePlan

BUFFER_POOL_MB = int(os.environ.get("LINKGRAPH_BUFFER_POOL_MB", "1024"))
"""LadybugDB's page cache (its default takes most of the machine's memory)."""
SWAP_ROWS = 100_000
"""Loads of at least this many rows are written into a copy of the store that then replaces it."""
LOCK_TIMEOUT = float(os.environ.get("LINKGRAPH_LOCK_TIMEOUT", "60"))
COPY_THRESHOLD = 5000
COPY_ROWS = 200_000
"""Rows per ``COPY`` (each a transaction of its own when a large load is written into a copy of the store)."""
"""Groups of at least this many new rows go through LadybugDB's ``COPY`` rather than ``CREATE``."""


SMALL_STORE_BYTES = 128 * 2**20
"""Store files up to this size (a province with its ties: 92 MB) are read with a page cache of ``BUFFER_POOL_MB``."""


def _reading_pool(path: Path) -> int:
    """The page cache for reading ``path``, in bytes: LadybugDB's own (0: 80% of the machine's memory; an
    export of a national store needs a large one), but ``BUFFER_POOL_MB`` for a small store. Opening costs
    time in proportion to the cache (75 ms for LadybugDB's own on this 24 GB machine, 35 ms for 1 GB,
    measured), and every ``linkgraph query`` pays it."""
    return BUFFER_POOL_MB * 2**20 if path.stat().st_size <= SMALL_STORE_BYTES else 0


class EmbeddedStore(Store):
    """LadybugDB at ``path`` (created, with its folder, if missing).

    Opened for writing, the store holds ``PATH.lock`` until it is closed, so a
    second writer waits for the first (up to ``$LINKGRAPH_LOCK_TIMEOUT``
    seconds) instead of failing; readers open it read-only meanwhile and see
    the store as it was before the write.
    """

    backend = "ladybug"

    def __init__(self, path: str | Path, schema: Schema, *, read_only: bool = False):
        super().__init__(schema)
        self.path = Path(path)
        self.read_only = read_only
        self._lock: WriterLock | None = None
        if read_only and not self.path.exists():
            raise StoreError(f"no embedded store at {self.path} / 数据库不存在 "
                             f"(hint: load data first: linkgraph load … --store {self.path})")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = WriterLock(self.path)
            self._lock.acquire()
        try:
            self._open()
        except BaseException:
            self._release()
            raise

    def _open(self) -> None:
        try:
            # Writing, the page cache is bounded, and large loads go through chunked COPYs instead.
            pool = _reading_pool(self.path) if self.read_only else BUFFER_POOL_MB * 2**20
            self._db = ladybug.Database(str(self.path), read_only=self.read_only, buffer_pool_size=pool)
            self._conn = ladybug.Connection(self._db)
        except RuntimeError as err:
            raise StoreError(f"cannot open embedded store {self.path}: {_first_line(err)} "
                             "(hint: give a .lbug file written by linkgraph, or a new path / "
                             "请指定 linkgraph 生成的数据库文件或新路径)") from None

    def describe(self) -> str:
        return f"embedded LadybugDB at {self.path}"

    def close(self) -> None:
        self._conn.close()
        self._db.close()
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _run_ddl(self, statement: str) -> None:
        self._execute(statement)

    def ensure_schema(self) -> None:
        """Create the tables, all in one transaction; opened read-only, check instead that they exist."""
        if self._schema_ready:
            return
        if self.read_only:
            present = {row["name"] for row in self.run(statements.ladybug_tables())}
            missing = [name for name in (*self.schema.node_labels, *self.schema.tie_types) if name not in present]
            if missing:
                raise StoreError(f"{self.describe()} lacks table(s) {', '.join(missing)} / 数据库缺少表 "
                                 "(hint: load data with linkgraph load, which creates them; a store written by an "
                                 "older linkgraph is rebuilt with linkgraph load … --replace)")
        else:
            self._in_transaction(lambda: [self._execute(s) for s in statements.ddl(self.schema, self.backend)])
        self._schema_ready = True

    def _execute(self, cypher: str, params: Mapping[str, Any] | None = None):
        try:
            return self._conn.execute(cypher, dict(params or {}))
        except RuntimeError as err:
            raise StoreError(f"{self.describe()} refused a statement: {_first_line(err)}") from None

    def _in_transaction(self, work) -> None:
        self._execute("BEGIN TRANSACTION")
        try:
            work()
        except BaseException:
            self._rollback()
            raise
        self._execute("COMMIT")

    def _apply(self, plan: WritePlan, registry: list[dict[str, Any]], *, replace: bool,
               progress: Progress | None) -> None:
        """Deletes, updates, creates (large groups through ``COPY`` from Parquet) and the registry, all or nothing.

        An ordinary load runs in one transaction. A large one, or one that
        replaces the store, is written into a copy of the store file, one
        statement at a time, and the copy then takes the store's place: a
        failure or a kill leaves the store as it was, and no transaction has
        to hold a national load in memory.
        """
        done = 0

        def step(rows: int) -> None:
            nonlocal done
            done += rows
            if progress:
                progress("write", done, plan.rows)

        def everything(conn_execute) -> None:
            for statement in statements.ddl(self.schema, self.backend):
                conn_execute(statement)
            for cypher, params in self.plan_statements(plan):
                conn_execute(cypher, params)
                step(len(params.get("rows", params.get("ids", ()))))
            with tempfile.TemporaryDirectory(prefix="linkgraph-", dir=self.path.parent) as folder:
                for label, nodes in plan.create_nodes.items():
                    self._create(conn_execute, label, None, nodes, plan.loaded, folder, step)
                for (type_, source, target), ties in plan.create_ties.items():
                    self._create(conn_execute, type_, (source, target), ties, plan.loaded, folder, step)
            for row in registry:
                conn_execute(statements.record_source(self.backend), {"row": row})

        if replace or plan.rows >= SWAP_ROWS:
            self._swap_in(everything, copy=not replace)
        else:
            self._in_transaction(lambda: everything(self._execute))

    def _swap_in(self, work, *, copy: bool) -> None:
        """Run ``work`` against a copy of the store file (or a new file), then put the copy in its place."""
        building = self.path.with_name(f"{self.path.name}.building-{os.getpid()}")
        self._conn.close()
        self._db.close()
        try:
            for stale in self.path.parent.glob(f"{self.path.name}.building-*"):  # left by a writer that was killed
                _remove(stale)
            if copy and self.path.exists():
                shutil.copyfile(self.path, building)
            database = ladybug.Database(str(building), buffer_pool_size=BUFFER_POOL_MB * 2**20)
            connection = ladybug.Connection(database)

            def execute(cypher: str, params: Mapping[str, Any] | None = None):
                try:
                    return connection.execute(cypher, dict(params or {}))
                except RuntimeError as err:
                    raise StoreError(f"{self.describe()} refused a statement: {_first_line(err)}") from None

            try:
                work(execute)
            finally:
                connection.close()
                database.close()
            os.replace(building, self.path)
            _remove(Path(f"{self.path}.wal"))
        finally:
            _remove(building)
            _remove(Path(f"{building}.wal"))
            self._open()

    def _create(self, execute, name: str, ends: tuple[str, str] | None, records: Sequence, loaded: str,
                folder: str, step) -> None:
        """New nodes (``ends`` None) or ties of one (source kind, target kind) pair: ``CREATE`` in
        batches, or for large groups one ``COPY`` from a Parquet file."""
        if len(records) < COPY_THRESHOLD:
            rows = self.node_rows(records, loaded) if ends is None else self.tie_rows(records, loaded)
            cypher = (statements.create_nodes(self.schema, name, self.backend) if ends is None
                      else statements.create_ties(self.schema, name, *ends, self.backend))
            for chunk in batches(rows):
                execute(cypher, {"rows": list(chunk)})
                step(len(chunk))
            return
        properties = self.schema.node_kind(name).properties if ends is None else self.schema.tie_kind(name).properties
        for start in range(0, len(records), COPY_ROWS):
            chunk = records[start : start + COPY_ROWS]
            columns = {p.name: (statements.LADYBUG_TYPES[p.type], _column(p, chunk, loaded)) for p in properties}
            if ends is not None:
                columns = {"src": ("STRING", [r.source_id for r in chunk]),
                           "dst": ("STRING", [r.target_id for r in chunk]), **columns}
            path = os.path.join(folder, f"{name}-{'-'.join(ends or ())}-{start}.parquet")
            write_parquet(path, columns)
            del columns
            execute(statements.copy_nodes(name, path) if ends is None else statements.copy_ties(name, *ends, path))
            os.remove(path)
            step(len(chunk))

    def _rollback(self) -> None:
        try:
            self._conn.execute("ROLLBACK")
        except RuntimeError:
            pass  # a failed statement has already rolled the transaction back

    def query(self, cypher: str, params: Mapping[str, Any] | None = None, *, write: bool = False,
              limit: int | None = None, timeout: float | None = None) -> Answer:
        check_query(cypher, write=write, backend=self.backend)
        if write and self.read_only:
            raise StoreError(f"{self.describe()} is open read-only / 数据库以只读方式打开")
        if timeout:
            self._conn.set_query_timeout(int(timeout * 1000))
        self._execute("BEGIN TRANSACTION" if write else "BEGIN TRANSACTION READ ONLY")
        try:
            try:
                result = self._conn.execute(cypher, dict(params or {}))
            except RuntimeError as err:
                raise _refusal(err, self.describe(), timeout) from None
            columns = result.get_column_names()
            rows: list[dict[str, Any]] = []
            truncated = False
            while result.has_next():
                if limit is not None and len(rows) >= limit:
                    truncated = True
                    break
                rows.append(dict(zip(columns, result.get_next())))
            if write:
                self._execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        finally:
            if not write:
                self._rollback()
            if timeout:
                self._conn.set_query_timeout(0)
        return Answer(columns, rows, truncated)


class WriterLock:
    """``PATH.lock``, held by the one process that writes a store; the others wait for it
    (up to ``timeout`` seconds, default ``$LINKGRAPH_LOCK_TIMEOUT`` or 60) and then fail
    naming the process that holds it. The operating system frees it when a writer dies."""

    def __init__(self, path: Path, timeout: float | None = None):
        self.path = path
        self.timeout = LOCK_TIMEOUT if timeout is None else timeout
        self._handle = None

    def acquire(self) -> None:
        handle = open(f"{self.path}.lock", "a+")
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    handle.close()
                    raise StoreUnavailable(f"{self.path} is being written by {holder} / 另一个进程正在写入该数据库 "
                                     f"(hint: wait for it to finish, or raise LINKGRAPH_LOCK_TIMEOUT, now "
                                     f"{self.timeout:g} s)") from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.seek(0)
            self._handle.truncate()
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _column(prop, records: Sequence, loaded: str) -> list[Any]:
    """One property of every record, as stored."""
    name = prop.name
    if prop.type == "json":
        return [storage_value(prop, r.props.get(name), loaded) for r in records]
    return [r.props.get(name) for r in records]


def write_parquet(path: str, columns: Mapping[str, tuple[str, list[Any]]]) -> None:
    """Columns (name → LadybugDB type and values) as a Parquet file, in the table's order (``COPY`` reads by position)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"STRING": pa.string(), "INT64": pa.int64(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(),
             "STRING[]": pa.list_(pa.string())}
    arrays = [pa.array(values, type=types[type_]) for type_, values in columns.values()]
    pq.write_table(pa.Table.from_arrays(arrays, names=list(columns)), path)


def _refusal(err: RuntimeError, where: str, timeout: float | None) -> Exception:
    """LadybugDB's error as the user's: a write in a read-only query, a timeout, or the engine's own words."""
    text = _first_line(err)
    if "read-only" in text or "read only" in text:
        return QueryError("this query writes and ad hoc queries are read-only / 查询会修改数据，临时查询只读 "
                          "(hint 提示: add --write to change the store)")
    if text.startswith("Interrupted") and timeout:
        return QueryError(f"the query took longer than {timeout:g} s and was stopped / 查询超时 (hint 提示: --timeout)")
    return StoreError(f"{where} refused a statement: {text}")


def _first_line(err: BaseException) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
