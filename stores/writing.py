"""A store's loads: read what it holds for the sources' records, work out the changes, apply exactly those.

A failed load leaves the store as it was, loading the same sources again
writes nothing, and a source loaded again after an edit changes only what
that source says (:mod:`stores.plan`). A registry of loaded sources (key,
title, digest) lets a load skip a source it holds unchanged. The mixin reads
through the store's ``run`` and ``kinds_of``; the backends carry out the plan
(``_apply``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections import ChainMap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Collection, Iterable, Iterator, Mapping, Sequence

from graph_model.records import GraphData, InputError, Node, Problem, SourceRef, Tie, storage_value
from graph_model.sources import SourceInfo
from queries import statements
from stores.batches import Progress, Statement, batches
from stores.plan import Stored, TieKey, WritePlan, plan_write
from stores.sources import dangling_problem


@dataclass
class WriteReport:
    """What a write did (or, for a dry run, would do)."""

    plan: WritePlan
    written: list[str] = field(default_factory=list)
    unchanged_sources: list[str] = field(default_factory=list)
    dry_run: bool = False
    read: tuple[int, int] | None = None
    """The nodes and ties a write in parts read (:meth:`Writing.write_parts`; its graph is not kept)."""
    replaced: list[dict[str, Any]] = field(default_factory=list)
    """The registry rows (who loaded, when) of the sources written that the store held before: this write
    replaces their statements, so what they stated and these files no longer state goes."""


class Writing:
    """The load path of :class:`stores.base.Store`."""

    def write(self, graph: GraphData, *, replace: bool = False, progress: Progress | None = None,
              sources: Sequence[SourceInfo] | None = None, dry_run: bool = False, loaded_by: str = "",
              ask_before_replacing: bool = False) -> WriteReport:
        """Make the store say what ``graph`` says for its sources, atomically.

        ``sources`` describe the sources of ``graph`` (with digests, so an
        unchanged source is skipped); without them every source key found in
        ``graph`` is written. ``replace`` empties the store first (same
        transaction). Raises :class:`InputError` (and writes nothing) when
        the graph has problems, e.g. a tie to a node neither it nor the store has. ``loaded_by`` names who
        loads (kept with every statement written and in the registry, beside when). ``ask_before_replacing``:
        a write that replaces a source the store holds and deletes some of what it stated raises
        :class:`InputError` instead (:func:`replacing_message`), decided under the writer's lock.
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
        self._refuse_dangling(plan, keys)
        plan.loaded_by = loaded_by
        report = WriteReport(plan, sorted(keys), unchanged, dry_run, replaced=_held_rows(keys, registry))
        if ask_before_replacing:
            _refuse_replacing(report)
        if dry_run:
            return report
        rows = [{**row, "loaded_by": loaded_by, "loaded_at": now.isoformat(timespec="seconds")}
                for row in _source_rows(graph, infos, keys, loaded)]
        if plan.rows or rows or replace:
            self._apply(plan, rows, replace=replace, progress=progress)
        return report

    def write_parts(self, parts: Iterable[GraphData], *, sources: Sequence[SourceInfo], replace: bool = False,
                    progress: Progress | None = None, dry_run: bool = False, loaded_by: str = "") -> WriteReport:
        """:meth:`write` of a load read in parts (:func:`loaders.roster.roster_parts`), with the same result, holding
        one part at a time (:meth:`writing_parts`). A part with problems raises :class:`InputError` and nothing
        is written."""
        infos = list(sources)
        with self.writing_parts([(s.ref.key, s.digest) for s in infos], replace=replace, dry_run=dry_run,
                                loaded_by=loaded_by) as writing:
            for part in parts:
                writing.add(part)
            return writing.finish(infos, progress)

    @contextlib.contextmanager
    def writing_parts(self, digests: Sequence[tuple[str, str]], *, replace: bool = False, dry_run: bool = False,
                      loaded_by: str = "", ask_before_replacing: bool = False) -> Iterator["PartsWrite"]:
        """A write of the sources ``digests`` (key and digest of each) whose records come in parts
        (:class:`PartsWrite`): each part is checked and compared with the store as it comes, its changes kept
        and its new records handed to the store's files (:meth:`_copy_spool`, on disk), so that it can be let
        go before the next is read. :meth:`PartsWrite.finish`
        writes everything as one write, all or nothing; leaving the block without it writes nothing."""
        self.ensure_schema()
        registry = {} if replace else {row["key"]: row for row in self.loaded_sources()}
        with self._copy_spool(dry_run) as spool:
            writing = PartsWrite(self, digests, registry, spool, replace=replace, dry_run=dry_run, loaded_by=loaded_by)
            writing.ask_before_replacing = ask_before_replacing
            yield writing

    @contextlib.contextmanager
    def _copy_spool(self, dry_run: bool) -> Iterator[Any]:
        """Where :meth:`write_parts` puts each part's new records: None here (they stay in the plan, and the
        backend writes them as :meth:`write` does); both stores write them to Parquet files
        (:class:`stores.copy_spool.CopySpool`: the embedded store ``COPY``s them, Neo4j reads them back as rows)."""
        yield None

    def _refuse_dangling(self, plan: WritePlan, keys: set[str],
                         spooled: Iterable[tuple[TieKey, list[str]]] = ()) -> None:
        """:class:`InputError` when ``plan`` deletes a node (its sources reloaded no longer state it) that a tie it
        keeps ends at: the tie would go with it (a tie never loses its end), as a withdrawal is refused.
        ``spooled``: the new ties of a load in parts no longer in ``plan`` (in the ``COPY`` files), with sources."""
        if not plan.delete_nodes:
            return
        gone = {node_id for ids in plan.delete_nodes.values() for node_id in ids}
        held = [_stated(tie) for ties in (*plan.create_ties.values(), *plan.update_ties.values()) for tie in ties]
        written = [(key, sources) for key, sources in (*held, *spooled) if key[1] in gone or key[2] in gone]
        blocked = dict([*self._blocking_ties(plan), *written])  # (a kept tie the store holds: once)
        if blocked:
            raise InputError([dangling_problem(tie, sources, plan, keys) for tie, sources in blocked.items()])

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

    def _existing_nodes(self, graph: GraphData, keys: set[str], absent: Collection[str] = ()) -> dict[str, Stored]:
        """The stored statements of the nodes of ``keys``; those of ``absent`` labels (the store holds none of
        their kind) are not looked up."""
        by_label: dict[str, list[str]] = {}
        for node in graph.nodes.values():
            if node.kind not in absent and _states(node, keys):
                by_label.setdefault(node.kind, []).append(node.id)
        found = {}
        for label, ids in by_label.items():
            for chunk in batches(ids):
                for row in self.read_rows(statements.existing_nodes(label), {"ids": list(chunk)},
                                          statements.EXISTING_NODE_COLUMNS):
                    found[row["id"]] = Stored(label, _statements(row["provenance"]), match_text=row["match_text"])
        return found

    def _existing_ties(self, graph: GraphData, keys: set[str], node_kinds: Mapping[str, str],
                       existing_nodes: Mapping[str, Stored], new_elsewhere: Iterable[str] = (),
                       absent: Collection[str] = ()) -> dict:
        """The stored statements of the ties of ``keys``; a tie to a node the store lacks is not looked up
        (a national load's new organizations bring a million ties the store cannot hold yet). ``new_elsewhere``:
        more nodes the store lacks (of a later part of a load in parts); ``absent``: labels the store holds no
        node of (no tie to one of them is looked up)."""
        new = {i for i, node in graph.nodes.items() if i not in existing_nodes and _states(node, keys)}
        new.update(new_elsewhere)
        groups: dict[tuple[str, str, str], list[dict[str, str]]] = {}
        for tie in graph.ties.values():
            if tie.source_id not in new and tie.target_id not in new and _states(tie, keys):
                group = (tie.type, node_kinds[tie.source_id], node_kinds[tie.target_id])
                groups.setdefault(group, []).append({"src": tie.source_id, "dst": tie.target_id})
        for group in [g for g in groups if g[1] in absent or g[2] in absent]:
            del groups[group]
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


def replacing_message(replaced: Sequence[Mapping[str, Any]], summary: Mapping[str, int]) -> str | None:
    """The one line that holds a write replacing the sources ``replaced`` (registry rows: who loaded them, when)
    and deleting some of what they stated, until someone confirms it: another town's file of the same name
    would otherwise take away the first town's rows. None when it deletes nothing or replaces nothing."""
    nodes, ties = summary.get("delete_nodes", 0), summary.get("delete_ties", 0)
    if not replaced or not (nodes or ties):
        return None
    shown = "、".join(f"“{row['key']}”（{row.get('loaded_by') or '?'} {row.get('loaded_at') or row.get('loaded') or ''}）"
                     for row in replaced)
    return (f"载入将替换已有的来源{shown}，删除其中 {nodes} 个节点、{ties} 条关系；若是另一个文件，请改名后再上传，"
            f"若是它的新版本，请勾选“替换”后载入 / loading replaces the source(s) of this file name already in the "
            f"store and deletes {nodes} nodes and {ties} ties they state: if this is another file, rename it and "
            "upload it again; if it is a new version, tick replace and load")


def _refuse_replacing(report: WriteReport) -> None:
    """:class:`InputError` when ``report`` replaces a source and deletes some of what it stated."""
    message = replacing_message(report.replaced, report.plan.summary())
    if message:
        raise InputError([Problem(None, message)])


def _held_rows(keys: set[str], registry: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The registry rows of ``keys`` the store already holds (:attr:`WriteReport.replaced`), by key."""
    return [dict(registry[key]) for key in sorted(keys) if key in registry]


def _unchanged_sources(infos: list[SourceInfo], registry: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The keys of the sources the store holds completely with the same digest (not written again)."""
    return _unchanged_keys([(s.ref.key, s.digest) for s in infos], registry)


def _unchanged_keys(digests: Sequence[tuple[str, str]], registry: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """:func:`_unchanged_sources` of ``(key, digest)`` pairs."""
    return [key for key, digest in digests if digest and registry.get(key, {}).get("digest") == digest
            and registry[key].get("complete")]


def _source_rows(graph: GraphData, infos: list[SourceInfo], keys: set[str], loaded: str) -> list[dict[str, Any]]:
    """The registry rows of the sources written: what they are, when loaded, how many records each states."""
    return _registry_rows(infos, keys, loaded, _stated_by(graph.nodes.values(), keys), _stated_by(graph.ties.values(), keys))


def _registry_rows(infos: list[SourceInfo], keys: set[str], loaded: str, nodes: Mapping[str, int],
                   ties: Mapping[str, int]) -> list[dict[str, Any]]:
    """:func:`_source_rows` from the counts of records each source states."""
    return [{"key": info.ref.key, "title": info.ref.title, "file": info.ref.file, "kind": info.kind,
             "digest": info.digest, "loaded": loaded, "nodes": nodes.get(info.ref.key, 0),
             "ties": ties.get(info.ref.key, 0), "complete": True, "folder": info.folder}
            for info in infos if info.ref.key in keys]


def _stated(tie: Tie) -> tuple[TieKey, list[str]]:
    """A tie's key and the keys of the sources that state it (what a refused load names, :func:`dangling_problem`)."""
    return tie.key, sorted({s["key"] for s in tie.provenance})


def _stated_by(records: Iterable[Node | Tie], keys: set[str]) -> dict[str, int]:
    """How many of ``records`` each source of ``keys`` states (one pass: a national load has millions)."""
    counts: dict[str, int] = dict.fromkeys(keys, 0)
    for record in records:
        stated = record.provenance
        if len(stated) == 1:  # the common case, a record one source states: no set to build
            key = stated[0]["key"]
            if key in counts:
                counts[key] += 1
            continue
        for key in {s["key"] for s in stated} & keys:
            counts[key] += 1
    return counts


class PartsWrite:
    """One write whose records come in parts (:meth:`Writing.writing_parts`): :meth:`add` each part, then
    :meth:`finish`. The parts must not share a node or a tie; a part's ties end at nodes of that part, of
    earlier parts, of the store, or of a later part that ``ahead`` names."""

    def __init__(self, store: "Writing", digests: Sequence[tuple[str, str]], registry: Mapping[str, Any], spool: Any,
                 *, replace: bool, dry_run: bool, loaded_by: str):
        self.store, self.spool, self.replace, self.dry_run, self.loaded_by = store, spool, replace, dry_run, loaded_by
        self.unchanged = _unchanged_keys(digests, registry)
        keys = {key for key, _ in digests} - set(self.unchanged)
        self.now = dt.datetime.now().astimezone()
        self.loaded = self.now.strftime("%Y-%m-%d %H:%M")
        self.fresh = replace or store.is_empty()
        self.total = WritePlan(loaded=self.loaded, loaded_by=loaded_by)
        self.read = _PartsRead(keys, reloaded={k for k in keys if k in registry} if not self.fresh else set())
        self.replaced = [] if self.fresh else _held_rows(keys, registry)
        self._held: dict[str, bool] = {}  # whether the store holds a node of a later part (``ahead``)
        self.ask_before_replacing = False
        """Whether :meth:`finish` refuses to replace a source and delete what it stated (:meth:`Writing.write`)."""
        # the labels the store holds no node of: their ids are not asked for (a national load's organizations)
        self._absent = set() if self.fresh else store.empty_labels()

    @property
    def keys(self) -> set[str]:
        """The sources written (those the store holds unchanged are not)."""
        return self.read.keys

    def add(self, part: GraphData, ahead: Mapping[str, Node] | None = None,
            stored: Mapping[str, str | None] | None = None) -> None:
        """Check ``part``, compare it with the store and keep its changes, its new records in the ``COPY`` files
        (where the store has them; else in the plan, written as :meth:`Writing.write` writes them). ``ahead``
        holds the nodes a later part brings (the ends of this part's ties among them); ``stored`` the kinds of
        nodes the reader already found in the store (None: not there), so that they are not asked for again."""
        plan = self._plan(part, ahead or {}, stored or {})
        if self.read.reloaded:  # a new tie may end at a node the reload deletes: checked when all is read
            self.read.new_ties += [_stated(tie) for ties in plan.create_ties.values() for tie in ties
                                   if tie.source_id not in self.read.kinds or tie.target_id not in self.read.kinds]
        if self.spool is not None:
            self.spool.take(plan, self.loaded_by)
        elif self.dry_run:
            _set_aside(plan)
        self.total.absorb(plan)

    def finish(self, infos: Sequence[SourceInfo], progress: Progress | None = None) -> WriteReport:
        """Write what the parts change (nothing for a dry run), with the registry of ``infos``, in one write."""
        read, total = self.read, self.total
        if read.reloaded:
            total.absorb(self._stale_plan())
            self.store._refuse_dangling(total, read.keys, read.new_ties)
        total.loaded_by = self.loaded_by
        report = WriteReport(total, sorted(read.keys), self.unchanged, self.dry_run, (len(read.kinds), read.tie_count),
                             self.replaced)
        if self.ask_before_replacing:
            _refuse_replacing(report)
        # what only reading the parts needed, let go before the store writes (a national load: 240,000 ids each)
        read.kinds, read.ties, self._held = {}, set(), {}
        if self.dry_run:
            return report
        rows = [{**row, "loaded_by": self.loaded_by, "loaded_at": self.now.isoformat(timespec="seconds")}
                for row in _registry_rows(list(infos), read.keys, self.loaded, read.nodes_stated, read.ties_stated)]
        if total.rows or rows or self.replace:
            self.store._apply(total, rows, replace=self.replace, progress=progress,
                              **({"spooled": self.spool} if self.spool is not None else {}))
        return report

    def _plan(self, part: GraphData, ahead: Mapping[str, Node], stored: Mapping[str, str | None]) -> WritePlan:
        """The changes of one part, as :meth:`Writing._write_plan` works them out for a whole graph (its stale
        records come after the last part: :meth:`_stale_plan`)."""
        store, read = self.store, self.read
        taken = [node_id for node_id in part.nodes if node_id in read.kinds]
        if taken:
            raise ValueError(f"parts of one load share nodes ({', '.join(taken[:3])}): they must not")
        outside = {i for t in part.ties.values() for i in (t.source_id, t.target_id) if i not in part.nodes}
        ends = {i for i in outside if i not in read.kinds}
        later = {i: ahead[i].kind for i in ends if i in ahead}
        in_store = {} if self.replace else _stored_kinds(ends - later.keys(), stored,
                                                         lambda ids: store.kinds_of(ids, self._absent))
        node_kinds = _kinds_of_ends(part, outside, ChainMap(read.kinds, later, in_store))
        problems = part.problems(store.schema, node_kinds.get)
        if problems:
            raise InputError(problems)
        read.add(part)
        if self.fresh:
            return plan_write(store.schema, part, read.keys, node_kinds=node_kinds, existing_nodes={},
                              existing_ties={}, loaded=self.loaded)
        existing_nodes = store._existing_nodes(part, read.keys, self._absent)
        self._ask_store(later)
        new = {i for i in later if not self._held[i]}
        return plan_write(store.schema, part, read.keys, node_kinds=node_kinds, existing_nodes=existing_nodes,
                          existing_ties=store._existing_ties(part, read.keys, node_kinds, existing_nodes, new,
                                                             self._absent),
                          loaded=self.loaded)

    def _ask_store(self, kinds: Mapping[str, str]) -> None:
        """Whether the store holds each node of ``kinds`` (id → kind: nodes of a later part), each asked once."""
        by_kind: dict[str, list[str]] = {}
        for node_id, kind in kinds.items():
            if node_id not in self._held:
                by_kind.setdefault(kind, []).append(node_id)
        for kind, ids in by_kind.items():
            found = self.store._present(kind, ids) if kind not in self._absent else {}
            self._held.update((node_id, node_id in found) for node_id in ids)

    def _stale_plan(self) -> WritePlan:
        """What the store holds from the reloaded sources that no part stated again, as :func:`plan_write` treats it."""
        store, read = self.store, self.read
        stale_nodes = {i: s for i, s in store._stated_nodes(read.reloaded).items() if i not in read.kinds}
        stale_ties = {k: s for k, s in store._stated_ties(read.reloaded).items() if k not in read.ties}
        return plan_write(store.schema, GraphData(schema=store.schema), read.keys, node_kinds={}, existing_nodes={},
                          existing_ties={}, stale_nodes=stale_nodes, stale_ties=stale_ties, loaded=self.loaded)


@dataclass
class _PartsRead:
    """What :meth:`Writing.write_parts` keeps of the parts read so far: the kinds of their nodes (ends of later
    parts' ties, and the nodes stated again), the keys of their ties where a reloaded source may have left
    stale ones (``reloaded``), how many records each source states, and the new ties of a reload that end at a
    node no part had read when they were (``new_ties``: those to a node the reload deletes refuse it)."""

    keys: set[str]
    reloaded: set[str]
    kinds: dict[str, str] = field(default_factory=dict)
    ties: set[tuple[str, str, str]] = field(default_factory=set)
    nodes_stated: dict[str, int] = field(default_factory=dict)
    ties_stated: dict[str, int] = field(default_factory=dict)
    tie_count: int = 0
    new_ties: list[tuple[TieKey, list[str]]] = field(default_factory=list)

    def add(self, part: GraphData) -> None:
        self.kinds.update((node.id, node.kind) for node in part.nodes.values())
        self.tie_count += len(part.ties)
        if self.reloaded:
            self.ties.update(part.ties)
        for counts, records in ((self.nodes_stated, part.nodes.values()), (self.ties_stated, part.ties.values())):
            for key, count in _stated_by(records, self.keys).items():
                counts[key] = counts.get(key, 0) + count


def _stored_kinds(ids: set[str], stored: Mapping[str, str | None],
                  kinds_of: Callable[[Iterable[str]], dict[str, str]]) -> dict[str, str]:
    """The kinds of the nodes of ``ids`` the store holds: those ``stored`` gives (the reader found them there while
    it read the rows: a national part's 100,000 ends), the others asked of the store (``kinds_of``)."""
    found = {i: kind for i in ids if (kind := stored.get(i)) is not None}
    found.update(kinds_of(ids - found.keys()) if len(found) < len(ids) else {})
    return found


def _kinds_of_ends(part: GraphData, outside: set[str], known: ChainMap[str, str]) -> dict[str, str]:
    """The kind of every end of ``part``'s ties, in one plain dictionary (looked up twice a tie): its own nodes'
    and those of ``outside`` (ends in no node of the part) that ``known`` knows (each of its mappings asked
    for all of them at once, the last first, so that the first that knows an end gives it, as the chain would:
    a part has 100,000 ends, and a chain is asked in Python)."""
    kinds: dict[str, str] = {}
    for mapping in reversed(known.maps):
        found = outside & mapping.keys()
        kinds.update(zip(found, map(mapping.__getitem__, found)))
    kinds.update((i, node.kind) for i, node in part.nodes.items())
    return kinds


def _set_aside(plan: WritePlan) -> None:
    """Count ``plan``'s new records and let them go (a dry run in parts writes nothing)."""
    plan.created_elsewhere = {"create_nodes": sum(len(v) for v in plan.create_nodes.values()),
                              "create_ties": sum(len(v) for v in plan.create_ties.values())}
    plan.create_nodes, plan.create_ties = {}, {}


def _infer_sources(graph: GraphData) -> list[SourceInfo]:
    """Sources named by the statements of ``graph`` (no digests: each is written)."""
    seen: dict[str, SourceInfo] = {}
    for record in (*graph.nodes.values(), *graph.ties.values()):
        for s in record.provenance:
            if s["key"] not in seen:
                seen[s["key"]] = SourceInfo(SourceRef(s["key"], s["source"], s["file"]), Path(s["file"] or s["key"]), "", "")
    return list(seen.values())
