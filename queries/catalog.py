"""The catalog of named, parameterized queries (``catalog.yaml``).

A :class:`NamedQuery` knows its parameters, checks and converts the values a
user gives (text from the command line, Python values from a notebook),
renders its Cypher for one backend, and puts the rows in their final form:
JSON columns parsed, lists sorted where engines differ, rows ordered.
Rendering only expands the dialect macros; values always travel as parameters.

>>> q = default_catalog()["ties_started_in"]
>>> q.bind({"year": "2022"})
{'year': 2022}
>>> "labels(a)[0]" in q.cypher("neo4j"), "label(a)" in q.cypher("ladybug")
(True, True)
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, Mapping

from graph_model.names import match_key
from graph_model.places import told_apart
from graph_model.records import parse_int, period_end
from graph_model.schema import default_schema, packaged_yaml
from queries.statements import BACKENDS

_MACROS = {
    "neo4j": {"KIND": "labels({})[0]", "TYPE": "type({})"},
    "ladybug": {"KIND": "label({})", "TYPE": "label({})"},
}
_MACRO = re.compile(r"\b(KIND|TYPE)\((\w+)\)")
_TIES = re.compile(r"\bTIES\(([\w\s,]+)\)")
_NULL = re.compile(r"\bNULL_AS\((\w+)\)")
_LABEL_OF = re.compile(r":LABEL_OF\((\w+)\)")
_WITHIN = re.compile(r"\bWITHIN\((\w+)\)")
_ROLE = re.compile(r"\bROLE\((\w+)\)")
PLACED_NOWHERE = "placed_nowhere"
"""The parameter the store adds to a query that says ``WITHIN(n)``: the organizations placed nowhere that lie
in the unit ``$within`` (:meth:`stores.base.Store.unplaced_within`; empty in Neo4j Browser, which has no
such store: there ``within`` takes the nodes whose code or place lies in the unit)."""
_WITHIN_TEXT = {
    "neo4j": "({0}.id STARTS WITH $within OR coalesce({0}.place STARTS WITH $within, false) OR {0}.id IN $placed_nowhere)",
    "ladybug": "({0}.id STARTS WITH $within OR coalesce({0}.place STARTS WITH $within, false) "
               "OR list_contains(CAST($placed_nowhere AS STRING[]), {0}.id))",
}
_LADYBUG_PARAM_TYPES = {"string": "STRING", "int": "INT64", "date": "STRING"}
EXAMPLE_CYPHER = "MATCH (t:Town) RETURN count(*) AS towns"
"""An ad hoc read-only query to show in help texts (``linkgraph shell``)."""
CYPHER_CLAUSES = frozenset({"MATCH", "OPTIONAL", "RETURN", "WITH", "UNWIND", "CALL", "CREATE", "MERGE", "DELETE",
                            "DETACH", "SET", "REMOVE", "FOREACH", "LOAD", "COPY", "DROP", "ALTER", "EXPLAIN",
                            "PROFILE", "USE", "SHOW"})
"""A line that starts with one of these words is ad hoc Cypher (no named query is called so): the store's guard
answers it, and refuses what would write."""


class QueryError(ValueError):
    """A query name or parameter value the catalog cannot accept."""


@dataclass(frozen=True)
class Param:
    """A query parameter. ``refers_to`` names the node kind (or ``any``) whose name, alias or id the
    value must be (the store resolves it to one id), or is ``place``: an administrative unit by code or name
    (resolved to its code, the prefix of every code inside it); ``match`` turns the value into the name
    matcher's key."""

    name: str
    type: str
    zh: str
    en: str
    required: bool = False
    example: Any = None
    refers_to: str | None = None
    match: bool = False
    default: Any = None
    min: int | None = None
    max: int | None = None

    def convert(self, value: Any) -> Any:
        """The value as the query takes it, checked; ``None`` for a blank optional value."""
        if value is None or value == "":
            return self.default
        if self.match:
            return match_key(str(value))
        if self.type == "int":
            try:
                number = parse_int(value)
            except ValueError:
                raise QueryError(f"参数 {self.name} 应为整数 / parameter {self.name} must be a whole number, got {value!r}") from None
            if self.min is not None and number < self.min or self.max is not None and number > self.max:
                raise QueryError(f"参数 {self.name} 应在 {self.min} 到 {self.max} 之间 / parameter {self.name} must be {self.min} to {self.max}, got {number}")
            return number
        if self.type == "date":  # the last day of the period given, as the report's --as-of: 2023 is 2023-12-31
            try:
                return period_end(value).isoformat()
            except ValueError as err:
                raise QueryError(f"参数 {self.name} 有误 / parameter {self.name}: {err}") from None
        return str(value)


@dataclass(frozen=True)
class Column:
    """A returned column: its Chinese label, and how its values read (``kind``, ``tie``, ``json``,
    ``list``, ``path``, or a mapping of codes to labels)."""

    name: str
    zh: str
    shows: str | Mapping[str, str] | None = None


@dataclass(frozen=True)
class NamedQuery:
    name: str
    zh: str
    en: str
    params: tuple[Param, ...]
    texts: Mapping[str, str]
    columns: tuple[Column, ...] = ()
    sort: tuple[str, ...] = ()
    sorted_lists: tuple[str, ...] = ()
    told_apart: tuple[str, ...] = ()
    """Columns of places, each ``[id, name, town]``, shown by their names, told apart by their towns where two
    share a name (:func:`graph_model.places.told_apart`, the one rule of names shown)."""
    rank: Mapping[str, str] | None = None

    @property
    def places_unplaced(self) -> bool:
        """Whether the query takes a unit's nodes with ``WITHIN(n)`` (the store then binds
        :data:`PLACED_NOWHERE`)."""
        return any(_WITHIN.search(text) for text in self.texts.values())

    @property
    def text(self) -> str:
        """The catalog's text (the LadybugDB one where the backends differ), macros unexpanded."""
        return self.texts.get("ladybug") or self.texts["both"]

    def cypher(self, backend: str, labels: Mapping[str, str] | None = None) -> str:
        """The query text for ``backend`` (``neo4j`` or ``ladybug``).

        LadybugDB infers a parameter's type from its value, and a null has no
        type, so there every parameter is cast to its declared type.
        ``(o:LABEL_OF(org))`` becomes ``(o:Village)`` when ``labels`` gives the
        kind of the node parameter ``org`` names (the store knows it once it has
        resolved the name), else ``(o)``: LadybugDB starts a path search from a
        labelled node by its key, and from an unlabelled one by a scan of every
        table (0.01 against 0.3 s on the national store).
        """
        if backend not in BACKENDS:
            raise QueryError(f"unknown backend {backend!r}")
        macros = _MACROS[backend]
        text = self.texts.get(backend) or self.texts["both"]
        text = _LABEL_OF.sub(lambda m: f":{labels[m.group(1)]}" if labels and m.group(1) in labels else "", text)
        text = _MACRO.sub(lambda m: macros[m.group(1)].format(m.group(2)), text)
        text = _WITHIN.sub(lambda m: _WITHIN_TEXT[backend].format(m.group(1)), text)
        text = _TIES.sub(lambda m: tie_types(*(c.strip() for c in m.group(1).split(","))), text)
        text = _ROLE.sub(lambda m: f"'{default_schema().role_kind(m.group(1))}'", text)
        text = _NULL.sub(lambda m: f"CAST(NULL AS {m.group(1)})" if backend == "ladybug" else "null", text)
        if backend == "ladybug":
            for p in self.params:
                text = re.sub(rf"\${p.name}\b", f"CAST(${p.name} AS {_LADYBUG_PARAM_TYPES[p.type]})", text)
        return text

    def bind(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Checked, converted parameters: every declared one present (its default if unset)."""
        known = {p.name for p in self.params}
        unknown = sorted(set(values) - known)
        if unknown:
            raise QueryError(f"{self.name} 无此参数 {', '.join(unknown)} / {self.name} has no parameter "
                             f"{', '.join(unknown)}; 可用参数 it takes: {', '.join(known) or '无 / none'}")
        bound = {}
        for p in self.params:
            value = p.convert(values.get(p.name))
            if value is None and p.required:
                raise QueryError(f"{self.name} 缺少参数 {p.name}（{p.zh}）/ {self.name} needs parameter {p.name}, "
                                 f"e.g. {p.name}={p.example}")
            bound[p.name] = value
        return bound

    def finish(self, rows: list[dict[str, Any]], bound: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Rows as answers: JSON columns as mappings, lists sorted where asked, in the declared order."""
        json_columns = [c.name for c in self.columns if c.shows == "json"]
        for row in rows:
            for name in json_columns:
                if isinstance(row.get(name), str):
                    row[name] = json.loads(row[name])
            for name in self.told_apart:
                if isinstance(row.get(name), list):
                    row[name] = told_apart(row[name])
            for name in self.sorted_lists:
                if isinstance(row.get(name), list):
                    row[name] = sorted(row[name])
        if self.rank and bound:
            return _ranked(rows, self.rank["column"], bound[self.rank["by"]])
        return self.order(rows)

    def order(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rows in the catalog's declared order (``-column`` descending; nulls last); others unchanged."""
        for spec in reversed(self.sort):
            name, descending = spec.lstrip("-"), spec.startswith("-")
            rows = sorted(rows, key=_sort_key(rows, name), reverse=descending)
        return rows


def _sort_key(rows: list[dict[str, Any]], name: str):
    """How to order ``rows`` by column ``name``: by the values themselves when they are all text (a
    national answer: 212,071 rows, 0.03 against 0.4 s), else nulls last and values by :func:`_sort_value`."""
    if all(type(row[name]) is str for row in rows):
        return itemgetter(name)
    return lambda r: (r[name] is None, "" if r[name] is None else _sort_value(r[name]))


def _sort_value(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value)
    return value if isinstance(value, (int, float)) else str(value)


def _ranked(rows: list[dict[str, Any]], column: str, key: str) -> list[dict[str, Any]]:
    """Rows by how close ``column`` is to the matcher key ``key``: the same name first, then names that
    start with it, then the rest by similarity."""
    from rapidfuzz import fuzz

    def score(row: dict[str, Any]) -> tuple:
        name = match_key(row.get(column) or "")
        return (name != key, not name.startswith(key), -fuzz.ratio(name, key), row.get("id") or "")

    return sorted(rows, key=score)


@functools.cache
def tie_types(*categories: str) -> str:
    """``PART_OF|LOCATED_IN``: the tie kinds of the schema in ``categories``, for a relationship pattern."""
    schema = default_schema()
    found = [t.type for t in schema.tie_kinds if t.category in categories]
    if not found:
        raise QueryError(f"no tie kinds in categories {categories}")
    return "|".join(found)


def _column(name: str, spec: str | Mapping[str, Any] | None) -> Column:
    if spec is None:  # a tie's field (evidence …): the schema's label, declared there once
        labels = {p.name: p.zh for k in default_schema().tie_kinds for p in k.properties}
        if name not in labels:
            raise QueryError(f"column {name}: no label given, and no tie property of that name in the schema")
        return Column(name, labels[name])
    if isinstance(spec, str):
        return Column(name, spec)
    shows = spec.get("shows")
    if shows is not None and not isinstance(shows, Mapping) and shows not in ("kind", "tie", "json", "list", "path"):
        raise QueryError(f"column {name}: shows must be kind, tie, json, list, path or a mapping, not {shows!r}")
    return Column(name, spec["zh"], shows)


def parse_catalog(entries: list[Mapping[str, Any]]) -> dict[str, NamedQuery]:
    """Named queries from the parsed YAML list; pure."""
    catalog: dict[str, NamedQuery] = {}
    for entry in entries:
        cypher = entry["cypher"]
        texts = {k: v.strip() for k, v in cypher.items()} if isinstance(cypher, Mapping) else {"both": cypher.strip()}
        if set(texts) - {"both", *BACKENDS} or ("both" not in texts and set(texts) != set(BACKENDS)):
            raise QueryError(f"{entry['name']}: cypher is one text or one per backend ({', '.join(BACKENDS)})")
        query = NamedQuery(
            name=entry["name"],
            zh=entry["zh"],
            en=entry["en"],
            params=tuple(Param(**p) for p in entry.get("params") or ()),
            texts=texts,
            columns=tuple(_column(n, spec) for n, spec in (entry.get("columns") or {}).items()),
            sort=tuple(entry.get("sort") or ()),
            sorted_lists=tuple(entry.get("sorted_lists") or ()),
            told_apart=tuple(entry.get("told_apart") or ()),
            rank=entry.get("rank"),
        )
        if query.name in catalog:
            raise QueryError(f"query {query.name} is declared twice")
        for param in query.params:
            if param.type not in _LADYBUG_PARAM_TYPES:
                raise QueryError(f"{query.name}: parameter {param.name} has unknown type {param.type!r}")
            if any(f"${param.name}" not in text for text in texts.values()):
                raise QueryError(f"{query.name}: parameter {param.name} is declared but not used")
        catalog[query.name] = query
    return catalog


@functools.cache
def default_catalog() -> dict[str, NamedQuery]:
    """The catalog shipped in ``queries/catalog.yaml`` (read once)."""
    return parse_catalog(packaged_yaml(Path(__file__).with_name("catalog.yaml")))


def get_query(name: str) -> NamedQuery:
    catalog = default_catalog()
    if name not in catalog:
        raise QueryError(f"没有名为 {name} 的查询 / no query named {name!r}; 已有 known: {', '.join(catalog)}")
    return catalog[name]
