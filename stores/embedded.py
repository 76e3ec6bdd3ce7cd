"""The embedded default store: LadybugDB (PyPI ``ladybug``), one file plus its WAL.

No server: the database lives in a file such as ``output/linkgraph.lbug``.
Every load (and the tables of a new store) is written into a copy of the store
file, which is closed, synced and then takes the store's place by an atomic
rename (see ``EmbeddedStore._swap_in``): the store file itself is always a
complete, committed state, whatever moment a writer is killed at, and readers
beside a load read it as it was. An ad hoc query (:meth:`EmbeddedStore.query`)
is checked on its tokens and on LadybugDB's plan (:mod:`queries.guard`) and runs
in ``BEGIN TRANSACTION READ ONLY`` unless asked to write, so that it cannot
change the data, reach files or crash the process.

A kill can still leave LadybugDB's own files beside a store that was written in
place (an ad hoc ``query --write``, or a store of an older linkgraph): a WAL,
or a checkpoint half done, which read-only opens refuse. The next writer
finishes it with its read-write open; a reader does the same when no writer
holds ``PATH.lock``, and otherwise waits for the writer (see
``EmbeddedStore._open``). Leftovers of a killed writer (``FILE.building-PID``
and its Parquet folder) are removed by the next writer.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib
import logging
import os
import re
import shutil
import sys
import time
import types
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from graph_model.schema import Schema
from queries import statements
from queries.catalog import QueryError
from queries.guard import check_plan, check_query, explain
from stores.base import Answer, Progress, Store, StoreError, batches
from stores.connection import StoreSpecError, not_a_store_file, wait_for_writer
from stores.copy_spool import PARQUET_OPTIONS, CopySpool, arrow_table, copy_columns
from stores.memory import memory_limit, page_cache_mb
from stores.name_index import IndexUpdate, split_entry
from stores.naming import has_chinese
from stores.plan import WritePlan


class _AsyncioOnUse(types.ModuleType):
    """What LadybugDB's ``async_connection`` module calls ``asyncio`` when :func:`_import_ladybug` imported it:
    the first use of one of its names imports ``asyncio`` itself (also while LadybugDB imports, when
    ``sys.modules`` still holds this stand-in: it is taken out first)."""

    def __getattr__(self, name: str) -> Any:
        if sys.modules.get("asyncio") is self:
            del sys.modules["asyncio"]
        return getattr(importlib.import_module("asyncio"), name)


def _import_ladybug() -> types.ModuleType:
    """LadybugDB's package, imported without ``asyncio``: its ``__init__`` imports ``asyncio`` for
    ``AsyncConnection`` alone, which linkgraph does not use, and that import was a tenth of a question asked as
    one command (30 ms of CPU of 0.35 s, measured nationally). While the package is imported, ``asyncio`` in
    ``sys.modules`` is an :class:`_AsyncioOnUse`, removed again after, so that the next ``import asyncio``
    (anyone's) imports it whole; ``AsyncConnection`` imports it when first used. A process that has imported
    ``asyncio`` already (a server) imports LadybugDB as it is."""
    if "asyncio" in sys.modules:
        import ladybug

        return ladybug
    standing_in = sys.modules["asyncio"] = _AsyncioOnUse("asyncio")
    try:
        import ladybug
    finally:
        if sys.modules.get("asyncio") is standing_in:
            del sys.modules["asyncio"]
    return ladybug


ladybug = _import_ladybug()

log = logging.getLogger("linkgraph.stores")

TOLD_SLOW: set[str] = set()
"""Stores without an index of names (an older linkgraph wrote them) this process has said are slow to search by
name: said once per store, not at every open (``serve`` opens the store for every request)."""

BUFFER_POOL_MB = int(os.environ.get("LINKGRAPH_BUFFER_POOL_MB", "1024"))
"""LadybugDB's page cache (its default takes most of the machine's memory)."""
SWAP_ROWS = 100_000
"""Loads of at least this many rows commit statement by statement into the copy (fewer: in one transaction)."""
LOCK_TIMEOUT = float(os.environ.get("LINKGRAPH_LOCK_TIMEOUT", "60"))
COPY_THRESHOLD = 100
"""Groups of at least this many new rows go through LadybugDB's ``COPY`` rather than ``CREATE`` (measured on
陕西省's synthetic tables, 22,512 ties in groups of 100–5,000: 5.7 s with 5,000, 3.7 s with 100, 3.9 s with 10)."""
COPY_KEY_ROWS = 50_000
"""Keys of the index of names one ``COPY`` takes: with ladybug 0.22.0 a first ``COPY`` of 143,508 or 200,000
keys into the empty index hung, idle, where parts of 50,000 took 1.1 million keys in 18 s (measured nationally,
2026-12-07)."""
COPY_SHARE = 0.12
"""The bytes of ties one ``COPY`` takes, as a share of the page cache (see :func:`copy_rows`)."""
COPY_NODE_ROWS = 200_000
"""Nodes one ``COPY`` takes (adding nodes to a table is cheap; fewer at a time take less memory)."""
SMALL_STORE_BYTES = 128 * 2**20
"""Store files up to this size (a province with its ties: 92 MB) are read with a page cache of ``BUFFER_POOL_MB``."""
LADYBUG_OWN_POOL = 0.8
"""The share of the machine's memory LadybugDB's own page cache takes (``buffer_pool_size=0``)."""
SIDE_FILES = (".wal", ".shadow", ".wal.checkpoint", ".checkpoint.apply.lock", ".checkpoint.intent.lock")
"""LadybugDB's files beside a database file FILE while it writes (``FILE.wal`` …). A kill leaves them, holding
a commit or a checkpoint half done: a read-write open finishes it, read-only opens refuse until then."""
BUILDING = ".building-"
"""A load is written into ``FILE.building-PID`` (Parquet files for its ``COPY``s in ``FILE.building-PID.parquet``)."""
RECOVERY_WAIT = 0.2
"""Seconds a reader waits before it tries again to open a store whose writer is finishing a checkpoint."""


def write_pool_mb() -> int:
    """The page cache a writer opens with, in MB: ``BUFFER_POOL_MB``, smaller under a memory limit
    (:mod:`stores.memory`), and with it every ``COPY`` (:func:`copy_rows`)."""
    try:
        return page_cache_mb(BUFFER_POOL_MB, memory_limit())
    except ValueError as err:
        raise StoreError(f"{err} (LINKGRAPH_MEMORY_LIMIT)") from None


def _reading_pool(path: Path, one_question: bool = False) -> int:
    """The page cache for reading ``path``, in bytes: LadybugDB's own (0: 80% of the machine's memory), but
    ``BUFFER_POOL_MB`` for a small store, and for a large store opened for ``one_question`` (``linkgraph
    query``) twice the file and ``BUFFER_POOL_MB`` more, unless that reaches LadybugDB's own. Opening and
    closing cost time in proportion to the cache (LadybugDB sets up a state for every page of it; a national
    store: 103 and 22 ms with LadybugDB's own on this 24 GB machine, 79 and 16 ms with 1 GB, measured), and
    every ``linkgraph query`` pays it; but a large store needs a large cache, for an export and for many named
    queries in one process (with 1 GB, the fifth whole-country answer in one process, 212,071 rows, found it
    full; the four before it did not, so one question fits in 1 GB and more so in twice the file)."""
    size = path.stat().st_size
    if size <= SMALL_STORE_BYTES:
        return BUFFER_POOL_MB * 2**20
    pool = 2 * size + BUFFER_POOL_MB * 2**20
    own = LADYBUG_OWN_POOL * os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return pool if one_question and pool < own else 0


class EmbeddedStore(Store):
    """LadybugDB at ``path`` (created, with its folder, if missing).

    Opened for writing, the store holds ``PATH.lock`` until it is closed, so a
    second writer waits for the first (up to ``$LINKGRAPH_LOCK_TIMEOUT``
    seconds) instead of failing; readers open it read-only meanwhile and see
    the store as it was before the write. A writer too reads the store file
    through a read-only handle: LadybugDB rewrites a file's header in place
    whenever a read-write handle closes, so one is taken only for a write in
    place (an ad hoc ``query --write``); loads go through :meth:`_swap_in`.
    """

    backend = "ladybug"

    def __init__(self, path: str | Path, schema: Schema, *, read_only: bool = False,
                 waiting: Callable[[str], None] | None = None, one_question: bool = False):
        super().__init__(schema)
        self.path = Path(path)
        self.one_question = one_question  # opened to answer one question, then closed (see _reading_pool)
        self.read_only = read_only
        self._lock: WriterLock | None = None
        self._writable = False  # whether the handle is read-write (a writer's, for a write in place)
        # whether names are looked up in the index of names (stores.name_index); None: not known yet (a
        # reader asks the index whether it has keys when it first looks a name up, not at every open)
        self._name_index: bool | None = False
        self._older_store = False  # whether the store lacks the index's table (an older linkgraph wrote it)
        problem = not_a_store_file(self.path)
        if problem:
            raise StoreSpecError(problem)
        if read_only and not self.path.exists():
            raise StoreError(f"数据库不存在 / no embedded store at {self.path} "
                             f"(提示 hint: 请先载入数据 / load data first: linkgraph load … --store {self.path})")
        if not read_only:
            write_pool_mb()  # a memory limit that cannot be read is said as it is, before anything is opened
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = WriterLock(self.path)
            self._lock.acquire(waiting)
        try:
            if not read_only:
                remove_leftovers(self.path)
                if not self.path.exists():  # a new store: its tables, written as any load is
                    self._swap_in(lambda execute, folder: self._ddl(execute), copy=False, one_transaction=True)
                if _side_files(self.path):
                    _finish_writes(self.path)
            self._open()
        except BaseException:
            self._release()
            raise

    def _open(self) -> None:
        """Open the store file. A writer (it holds ``PATH.lock``) has finished what a killed writer left in
        LadybugDB's files first (:func:`_finish_writes`). A reader refused for such leftovers
        (:data:`SIDE_FILES`) finishes them itself when no writer holds the lock (:meth:`_recover`); while one
        does, the writer is finishing them or a checkpoint of its own, and the reader tries again every
        :data:`RECOVERY_WAIT` seconds, for up to ``$LINKGRAPH_LOCK_TIMEOUT`` seconds. A refusal after the
        reader's own recovery is final."""
        deadline = time.monotonic() + LOCK_TIMEOUT
        recovered = False
        while True:
            try:
                self._db = self._database()
                self._conn = ladybug.Connection(self._db)
                return
            except RuntimeError as err:
                refusal = _first_line(err)
            if recovered or not self.read_only or not _side_files(self.path) or time.monotonic() >= deadline:
                raise StoreError(f"无法打开数据库 / cannot open embedded store {self.path}: {refusal} "
                                 "(提示 hint: 请指定 linkgraph 生成的数据库文件或新路径 / give a .lbug file written by "
                                 "linkgraph, or a new path)")
            recovered = self._recover()
            if not recovered:
                time.sleep(RECOVERY_WAIT)

    def _database(self) -> ladybug.Database:
        if self.read_only:
            pool = _reading_pool(self.path, self.one_question)
            return ladybug.Database(str(self.path), read_only=True, buffer_pool_size=pool)
        # A writer's page cache is bounded, and large loads go through chunked COPYs instead.
        return ladybug.Database(str(self.path), read_only=not self._writable, buffer_pool_size=write_pool_mb() * 2**20)

    def _recover(self) -> bool:
        """Finish a killed writer's commit or checkpoint (:func:`_finish_writes`) if no writer holds
        ``PATH.lock``; False when one does (the reader then waits)."""
        lock = WriterLock(self.path, timeout=0)
        try:
            if not lock.try_acquire():
                return False
        except OSError as err:
            raise StoreError(f"恢复数据库需要写权限 / {self.path} was left by a writer that was stopped and needs "
                             f"one open with write access to recover ({err.strerror}) (提示 hint: run linkgraph "
                             f"query kind_counts --store {self.path} once as a user who may write its folder)") from None
        try:
            if _side_files(self.path):
                _finish_writes(self.path)
        finally:
            lock.release()
        return True

    def describe(self) -> str:
        return f"embedded LadybugDB at {self.path}"

    def _fixed(self) -> bool:
        return self.read_only

    def close(self) -> None:
        self._close_database()
        self._release()

    def _close_database(self) -> None:
        self._conn.close()
        self._db.close()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _run_ddl(self, statement: str) -> None:
        self._execute(statement)

    def ensure_schema(self) -> None:
        """Create the tables, all in one transaction; opened read-only, check instead that they exist. A writer
        adds the index of names to a store of an older linkgraph (built whole, :mod:`stores.name_index`); a
        reader of one searches names in every table, and says once that it is slow. A reader asks whether the
        index has keys only when it first looks a name up (a question by id or without names does not)."""
        if self._schema_ready:
            return
        present = {row["name"] for row in self.run(statements.ladybug_tables())}
        missing = [name for name in (*self.schema.node_labels, *self.schema.tie_types) if name not in present]
        if self.read_only:
            if missing:
                raise StoreError(f"数据库缺少表 / {self.describe()} lacks table(s) {', '.join(missing)} "
                                 "(提示 hint: 用 linkgraph load 载入数据即建表，旧版所建的数据库用 linkgraph load … --replace "
                                 "重建 / load data with linkgraph load, which creates them; a store written by an "
                                 "older linkgraph is rebuilt with linkgraph load … --replace)")
            self._name_index = None if statements.NAME_INDEX in present else False
            self._older_store = statements.NAME_INDEX not in present
        else:
            lacking = [] if missing else self._lacking_pairs()
            if missing or lacking or statements.NAME_INDEX not in present:
                def add_pairs(execute) -> None:
                    for statement in statements.ladybug_add_pairs(lacking):
                        execute(statement)

                self._rebuild(lambda execute, folder: self._keeping_index(WritePlan(), execute, folder,
                                                                          lambda: add_pairs(execute)),
                              copy=True, one_transaction=True)
            self._name_index = self._index_in_use()
        self._schema_ready = True

    def _lacking_pairs(self) -> list[tuple[str, str, str]]:
        """The ``(tie type, source kind, target kind)`` pairs the schema allows that the store's relationship tables
        do not join: a store made before the schema allowed them (PAIRED_ASSISTANCE from an Enterprise) gets them."""
        lacking = []
        for tie in self.schema.tie_kinds:
            joined = {(r["source"], r["target"]) for r in self.run(statements.ladybug_connections(tie.type))}
            lacking += [(tie.type, s, d) for s, d in tie.endpoints if (s, d) not in joined]
        return lacking

    def _clear_name_index(self) -> None:
        """Empty the index of names in the open write transaction (an ad hoc write may have changed names; the next
        load builds it again); a store of an older linkgraph has none to empty."""
        tables = {row["name"] for row in _answer_rows(self._conn.execute(statements.ladybug_tables()), None)[1]}
        if statements.NAME_INDEX in tables:
            self._execute(statements.clear_name_index())

    def _index_in_use(self) -> bool:
        """Whether the index of names has keys (an ad hoc write empties it, and the next load builds it again;
        a store without nodes has none, and nothing to search)."""
        return self.run(statements.count_name_keys())[0]["count"] > 0

    def loaded_sources(self) -> list[dict[str, Any]]:
        """The registry (:meth:`Store.loaded_sources`); a store of an older linkgraph, whose registry lacks the
        later columns (who loaded, when exactly), reads them as empty until its next load adds them."""
        self.ensure_schema()
        present = frozenset(row["name"] for row in self.run(statements.registry_columns()))
        return self.run(statements.loaded_sources(present))

    def _ddl(self, execute) -> None:
        for statement in statements.ddl(self.schema, self.backend):
            execute(statement)

    def _writable_handle(self) -> None:
        """Reopen the store read-write for a write in place (an ad hoc ``query --write``); a writer otherwise
        reads through a read-only handle, so that closing it never checkpoints the store file in place."""
        if not (self.read_only or self._writable):
            self._close_database()
            self._writable = True
            self._open()

    def _execute(self, cypher: str, params: Mapping[str, Any] | None = None):
        try:
            return self._conn.execute(cypher, dict(params or {}))
        except RuntimeError as err:
            raise _refused(err, self.describe()) from None

    def _apply(self, plan: WritePlan, registry: list[dict[str, Any]], *, replace: bool,
               progress: Progress | None, forget: Sequence[str] = (), spooled: CopySpool | None = None) -> None:
        """Deletes, updates, creates (groups of ``COPY_THRESHOLD`` or more through ``COPY`` from Parquet) and the
        registry, all or nothing: written into a copy of the store file (a new file for ``replace``) that then
        takes the store's place (:meth:`_swap_in`), in one transaction, or for a large load statement by
        statement, so that no transaction has to hold a national load in memory. A failure or a kill leaves
        the store as it was. (``COPY`` only ever runs there: LadybugDB crashes on the next statement after it
        rolls back a transaction that ran one.) ``spooled`` holds the new records of a load in parts, in its
        ``COPY`` files already (:meth:`_copy_spool`).
        """
        done = 0

        def step(rows: int) -> None:
            nonlocal done
            done += rows
            if progress:
                progress("write", done, plan.rows)

        def statements_of_plan(conn_execute, folder: str) -> None:
            for cypher, params in self.plan_statements(plan):
                conn_execute(cypher, params)
                step(len(params.get("rows", params.get("ids", ()))))
            files = spooled.in_order() if spooled is not None else []
            for label, nodes in plan.create_nodes.items():
                self._create(conn_execute, label, None, nodes, (plan.loaded, plan.loaded_by), folder, step)
            copy_spooled(conn_execute, [file for file in files if file[0][1] is None], step)  # every node first
            for (type_, source, target), ties in plan.create_ties.items():
                self._create(conn_execute, type_, (source, target), ties, (plan.loaded, plan.loaded_by), folder, step)
            copy_spooled(conn_execute, [file for file in files if file[0][1] is not None], step)
            for row in registry:
                conn_execute(statements.record_source(self.backend), {"row": row})
            for key in forget:
                conn_execute(statements.forget_source(), {"key": key})

        def everything(conn_execute, folder: str) -> None:
            self._keeping_index(plan, conn_execute, folder, lambda: statements_of_plan(conn_execute, folder),
                                spooled)

        self._rebuild(everything, copy=not replace, one_transaction=plan.rows < SWAP_ROWS)
        self._name_index = True

    def _keeping_index(self, plan: WritePlan, execute, folder: str, work: Callable[[], None],
                       spooled: CopySpool | None = None) -> None:
        """The tables (``CREATE … IF NOT EXISTS``), then ``work()`` (``plan``'s statements), with the index of
        names kept in line, all in the copy a write builds (:class:`stores.name_index.IndexUpdate`). New nodes
        of a load in parts (``spooled``) are added to it by their names where the spool kept them, else the
        index is built again whole."""
        def rows(cypher: str, params: Mapping[str, Any] | None) -> list[dict[str, Any]]:
            return _answer_rows(execute(cypher, params), None)[1]

        update = IndexUpdate(plan, spooled.names if spooled is not None else None)
        update.read_before(rows)
        self._ddl(execute)
        if spooled is not None and spooled.has_nodes() and spooled.names is None and not update.rebuild:
            execute(statements.clear_name_index())
            update.rebuild = True
        work()
        update.write_after(rows, execute, lambda new: self._create_keys(execute, new, folder),
                           lambda: self._build_index(execute, folder))

    def _create_keys(self, execute, rows: list[dict[str, Any]], folder: str) -> None:
        """New keys of the index of names: ``CREATE`` in batches, or ``COPY`` for ``COPY_THRESHOLD`` or more."""
        if len(rows) < COPY_THRESHOLD:
            for chunk in batches(rows):
                execute(statements.create_name_keys(), {"rows": list(chunk)})
            return
        import pyarrow as pa

        self._copy_keys(execute, pa.table({"key": pa.array([r["key"] for r in rows], pa.string()),
                                           "nodes": pa.array([r["nodes"] for r in rows], pa.list_(pa.string()))}),
                        folder)

    def _build_index(self, execute, folder: str) -> None:
        """Fill the empty index of names from every node's ``match_text``: worked out and written to Parquet by
        LadybugDB (:func:`queries.statements.export_name_index`), then copied in (:meth:`_copy_keys`)."""
        import pyarrow.parquet as pq

        path = os.path.join(folder, f"{statements.NAME_INDEX}.parquet")
        execute(statements.export_name_index(path))
        try:
            self._copy_keys(execute, pq.read_table(path), folder)
        finally:
            os.remove(path)

    def _copy_keys(self, execute, table, folder: str) -> None:
        """Keys of the index of names (an Arrow table: ``key``, ``nodes``) ``COPY``'d in parts of ``COPY_KEY_ROWS``."""
        import pyarrow.parquet as pq

        for start in range(0, table.num_rows, COPY_KEY_ROWS):
            path = os.path.join(folder, f"{statements.NAME_INDEX}-{start}.parquet")
            pq.write_table(table.slice(start, COPY_KEY_ROWS), path, **PARQUET_OPTIONS)
            try:
                execute(statements.copy_nodes(statements.NAME_INDEX, path))
            finally:
                os.remove(path)

    def _named_rows(self, labels: Sequence[str], value: str, key: str, found_by_scan, found_by_ids):
        """:meth:`stores.naming.Naming._named_rows` through the index of names: one key lookup and the nodes it
        lists (one lookup by id in each of their tables; a value with Chinese characters is also looked up
        as an id, in one statement). A store without the index (or with an empty one) is searched table by table.
        A reader asks whether the index has keys only when the key is not in it: a key found says it has (one
        statement fewer for a question by name, which ``linkgraph query`` asks once per process)."""
        self.ensure_schema()
        listed = self.run(statements.name_key_nodes(), {"key": key}) if self._name_index is not False else []
        if self._name_index is None:
            self._name_index = bool(listed) or self._index_in_use()
        if not self._name_index:
            where = str(self.path.resolve())
            if self._older_store and where not in TOLD_SLOW:
                TOLD_SLOW.add(where)
                log.warning("提示 hint: 本库没有名称索引（旧版 linkgraph 所建），按名称查找较慢；下次载入即建立 / "
                            "this store has no index of names (an older linkgraph wrote it): names are searched "
                            "in every table; its next load (linkgraph load … --store %s) adds it", self.path)
            return super()._named_rows(labels, value, key, found_by_scan, found_by_ids)
        ids: dict[str, set[str]] = {}
        for row in listed:
            for node in row["nodes"]:
                label, node_id = split_entry(node)
                ids.setdefault(label, set()).add(node_id)
        if has_chinese(value):
            for row in self.run(statements.labels_with_id(labels), {"value": value}):
                ids.setdefault(row["label"], set()).add(value)
        return [(label, row) for label in labels if label in ids
                for row in self.run(found_by_ids(label), {"ids": sorted(ids[label])})]

    def _rebuild(self, work, *, copy: bool, one_transaction: bool) -> None:
        """:meth:`_swap_in` with the store closed meanwhile, and opened again after (also after a failure)."""
        self._close_database()
        self._writable = False
        try:
            self._swap_in(work, copy=copy, one_transaction=one_transaction)
        finally:
            self._open()

    def _swap_in(self, work, *, copy: bool, one_transaction: bool) -> None:
        """Run ``work(execute, parquet_folder)`` against a copy of the store file (or a new file), then put the
        copy in its place: closed (LadybugDB checkpoints on close), synced to disk, renamed over the store
        (atomic), the folder synced. Readers that opened the store before keep reading the file as it was.

        ``one_transaction`` runs it as one (each statement's own commit checkpoints the store: 陕西省's
        tables took 7.5 s so, 3.7 s in one); otherwise each statement commits, so that no transaction
        holds a national load. A failure leaves the copy, never the store, in whatever state, and the copy
        is removed (by the next writer, if this one is killed).
        """
        building = self.path.with_name(f"{self.path.name}{BUILDING}{os.getpid()}")
        folder = Path(f"{building}.parquet")
        try:
            if copy and self.path.exists():
                shutil.copyfile(self.path, building)
            folder.mkdir(exist_ok=True)  # a load in parts has written its COPY files there already
            database = ladybug.Database(str(building), buffer_pool_size=write_pool_mb() * 2**20)
            connection = ladybug.Connection(database)

            def execute(cypher: str, params: Mapping[str, Any] | None = None):
                try:
                    return connection.execute(cypher, dict(params or {}))
                except RuntimeError as err:
                    raise _refused(err, self.describe()) from None

            try:
                if one_transaction:
                    execute("BEGIN TRANSACTION")
                work(execute, str(folder))
                if one_transaction:
                    execute("COMMIT")
            finally:
                connection.close()
                database.close()
            _sync(building)
            for side in _side_files(self.path):  # none after a clean close; a stale one would be replayed into the copy
                _remove(side)
            os.replace(building, self.path)
            _sync(self.path.parent)
        finally:
            _remove_building(building)

    @contextlib.contextmanager
    def _copy_spool(self, dry_run: bool) -> Iterator[CopySpool | None]:
        """The ``COPY`` files of a load in parts (:meth:`stores.writing.Writing.write_parts`), in the folder of the
        copy the load then builds (``FILE.building-PID.parquet``): removed after the write, or after a failure;
        a killed writer's are removed by the next (:func:`remove_leftovers`). None for a dry run."""
        if dry_run:
            yield None
            return
        folder = Path(f"{self.path.with_name(f'{self.path.name}{BUILDING}{os.getpid()}')}.parquet")
        folder.mkdir()
        spool = CopySpool(folder, self.schema, copy_columns, copy_most, arrow_table,
                          names={} if self._name_index else None)  # an index to keep key by key: their names
        try:
            yield spool
        finally:
            spool.close()
            shutil.rmtree(folder, ignore_errors=True)

    def _create(self, execute, name: str, ends: tuple[str, str] | None, records: Sequence, stamp: tuple[str, str],
                folder: str, step) -> None:
        """New nodes (``ends`` None) or ties of one (source kind, target kind) pair: ``CREATE`` in
        batches, or for groups of ``COPY_THRESHOLD`` or more, ``COPY`` from Parquet files in ``folder``,
        as few as LadybugDB's page cache allows. ``stamp`` is the load's time and who loads."""
        loaded, loaded_by = stamp
        if len(records) < COPY_THRESHOLD:
            rows = self.node_rows(records, *stamp) if ends is None else self.tie_rows(records, *stamp)
            cypher = (statements.create_nodes(self.schema, name, self.backend) if ends is None
                      else statements.create_ties(self.schema, name, *ends, self.backend))
            for chunk in batches(rows):
                execute(cypher, {"rows": list(chunk)})
                step(len(chunk))
            return
        properties = self.schema.node_kind(name).properties if ends is None else self.schema.tie_kind(name).properties
        rows = copy_rows(properties, records, loaded, ends)
        for start in range(0, len(records), rows):
            chunk = records[start : start + rows]
            path = os.path.join(folder, f"{name}-{'-'.join(ends or ())}-{start}.parquet")
            write_parquet(path, copy_columns(properties, chunk, loaded, ends, loaded_by))
            try:
                execute(statements.copy_nodes(name, path) if ends is None else statements.copy_ties(name, *ends, path))
            finally:
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
        return self._answer(cypher, params, write=write, limit=limit, timeout=timeout, ad_hoc=True)

    def run(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one of linkgraph's own read-only statements (``queries/``) in a READ ONLY transaction,
        without the checks of ad hoc queries (which would also take the time of planning it twice)."""
        return self._answer(cypher, params).rows

    def _answer(self, cypher: str, params: Mapping[str, Any] | None, *, write: bool = False, limit: int | None = None,
                timeout: float | None = None, ad_hoc: bool = False) -> Answer:
        """Run ``cypher`` in a transaction of its own (READ ONLY unless ``write``); an ``ad_hoc`` query only
        once LadybugDB's plan of it has passed :func:`queries.guard.check_plan`."""
        if write and self.read_only:
            raise StoreError(f"数据库以只读方式打开 / {self.describe()} is open read-only")
        if write:
            self._writable_handle()
        if timeout:
            self._conn.set_query_timeout(int(timeout * 1000))
        self._execute("BEGIN TRANSACTION" if write else "BEGIN TRANSACTION READ ONLY")
        try:
            try:
                if ad_hoc:
                    check_plan(self._plan(cypher, params), write=write)
                result = self._conn.execute(cypher, dict(params or {}))
            except RuntimeError as err:
                raise _refusal(err, self.describe(), timeout) from None
            columns, rows, truncated = _answer_rows(result, limit)
            if write:
                self._clear_name_index()
                self._execute("COMMIT")
                self._name_index = False
        except BaseException:
            self._rollback()
            raise
        finally:
            if not write:
                self._rollback()
            if timeout:
                self._conn.set_query_timeout(0)
        return Answer(columns, rows, truncated)

    def _plan(self, cypher: str, params: Mapping[str, Any] | None) -> str:
        """LadybugDB's plan of ``cypher`` (``EXPLAIN``: planned, not run), for :func:`queries.guard.check_plan`."""
        return self._conn.execute(explain(cypher), dict(params or {})).get_next()[0]


ARROW_TYPES = frozenset({"STRING", "INT64", "DOUBLE", "BOOL", "DATE", "STRING[]", "INT64[]"})
"""Column types whose values LadybugDB's Arrow export gives exactly as its row by row reading does (the same
Python types and values; a MAP, for one, differs), the types of every named query's columns."""
ARROW_ROWS = 50_000
"""Answers of at least this many rows are read through Arrow: about 1 µs a row faster, once importing pyarrow
(60 ms, which ``linkgraph query`` on a county's store does not pay) is paid."""


def _answer_rows(result, limit: int | None) -> tuple[list[str], list[dict[str, Any]], bool]:
    """The columns, the rows (at most ``limit``) and whether the limit cut them. A large answer of
    ``ARROW_TYPES`` alone is read column by column through Arrow (212,071 rows nationally: 0.4 against 0.6 s)."""
    columns = result.get_column_names()
    if (limit is None and columns and result.get_num_tuples() >= ARROW_ROWS
            and set(result.get_column_data_types()) <= ARROW_TYPES):
        table = result.get_as_arrow()
        return columns, [dict(zip(columns, values)) for values in zip(*(c.to_pylist() for c in table.columns))], False
    rows: list[dict[str, Any]] = []
    while result.has_next():
        if limit is not None and len(rows) >= limit:
            return columns, rows, True
        rows.append(dict(zip(columns, result.get_next())))
    return columns, rows, False


class WriterLock:
    """``PATH.lock``, held by the one process that writes a store; the others wait for it
    (up to ``timeout`` seconds, default ``$LINKGRAPH_LOCK_TIMEOUT`` or 60) and then fail
    naming the process that holds it. The operating system frees it when a writer dies."""

    def __init__(self, path: Path, timeout: float | None = None):
        self.path = path
        self.timeout = LOCK_TIMEOUT if timeout is None else timeout
        self._handle = None

    def acquire(self, waiting: Callable[[str], None] | None = None) -> None:
        """Take the lock, waiting for the writer that holds it (``waiting`` is told once, with who that is)."""
        wait_for_writer(self.try_acquire, self.holder, str(self.path), self.timeout, waiting)

    def holder(self) -> str:
        """Who holds the lock, as the holder wrote it (``process 1234``)."""
        try:
            with open(f"{self.path}.lock", encoding="utf-8", errors="replace") as handle:
                return handle.read().strip() or "another process"
        except OSError:
            return "another process"

    def try_acquire(self) -> bool:
        """Take the lock if no other process holds it; whether it was taken."""
        handle = open(f"{self.path}.lock", "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}")
        handle.flush()
        self._handle = handle
        return True

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


def _finish_writes(path: Path) -> None:
    """Finish the commit or checkpoint a killed writer of the store file ``path`` left, with one read-write open
    (the caller holds ``PATH.lock``). A WAL whose last commit was cut off is replayed up to it: what was not
    committed was never there."""
    ladybug.Database(str(path), buffer_pool_size=write_pool_mb() * 2**20, throw_on_wal_replay_failure=False).close()


def _side_files(path: Path) -> list[Path]:
    """LadybugDB's :data:`SIDE_FILES` that are beside the database file ``path`` now."""
    return [side for side in (Path(f"{path}{suffix}") for suffix in SIDE_FILES) if side.exists()]


def _remove_building(building: Path) -> None:
    """A copy a load was written into (``FILE.building-PID``), its LadybugDB files and its Parquet folder."""
    for path in (building, *(Path(f"{building}{suffix}") for suffix in SIDE_FILES)):
        _remove(path)
    shutil.rmtree(f"{building}.parquet", ignore_errors=True)


_LEGACY_PARQUET = re.compile(r"linkgraph-[a-z0-9_]{8}")
"""The Parquet folders of older linkgraph versions (``tempfile`` names with the prefix ``linkgraph-``)."""


def remove_leftovers(path: Path) -> list[Path]:
    """Remove what writers of the store ``path`` that were killed left beside it, and return it: copies they
    were writing (:func:`_remove_building`), and older versions' Parquet folders (``linkgraph-XXXXXXXX`` holding
    nothing but ``.parquet`` files). Only names of this module's making are touched, and only by the holder of
    ``PATH.lock`` (so no writer is using them)."""
    building = re.compile(re.escape(f"{path.name}{BUILDING}") + r"\d+")
    ours = ("", *SIDE_FILES, ".parquet")
    found = []
    for entry in list(path.parent.iterdir()):
        copy = building.match(entry.name)
        if copy and entry.name[copy.end():] in ours:
            _remove_building(path.parent / copy.group())
            found.append(entry)
        elif (_LEGACY_PARQUET.fullmatch(entry.name) and entry.is_dir()
              and all(f.suffix == ".parquet" and f.is_file() for f in entry.iterdir())):
            shutil.rmtree(entry)
            found.append(entry)
    return found


def _sync(path: Path) -> None:
    """Flush a file's (or a folder's entries') writes to the disk, so that a rename never outlives its data."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def copy_spooled(execute, files: Sequence[tuple[tuple[str, tuple[str, str] | None], str, int]], step) -> None:
    """``COPY`` the files of a load in parts (:meth:`stores.copy_spool.CopySpool.in_order`), each removed after."""
    for (name, ends), path, rows in files:
        execute(statements.copy_nodes(name, path) if ends is None else statements.copy_ties(name, *ends, path))
        os.remove(path)
        step(rows)


def copy_rows(properties: Sequence, records: Sequence, loaded: str, ends: tuple[str, str] | None) -> int:
    """How many of ``records`` one ``COPY`` takes, in equal parts. Ties: as many as LadybugDB's page
    cache holds while it builds the table (measured with 1 GB: 310,000 village ties, not 420,000, of
    about 410 bytes each), estimated from the first rows; each further ``COPY`` into a tie table rewrites it at
    the next checkpoint (620,000 village ties: 10 s in one ``COPY``, 31 s in four), so the fewer the better.
    Under a memory limit the page cache is smaller (:func:`write_pool_mb`), and nodes too go in parts as much
    smaller as it is."""
    return _equal_parts(len(records), copy_most(properties, records[:1000], loaded, ends))


def copy_most(properties: Sequence, sample: Sequence, loaded: str, ends: tuple[str, str] | None) -> int:
    """The most rows one ``COPY`` takes (:func:`copy_rows`), for ties estimated from the records of ``sample``."""
    pool_mb = write_pool_mb()
    if ends is None:
        return max(COPY_THRESHOLD, COPY_NODE_ROWS * pool_mb // max(BUFFER_POOL_MB, 1))
    columns = copy_columns(properties, sample, loaded, ends)
    size = sum(len(v.encode()) if isinstance(v, str) else 8 for _, column in columns.values() for v in column if v)
    per_row = max(size / len(sample), 64)
    return max(COPY_THRESHOLD, int(pool_mb * 2**20 * COPY_SHARE / per_row))


def _equal_parts(count: int, most: int) -> int:
    """The size of the fewest equal parts of ``count`` rows with at most ``most`` each: ``(620573, 314000)`` → 310287."""
    parts = max(1, -(-count // most))
    return -(-count // parts)


def write_parquet(path: str, columns: Mapping[str, tuple[str, list[Any]]]) -> None:
    """Columns (name → LadybugDB type and values) as a Parquet file, in the table's order (``COPY`` reads by position)."""
    import pyarrow.parquet as pq

    pq.write_table(arrow_table(columns), path, **PARQUET_OPTIONS)


def _refusal(err: RuntimeError, where: str, timeout: float | None) -> Exception:
    """LadybugDB's error as the user's: a write in a read-only query, a timeout, or the engine's own words
    (with a hint when its page cache was too small)."""
    text = _first_line(err)
    if "read-only" in text or "read only" in text:
        return QueryError("查询会修改数据，临时查询只读 / this query writes and ad hoc queries are read-only "
                          "(提示 hint: 加 --write 才能修改 / add --write to change the store)")
    if text.startswith("Interrupted") and timeout:
        return QueryError(f"查询超时，已停止 / the query took longer than {timeout:g} s and was stopped "
                          "(提示 hint: --timeout)")
    return StoreError(f"数据库拒绝执行语句 / {where} refused a statement: {text}{_more_memory(text)}")


def _refused(err: RuntimeError, where: str) -> StoreError:
    """LadybugDB's refusal of a statement of a load, with a hint where the remedy is known."""
    text = _first_line(err)
    return StoreError(f"数据库拒绝执行语句 / {where} refused a statement: {text}"
                      f"{_more_memory(text, '; 未写入任何数据 / nothing was written')}")


def _more_memory(text: str, then: str = "") -> str:
    """The hint for an error of LadybugDB's full page cache (none for any other error)."""
    if "buffer pool is full" not in text:
        return ""
    if write_pool_mb() < BUFFER_POOL_MB:
        return f" (提示 hint: 调高内存上限 / give the load more memory, a larger --memory-limit{then})"
    return f" (提示 hint: 调高内存 / give LadybugDB more memory, e.g. LINKGRAPH_BUFFER_POOL_MB={2 * BUFFER_POOL_MB}{then})"


def _first_line(err: BaseException) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
