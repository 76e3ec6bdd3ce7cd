"""A store's loads: read what it holds for the sources' records, work out the changes, apply exactly those.

A failed load leaves the store as it was, loading the same sources again
writes nothing, and a source loaded again after an edit changes only what
that source says (:mod:`stores.plan`). A registry of loaded sources (key,
title, digest) lets a load skip a source it holds unchanged. The mixin reads
through the store's ``run`` and ``kinds_of``; the backends carry out the plan
(``_apply``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from graph_model.records import GraphData, InputError, Node, SourceRef, Tie, storage_value
from graph_model.sources import SourceInfo
from queries import statements
from stores.batches import Progress, Statement, batches
from stores.plan import Stored, WritePlan, plan_write


@dataclass
class WriteReport:
    """What a write did (or, for a dry run, would do)."""

    plan: WritePlan
    written: list[str] = field(default_factory=list)
    unchanged_sources: list[str] = field(default_factory=list)
    dry_run: bool = False


class Writing:
    """The load path of :class:`stores.base.Store`."""

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
                for row in self.read_rows(statements.existing_nodes(label), {"ids": list(chunk)},
                                          statements.EXISTING_NODE_COLUMNS):
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
                for row in self.read_rows(statements.existing_ties(type_, source, target), {"rows": list(chunk)},
                                          statements.EXISTING_TIE_COLUMNS):
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


def _statements(value: Any) -> list[dict[str, Any]]:
    return json.loads(value) if isinstance(value, str) else list(value or [])


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
    seen: dict[str, SourceInfo] = {}
    for record in (*graph.nodes.values(), *graph.ties.values()):
        for s in record.provenance:
            if s["key"] not in seen:
                seen[s["key"]] = SourceInfo(SourceRef(s["key"], s["source"], s["file"]), Path(s["file"] or s["key"]), "", "")
    return list(seen.values())
