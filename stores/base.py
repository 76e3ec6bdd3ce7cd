"""One small store interface, two implementations (embedded LadybugDB, Neo4j).

A store creates its schema from the model and writes a :class:`GraphData`
by reading first what it holds for those records, working out the changes
(:mod:`stores.plan`) and applying exactly those: a failed load leaves the
store as it was, loading the same sources again writes nothing, and a
source loaded again after an edit changes only what that source says. A
registry of loaded sources (key, title, digest) lets a load skip a source it
holds unchanged. Stores also run read-only queries, count, and export the
graph for analysis. Everything backend-specific is the transaction handling
and the bulk path in the two subclasses; the statements come from ``queries/``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from graph_model.names import match_key, similar_names
from graph_model.places import PlaceRef, RosterIndex, parent_code, resolve_place
from graph_model.records import GraphData, InputError, Node, Problem, Tie, read_value, storage_value
from graph_model.schema import Schema
from graph_model.sources import Known, SourceInfo
from queries import statements
from queries.catalog import PLACED_NOWHERE, QueryError, get_query
from stores.plan import Stored, Withdrawal, WritePlan, plan_withdrawal, plan_write, stored_name

BATCH_SIZE = 2000

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while a long write runs."""

Statement = tuple[str, Mapping[str, Any]]


class StoreError(RuntimeError):
    """The store could not be opened or refused a statement; the message says which and why."""


@dataclass
class Answer:
    """What an ad hoc query returned: its columns, its rows (up to the limit) and whether the limit cut it."""

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool = False


@dataclass
class WriteReport:
    """What a write did (or, for a dry run, would do)."""

    plan: WritePlan
    written: list[str] = field(default_factory=list)
    unchanged_sources: list[str] = field(default_factory=list)
    dry_run: bool = False


def batches(rows: Sequence[Any], size: int = BATCH_SIZE) -> Iterable[Sequence[Any]]:
    return (rows[i : i + size] for i in range(0, len(rows), size))


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
    def _apply(self, plan: WritePlan, registry: list[dict[str, Any]], *, replace: bool,
               progress: Progress | None, forget: Sequence[str] = ()) -> None:
        """Carry out ``plan`` (after emptying the store if ``replace``), record the sources of ``registry`` and
        remove the registry entries of the sources ``forget`` (withdrawn), all in one transaction."""

    @abstractmethod
    def query(self, cypher: str, params: Mapping[str, Any] | None = None, *, write: bool = False,
              limit: int | None = None, timeout: float | None = None) -> Answer:
        """Run one query: read-only (enforced by the store) unless ``write``; never touching files
        (LadybugDB: :func:`queries.guard.check_query`; Neo4j: the server's plan, :mod:`queries.neo4j_policy`);
        at most ``limit`` rows; at most ``timeout`` seconds."""

    def run(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run one read-only query and return all its rows as dicts."""
        return self.query(cypher, params).rows

    def ensure_schema(self) -> None:
        """Create tables (LadybugDB) or constraints and indexes (Neo4j); idempotent."""
        if self._schema_ready:
            return
        for statement in statements.ddl(self.schema, self.backend):
            self._run_ddl(statement)
        self._schema_ready = True

    @contextlib.contextmanager
    def exclusive(self, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
        """Be the store's one writer while the block runs (a load reads, plans and writes inside it), so that
        loads and withdrawals are serialized and none plans against a state another is changing. The embedded
        store holds its writer lock from the moment it is opened for writing; Neo4j takes a lease
        (:meth:`stores.neo4j_store.Neo4jStore.exclusive`). ``waiting`` is told, once, when another writer holds it."""
        yield

    # ------------------------------------------------------------ reading for a load

    def loaded_sources(self) -> list[dict[str, Any]]:
        """The registry: every source the store holds, with its title, digest and when it was loaded."""
        self.ensure_schema()
        return self.run(statements.loaded_sources())

    def kinds_of(self, ids: Iterable[str]) -> dict[str, str]:
        """The kind of each of ``ids`` the store holds (NBS codes are looked up under their level first)."""
        self.ensure_schema()
        pending = set(ids)
        found: dict[str, str] = {}
        guesses: dict[str, list[str]] = {}
        for node_id in pending:
            level = self.schema.kind_of_code(node_id)
            if level is not None:
                guesses.setdefault(level, []).append(node_id)
        for label, guessed in guesses.items():
            found.update(self._present(label, guessed))
        rest = sorted(pending - found.keys())
        for label in self.schema.node_labels:
            if not rest:
                break
            hits = self._present(label, rest)
            found.update(hits)
            rest = [i for i in rest if i not in hits]
        return found

    def _present(self, label: str, ids: Sequence[str]) -> dict[str, str]:
        return {row["id"]: label for chunk in batches(list(ids))
                for row in self.run(statements.ids_present(label), {"ids": list(chunk)})}

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
                for row in self.run(statements.node_names(label)):
                    props = {k: v for k, v in row.items() if v is not None}
                    found.append(Node(label, row["id"], props))
            return found

        return Known(kind_of=kind_of, places=lambda: nodes(self.schema.administrative_kinds),
                     organizations=lambda: nodes(self.schema.organization_kinds))

    def is_empty(self) -> bool:
        self.ensure_schema()
        return all(self.run(statements.count_nodes(label))[0]["count"] == 0 for label in self.schema.node_labels)

    # ------------------------------------------------------------ writing

    def write(self, graph: GraphData, *, replace: bool = False, progress: Progress | None = None,
              sources: Sequence[SourceInfo] | None = None, dry_run: bool = False, loaded_by: str = "") -> WriteReport:
        """Make the store say what ``graph`` says for its sources, atomically.

        ``sources`` describe the sources of ``graph`` (with digests, so an
        unchanged source is skipped); without them every source key found in
        ``graph`` is written. ``replace`` empties the store first (same
        transaction). Raises :class:`InputError` (and writes nothing) when
        the graph has problems, e.g. a tie to a node neither it nor the store has. ``loaded_by`` names who
        loads (kept with every statement written and in the registry, beside when).
        """
        self.ensure_schema()
        endpoints = {i for t in graph.ties.values() for i in (t.source_id, t.target_id) if i not in graph.nodes}
        in_store = {} if replace else self.kinds_of(endpoints)
        problems = graph.problems(self.schema, in_store.get)
        if problems:
            raise InputError(problems)
        infos = list(sources) if sources is not None else _infer_sources(graph)
        registry = {} if replace else {row["key"]: row for row in self.loaded_sources()}
        unchanged = _unchanged_sources(infos, registry)
        keys = {s.ref.key for s in infos} - set(unchanged)
        node_kinds = {**in_store, **{n.id: n.kind for n in graph.nodes.values()}}
        now = dt.datetime.now().astimezone()
        loaded = now.strftime("%Y-%m-%d %H:%M")
        plan = self._write_plan(graph, keys, node_kinds, registry, loaded, replace=replace, progress=progress)
        plan.loaded_by = loaded_by
        report = WriteReport(plan, sorted(keys), unchanged, dry_run)
        if dry_run:
            return report
        rows = [{**row, "loaded_by": loaded_by, "loaded_at": now.isoformat(timespec="seconds")}
                for row in _source_rows(graph, infos, keys, loaded)]
        if plan.rows or rows or replace:
            self._apply(plan, rows, replace=replace, progress=progress)
        return report

    def _write_plan(self, graph: GraphData, keys: set[str], node_kinds: Mapping[str, str], registry: Mapping[str, Any],
                    loaded: str, *, replace: bool, progress: Progress | None) -> WritePlan:
        """The changes a write makes: all of the sources' records as they are into an empty store (or one it
        replaces), else each compared with what the store holds."""
        if replace or self.is_empty():
            return plan_write(self.schema, graph, keys, node_kinds=node_kinds, existing_nodes={}, existing_ties={},
                              loaded=loaded)
        if progress:
            progress("compare", 0, 1)
        previously = {k for k in keys if k in registry}
        existing_nodes = self._existing_nodes(graph, keys)
        return plan_write(self.schema, graph, keys, node_kinds=node_kinds, existing_nodes=existing_nodes,
                          existing_ties=self._existing_ties(graph, keys, node_kinds, existing_nodes),
                          stale_nodes=self._stated_nodes(previously),
                          stale_ties=self._stated_ties(previously), loaded=loaded)

    def _existing_nodes(self, graph: GraphData, keys: set[str]) -> dict[str, Stored]:
        by_label: dict[str, list[str]] = {}
        for node in graph.nodes.values():
            if _states(node, keys):
                by_label.setdefault(node.kind, []).append(node.id)
        found = {}
        for label, ids in by_label.items():
            for chunk in batches(ids):
                for row in self.run(statements.existing_nodes(label), {"ids": list(chunk)}):
                    found[row["id"]] = Stored(label, _statements(row["provenance"]))
        return found

    def _existing_ties(self, graph: GraphData, keys: set[str], node_kinds: Mapping[str, str],
                       existing_nodes: Mapping[str, Stored]) -> dict:
        """The stored statements of the ties of ``keys``; a tie to a node the store lacks is not looked up
        (a national load's new organizations bring a million ties the store cannot hold yet)."""
        new = {i for i, node in graph.nodes.items() if i not in existing_nodes and _states(node, keys)}
        groups: dict[tuple[str, str, str], list[dict[str, str]]] = {}
        for tie in graph.ties.values():
            if tie.source_id not in new and tie.target_id not in new and _states(tie, keys):
                group = (tie.type, node_kinds[tie.source_id], node_kinds[tie.target_id])
                groups.setdefault(group, []).append({"src": tie.source_id, "dst": tie.target_id})
        found = {}
        for (type_, source, target), rows in groups.items():
            for chunk in batches(rows):
                for row in self.run(statements.existing_ties(type_, source, target), {"rows": list(chunk)}):
                    found[(type_, row["src"], row["dst"])] = Stored(type_, _statements(row["provenance"]), (source, target))
        return found

    def _stated_nodes(self, keys: set[str]) -> dict[str, Stored]:
        found = {}
        for key in sorted(keys):
            for label in self.schema.node_labels:
                for row in self.run(statements.nodes_stated_by(label), {"key": key}):
                    found[row["id"]] = Stored(label, _statements(row["provenance"]))
        return found

    def _stated_ties(self, keys: set[str]) -> dict:
        found = {}
        for key in sorted(keys):
            for type_ in self.schema.tie_types:
                for row in self.run(statements.ties_stated_by(type_, self.backend), {"key": key}):
                    found[(type_, row["src"], row["dst"])] = Stored(
                        type_, _statements(row["provenance"]), (row["source_kind"], row["target_kind"]))
        return found

    def node_rows(self, nodes: Sequence[Node], loaded: str, loaded_by: str = "") -> list[dict[str, Any]]:
        """Nodes as rows for this backend's statements (every column, JSON as text; new statements stamped with
        ``loaded`` and ``loaded_by``)."""
        return [{p.name: storage_value(p, n.props.get(p.name), loaded, loaded_by)
                 for p in self.schema.node_kind(n.kind).properties} for n in nodes]

    def tie_rows(self, ties: Sequence[Tie], loaded: str, loaded_by: str = "") -> list[dict[str, Any]]:
        """Ties as rows: ``src``, ``dst`` and every column (Neo4j: the columns under ``props``)."""
        rows = []
        for tie in ties:
            props = {p.name: storage_value(p, tie.props.get(p.name), loaded, loaded_by)
                     for p in self.schema.tie_kind(tie.type).properties}
            rows.append({"src": tie.source_id, "dst": tie.target_id, **props})
        return rows

    def plan_statements(self, plan: WritePlan) -> list[Statement]:
        """Deletes, then updates, then creates, in batches (the creates of nodes before those of ties)."""
        work: list[Statement] = []
        for (type_, source, target), pairs in plan.delete_ties.items():
            for chunk in batches([{"src": s, "dst": d} for s, d in pairs]):
                work.append((statements.delete_ties(type_, source, target), {"rows": list(chunk)}))
        for label, ids in plan.delete_nodes.items():
            for chunk in batches(ids):
                work.append((statements.delete_nodes(label), {"ids": list(chunk)}))
        for label, nodes in plan.update_nodes.items():
            for chunk in batches(self.node_rows(nodes, plan.loaded, plan.loaded_by)):
                work.append((statements.update_nodes(self.schema, label, self.backend), {"rows": list(chunk)}))
        for (type_, source, target), ties in plan.update_ties.items():
            for chunk in batches(self.tie_rows(ties, plan.loaded, plan.loaded_by)):
                work.append((statements.update_ties(self.schema, type_, source, target, self.backend), {"rows": list(chunk)}))
        return work

    # ------------------------------------------------------------ sources as things a team manages

    def source_summaries(self) -> list[dict[str, Any]]:
        """The registry (who loaded each source, when, from which file), each source with what it states now:
        ``nodes_stated`` and ``ties_stated``, and how many of them it alone states (``nodes_sole``,
        ``ties_sole``: what a withdrawal of it would delete)."""
        rows = self.loaded_sources()
        counts = {row["key"]: dict.fromkeys(("nodes_stated", "nodes_sole", "ties_stated", "ties_sole"), 0) for row in rows}
        tallies = [("nodes", statements.node_source_counts(label)) for label in self.schema.node_labels]
        tallies += [("ties", statements.tie_source_counts(type_)) for type_ in self.schema.tie_types]
        for what, cypher in tallies:
            for row in self.run(cypher):
                if row["key"] in counts:
                    counts[row["key"]][f"{what}_stated"] += int(row["stated"])
                    counts[row["key"]][f"{what}_sole"] += int(row["sole"])  # (LadybugDB's sum is a Decimal)
        return [{**row, **counts[row["key"]]} for row in rows]

    def source_key(self, name: str) -> str:
        """The key of the source ``name`` names: its key (file name) or its title, in any spelling the name
        matcher equates. Raises :class:`QueryError` listing the sources when none or several match."""
        rows = self.loaded_sources()
        exact = [row["key"] for row in rows if name == row["key"]]
        found = exact or [row["key"] for row in rows if match_key(name) in (match_key(row["key"]), match_key(row["title"]))]
        if len(found) == 1:
            return found[0]
        known = "; ".join(f"{row['title']} ({row['key']})" for row in rows) or "none / 无"
        what = "名称对应多个来源" if found else "库中没有该来源"
        raise QueryError(f"{what} / {'several sources are' if found else 'no source is'} named {name!r}; "
                         f"sources 来源: {known}")

    def withdrawal(self, key: str) -> Withdrawal:
        """What withdrawing the source ``key`` (see :meth:`source_key`) would do; nothing is written."""
        self.ensure_schema()
        key = self.source_key(key)
        source = next(row for row in self.loaded_sources() if row["key"] == key)
        nodes, ties = self._stated_nodes({key}), self._stated_ties({key})
        plan = plan_withdrawal(self.schema, key, nodes, ties)
        return Withdrawal(key, source, plan, nodes, ties, self._blocking_ties(plan))

    def withdraw(self, key: str, *, dry_run: bool = False, progress: Progress | None = None) -> Withdrawal:
        """Take the source ``key`` out of the store, in one transaction: delete what only it states, remove its
        statement from what others state too (their values combined again from theirs), and its registry entry.
        Refused (:class:`InputError`, nothing written) while ties of other sources end at nodes only it states."""
        withdrawal = self.withdrawal(key)
        withdrawal.dry_run = dry_run
        if withdrawal.blocked and not dry_run:
            raise InputError([_blocking_problem(withdrawal, tie, keys) for tie, keys in withdrawal.blocked])
        if not dry_run:
            self._apply(withdrawal.plan, [], replace=False, progress=progress, forget=[withdrawal.key])
        return withdrawal

    def _blocking_ties(self, plan: WritePlan) -> list[tuple[tuple[str, str, str], list[str]]]:
        """The ties that end at a node ``plan`` deletes and that ``plan`` does not delete, with their sources."""
        gone = sorted(node_id for ids in plan.delete_nodes.values() for node_id in ids)
        going = {(type_, src, dst) for (type_, _, _), pairs in plan.delete_ties.items() for src, dst in pairs}
        found: dict[tuple[str, str, str], list[str]] = {}
        for type_ in self.schema.tie_types if gone else ():
            for chunk in batches(gone, 5000):
                for row in self.run(statements.ties_touching(type_), {"ids": list(chunk)}):
                    if (type_, row["src"], row["dst"]) not in going:
                        found[(type_, row["src"], row["dst"])] = list(row["source_keys"] or [])
        return list(found.items())

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

    def export(self, ids: Iterable[str] | None = None) -> GraphData:
        """The graph as records, for analysis and maps; values typed as the schema says.

        ``ids`` limits it to those nodes and the ties among them (a county, or
        the neighbourhood of an organization: :meth:`ids_within`,
        :meth:`ids_around`), read by query rather than exported whole.
        """
        self.ensure_schema()
        graph = GraphData(schema=self.schema)
        params = {"ids": sorted(ids)} if ids is not None else None
        chosen = params is not None
        for kind in self.schema.node_kinds:
            for row in self.run(statements.export_nodes(self.schema, kind.label, chosen=chosen), params):
                graph.add_node(Node(kind.label, row["id"], _typed(kind.properties, row)))
        for tie in self.schema.tie_kinds:
            for row in self.run(statements.export_ties(self.schema, tie.type, chosen=chosen), params):
                src, dst = row.pop("src"), row.pop("dst")
                graph.add_tie(Tie(tie.type, src, dst, _typed(tie.properties, row)))
        return graph

    def ids_within(self, code: str) -> set[str]:
        """The nodes of an administrative unit (its code: ``61``, ``6108``, ``610828``, a town): its units, the
        organizations placed in it, the organizations tied to those through working ties (and onwards through
        organizations placed nowhere, such as a joint committee and its cooperative), and their industries.
        Ties across the unit's border show where they lead: a node placed elsewhere is included, not followed.
        The same nodes as :func:`graph_model.places.nodes_within` finds in the exported graph."""
        inside, border = self._inside(code)
        found = inside | border
        return found | self._neighbours(found, sorted(self.schema.attribute_ties))

    def unplaced_within(self, code: str) -> set[str]:
        """The organizations placed nowhere that lie in the unit ``code`` (see :mod:`graph_model.places`):
        those its nodes reach through working ties, through other organizations placed nowhere. The named
        queries' ``within`` takes them beside the nodes whose code or place lies in the unit."""
        inside, _ = self._inside(code)
        return {node_id for node_id in inside if not node_id.startswith(code)} - self._placed_in(code)

    def _placed_in(self, code: str) -> set[str]:
        """The nodes whose code or place lies in the unit ``code``."""
        self.ensure_schema()
        return {row["id"] for label in self.schema.node_labels
                for row in self.run(statements.ids_within(label), {"prefix": code})}

    def _inside(self, code: str) -> tuple[set[str], set[str]]:
        """The nodes that lie in the unit ``code``, and the nodes placed elsewhere they work with."""
        inside = self._placed_in(code)
        working = sorted(self.schema.working_ties)
        border: set[str] = set()
        frontier = set(inside)
        while frontier:
            reached = self._neighbours(frontier, working) - inside - border
            kinds = self.kinds_of(reached)
            frontier = {node_id for node_id, place in self._places(kinds).items()
                        if place is None and not self.schema.node_kind(kinds[node_id]).administrative}
            inside |= frontier
            border |= reached - frontier
        return inside, border

    def _places(self, kinds: Mapping[str, str]) -> dict[str, str | None]:
        """The ``place`` (NBS code, or None) of each node of ``kinds`` (id: kind)."""
        found: dict[str, str | None] = {}
        for label, ids in _by_kind(kinds).items():
            for part in batches(sorted(ids), 5000):
                found.update((row["id"], row["place"]) for row in self.run(statements.node_places(label), {"ids": list(part)}))
        return found

    def ids_around(self, node_id: str, hops: int) -> set[str]:
        """The nodes within ``hops`` working or attribute ties of ``node_id``, and the units it belongs to."""
        self.ensure_schema()
        kinds = [t.type for t in self.schema.tie_kinds if not t.administrative]
        administrative = [t.type for t in self.schema.tie_kinds if t.administrative]
        found = {node_id} | self._neighbours({node_id}, administrative)
        frontier = {node_id}
        for _ in range(hops):
            frontier = self._neighbours(frontier, kinds) - found
            found |= frontier
        return found

    def _neighbours(self, ids: set[str], types: list[str]) -> set[str]:
        """The nodes a tie of one of ``types`` joins to one of ``ids`` (either way)."""
        return {row["id"] for type_ in types for chunk in batches(sorted(ids), 5000)
                for row in self.run(statements.neighbour_ids(type_), {"ids": list(chunk)})}

    def run_named(self, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a query of the catalog (``queries/catalog.yaml``) with checked parameters.

        Parameters that refer to a node are resolved to its id first
        (:meth:`resolve`), so a misspelt name is an error, not an empty answer.
        """
        query = get_query(name)
        self.ensure_schema()
        bound = query.bind(params or {})
        if query.places_unplaced:
            bound[PLACED_NOWHERE] = []
        labels: dict[str, str] = {}
        for param in query.params:
            value = bound[param.name]
            if param.refers_to == "place" and value is not None:
                bound[param.name] = self.resolve_place(value)
                if query.places_unplaced:
                    bound[PLACED_NOWHERE] = sorted(self.unplaced_within(bound[param.name]))
            elif param.refers_to and value is not None:
                labels[param.name], bound[param.name] = self._resolved(param.refers_to, value)
        return query.finish(self.run(query.cypher(self.backend, labels), bound), bound)

    def resolve(self, kind: str, value: str) -> str:
        """The id of the one node of ``kind`` (or of any kind) that ``value`` names.

        ``value`` may be an id (which names its node alone), a name or an alias,
        or a spelling that matches one after normalization (Traditional or
        variant characters, spaces).
        Raises :class:`QueryError` listing the candidates when no node or more
        than one matches.
        """
        return self._resolved(kind, value)[1]

    def _resolved(self, kind: str, value: str) -> tuple[str, str]:
        """:meth:`resolve`, with the label of the node found. An id is looked up first, by key in each
        table (milliseconds nationally, where the search by name reads every node's names: 0.3 s)."""
        labels = self.schema.node_labels if kind == "any" else (self.schema.node_kind(kind).label,)
        by_id = next((label for label in labels if self._present(label, [value])), None)
        if by_id:
            return by_id, value
        params = {"value": value, "key": f"|{match_key(value)}|"}
        found = [(label, row) for label in labels for row in self.run(statements.nodes_named(label), params)]
        if not found:
            what = self.schema.node_kind(kind).zh if kind != "any" else "节点 node"
            raise QueryError(f"no {what} named {value!r} / 找不到该名称; similar 相近: {self._similar(value, labels)}")
        if len(found) > 1:
            raise QueryError(f"“{value}”对应 {len(found)} 个节点，请改用标识 / {value!r} names {len(found)} nodes, give "
                             f"the id: {self._described(found)}")
        label, row = found[0]
        return label, row["id"]

    def _described(self, found: list[tuple[str, Mapping[str, Any]]]) -> str:
        """Nodes that share a name, each with its kind, the town (or county) it lies in and its id:
        ``村/社区 店镇 西山村 (610828102209); 村/社区 通镇 崔家西山村 (610828105236)``."""
        where = {row["id"]: row.get("place") or parent_code(row["id"], self.schema) for _, row in found}
        units = sorted({code for code in where.values() if code})
        names = {row["id"]: row["name"] for label in self.schema.administrative_kinds
                 for row in self.run(statements.names_of(label), {"ids": units})} if units else {}
        return "; ".join(f"{self.schema.node_kind(label).zh} {names.get(where[row['id']], '')} {row['name']} "
                         f"({row['id']})".replace("  ", " ") for label, row in found)

    def _similar(self, value: str, labels: Iterable[str]) -> str:
        """The names and aliases of nodes of ``labels`` most like ``value``, as ``name (id); …`` for a hint."""
        spellings: dict[str, Mapping[str, Any]] = {}
        for label in labels:
            for row in self.run(statements.node_names(label)):
                for spelling in (row["name"], *(row.get("aliases") or ())):
                    spellings.setdefault(spelling, row)
        rows = {spellings[s]["id"]: spellings[s] for s in similar_names(value, spellings)}
        return "; ".join(f"{row['name']} ({node_id})" for node_id, row in rows.items()) or "none / 无"

    def resolve_place(self, value: str) -> str:
        """The code of the administrative unit ``value`` names: a code (returned as it is), a name or a
        spelling of one, as :func:`graph_model.places.resolve_place` (the one resolver) decides among the
        units whose names match. Raises :class:`QueryError` when no unit or several match."""
        if value.isdigit():
            return value
        labels = self.schema.administrative_kinds
        key = f"|{match_key(value)}|"
        candidates = [Node(label, row["id"], {k: v for k, v in row.items() if v is not None})
                      for label in labels for row in self.run(statements.units_named(label), {"value": value, "key": key})]
        if not candidates:
            raise QueryError(f"no administrative unit named {value!r} / 找不到该区划; similar 相近: "
                             f"{self._similar(value, labels)} (hint: a unit's name as the roster spells it, or its "
                             "NBS code; for an organization's neighbourhood use --around)")
        try:
            return resolve_place(RosterIndex(candidates, self.schema), PlaceRef(None, value)).node.id
        except InputError as err:  # the resolver's account, as the queries' error
            raise QueryError(err.problems[0].message) from None




def _blocking_problem(withdrawal: Withdrawal, tie: tuple[str, str, str], keys: list[str]) -> Problem:
    """Why a withdrawal cannot go ahead: a tie other sources state ends at a node only this source states."""
    type_, src, dst = tie
    ends = [i for i in (src, dst) if any(i in ids for ids in withdrawal.plan.delete_nodes.values())]
    names = ", ".join(f"{i} {stored_name(withdrawal.stated_nodes.get(i))}".strip() for i in ends)
    others = ", ".join(k for k in keys if k != withdrawal.key)
    return Problem(None, f"来源 {others} 的关系 {type_} {src}→{dst} 需要只有本来源记载的节点 {names} / a {type_} tie stated by "
                         f"{others} ends at {names}, which only {withdrawal.key} states",
                   f"withdraw {others} first, or load a source that states {names}")


def _by_kind(kinds: Mapping[str, str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for node_id, kind in kinds.items():
        grouped.setdefault(kind, []).append(node_id)
    return grouped


def _statements(value: Any) -> list[dict[str, Any]]:
    return json.loads(value) if isinstance(value, str) else list(value or [])


def _typed(properties, row: Mapping[str, Any]) -> dict[str, Any]:
    by_name = {p.name: p for p in properties}
    return {k: read_value(by_name[k], v) for k, v in row.items() if v is not None and k in by_name}


def _states(record: Node | Tie, keys: set[str]) -> bool:
    """Whether a source of ``keys`` states ``record``."""
    return any(s["key"] in keys for s in record.provenance)


def _unchanged_sources(infos: list[SourceInfo], registry: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The keys of the sources the store holds completely with the same digest (not written again)."""
    return [s.ref.key for s in infos if s.digest and registry.get(s.ref.key, {}).get("digest") == s.digest
            and registry[s.ref.key].get("complete")]


def _source_rows(graph: GraphData, infos: list[SourceInfo], keys: set[str], loaded: str) -> list[dict[str, Any]]:
    """The registry rows of the sources written: what they are, when loaded, how many records each states."""
    nodes, ties = _stated_by(graph.nodes.values(), keys), _stated_by(graph.ties.values(), keys)
    return [{"key": info.ref.key, "title": info.ref.title, "file": info.ref.file, "kind": info.kind,
             "digest": info.digest, "loaded": loaded, "nodes": nodes.get(info.ref.key, 0),
             "ties": ties.get(info.ref.key, 0), "complete": True}
            for info in infos if info.ref.key in keys]


def _stated_by(records: Iterable[Node | Tie], keys: set[str]) -> dict[str, int]:
    """How many of ``records`` each source of ``keys`` states (one pass: a national load has millions)."""
    counts: dict[str, int] = dict.fromkeys(keys, 0)
    for record in records:
        for key in {s["key"] for s in record.provenance} & keys:
            counts[key] += 1
    return counts


def _infer_sources(graph: GraphData) -> list[SourceInfo]:
    """Sources named by the statements of ``graph`` (no digests: each is written)."""
    from pathlib import Path

    from graph_model.records import SourceRef

    seen: dict[str, SourceInfo] = {}
    for record in (*graph.nodes.values(), *graph.ties.values()):
        for s in record.provenance:
            if s["key"] not in seen:
                seen[s["key"]] = SourceInfo(SourceRef(s["key"], s["source"], s["file"]), Path(s["file"] or s["key"]), "", "")
    return list(seen.values())


__all__ = ["BATCH_SIZE", "Progress", "Statement", "Store", "StoreError", "WriteReport", "batches", "Problem"]
