"""Nodes, ties and the graph they make, checked against the schema; pure.

Loaders build :class:`Node` and :class:`Tie` records with :func:`make_node` and
:func:`make_tie`, which coerce raw values (text from a CSV cell, YAML scalars)
to the declared property types and report every problem with the place in the
source it came from. :class:`GraphData` collects the records, merges repeated
mentions of one node, and :meth:`GraphData.problems` checks that every tie
joins existing nodes of kinds its tie kind allows.

>>> from graph_model.schema import default_schema
>>> s = default_schema()
>>> g = GraphData()
>>> g.add_node(make_node(s, "Town", {"id": "610828105", "name": "通镇", "source": "NBS"}))
>>> g.add_node(make_node(s, "Village", {"id": "610828105236", "name": "崔家西山村", "source": "NBS"}))
>>> g.add_tie(make_tie(s, "PART_OF", "610828105236", "610828105", {"source": "NBS", "evidence": "row 9"}))
>>> g.problems(s)
[]
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Iterator, Mapping

from graph_model.schema import Property, Schema, SchemaError

_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_LIST_SEPARATORS = re.compile(r"[;；、|]")
_TRUE = {"true", "yes", "y", "1", "是", "对", "√"}
_FALSE = {"false", "no", "n", "0", "否", "不是", "×"}


@dataclass(frozen=True)
class Origin:
    """Where a value came from: file, and where known sheet, row and column.

    ``key_rows`` gives the row of each field where a record spans several
    lines (a YAML mapping), so that :meth:`at` points at the field's own line.
    """

    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    key_rows: tuple[tuple[str, int], ...] = ()

    def at(self, column: str) -> "Origin":
        return replace(self, column=column, row=dict(self.key_rows).get(column, self.row))

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, where it is, and how to fix it."""

    origin: Origin | None
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.origin}: " if self.origin else ""
        hint = f" (hint 提示: {self.hint})" if self.hint else ""
        return f"{where}{self.message}{hint}"


class InputError(ValueError):
    """The input cannot be loaded; carries every problem found, first one first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        if not self.problems:
            raise ValueError("InputError needs at least one problem")
        more = len(self.problems) - 1
        super().__init__(str(self.problems[0]) + (f" (and {more} more problems / 另有 {more} 处问题)" if more else ""))


@dataclass(frozen=True)
class Node:
    """A node: its kind (label), stable id and typed property values."""

    kind: str
    id: str
    props: Mapping[str, Any]
    origin: Origin | None = None

    @property
    def name(self) -> str:
        return self.props["name"]


@dataclass(frozen=True)
class Tie:
    """A directed tie of one kind from node ``source_id`` to node ``target_id``."""

    type: str
    source_id: str
    target_id: str
    props: Mapping[str, Any]
    origin: Origin | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.type, self.source_id, self.target_id)


def coerce_value(prop: Property, value: Any) -> Any:
    """Convert a raw value to the property's type; ``None`` for blank input.

    Raises ``ValueError`` with a readable message when the value does not fit.

    >>> from graph_model.schema import Property
    >>> coerce_value(Property("aliases", "string_list", "别名", "Aliases"), "贺寨酒业；陕西贺寨酒业公司")
    ['贺寨酒业', '陕西贺寨酒业公司']
    >>> coerce_value(Property("start", "date", "开始", "Start"), 2022)
    '2022'
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    kind = prop.type
    if kind == "string":
        result: Any = str(value).strip()
    elif kind == "int":
        if isinstance(value, bool):
            raise ValueError(f"expected a whole number, got {value!r} / 应为整数")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        try:
            result = int(str(value).strip())
        except ValueError:
            raise ValueError(f"expected a whole number, got {value!r} / 应为整数") from None
    elif kind == "float":
        try:
            result = float(str(value).strip())
        except ValueError:
            raise ValueError(f"expected a number, got {value!r} / 应为数字") from None
    elif kind == "bool":
        if isinstance(value, bool):
            result = value
        elif str(value).strip().lower() in _TRUE:
            result = True
        elif str(value).strip().lower() in _FALSE:
            result = False
        else:
            raise ValueError(f"expected yes/no (是/否), got {value!r} / 应为是或否")
    elif kind == "string_list":
        items = value if isinstance(value, (list, tuple)) else _LIST_SEPARATORS.split(str(value))
        result = [str(v).strip() for v in items if v is not None and str(v).strip()]
    elif kind == "date":
        if isinstance(value, dt.datetime):
            value = value.date()
        text = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
        if not _DATE.match(text):
            raise ValueError(f"expected a date YYYY, YYYY-MM or YYYY-MM-DD, got {value!r} / 日期格式应为 YYYY-MM-DD")
        result = text
    elif kind == "json":
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as err:
                raise ValueError(f"expected JSON, got {value!r}: {err.msg} / 应为 JSON") from None
        result = json.dumps(value, ensure_ascii=False)
    else:  # pragma: no cover - the schema parser admits only the types above
        raise SchemaError(f"unknown property type {kind!r}")
    if prop.enum and result not in prop.enum:
        raise ValueError(f"expected one of {', '.join(prop.enum)}, got {result!r} / 取值不在允许范围内")
    return result


def _coerce_props(
    properties: tuple[Property, ...], values: Mapping[str, Any], origin: Origin | None, what: str
) -> tuple[dict[str, Any], list[Problem]]:
    known = {p.name: p for p in properties if p.derived_from is None}
    problems = [
        Problem(origin.at(name) if origin else None, f"{what} has no property {name!r} / 未定义的属性",
                f"allowed: {', '.join(known)}")
        for name in values
        if name not in known
    ]
    props: dict[str, Any] = {}
    for prop in properties:
        if prop.derived_from is not None:
            source = props.get(prop.derived_from)
            if source is not None:
                props[prop.name] = int(source[:4])
            continue
        try:
            value = coerce_value(prop, values.get(prop.name))
        except ValueError as err:
            problems.append(Problem(origin.at(prop.name) if origin else None, str(err)))
            continue
        if value is None and prop.required:
            problems.append(Problem(origin.at(prop.name) if origin else None,
                                    f"{prop.label} is required / 必填项为空"))
        elif value is not None:
            props[prop.name] = value
    return props, problems


def make_node(schema: Schema, kind: str, values: Mapping[str, Any], origin: Origin | None = None) -> Node:
    """A validated node of ``kind`` from raw ``values`` (which include ``id``).

    Raises :class:`InputError` listing every problem with the values.
    """
    try:
        node_kind = schema.node_kind(kind)
    except SchemaError as err:
        raise InputError([Problem(origin, str(err))]) from None
    props, problems = _coerce_props(node_kind.properties, values, origin, f"{kind} ({node_kind.zh})")
    if problems:
        raise InputError(problems)
    return Node(kind=kind, id=props["id"], props=props, origin=origin)


def make_tie(
    schema: Schema, type_: str, source_id: str, target_id: str,
    values: Mapping[str, Any], origin: Origin | None = None,
) -> Tie:
    """A validated tie; endpoint kinds are checked later by :meth:`GraphData.problems`."""
    try:
        tie_kind = schema.tie_kind(type_)
    except SchemaError as err:
        raise InputError([Problem(origin, str(err))]) from None
    props, problems = _coerce_props(tie_kind.properties, values, origin, f"{type_} ({tie_kind.zh})")
    if problems:
        raise InputError(problems)
    return Tie(type=type_, source_id=str(source_id), target_id=str(target_id), props=props, origin=origin)


# Properties where two mentions add up rather than contradict: two sources, two quotes.
_JOINED = ("source", "evidence")


def _merge_props(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Union of two mentions' properties: lists and sources joined, conflicts named."""
    merged = dict(old)
    conflicts = []
    for name, value in new.items():
        current = merged.get(name)
        if current is None or current == value:
            merged[name] = value
        elif isinstance(current, list):
            merged[name] = current + [v for v in value if v not in current]
        elif name in _JOINED:
            merged[name] = "; ".join(dict.fromkeys([*current.split("; "), *value.split("; ")]))
        else:
            conflicts.append(f"{name}: {current!r} vs {value!r}")
    return merged, conflicts


@dataclass
class GraphData:
    """Nodes by id and ties by (type, source, target), in the order first seen.

    A node or tie mentioned twice (a roster village that a case file adds an
    alias to) is merged; contradicting values are kept as problems.
    """

    nodes: dict[str, Node] = field(default_factory=dict)
    ties: dict[tuple[str, str, str], Tie] = field(default_factory=dict)
    merge_problems: list[Problem] = field(default_factory=list)

    def add_node(self, node: Node) -> None:
        old = self.nodes.get(node.id)
        if old is None:
            self.nodes[node.id] = node
            return
        if old.kind != node.kind:
            self.merge_problems.append(Problem(node.origin, f"id {node.id!r} is a {old.kind} at {old.origin}, "
                                               f"not a {node.kind} / 同一标识对应不同类型",
                                               "give each node a unique id"))
            return
        props, conflicts = _merge_props(old.props, node.props)
        for conflict in conflicts:
            self.merge_problems.append(Problem(node.origin, f"{node.id} contradicts {old.origin}: {conflict} / 与先前记录矛盾"))
        self.nodes[node.id] = replace(old, props=props)

    def add_tie(self, tie: Tie) -> None:
        old = self.ties.get(tie.key)
        if old is None:
            self.ties[tie.key] = tie
            return
        props, conflicts = _merge_props(old.props, tie.props)
        for conflict in conflicts:
            self.merge_problems.append(Problem(tie.origin, f"{tie.type} {tie.source_id}->{tie.target_id} contradicts "
                                               f"{old.origin}: {conflict} / 与先前记录矛盾"))
        self.ties[tie.key] = replace(old, props=props)

    def extend(self, other: "GraphData") -> None:
        for node in other.nodes.values():
            self.add_node(node)
        for tie in other.ties.values():
            self.add_tie(tie)
        self.merge_problems.extend(other.merge_problems)

    def problems(self, schema: Schema) -> list[Problem]:
        """Merge conflicts, ties to missing nodes, and ties between kinds the schema does not allow."""
        found = list(self.merge_problems)
        for tie in self.ties.values():
            ends = [self.nodes.get(tie.source_id), self.nodes.get(tie.target_id)]
            missing = [i for i, n in zip((tie.source_id, tie.target_id), ends) if n is None]
            if missing:
                found.append(Problem(tie.origin, f"{tie.type} refers to unknown node {', '.join(missing)} / 引用了不存在的节点"))
                continue
            source, target = ends
            if not schema.tie_kind(tie.type).allows(source.kind, target.kind):
                allowed = ", ".join(f"{s}->{d}" for s, d in schema.tie_kind(tie.type).endpoints)
                found.append(Problem(tie.origin, f"{tie.type} cannot join {source.kind} {source.name} to "
                                     f"{target.kind} {target.name} / 该关系不允许连接这两类节点", f"allowed: {allowed}"))
        return found

    def nodes_of(self, kind: str) -> Iterator[Node]:
        return (n for n in self.nodes.values() if n.kind == kind)

    def tie_groups(self) -> dict[tuple[str, str, str], list[Tie]]:
        """Ties grouped by (type, source kind, target kind): one bulk statement each."""
        groups: dict[tuple[str, str, str], list[Tie]] = {}
        for tie in self.ties.values():
            key = (tie.type, self.nodes[tie.source_id].kind, self.nodes[tie.target_id].kind)
            groups.setdefault(key, []).append(tie)
        return groups

    def counts(self) -> dict[str, int]:
        """Number of nodes per kind and ties per type (only kinds present)."""
        counts: dict[str, int] = {}
        for node in self.nodes.values():
            counts[node.kind] = counts.get(node.kind, 0) + 1
        for tie in self.ties.values():
            counts[tie.type] = counts.get(tie.type, 0) + 1
        return counts


def node_row(schema: Schema, node: Node) -> dict[str, Any]:
    """Every declared column of the node's kind, ``None`` where unset."""
    return {p.name: node.props.get(p.name) for p in schema.node_kind(node.kind).properties}


def tie_row(schema: Schema, tie: Tie) -> dict[str, Any]:
    """The tie's endpoints as ``src``/``dst`` and every declared column."""
    row = {p.name: tie.props.get(p.name) for p in schema.tie_kind(tie.type).properties}
    return {"src": tie.source_id, "dst": tie.target_id, **row}
