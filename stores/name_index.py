"""The embedded store's index of names: one ``NameKey`` row per match key, listing the nodes that have it.

LadybugDB indexes a table's primary key and nothing else, so a search by name read the ``match_text`` of
every node of every table (0.27 s nationally, cold). The index is a node table whose primary key is a match
key (each ``|key|`` of a node's ``match_text``, :func:`graph_model.names.match_text`) and whose ``nodes`` are
the nodes one of whose names has it, as ``Label:id``: a search by name is one key lookup, whatever the size
of the store (:meth:`stores.embedded.EmbeddedStore._named_rows`).

Every write of the embedded store keeps it, in the same copy of the store file and the same transaction as
the rest of the write (``EmbeddedStore._apply``: loads, ``--replace``, a source's withdrawal, uploads): so a
failed or killed write leaves index and nodes as they were, together. An index that is empty (or absent: a
store written by an older linkgraph) is built whole from the nodes' ``match_text`` after the write, inside
LadybugDB (:func:`queries.statements.export_name_index`, then ``COPY``); otherwise only the keys of the nodes the write deletes, updates or creates
change (:func:`changed_lists`). Readers of a store without the index search every table as before.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Sequence

from queries import statements
from stores.batches import batches
from stores.plan import WritePlan

Rows = Callable[[str, Mapping[str, Any] | None], list[dict[str, Any]]]
"""Runs one statement in the copy a write is building and returns its rows."""


def entry(label: str, node_id: str) -> str:
    """A node as the index lists it: ``Village:610828103224`` (labels are identifiers, so the first ``:`` ends it)."""
    return f"{label}:{node_id}"


def split_entry(text: str) -> tuple[str, str]:
    """``(label, id)`` of an :func:`entry`."""
    label, _, node_id = text.partition(":")
    return label, node_id


def keys_of(match_text: str | None) -> list[str]:
    """The match keys of a ``match_text`` (``|核桃树墕村|核桃树墕|`` → the two keys)."""
    return [key for key in (match_text or "").split("|") if key]


def changed_lists(current: Mapping[str, Sequence[str]], before: Mapping[str, Iterable[str]],
                  after: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """The new lists of the keys a write touches (an empty list: the key goes). ``current`` holds the index's
    lists of those keys; ``before`` and ``after`` the keys of each node (an :func:`entry`) the write deletes,
    updates or creates, before and after it (a deleted node is not in ``after``, a new one not in ``before``).

    >>> changed_lists({"a": ["V:1", "V:2"], "b": ["V:1"]}, {"V:1": ["a", "b"]}, {"V:1": ["a", "c"], "T:9": ["c"]})
    {'b': [], 'c': ['T:9', 'V:1']}
    """
    lists: dict[str, set[str]] = {}
    for node in before.keys() | after.keys():
        old, new = set(before.get(node, ())), set(after.get(node, ()))
        for key in old - new:
            lists.setdefault(key, set(current.get(key, ()))).discard(node)
        for key in new - old:
            lists.setdefault(key, set(current.get(key, ()))).add(node)
    return {key: sorted(nodes) for key, nodes in sorted(lists.items())}  # (in key order, whatever the hash seed)


class IndexUpdate:
    """Keeps the index of names through one write into a copy of the store (``EmbeddedStore._apply``):
    :meth:`read_before` runs before the write's statements (what the index and the nodes it changes hold),
    :meth:`write_after` after them."""

    def __init__(self, plan: WritePlan, created: Mapping[str, str] | None = None):
        self.plan = plan
        self.created = created or {}
        """The ``match_text`` of new nodes the plan does not hold (a load in parts: :mod:`stores.copy_spool`)."""
        self.rebuild = True
        self.before: dict[str, list[str]] = {}

    def read_before(self, rows: Rows) -> None:
        """Whether the copy has an index with keys (else it is built whole after the write), and the keys of
        the nodes the write deletes or updates."""
        tables = {row["name"] for row in rows(statements.ladybug_tables(), None)}
        self.rebuild = (statements.NAME_INDEX not in tables
                        or rows(statements.count_name_keys(), None)[0]["count"] == 0)
        if self.rebuild:
            return
        changing = [(label, ids) for label, ids in self.plan.delete_nodes.items()]
        changing += [(label, [node.id for node in nodes]) for label, nodes in self.plan.update_nodes.items()]
        for label, ids in changing:
            for chunk in batches(ids):
                for row in rows(statements.node_match_texts(label), {"ids": list(chunk)}):
                    self.before[entry(label, row["id"])] = keys_of(row["match_text"])

    def _keys_after(self) -> dict[str, list[str]]:
        """The keys of every node the write updates or creates (:func:`entry` → keys), as it leaves them."""
        after = {entry(label, node.id): keys_of(node.props.get("match_text"))
                 for groups in (self.plan.update_nodes, self.plan.create_nodes)
                 for label, nodes in groups.items() for node in nodes}
        after.update((node, keys_of(text)) for node, text in self.created.items())
        return after

    def write_after(self, rows: Rows, execute: Callable[[str, Mapping[str, Any] | None], Any],
                    create: Callable[[list[dict[str, Any]]], None], build: Callable[[], None]) -> None:
        """Bring the index in line with the nodes the write left: built whole from their ``match_text``
        (``build``), or the touched keys' lists changed, removed (no node has the key any more) or added
        (``create``)."""
        if self.rebuild:
            build()
            return
        after = self._keys_after()
        touched = sorted({key for keys in (*self.before.values(), *after.values()) for key in keys})
        current = {row["key"]: row["nodes"] for chunk in batches(touched)
                   for row in rows(statements.name_keys_listed(), {"keys": list(chunk)})}
        lists = changed_lists(current, self.before, after)
        gone = [key for key, nodes in lists.items() if not nodes and key in current]
        kept = [{"key": key, "nodes": nodes} for key, nodes in lists.items() if nodes and key in current]
        for chunk in batches(gone):
            execute(statements.delete_name_keys(), {"keys": list(chunk)})
        for chunk in batches(kept):
            execute(statements.set_name_keys(), {"rows": list(chunk)})
        create([{"key": key, "nodes": nodes} for key, nodes in lists.items() if nodes and key not in current])


def index_from_nodes(rows: Rows, labels: Iterable[str]) -> dict[str, list[str]]:
    """The index the nodes' ``match_text`` implies, read from the store (what the index must equal)."""
    index: dict[str, set[str]] = {}
    for label in labels:
        for row in rows(statements.all_match_texts(label), None):
            for key in keys_of(row["match_text"]):
                index.setdefault(key, set()).add(entry(label, row["id"]))
    return {key: sorted(nodes) for key, nodes in sorted(index.items())}
