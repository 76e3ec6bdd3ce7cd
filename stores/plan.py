"""What a load changes in a store, worked out before anything is written; pure.

A store holds, for every node and tie, the statements of the sources that
state it (``provenance``). A load of some sources replaces those sources'
statements and leaves every other source's as it was:

- a record the load states and the store lacks is *created*;
- a record both have is *updated* when its statements differ, else left alone;
- a record the store has only because a reloaded source stated it before,
  and that source no longer states, is *deleted* (or updated, when other
  sources still state it).

So loading the same sources again writes nothing, and a source edited and
loaded again changes only what it says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping

from graph_model.records import GraphData, Node, Tie, combine, replace_statements
from graph_model.schema import Schema

TieKey = tuple[str, str, str]
"""A tie's identity: (type, source id, target id)."""


@dataclass
class Stored:
    """A record as the store holds it: its kind (label or type, with endpoint kinds for ties) and statements."""

    kind: str
    provenance: list[dict[str, Any]]
    ends: tuple[str, str] | None = None
    match_text: str | None = None  # a node's keys as stored: the name rules may have changed since (None: not read)


@dataclass
class WritePlan:
    """Records to create, update and delete, by kind; and how many were already as stated."""

    create_nodes: dict[str, list[Node]] = field(default_factory=dict)
    update_nodes: dict[str, list[Node]] = field(default_factory=dict)
    delete_nodes: dict[str, list[str]] = field(default_factory=dict)
    create_ties: dict[tuple[str, str, str], list[Tie]] = field(default_factory=dict)
    update_ties: dict[tuple[str, str, str], list[Tie]] = field(default_factory=dict)
    delete_ties: dict[tuple[str, str, str], list[tuple[str, str]]] = field(default_factory=dict)
    unchanged: int = 0
    loaded: str = ""
    """The load's time, given to every statement that has none yet when it is written."""
    loaded_by: str = ""
    """Who loads (``linkgraph load --as``), given with ``loaded`` to the statements written."""
    created_elsewhere: dict[str, int] = field(default_factory=dict)
    """New nodes and ties (``create_nodes``, ``create_ties``) of a load in parts that are not held here but
    written to its ``COPY`` files already (:meth:`stores.writing.Writing.write_parts`), by count."""

    def summary(self) -> dict[str, int]:
        def size(groups: Mapping[Any, list]) -> int:
            return sum(len(v) for v in groups.values())

        return {"create_nodes": size(self.create_nodes) + self.created_elsewhere.get("create_nodes", 0),
                "update_nodes": size(self.update_nodes),
                "delete_nodes": size(self.delete_nodes),
                "create_ties": size(self.create_ties) + self.created_elsewhere.get("create_ties", 0),
                "update_ties": size(self.update_ties), "delete_ties": size(self.delete_ties),
                "unchanged": self.unchanged}

    def absorb(self, part: "WritePlan") -> None:
        """Add the changes of ``part`` (a plan of one part of a load) to this plan."""
        for mine, theirs in ((self.create_nodes, part.create_nodes), (self.update_nodes, part.update_nodes),
                             (self.delete_nodes, part.delete_nodes), (self.create_ties, part.create_ties),
                             (self.update_ties, part.update_ties), (self.delete_ties, part.delete_ties)):
            for group, records in theirs.items():
                mine.setdefault(group, []).extend(records)
        for name, count in part.created_elsewhere.items():
            self.created_elsewhere[name] = self.created_elsewhere.get(name, 0) + count
        self.unchanged += part.unchanged

    @property
    def rows(self) -> int:
        return sum(v for k, v in self.summary().items() if k != "unchanged")


def plan_write(schema: Schema, graph: GraphData, keys: set[str], *, node_kinds: Mapping[str, str],
               existing_nodes: Mapping[str, Stored], existing_ties: Mapping[TieKey, Stored],
               stale_nodes: Mapping[str, Stored] = {}, stale_ties: Mapping[TieKey, Stored] = {},
               loaded: str | None = None, loaded_by: str = "") -> WritePlan:
    """The changes that make the store say what ``graph`` says for the sources ``keys``.

    ``existing_*`` are the store's records with the ids and keys ``graph``
    has; ``stale_*`` those it holds with a statement of one of ``keys`` that
    ``graph`` no longer has. ``node_kinds`` gives the kind of every endpoint
    (in ``graph`` or in the store). Statements of sources not in ``keys``
    (unchanged sources) are not written again.
    """
    plan = WritePlan(loaded=loaded or dt.datetime.now().strftime("%Y-%m-%d %H:%M"), loaded_by=loaded_by)
    _plan_nodes(plan, schema, graph, keys, existing_nodes)
    _plan_stale_nodes(plan, schema, graph, keys, stale_nodes)
    _plan_ties(plan, schema, graph, keys, node_kinds, existing_ties)
    _plan_stale_ties(plan, schema, graph, keys, stale_ties)
    return plan


def _plan_nodes(plan: WritePlan, schema: Schema, graph: GraphData, keys: set[str],
                existing_nodes: Mapping[str, Stored]) -> None:
    """The nodes ``graph`` states for ``keys``: created as they are if all new, else combined with the store's."""
    for node in graph.nodes.values():
        if not existing_nodes and _all_this_loads(node.provenance, keys):  # new, as it is (a fresh load's nodes)
            plan.create_nodes.setdefault(node.kind, []).append(node)
            continue
        mine = [s for s in node.provenance if s["key"] in keys]
        if not mine:
            continue
        old = existing_nodes.get(node.id)
        if old is None and len(mine) == len(node.provenance):  # new, and all of it this load's: as it is
            plan.create_nodes.setdefault(node.kind, []).append(node)
            continue
        statements = replace_statements(old.provenance if old else [], mine, keys)
        if old is not None and statements == old.provenance and old.match_text in (None, node.props.get("match_text")):
            plan.unchanged += 1  # (the same statements, and the same keys: else the keys are written anew)
            continue
        record = Node(node.kind, node.id, {**combine(schema.node_kind(node.kind).properties, statements, node.kind),
                                           "id": node.id})
        (plan.update_nodes if old else plan.create_nodes).setdefault(node.kind, []).append(record)


def _all_this_loads(statements: list[dict[str, Any]], keys: set[str]) -> bool:
    """Whether a record has one statement and it is of a source this load writes: new, it is created as it is
    (the common case, checked without lists: a national load has millions of records)."""
    return len(statements) == 1 and statements[0]["key"] in keys


def _plan_stale_nodes(plan: WritePlan, schema: Schema, graph: GraphData, keys: set[str],
                      stale_nodes: Mapping[str, Stored]) -> None:
    """The stored nodes ``graph`` no longer has: combined from their other sources' statements, else deleted."""
    for node_id, old in stale_nodes.items():
        if node_id in graph.nodes:
            continue
        statements = [s for s in old.provenance if s["key"] not in keys]
        if statements:
            record = Node(old.kind, node_id, {**combine(schema.node_kind(old.kind).properties, statements, old.kind),
                                              "id": node_id})
            plan.update_nodes.setdefault(old.kind, []).append(record)
        else:
            plan.delete_nodes.setdefault(old.kind, []).append(node_id)


def _plan_ties(plan: WritePlan, schema: Schema, graph: GraphData, keys: set[str], node_kinds: Mapping[str, str],
               existing_ties: Mapping[TieKey, Stored]) -> None:
    """The ties ``graph`` states for ``keys``, grouped by type and endpoint kinds, as :func:`_plan_nodes`."""
    for key, tie in graph.ties.items():
        if not existing_ties and _all_this_loads(tie.provenance, keys):  # as :func:`_plan_nodes`
            plan.create_ties.setdefault((tie.type, node_kinds[tie.source_id], node_kinds[tie.target_id]), []).append(tie)
            continue
        mine = [s for s in tie.provenance if s["key"] in keys]
        if not mine:
            continue
        group = (tie.type, node_kinds[tie.source_id], node_kinds[tie.target_id])
        old = existing_ties.get(key)
        if old is None and len(mine) == len(tie.provenance):
            plan.create_ties.setdefault(group, []).append(tie)
            continue
        statements = replace_statements(old.provenance if old else [], mine, keys)
        if old is not None and statements == old.provenance:
            plan.unchanged += 1
            continue
        record = Tie(tie.type, tie.source_id, tie.target_id, combine(schema.tie_kind(tie.type).properties, statements))
        (plan.update_ties if old else plan.create_ties).setdefault(group, []).append(record)


def _plan_stale_ties(plan: WritePlan, schema: Schema, graph: GraphData, keys: set[str],
                     stale_ties: Mapping[TieKey, Stored]) -> None:
    """The stored ties ``graph`` no longer has, as :func:`_plan_stale_nodes`."""
    for key, old in stale_ties.items():
        if key in graph.ties:
            continue
        type_, source_id, target_id = key
        group = (type_, *old.ends) if old.ends else (type_, old.kind, old.kind)
        statements = [s for s in old.provenance if s["key"] not in keys]
        if statements:
            record = Tie(type_, source_id, target_id, combine(schema.tie_kind(type_).properties, statements))
            plan.update_ties.setdefault(group, []).append(record)
        else:
            plan.delete_ties.setdefault(group, []).append((source_id, target_id))




@dataclass
class Withdrawal:
    """What withdrawing the source ``key`` does (or, for a dry run, would do): the records only it states go
    (``plan``'s deletes), those others state too stay without its statement (``plan``'s updates).

    ``stated_nodes`` and ``stated_ties`` are the records it states as the store holds them (their names and
    sources, for saying exactly what goes); ``blocked`` the ties of other sources that end at a node only this
    source states: while there are any, the withdrawal is refused (a tie never loses its end)."""

    key: str
    source: Mapping[str, Any]
    plan: WritePlan
    stated_nodes: Mapping[str, Stored]
    stated_ties: Mapping[TieKey, Stored]
    blocked: list[tuple[TieKey, list[str]]] = field(default_factory=list)
    dry_run: bool = True

    def gone_nodes(self) -> list[tuple[str, str, str]]:
        """``(kind, id, name)`` of every node that goes."""
        return [(label, node_id, stored_name(self.stated_nodes[node_id])) for label, ids in self.plan.delete_nodes.items()
                for node_id in ids]

    def kept_nodes(self) -> list[tuple[str, str, str]]:
        """``(kind, id, name)`` of every node that stays, stated by others."""
        return [(label, node.id, node.props.get("name", "")) for label, nodes in self.plan.update_nodes.items()
                for node in nodes]

    def gone_ties(self) -> list[TieKey]:
        """``(type, source id, target id)`` of every tie that goes."""
        return [(type_, src, dst) for (type_, _, _), pairs in self.plan.delete_ties.items() for src, dst in pairs]

    def kept_ties(self) -> list[TieKey]:
        """``(type, source id, target id)`` of every tie that stays, stated by others."""
        return [tie.key for ties in self.plan.update_ties.values() for tie in ties]

    def summary(self) -> dict[str, int]:
        return {"delete_nodes": len(self.gone_nodes()), "delete_ties": len(self.gone_ties()),
                "keep_nodes": len(self.kept_nodes()), "keep_ties": len(self.kept_ties()), "blocked": len(self.blocked)}


def stored_name(stored: Stored | None) -> str:
    """A stored record's name, as its first statement gives it."""
    return next((s["values"]["name"] for s in (stored.provenance if stored else []) if s.get("values", {}).get("name")), "")


def plan_withdrawal(schema: Schema, key: str, stated_nodes: Mapping[str, Stored],
                    stated_ties: Mapping[TieKey, Stored]) -> WritePlan:
    """The changes that take the source ``key`` out of the records it states: what it alone states is deleted,
    the rest combined again from the other sources' statements (a load of ``key`` that states nothing)."""
    return plan_write(schema, GraphData(schema=schema), {key}, node_kinds={}, existing_nodes={}, existing_ties={},
                      stale_nodes=stated_nodes, stale_ties=stated_ties)
