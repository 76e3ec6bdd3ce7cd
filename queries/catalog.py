"""The catalog of named, parameterized queries (``catalog.yaml``).

A :class:`NamedQuery` knows its parameters, checks and converts the values a
user gives (text from the command line, Python values from a notebook) and
renders its Cypher for one backend. Rendering only expands the two dialect
macros; values always travel as parameters.

>>> q = default_catalog()["ties_started_in"]
>>> q.bind({"year": "2022"})
{'year': 2022}
>>> "labels(a)[0]" in q.cypher("neo4j"), "label(a)" in q.cypher("ladybug")
(True, True)
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, Mapping

import yaml

from graph_model.names import match_key
from queries.statements import BACKENDS

_MACROS = {
    "neo4j": {"KIND": "labels({})[0]", "TYPE": "type({})"},
    "ladybug": {"KIND": "label({})", "TYPE": "label({})"},
}
_MACRO = re.compile(r"\b(KIND|TYPE)\((\w+)\)")
_LADYBUG_PARAM_TYPES = {"string": "STRING", "int": "INT64"}


class QueryError(ValueError):
    """A query name or parameter value the catalog cannot accept."""


@dataclass(frozen=True)
class Param:
    """A query parameter. ``refers_to`` names the node kind (or ``any``) whose
    name, alias or id the value must be; the store resolves it to one id."""
    name: str
    type: str
    zh: str
    en: str
    required: bool = False
    example: Any = None
    refers_to: str | None = None
    match: bool = False

    def convert(self, value: Any) -> Any:
        """The value as the query takes it; a ``match`` parameter becomes the name matcher's key
        (Traditional, variant and folk spellings alike)."""
        if value is None or value == "":
            return None
        if self.match:
            return match_key(str(value))
        if self.type == "int":
            try:
                return int(value)
            except (TypeError, ValueError):
                raise QueryError(f"parameter {self.name} must be a whole number, got {value!r} / 参数应为整数") from None
        return str(value)


@dataclass(frozen=True)
class Column:
    """A returned column: its Chinese label, and whether it shows a ``kind``, a ``tie`` type or ``json``."""

    name: str
    zh: str
    shows: str | None = None


@dataclass(frozen=True)
class NamedQuery:
    name: str
    zh: str
    en: str
    params: tuple[Param, ...]
    text: str
    columns: tuple[Column, ...] = ()
    sort: tuple[str, ...] = ()

    def cypher(self, backend: str) -> str:
        """The query text for ``backend`` (``neo4j`` or ``ladybug``).

        LadybugDB infers a parameter's type from its value, and a null has no
        type, so there every parameter is cast to its declared type.
        """
        if backend not in BACKENDS:
            raise QueryError(f"unknown backend {backend!r}")
        macros = _MACROS[backend]
        text = _MACRO.sub(lambda m: macros[m.group(1)].format(m.group(2)), self.text)
        if backend == "ladybug":
            for p in self.params:
                text = re.sub(rf"\${p.name}\b", f"CAST(${p.name} AS {_LADYBUG_PARAM_TYPES[p.type]})", text)
        return text

    def bind(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Checked, converted parameters: every declared one present (``None`` if optional and unset)."""
        known = {p.name for p in self.params}
        unknown = sorted(set(values) - known)
        if unknown:
            raise QueryError(f"{self.name} has no parameter {', '.join(unknown)} / 无此参数; "
                             f"it takes: {', '.join(known) or 'none'}")
        bound = {}
        for p in self.params:
            value = p.convert(values.get(p.name))
            if value is None and p.required:
                raise QueryError(f"{self.name} needs parameter {p.name} ({p.zh}), e.g. {p.name}={p.example}")
            bound[p.name] = value
        return bound

    def order(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rows in the catalog's declared order (for UNION queries); others unchanged."""
        if not self.sort:
            return rows
        return sorted(rows, key=lambda r: tuple((r[c] is None, "" if r[c] is None else str(r[c])) for c in self.sort))


def _column(name: str, spec: str | Mapping[str, Any]) -> Column:
    if isinstance(spec, str):
        return Column(name, spec)
    if spec.get("shows") not in (None, "kind", "tie", "json"):
        raise QueryError(f"column {name}: shows must be kind, tie or json, not {spec.get('shows')!r}")
    return Column(name, spec["zh"], spec.get("shows"))


def parse_catalog(entries: list[Mapping[str, Any]]) -> dict[str, NamedQuery]:
    """Named queries from the parsed YAML list; pure."""
    catalog: dict[str, NamedQuery] = {}
    for entry in entries:
        query = NamedQuery(
            name=entry["name"],
            zh=entry["zh"],
            en=entry["en"],
            params=tuple(Param(**p) for p in entry.get("params") or ()),
            text=entry["cypher"].strip(),
            columns=tuple(_column(n, spec) for n, spec in (entry.get("columns") or {}).items()),
            sort=tuple(entry.get("sort") or ()),
        )
        if query.name in catalog:
            raise QueryError(f"query {query.name} is declared twice")
        for param in query.params:
            if param.type not in _LADYBUG_PARAM_TYPES:
                raise QueryError(f"{query.name}: parameter {param.name} has unknown type {param.type!r}")
            if f"${param.name}" not in query.text:
                raise QueryError(f"{query.name}: parameter {param.name} is declared but not used")
        catalog[query.name] = query
    return catalog


@functools.cache
def default_catalog() -> dict[str, NamedQuery]:
    """The catalog shipped in ``queries/catalog.yaml`` (read once)."""
    text = resources.files(__package__).joinpath("catalog.yaml").read_text(encoding="utf-8")
    return parse_catalog(yaml.safe_load(text))


def get_query(name: str) -> NamedQuery:
    catalog = default_catalog()
    if name not in catalog:
        raise QueryError(f"no query named {name!r} / 没有该查询; known: {', '.join(catalog)}")
    return catalog[name]
