"""The embedded default store: LadybugDB (PyPI ``ladybug``), one file plus its WAL.

No server: the database lives in a file such as ``output/linkgraph.lbug``.
Writes run in one ``BEGIN TRANSACTION … COMMIT`` and roll back on any error;
queries run in ``BEGIN TRANSACTION READ ONLY`` so that a query cannot change
the data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import ladybug

from graph_model.schema import Schema
from queries import statements
from stores.base import Progress, Statement, Store, StoreError


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

    def ensure_schema(self) -> None:
        """Create the tables; opened read-only, check instead that they exist."""
        if not self.read_only:
            return super().ensure_schema()
        present = {row["name"] for row in self.run(statements.ladybug_tables())}
        missing = [name for name in (*self.schema.node_labels, *self.schema.tie_types) if name not in present]
        if missing:
            raise StoreError(f"{self.describe()} lacks table(s) {', '.join(missing)} / 数据库缺少表 "
                             "(hint: load data with linkgraph load, which creates them)")
        self._schema_ready = True

    def _run_ddl(self, statement: str) -> None:
        self._execute(statement)

    def _execute(self, cypher: str, params: Mapping[str, Any] | None = None):
        try:
            return self._conn.execute(cypher, dict(params or {}))
        except RuntimeError as err:
            raise StoreError(f"{self.describe()} refused a statement: {_first_line(err)}") from None

    def _write(self, work: list[Statement], progress: Progress | None) -> None:
        total = sum(len(p.get("rows", ())) for _, p in work)
        done = 0
        self._execute("BEGIN TRANSACTION")
        try:
            for cypher, params in work:
                self._execute(cypher, params)
                done += len(params.get("rows", ()))
                if progress:
                    progress("write", done, total)
        except BaseException:
            self._rollback()
            raise
        self._execute("COMMIT")

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


def _first_line(err: BaseException) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
