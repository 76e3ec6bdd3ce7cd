"""A store's sources as things a team manages: who loaded each, when, what it states and alone states; and
withdrawing one.

Withdrawing a source is a load of that source that states nothing (:func:`stores.plan.plan_withdrawal`):
what only it states is deleted, what others state too stays, its values combined again from their
statements; the registry forgets it, all in the same transaction as any load (``_apply``). A tie of
another source that ends at a node only the withdrawn source states would lose its end: such a withdrawal
is refused, naming the ties.
"""

from __future__ import annotations

from typing import Any

from graph_model.names import match_key
from graph_model.records import InputError, Problem
from queries import statements
from queries.catalog import QueryError
from stores.batches import Progress, batches
from stores.plan import Withdrawal, WritePlan, plan_withdrawal, stored_name


class Sources:
    """The sources part of :class:`stores.base.Store` (it reads through the store's ``run`` and
    ``loaded_sources`` and writes through its ``_apply``)."""

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
        known = "; ".join(f"{row['title']} ({row['key']})" for row in rows) or "无 / none"
        what = "名称对应多个来源" if found else "库中没有该来源"
        raise QueryError(f"{what} / {'several sources are' if found else 'no source is'} named {name!r}; "
                         f"来源 sources: {known}")

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


def dangling_problem(tie: tuple[str, str, str], keys: list[str], plan: WritePlan, loading: set[str]) -> Problem:
    """Why a load cannot go ahead: a tie other sources state (and the load keeps) ends at a node the load would
    delete, as the reloaded ``loading`` sources no longer state it (deleting it would take the tie with it)."""
    type_, src, dst = tie
    gone = [i for i in (src, dst) if any(i in ids for ids in plan.delete_nodes.values())]
    names, mine = ", ".join(gone), ", ".join(sorted(loading))
    others = ", ".join(k for k in keys if k not in loading)
    if not others:  # a tie only sources of this load state (a new one): it is taken out of them, not loaded
        stated = ", ".join(keys)
        hint = f"在 {mine} 中保留它，或从 {stated} 中去掉该关系 / keep it in {mine}, or take the tie out of {stated}"
    else:
        hint = f"在 {mine} 中保留它，或同时载入去掉该关系的 {others} / keep it in {mine}, or load {others} without the tie too"
    return Problem(None, f"来源 {others or ', '.join(keys)} 的关系 {type_} {src}→{dst} 需要节点 {names}，本次载入的 {mine} "
                         f"已不再记载它 / a {type_} tie stated by {others or ', '.join(keys)} ends at {names}, which {mine} "
                         "no longer states", hint)


def _blocking_problem(withdrawal: Withdrawal, tie: tuple[str, str, str], keys: list[str]) -> Problem:
    """Why a withdrawal cannot go ahead: a tie other sources state ends at a node only this source states."""
    type_, src, dst = tie
    ends = [i for i in (src, dst) if any(i in ids for ids in withdrawal.plan.delete_nodes.values())]
    names = ", ".join(f"{i} {stored_name(withdrawal.stated_nodes.get(i))}".strip() for i in ends)
    others = ", ".join(k for k in keys if k != withdrawal.key)
    return Problem(None, f"来源 {others} 的关系 {type_} {src}→{dst} 需要只有本来源记载的节点 {names} / a {type_} tie stated by "
                         f"{others} ends at {names}, which only {withdrawal.key} states",
                   f"请先撤回 {others}，或载入记载这些节点的来源 / withdraw {others} first, or load a source that "
                   f"states {names}")
