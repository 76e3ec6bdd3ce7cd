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

import os
import tempfile
from pathlib import Path
from typing import Any, Mapping, Sequence

import ladybug

from graph_model.schema import Schema
from queries import statements
from stores.base import Progress, Store, StoreError, batches
from stores.plan import WritePlan

COPY_THRESHOLD = 5000
"""Groups of at least this many new rows go through LadybugDB's ``COPY`` rather than ``CREATE``."""


class EmbeddedStore(Store):
    """LadybugDB at ``path`` (created, with its folder, if missing)."""

    backend = "ladybug"

    def __init__(self, path: str | Path, schema: Schema, *, read_only: bool = False):
        super().__init__(schema)
        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise StoreError(f"no embedded store at {self.path} / 数据库不存在 "
                             f"(hint: load data first: linkgraph load … --store {self.path})")
        try:
            if not read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = ladybug.Database(str(self.path), read_only=read_only)
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
        """One transaction: deletes, updates, creates (large groups through ``COPY`` from Parquet), registry."""
        work = self.plan_statements(plan)
        total = plan.rows
        done = 0

        def step(rows: int) -> None:
            nonlocal done
            done += rows
            if progress:
                progress("write", done, total)

        with tempfile.TemporaryDirectory(prefix="linkgraph-") as folder:
            def everything() -> None:
                if replace:
                    self._execute(statements.delete_all())
                for statement in statements.ddl(self.schema, self.backend):
                    self._execute(statement)
                for cypher, params in work:
                    self._execute(cypher, params)
                    step(len(params.get("rows", params.get("ids", ()))))
                for label, nodes in plan.create_nodes.items():
                    self._create(label, None, self.node_rows(nodes), folder, step)
                for (type_, source, target), ties in plan.create_ties.items():
                    self._create(type_, (source, target), self.tie_rows(ties), folder, step)
                for row in registry:
                    self._execute(statements.record_source(self.backend), {"row": row})

            self._in_transaction(everything)

    def _create(self, name: str, ends: tuple[str, str] | None, rows: list[dict[str, Any]], folder: str, step) -> None:
        if len(rows) < COPY_THRESHOLD:
            cypher = (statements.create_nodes(self.schema, name, self.backend) if ends is None
                      else statements.create_ties(self.schema, name, *ends, self.backend))
            for chunk in batches(rows):
                self._execute(cypher, {"rows": list(chunk)})
                step(len(chunk))
            return
        properties = self.schema.node_kind(name).properties if ends is None else self.schema.tie_kind(name).properties
        columns = [(p.name, statements.LADYBUG_TYPES[p.type]) for p in properties]
        if ends is not None:
            columns = [("src", "STRING"), ("dst", "STRING"), *columns]
        path = os.path.join(folder, f"{name}-{'-'.join(ends or ())}.parquet")
        write_parquet(path, columns, rows)
        self._execute(statements.copy_nodes(name, path) if ends is None else statements.copy_ties(name, *ends, path))
        step(len(rows))

    def _rollback(self) -> None:
        try:
            self._conn.execute("ROLLBACK")
        except RuntimeError:
            pass  # a failed statement has already rolled the transaction back

    def run(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        self._execute("BEGIN TRANSACTION READ ONLY")
        try:
            result = self._execute(cypher, params)
            columns = result.get_column_names()
            rows = [dict(zip(columns, values)) for values in result.get_all()]
        finally:
            self._rollback()
        return rows


def write_parquet(path: str, columns: Sequence[tuple[str, str]], rows: Sequence[Mapping[str, Any]]) -> None:
    """Rows as a Parquet file whose columns have the table's order and LadybugDB types (``COPY`` reads by position)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"STRING": pa.string(), "INT64": pa.int64(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(),
             "STRING[]": pa.list_(pa.string())}
    arrays = [pa.array([row.get(name) for row in rows], type=types[type_]) for name, type_ in columns]
    pq.write_table(pa.Table.from_arrays(arrays, names=[name for name, _ in columns]), path)


def _first_line(err: BaseException) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
