"""Curated case files: organizations and ties told by an article, with evidence.

A case file is YAML (see ``examples/jia_county/case.yaml``)::

    source: 佳县党建综合体报道 (2024-01-18)
    roster: nbs_roster_610828.csv        # resolved beside the case file
    id_prefix: "jia:"
    places:                              # roster units the article names
      tong_town: {kind: Town, name: 通镇}
      xishan_village: {kind: Village, town: 通镇, name: 西山村, resolve_to: "610828105236",
                       resolution: "..."}
    organizations:                       # everything else; id = id_prefix + key
      county_office: {kind: AssistanceUnit, name: 佳县县委办公室}
    ties:
      - {type: PAIRED_ASSISTANCE, from: county_office, to: xishan_village, evidence: "..."}

Places resolve against the roster (:mod:`loaders.reconcile`); their nodes are
the roster's, enriched with the article's spellings as aliases. Messages name
the file, the line and the key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import yaml

from graph_model.records import GraphData, InputError, Node, Origin, Problem, make_node, make_tie
from graph_model.schema import Schema
from loaders.reconcile import Match, PlaceRef, RosterIndex, resolve_place
from loaders.text import read_text

_LINE = "__line__"
_KEY_LINES = "__key_lines__"
_PLACE_FIELDS = {"kind", "name", "town", "resolve_to", "resolution", "name_raw", "aliases", "claims", "note"}


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that remembers the line of every mapping and of each of its keys."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping[_LINE] = node.start_mark.line + 1
        mapping[_KEY_LINES] = tuple((str(k.value), k.start_mark.line + 1) for k, _ in node.value)
        return mapping


def parse_yaml(text: str, file: str) -> Any:
    """YAML with line numbers on mappings, or :class:`InputError` at the bad line."""
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        origin = Origin(file, row=mark.line + 1 if mark else None)
        raise InputError([Problem(origin, f"not valid YAML: {getattr(err, 'problem', err)} / YAML 格式错误")]) from None


def _fields(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The entry's own fields, without the line numbers the loader added (at any depth)."""
    return {k: _plain(v) for k, v in entry.items() if k not in (_LINE, _KEY_LINES)}


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return _fields(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _origin(file: str, entry: Mapping[str, Any], key: str | None = None) -> Origin:
    return Origin(file, row=entry.get(_LINE), column=key, key_rows=entry.get(_KEY_LINES, ()))


def parse_case(data: Mapping[str, Any], file: str, schema: Schema, roster: GraphData) -> tuple[GraphData, list[Match]]:
    """Nodes, ties and place resolutions from a parsed case file; pure.

    Every problem is collected; a tie to a place or organization that has a
    problem of its own is passed over rather than reported a second time.
    """
    if not isinstance(data, Mapping) or not data.get("source"):
        raise InputError([Problem(Origin(file, row=1), "a case file is a mapping with a source / 案例文件须注明 source")])
    source = str(data["source"])
    index = RosterIndex(roster)
    graph = GraphData()
    matches: list[Match] = []
    ids: dict[str, str] = {}
    failed: set[str] = set()
    problems: list[Problem] = []

    def collect(key: str, make) -> None:
        try:
            if key in ids or key in failed:
                raise InputError([Problem(Origin(file, column=key), f"key {key} is used twice / 键重复")])
            node = make()
        except InputError as err:
            problems.extend(err.problems)
            failed.add(key)
            return
        ids[key] = node.id
        graph.add_node(node)

    def place(key: str, entry: Any) -> Node:
        match, node = _place(index, key, entry, file, source, schema)
        matches.append(match)
        return node

    for key, entry in _entries(data, "places"):
        collect(key, lambda: place(key, entry))
    prefix = str(data.get("id_prefix", ""))
    for key, entry in _entries(data, "organizations"):
        collect(key, lambda: _organization(key, entry, file, prefix + key, source, schema))
    for number, entry in enumerate(data.get("ties") or [], start=1):
        if not isinstance(entry, Mapping):
            problems.append(_not_a_mapping(file, f"ties #{number}"))
            continue
        values = _fields(entry)
        type_, ends = values.pop("type", None), (values.pop("from", None), values.pop("to", None))
        if any(e in failed for e in ends):
            continue
        origin = _origin(file, entry)
        unknown = [str(e) for e in ends if e not in ids]
        if unknown:
            problems.append(Problem(origin, f"tie refers to unknown key(s) {', '.join(unknown)} / 引用了未定义的键",
                                    "define it under places or organizations"))
            continue
        values.setdefault("source", source)
        try:
            graph.add_tie(make_tie(schema, str(type_), ids[ends[0]], ids[ends[1]], values, origin))
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(problems)
    return graph, matches


def _place(index: RosterIndex, key: str, entry: Any, file: str, source: str, schema: Schema) -> tuple[Match, Node]:
    """A roster unit the source names: resolved, with the source's spellings as aliases."""
    if not isinstance(entry, Mapping):
        raise InputError([_not_a_mapping(file, key)])
    origin = _origin(file, entry, key)
    unknown = set(_fields(entry)) - _PLACE_FIELDS
    if unknown:
        raise InputError([Problem(origin, f"place {key} has unknown field(s) {', '.join(sorted(unknown))} / 未知字段",
                                  f"allowed: {', '.join(sorted(_PLACE_FIELDS))}")])
    ref = PlaceRef(str(entry.get("kind", "")), str(entry.get("name", "")), entry.get("town"),
                   str(entry["resolve_to"]) if entry.get("resolve_to") else None, entry.get("resolution"))
    match = resolve_place(index, ref, origin)
    spellings = [ref.name, entry.get("name_raw"), *(entry.get("aliases") or [])]
    values = {
        "id": match.node.id,
        "name": match.node.name,
        "aliases": [s for s in dict.fromkeys(spellings) if s and s != match.node.name],
        "source": source,
        "reconciliation": match.note if match.status != "exact" or match.others else None,
        "claims": _plain(entry.get("claims")),
        "note": entry.get("note"),
    }
    return match, make_node(schema, ref.kind, values, origin)


def _organization(key: str, entry: Any, file: str, default_id: str, source: str, schema: Schema) -> Node:
    """Any node that is not a roster unit; its id defaults to the file's prefix and its key."""
    if not isinstance(entry, Mapping):
        raise InputError([_not_a_mapping(file, key)])
    origin = _origin(file, entry, key)
    values = _fields(entry)
    kind = str(values.pop("kind", None))
    node = make_node(schema, kind, {"id": default_id, "source": source, **values}, origin)
    if schema.node_kind(node.kind).administrative:
        raise InputError([Problem(origin, f"{key} is a {node.kind}: list administrative units under places "
                                          "/ 行政单位应列在 places")])
    return node


def _entries(data: Mapping[str, Any], section: str) -> list[tuple[str, Any]]:
    """``(key, entry)`` pairs of a section, without the loader's line numbers."""
    entries = data.get(section) or {}
    if not isinstance(entries, Mapping):
        return [(section, entries)]
    return [(str(k), v) for k, v in entries.items() if k not in (_LINE, _KEY_LINES)]


def _not_a_mapping(file: str, key: str) -> Problem:
    return Problem(Origin(file, column=key), f"{key} must be a mapping of fields / 应为“字段: 值”的映射",
                   "e.g. {kind: Town, name: 通镇}")


def roster_path(data: Mapping[str, Any], case_path: str | Path) -> Path | None:
    """The roster a case file names, resolved beside the case file."""
    roster = data.get("roster") if isinstance(data, Mapping) else None
    return Path(case_path).parent / roster if roster else None


def read_case(path: str | Path) -> Any:
    """Read and parse a case file's YAML (any supported encoding)."""
    text, _ = read_text(path)
    return parse_yaml(text, str(path))
