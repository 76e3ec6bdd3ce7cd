"""One small store interface, two implementations (embedded LadybugDB, Neo4j).

A store creates its schema from the model, loads a :class:`GraphData`
(:mod:`stores.writing`), answers for a unit or a neighbourhood
(:mod:`stores.scoping`), resolves names and runs named queries
(:mod:`stores.naming`), lists and withdraws sources (:mod:`stores.sources`), runs read-only queries, counts,
and exports the graph
for analysis. Everything backend-specific is the transaction handling
and the bulk path in the two subclasses; the statements come from ``queries/``.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable, Collection, Iterable, Iterator, Mapping, Sequence

from graph_model.records import GraphData, Node, Problem, Tie, read_value
from graph_model.schema import Schema
from graph_model.sources import Known
from queries import statements
from stores.batches import BATCH_SIZE, Progress, Statement, batches
from stores.naming import Naming
from stores.plan import WritePlan
from stores.scoping import Scoping
from stores.sources import Sources
from stores.writing import WriteReport, Writing


class StoreError(RuntimeError):
    """The store could not be opened or refused a statement; the message says which and why."""


@dataclass
class Answer:
    """What an ad hoc query returned: its columns, its rows (up to the limit) and whether the limit cut it."""

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool = False


class Store(Writing, Scoping, Naming, Sources, ABC):
    """A graph store for one schema. Use as a context manager to close it.

    Its jobs live in one module each: loads (:class:`stores.writing.Writing`), the parts of a unit or a
    node's neighbourhood (:class:`stores.scoping.Scoping`), names and named queries
    (:class:`stores.naming.Naming`); this class holds the connection's interface, the schema, counts and
    the export."""

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
    def _apply(self, plan: WritePlan, registry: list[dict[str, Any]], *, replace: bool,
               progress: Progress | None, forget: Sequence[str] = ()) -> None:
        """Carry out ``plan`` (after emptying the store if ``replace``), record the sources of ``registry`` and
        remove the registry entries of the sources ``forget`` (withdrawn), all in one transaction."""

    @contextlib.contextmanager
    def exclusive(self, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
        """Be the store's one writer while the block runs (a load reads, plans and writes inside it), so that
        loads and withdrawals are serialized and none plans against a state another is changing. The embedded
        store holds its writer lock from the moment it is opened for writing; Neo4j takes a lease
        (:meth:`stores.neo4j_store.Neo4jStore.exclusive`). ``waiting`` is told, once, when another writer holds it."""
        yield

    @abstractmethod
    def query(self, cypher: str, params: Mapping[str, Any] | None = None, *, write: bool = False,
              limit: int | None = None, timeout: float | None = None) -> Answer:
        """Run one query: read-only (enforced by the store) unless ``write``; never touching files
        (LadybugDB: :func:`queries.guard.check_query`; Neo4j: the server's plan, :mod:`queries.neo4j_policy`);
        at most ``limit`` rows; at most ``timeout`` seconds."""

    def run(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one read-only query and return all its rows as dicts."""
        return self.query(cypher, params).rows

    def read_rows(self, cypher: str, params: Mapping[str, Any] | None, columns: tuple[str, ...]) -> list[dict[str, Any]]:
        """The rows of one of the project's own read statements that return many (``columns``: the names its
        ``RETURN`` gives, in order); a backend may fetch them in fewer messages (Neo4j: as one list)."""
        return self.run(cypher, params)

    def ensure_schema(self) -> None:
        """Create tables (LadybugDB) or constraints and indexes (Neo4j); idempotent."""
        if self._schema_ready:
            return
        for statement in statements.ddl(self.schema, self.backend):
            self._run_ddl(statement)
        self._schema_ready = True

    # ------------------------------------------------------------ reading for a load

    def loaded_sources(self) -> list[dict[str, Any]]:
        """The registry: every source the store holds, with its title, digest and when it was loaded."""
        self.ensure_schema()
        return self.run(statements.loaded_sources())

    def kinds_of(self, ids: Iterable[str], absent: Collection[str] = ()) -> dict[str, str]:
        """The kind of each of ``ids`` the store holds (NBS codes are looked up under their level first); the
        labels of ``absent`` (of which the store holds no node) are not asked."""
        self.ensure_schema()
        return self._level_first(ids, [label for label in self.schema.node_labels if label not in absent],
                                 self._present)

    def empty_labels(self) -> set[str]:
        """The node labels of which the store holds no node (a load need not ask it for their ids)."""
        self.ensure_schema()
        return {label for label in self.schema.node_labels if self.run(statements.count_nodes(label))[0]["count"] == 0}

    def _level_first(self, ids: Iterable[str], labels: Sequence[str],
                     lookup: Callable[[str, Sequence[str]], dict[str, Any]]) -> dict[str, Any]:
        """``lookup(label, some_ids)`` for every id found: an NBS code under the level its length gives first, then
        what is not found under each of ``labels`` in turn, an id not asked twice under one label."""
        pending = sorted(set(ids))
        guessed = {node_id: self.schema.kind_of_code(node_id) for node_id in pending}
        by_level: dict[str, list[str]] = {}
        for node_id, level in guessed.items():
            if level is not None:
                by_level.setdefault(level, []).append(node_id)
        found: dict[str, Any] = {}
        for label, codes in by_level.items():
            found.update(lookup(label, codes) if label in labels else {})
        rest = [node_id for node_id in pending if node_id not in found]
        for label in labels:
            asked = [node_id for node_id in rest if guessed[node_id] != label]
            found.update(lookup(label, asked) if asked else {})
            rest = [node_id for node_id in rest if node_id not in found]
        return found

    def _present(self, label: str, ids: Sequence[str]) -> dict[str, str]:
        return {row["id"]: label for chunk in batches(list(ids))
                for row in self.read_rows(statements.ids_present(label), {"ids": list(chunk)}, statements.ID_COLUMNS)}

    def known(self) -> Known:
        """What loaders may ask the store: kinds of ids, places and organizations (read when asked)."""
        cache: dict[str, str | None] = {}

        def kind_of(node_id: str) -> str | None:
            if node_id not in cache:
                cache[node_id] = self.kinds_of([node_id]).get(node_id)
            return cache[node_id]

        def nodes(kinds: Iterable[str]) -> list[Node]:
            self.ensure_schema()
            found = []
            for label in kinds:
                found.extend(_named_node(label, row) for row in self.read_rows(statements.node_names(label), None,
                                                                               statements.NODE_NAME_COLUMNS))
            return found

        return Known(kind_of=kind_of, places=lambda: nodes(self.schema.administrative_kinds),
                     organizations=lambda: nodes(self.schema.organization_kinds), units=self._units_of,
                     unit_kinds=self._unit_kinds_of, tied_from=self._tied_from)

    def _tied_from(self, type_: str, source: str, target: str, ids: Collection[str]) -> dict[str, list[str]]:
        """:attr:`Known.tied_from`: the ``source`` nodes tied by ``type_`` to each of ``ids`` (of ``target``)."""
        self.ensure_schema()
        found: dict[str, list[str]] = {}
        for chunk in batches(sorted(ids)):
            for row in self.read_rows(statements.tied_from(type_, source, target), {"ids": list(chunk)},
                                      statements.TIED_COLUMNS):
                found.setdefault(row["dst"], []).append(row["src"])
        return {dst: sorted(set(src)) for dst, src in found.items()}

    def _units_of(self, ids: Collection[str]) -> list[Node]:
        """The administrative units among ``ids`` (:attr:`Known.units`), each looked up under the level its code's
        length gives first (:meth:`_level_first`)."""
        self.ensure_schema()
        return list(self._level_first(ids, self.schema.administrative_kinds, self._units_under).values())

    def _unit_kinds_of(self, ids: Collection[str]) -> dict[str, str]:
        """The kind of each administrative unit among ``ids`` (:attr:`Known.unit_kinds`), found as :meth:`_units_of`
        finds it, its id alone read."""
        self.ensure_schema()
        return self._level_first(ids, self.schema.administrative_kinds, self._present)

    def _units_under(self, label: str, ids: Sequence[str]) -> dict[str, Node]:
        """The nodes of ``label`` among ``ids``, with their names and place."""
        return {row["id"]: _named_node(label, row) for chunk in batches(list(ids))
                for row in self.read_rows(statements.units_of_ids(label), {"ids": list(chunk)},
                                          statements.NODE_NAME_COLUMNS)}

    def is_empty(self) -> bool:
        self.ensure_schema()
        return all(self.run(statements.count_nodes(label))[0]["count"] == 0 for label in self.schema.node_labels)

    # ------------------------------------------------------------ reading

    def counts(self) -> dict[str, int]:
        """Nodes per kind and ties per type, zeros included, in schema order."""
        self.ensure_schema()
        result = {}
        for kind in self.schema.node_kinds:
            result[kind.label] = self.run(statements.count_nodes(kind.label))[0]["count"]
        for tie in self.schema.tie_kinds:
            result[tie.type] = self.run(statements.count_ties(tie.type))[0]["count"]
        return result

    def export(self, ids: Iterable[str] | None = None, *, node_properties: Collection[str] | None = None,
               tie_properties: Collection[str] | None = None) -> GraphData:
        """The graph as records, for analysis and maps; values typed as the schema says.

        ``ids`` limits it to those nodes and the ties among them (a county, or
        the neighbourhood of an organization: :meth:`ids_within`,
        :meth:`ids_around`), read by query rather than exported whole.
        ``node_properties`` and ``tie_properties`` limit the properties read to
        those named (a report needs few, not the provenance: see
        :func:`analysis.report.report_reads`).
        """
        self.ensure_schema()
        graph = GraphData(schema=self.schema)
        params = {"ids": sorted(ids)} if ids is not None else None
        chosen = params is not None
        for kind in self.schema.node_kinds:
            query = statements.export_nodes(self.schema, kind.label, chosen=chosen, only=node_properties)
            typed = _typed(kind.properties)
            for row in self.run(query, params):
                graph.add_node(Node(kind.label, row["id"], typed(row)))
        # the ends of ties as the very strings of their nodes' ids, not a copy per tie (nationally 250 MB)
        known = {node_id: node_id for node_id in graph.nodes}
        for tie in self.schema.tie_kinds:
            query = statements.export_ties(self.schema, tie.type, chosen=chosen, only=tie_properties)
            typed = _typed(tie.properties)
            for row in self.run(query, params):
                src, dst = row.pop("src"), row.pop("dst")
                graph.add_tie(Tie(tie.type, known.get(src, src), known.get(dst, dst), typed(row)))
        return graph


def _typed(properties) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """A row's declared values, typed as :func:`read_value` types them, by a function made once per kind: only
    JSON and whole-number properties change when read back, and a national report reads 2.7 million rows
    (the properties looked up by name, and every value handed to ``read_value``, once per row, were some
    seconds of its CPU)."""
    declared = {p.name for p in properties}
    converted = {p.name: p for p in properties if p.type in ("json", "int")}

    def typed(row: Mapping[str, Any]) -> dict[str, Any]:
        return {k: read_value(converted[k], v) if k in converted else v for k, v in row.items()
                if v is not None and k in declared}

    return typed


__all__ = ["BATCH_SIZE", "Answer", "Progress", "Statement", "Store", "StoreError", "WriteReport", "batches", "Problem"]


def _named_node(label: str, row: Mapping[str, Any]) -> Node:
    """A node of ``label`` as a load reads it from the store: its id, names and place (the values set)."""
    return Node(label, row["id"], {k: v for k, v in row.items() if v is not None})
