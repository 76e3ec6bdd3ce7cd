"""A store's names: a name, alias or id resolved to its one node or unit, and named queries bound to them.

A misspelt or shared name is an error that lists the candidates (with their
towns), never an empty answer. Places are decided by the one resolver,
:func:`graph_model.places.resolve_place`.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Sequence

from graph_model.names import match_key, place_key, similar_names
from graph_model.places import PlaceRef, RosterIndex, parent_code, resolve_place
from graph_model.records import InputError, Node
from queries import statements
from queries.catalog import PLACED_NOWHERE, QueryError, get_query



def containing(value: str, spellings: Iterable[str], n: int = 3) -> list[str]:
    """The ``n`` shortest of ``spellings`` that hold all of ``value`` (by match key): a short name typed for a
    long one (廉桥药都 for 湖南廉桥药都中药材有限公司), which a similarity of the whole names rates too low to list.

    >>> containing("廉桥药都", ["湖南廉桥药都中药材有限公司", "廉桥村", "药都"])
    ['湖南廉桥药都中药材有限公司']
    """
    key = match_key(value)
    if len(key) < 2:
        return []
    return sorted((s for s in spellings if key in match_key(s) and match_key(s) != key), key=len)[:n]

class Naming:
    """Name resolution and named queries for :class:`stores.base.Store`."""

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
                bound[param.name] = self.place_code(value)
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
        """:meth:`resolve`, with the label of the node found; kept for the next question when the store
        cannot change under this handle (:meth:`_fixed`: a shell's or a session's planner asks about the
        same organizations again, and each search by name reads every node's names, 0.2-0.3 s nationally)."""
        kept = self.__dict__.setdefault("_names_found", {}) if self._fixed() else None
        if kept is not None and (kind, value) in kept:
            return kept[(kind, value)]
        found = self._searched(kind, value)
        if kept is not None:
            kept[(kind, value)] = found
        return found

    def _fixed(self) -> bool:
        """Whether what this handle reads cannot change while it is open (an embedded store opened
        read-only reads the file as it was opened, whatever a load puts in its place)."""
        return False

    def _searched(self, kind: str, value: str) -> tuple[str, str]:
        """:meth:`_resolved` without what was kept. An id names its node alone: a value that may be one is
        looked up first, by key in each table, the table its NBS code implies first (milliseconds nationally,
        where the search by name reads every node's names: 0.3 s). A value with Chinese characters is
        searched by name at once (the search finds an id too, which then wins): ids of such values were
        looked up in vain, 12 statements of a query's start."""
        labels = self.schema.node_labels if kind == "any" else (self.schema.node_kind(kind).label,)
        if not has_chinese(value):
            guessed = self.schema.kind_of_code(value)
            ordered = sorted(labels, key=lambda label: label != guessed)
            by_id = next((label for label in ordered if self._present(label, [value])), None)
            if by_id:
                return by_id, value
        found = self._named_rows(labels, value, match_key(value), statements.nodes_named, statements.nodes_with_ids)
        found = [(label, row) for label, row in found if row["id"] == value] or found
        if not found:
            what = self.schema.node_kind(kind).zh if kind != "any" else "节点 node"
            raise QueryError(f"找不到名为“{value}”的{what} / no {what} named {value!r}; 相近 similar: "
                             f"{self._similar(value, labels)}")
        if len(found) > 1:
            raise QueryError(f"“{value}”对应 {len(found)} 个节点，请改用标识 / {value!r} names {len(found)} nodes, give "
                             f"the id: {self._described(found)}")
        label, row = found[0]
        return label, row["id"]

    def _named_rows(self, labels: Sequence[str], value: str, key: str, found_by_scan: Callable[[str], str],
                    found_by_ids: Callable[[str], str]) -> list[tuple[str, dict[str, Any]]]:
        """The nodes of ``labels`` whose id is ``value`` or one of whose names has the match key ``key``, as
        ``(label, row)``, by label and id: each table searched (``found_by_scan(label)``, e.g.
        :func:`queries.statements.nodes_named`). The embedded store looks the key up in its index of names
        instead and reads the nodes it lists (``found_by_ids(label)``, the same columns)."""
        params = {"value": value, "key": f"|{key}|"}
        return [(label, row) for label in labels for row in self.run(found_by_scan(label), params)]

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
        rows = {spellings[s]["id"]: spellings[s] for s in [*containing(value, spellings), *similar_names(value, spellings)]}
        return "; ".join(f"{row['name']} ({node_id})" for node_id, row in list(rows.items())[:5]) or "无 / none"

    def _units_named(self, labels: Sequence[str], value: str, key: str) -> list[Node]:
        """The administrative units of ``labels`` whose id is ``value`` or one of whose names has the key ``key``."""
        return [Node(label, row["id"], {k: v for k, v in row.items() if v is not None}) for label, row
                in self._named_rows(labels, value, key, statements.units_named, statements.units_with_ids)]

    def place_code(self, value: str) -> str:
        """The code of the administrative unit ``value`` names: a code (returned as it is), a name or a
        spelling of one, as :func:`graph_model.places.resolve_place` (the one resolver) decides among the
        units whose names match. Raises :class:`QueryError` when no unit or several match."""
        if value.isdigit():
            return value
        labels = self.schema.administrative_kinds
        candidates = self._units_named(labels, value, match_key(value)) or [  # 大化县 for 大化瑶族自治县: by place key
            node for label in labels if (key := place_key(value, label)) != match_key(value)
            for node in self._units_named((label,), value, key)]
        if not candidates:
            raise QueryError(f"找不到名为“{value}”的区划 / no administrative unit named {value!r}; 相近 similar: "
                             f"{self._similar(value, labels)} (提示 hint: 按名册写法填写区划名称或代码，组织的周边用 "
                             "--around / a unit's name as the roster spells it, or its NBS code; for an organization's "
                             "neighbourhood use --around)")
        # with their towns and counties, so that same-named units are told apart (店镇西山村, 通镇崔家西山村)
        parents = {parent_code(n.id, self.schema) for n in candidates} - {None, *(n.id for n in candidates)}
        try:
            return resolve_place(RosterIndex([*candidates, *self._units_of(parents)], self.schema),
                                 PlaceRef(None, value)).node.id
        except InputError as err:  # the resolver's account, as the queries' error
            raise QueryError(err.problems[0].message) from None


def has_chinese(text: str) -> bool:
    """Whether ``text`` holds a CJK character (names do; ids of NBS codes and of tables rarely)."""
    return any("\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003134f" for ch in text)
