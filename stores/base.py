"""One small store interface, two implementations (embedded LadybugDB, Neo4j).

A store creates its schema from the model, writes a whole :class:`GraphData`
in one transaction (so a failed load leaves the store as it was, and loading
the same data again changes nothing), runs read-only queries, counts, and
exports the graph for analysis. Everything backend-specific is the transaction
handling in the two subclasses; the statements come from ``queries/``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable, Iterable, Mapping

from graph_model.names import same_name, similar_names
from graph_model.records import GraphData, InputError, Node, Tie, node_row, tie_row
from graph_model.schema import Schema
from queries import statements
from queries.catalog import QueryError, get_query

BATCH_SIZE = 2000

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while a long write runs."""

Statement = tuple[str, Mapping[str, Any]]


class StoreError(RuntimeError):
    """The store could not be opened or refused a statement; the message says which and why."""


class Store(ABC):
    """A graph store for one schema. Use as a context manager to close it."""

    backend: str

    def __init__(self, schema: Schema):
        self.schema = schema
        self._schema_ready = False

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def describe(self) -> str:
        """Where the data lives, for messages (never includes a password)."""

    @abstractmethod
    def _run_ddl(self, statement: str) -> None: ...

    @abstractmethod
    def _write(self, work: list[Statement], progress: Progress | None) -> None:
        """Run all statements in one transaction: all take effect or none."""

    @abstractmethod
    def run(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one query in a read-only transaction and return its rows as dicts."""

    def ensure_schema(self) -> None:
        """Create tables (LadybugDB) or constraints and indexes (Neo4j); idempotent."""
        if self._schema_ready:
            return
        for statement in statements.ddl(self.schema, self.backend):
            self._run_ddl(statement)
        self._schema_ready = True

    def write(self, graph: GraphData, *, replace: bool = False, progress: Progress | None = None) -> None:
        """Upsert every node and tie of ``graph`` atomically.

        ``replace`` first deletes everything in the store, in the same
        transaction. Raises :class:`InputError` (and writes nothing) when the
        graph has problems.
        """
        problems = graph.problems(self.schema)
        if problems:
            raise InputError(problems)
        self.ensure_schema()
        work: list[Statement] = [(statements.delete_all(), {})] if replace else []
        for kind in self.schema.node_kinds:
            rows = [node_row(self.schema, n) for n in graph.nodes_of(kind.label)]
            work += _batches(statements.upsert_nodes(self.schema, kind.label, self.backend), rows)
        for (type_, source, target), ties in graph.tie_groups().items():
            rows = [tie_row(self.schema, t) for t in ties]
            work += _batches(statements.upsert_ties(self.schema, type_, source, target, self.backend), rows)
        self._write(work, progress)

    def counts(self) -> dict[str, int]:
        """Nodes per kind and ties per type, zeros included, in schema order."""
        self.ensure_schema()
        result = {}
        for kind in self.schema.node_kinds:
            result[kind.label] = self.run(statements.count_nodes(kind.label))[0]["count"]
        for tie in self.schema.tie_kinds:
            result[tie.type] = self.run(statements.count_ties(tie.type))[0]["count"]
        return result

    def export(self) -> GraphData:
        """The whole graph as records, for analysis and maps."""
        self.ensure_schema()
        graph = GraphData()
        for kind in self.schema.node_kinds:
            for row in self.run(statements.export_nodes(self.schema, kind.label)):
                graph.add_node(Node(kind.label, row["id"], _present(row)))
        for tie in self.schema.tie_kinds:
            for row in self.run(statements.export_ties(self.schema, tie.type)):
                src, dst = row.pop("src"), row.pop("dst")
                graph.add_tie(Tie(tie.type, src, dst, _present(row)))
        return graph

    def run_named(self, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a query of the catalog (``queries/catalog.yaml``) with checked parameters.

        Parameters that refer to a node are resolved to its id first
        (:meth:`resolve`), so a misspelt name is an error, not an empty answer.
        """
        query = get_query(name)
        self.ensure_schema()
        bound = query.bind(params or {})
        for param in query.params:
            if param.refers_to and bound[param.name] is not None:
                bound[param.name] = self.resolve(param.refers_to, bound[param.name])
        return query.order(self.run(query.cypher(self.backend), bound))

    def resolve(self, kind: str, value: str) -> str:
        """The id of the one node of ``kind`` (or of any kind) that ``value`` names.

        ``value`` may be an id, a name or an alias, or a spelling that matches
        one after normalization (Traditional or variant characters, spaces).
        Raises :class:`QueryError` listing the candidates when no node or more
        than one matches.
        """
        labels = self.schema.node_labels if kind == "any" else (self.schema.node_kind(kind).label,)
        found = [(label, row) for label in labels for row in self.run(statements.nodes_named(label), {"value": value})]
        if not found:
            everything = [(label, row) for label in labels for row in self.run(statements.node_names(label))]
            found = [(label, row) for label, row in everything if same_name(value, [row["name"], *(row["aliases"] or [])])]
            if not found:
                by_name = {row["name"]: row for _, row in everything}
                listed = "; ".join(f"{name} ({by_name[name]['id']})" for name in similar_names(value, by_name)) or "none / 无"
                what = self.schema.node_kind(kind).zh if kind != "any" else "节点 node"
                raise QueryError(f"no {what} named {value!r} / 找不到该名称; similar 相近: {listed}")
        if len(found) > 1:
            listed = "; ".join(f"{self.schema.node_kind(label).zh} {row['name']} ({row['id']})" for label, row in found)
            raise QueryError(f"{value!r} names {len(found)} nodes / 名称对应多个节点: {listed}; give the id / 请改用标识")
        return found[0][1]["id"]


def _present(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if v is not None}


def _batches(cypher: str, rows: list[dict[str, Any]]) -> Iterable[Statement]:
    return [(cypher, {"rows": rows[i : i + BATCH_SIZE]}) for i in range(0, len(rows), BATCH_SIZE)]
