"""Curated case files: organizations and ties told by an article, with evidence.

A case file is YAML (see ``examples/jia_county/case.yaml``)::

    source: 佳县党建综合体报道 (2024-01-18)
    roster: {file: nbs_roster_610828.csv, source: 国家统计局 2023 …}   # beside the case file
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
the roster's, enriched with the article's spellings as aliases. An
organization that another source already states (same kind, same normalized
name or alias, places that agree) is the same node. YAML is read strictly:
duplicate keys, unknown sections and fields, values YAML would silently turn
into other types (``yes``, ``010``, ``2021-02-30``), anchors and aliases are
all refused, each with its file, line and key. A number is plain decimal: what
YAML 1.1 reads in another base or form (``046`` octal 38, ``0x26``, ``3_8``,
``1:30`` = 90, ``.nan``) stays the text typed, which a number field refuses with
the value, and ``2022.10`` stays text, so a date reads October (as a number it
would be 2022.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from graph_model.names import similar_names
from graph_model.records import GraphData, InputError, Node, Origin, Problem, SourceRef, make_node, make_tie
from graph_model.schema import Schema
from loaders.reconcile import (ADMIN_KINDS, EntityIndex, Identity, Match, PlaceRef, RosterIndex, decision_for,
                               entities_of, resolve_place)

_LINE = "__line__"
_KEY_LINES = "__key_lines__"
SECTIONS = ("source", "roster", "id_prefix", "places", "organizations", "ties")
PLACE_FIELDS = ("kind", "name", "town", "county", "code", "resolve_to", "resolution", "name_raw", "aliases", "claims", "note")
MAX_DEPTH = 40
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$", re.ASCII)
_PLAIN_FLOAT = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$", re.ASCII)
_YEAR_MONTH = re.compile(r"^[0-9]{4}\.[0-9]{1,2}$", re.ASCII)


class _StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe YAML that remembers lines, refuses duplicate keys, anchors and deep nesting, and keeps dates as text."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream):
        super().__init__(stream)
        self.problems: list[Problem] = []
        self.file = ""
        self._depth = 0

    def construct_object(self, node, deep=False):
        if node in self.constructed_objects and isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            raise yaml.constructor.ConstructorError(None, None, "不支持锚点和别名 / anchors and aliases (&, *) are not allowed",
                                                    node.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.constructor.ConstructorError(None, None, f"嵌套过深 / nested more than {MAX_DEPTH} levels",
                                                        node.start_mark)
            return super().construct_object(node, deep=deep)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):  # "? [a, b] : c": a list or mapping as a key
                raise yaml.constructor.ConstructorError(
                    None, None, "键须为简单名称 / a key must be a plain name, not a list or mapping "
                    "(YAML '? …' complex key)", key_node.start_mark)
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                self.problems.append(Problem(Origin(self.file, row=line, column=str(key)),
                                             f"键重复 / duplicate key {key!r} (first at row {seen[key]})"))
            seen.setdefault(key, line)
        mapping = super().construct_mapping(node, deep=True)
        mapping[_LINE] = node.start_mark.line + 1
        mapping[_KEY_LINES] = tuple((str(k.value), k.start_mark.line + 1) for k, _ in node.value)
        return mapping


def _plain_int(loader: _StrictLoader, node: yaml.ScalarNode) -> int | str:
    """A YAML int in decimal digits, else the text typed (YAML 1.1 reads 046, 0x26, 3_8 and 1:30 as numbers)."""
    text = loader.construct_scalar(node)
    return int(text) if _PLAIN_INT.match(text) else text


def _plain_float(loader: _StrictLoader, node: yaml.ScalarNode) -> float | str:
    """A YAML float in decimal digits, else the text typed; a year and month (2022.10) stays text too."""
    text = loader.construct_scalar(node)
    return float(text) if _PLAIN_FLOAT.match(text) and not _YEAR_MONTH.match(text) else text


_StrictLoader.add_constructor("tag:yaml.org,2002:int", _plain_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _plain_float)


def parse_yaml(text: str, file: str) -> Any:
    """Strict YAML with line numbers on mappings, or :class:`InputError` at the bad line."""
    loader = _StrictLoader(text)
    loader.file = file
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        origin = Origin(file, row=mark.line + 1 if mark else None)
        raise InputError([Problem(origin, f"YAML 格式错误 / not valid YAML: {getattr(err, 'problem', None) or err}")]) from None
    except RecursionError:
        raise InputError([Problem(Origin(file), "嵌套过深 / nested too deeply")]) from None
    finally:
        loader.dispose()
    if loader.problems:
        raise InputError(loader.problems)
    return data


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
    return Origin(file, row=entry.get(_LINE), key=key, key_rows=entry.get(_KEY_LINES, ()))


def _text_field(entry: Mapping[str, Any], name: str, origin: Origin, required: bool = False) -> str | None:
    """A field that must be text (a name, a key, a code); YAML's other types are refused."""
    value = entry.get(name)
    if value is None or value == "":
        if required:
            raise InputError([Problem(origin.at(name), f"必填项为空 / {name} is required")])
        return None
    if not isinstance(value, str):
        raise InputError([Problem(origin.at(name), f"应为文字 / {name} must be text, got {value!r}",
                                  "请给值加引号 / put the value in quotes, e.g. name: \"010\"")])
    return value.strip()


@dataclass
class CaseResult:
    """What a case file states, with the roster matches and organization identities it led to."""

    graph: GraphData
    matches: list[Match] = field(default_factory=list)
    identities: list[tuple[str, Identity]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Org:
    key: str
    kind: str
    values: dict[str, Any]
    origin: Origin
    place: str | None = None


def check_sections(data: Any, file: str) -> None:
    """The top level of a case file: a mapping of known sections of the right types."""
    if not isinstance(data, Mapping):
        raise InputError([Problem(Origin(file, row=1), "案例文件须为映射并注明 source / a case file is a mapping with a source")])
    origin = _origin(file, data)
    problems = []
    for key in _fields(data):
        if key not in SECTIONS:
            near = similar_names(str(key), SECTIONS, n=1)
            problems.append(Problem(origin.at(str(key)), f"未知的部分 / unknown section {key!r}",
                                    f"did you mean {near[0]}? sections: {', '.join(SECTIONS)}" if near
                                    else f"sections: {', '.join(SECTIONS)}"))
    expected = {"places": Mapping, "organizations": Mapping, "ties": list}
    for section, kind in expected.items():
        value = data.get(section)
        if value is not None and not isinstance(value, kind):
            what = "a list of ties (- type: …)" if kind is list else "a mapping of key: {fields}"
            problems.append(Problem(origin.at(section), f"格式有误 / {section} must be {what}, got {value!r}"))
    for section in ("source", "id_prefix"):
        value = data.get(section)
        if value is not None and not isinstance(value, str):
            problems.append(Problem(origin.at(section), f"应为文字 / {section} must be text, got {value!r}"))
    if not data.get("source"):
        problems.append(Problem(origin.at("source"), "须注明 source / a case file needs a source (the title of what it is curated from)"))
    if problems:
        raise InputError(problems)


def parse_case(data: Mapping[str, Any], file: str, schema: Schema, roster: RosterIndex, *,
               entities: EntityIndex | None = None, decisions: Mapping | None = None,
               source: SourceRef | None = None, keep_valid: bool = False) -> CaseResult:
    """Nodes, ties, place matches and organization identities from a parsed case file; pure.

    Every problem is collected; a tie to a place or organization that has a
    problem of its own is passed over rather than reported a second time.
    ``entities`` (organizations already known) is updated with this file's.
    Raises :class:`InputError` on any problem, unless ``keep_valid``: then
    the result holds what is valid and lists the problems.
    """
    check_sections(data, file)
    source = source or SourceRef(Path(file).name, str(data["source"]).strip(), Path(file).name)
    entities = entities if entities is not None else EntityIndex()
    result = CaseResult(GraphData(schema=schema))
    ids: dict[str, str] = {}
    failed: set[str] = set()
    problems: list[Problem] = []
    places: dict[str, Node] = {}
    for key, entry in _entries(data, "places"):
        try:
            match, node = _place(roster, key, entry, file, source, schema, decisions or {})
        except InputError as err:
            problems.extend(err.problems)
            failed.add(key)
            continue
        result.matches.append(match)
        places[key] = node
        ids[key] = node.id
        result.graph.add_node(node)
    orgs = _case_organizations(data, file, schema, ids, failed, problems)
    ties = _case_ties(data, file, ids, orgs, failed, problems)
    _place_organizations(orgs, places, ties)
    _add_organizations(orgs, str(data.get("id_prefix") or ""), schema, source, entities, result, ids, failed, problems)
    for type_, start, end, values, origin in ties:
        if start in failed or end in failed:
            continue
        try:
            result.graph.add_tie(make_tie(schema, type_, ids[start], ids[end], values, origin, source=source))
        except InputError as err:
            problems.extend(err.problems)
    if problems and not keep_valid:
        raise InputError(problems)
    result.problems = problems
    return result


def _case_organizations(data: Mapping[str, Any], file: str, schema: Schema, ids: Mapping[str, str],
                        failed: set[str], problems: list[Problem]) -> dict[str, _Org]:
    """The case file's organizations, read and checked, by key; the keys that fail go to ``failed``."""
    orgs: dict[str, _Org] = {}
    for key, entry in _entries(data, "organizations"):
        if key in ids:
            problems.append(Problem(_origin(file, entry, key) if isinstance(entry, Mapping) else Origin(file, key=key),
                                    f"键重复 / key {key} is used twice"))
            continue
        try:
            orgs[key] = _organization(key, entry, file, schema)
        except InputError as err:
            problems.extend(err.problems)
            failed.add(key)
    return orgs


def _case_ties(data: Mapping[str, Any], file: str, ids: Mapping[str, str], orgs: Mapping[str, _Org],
               failed: set[str], problems: list[Problem]) -> list[tuple[str, str, str, dict[str, Any], Origin]]:
    """The case file's ties as ``(type, from key, to key, values, origin)``; those to a key that failed are
    passed over, those to an unknown key are problems."""
    ties: list[tuple[str, str, str, dict[str, Any], Origin]] = []
    for number, entry in enumerate(data.get("ties") or [], start=1):
        if not isinstance(entry, Mapping):
            problems.append(_not_a_mapping(Origin(file, key=f"ties #{number}")))
            continue
        origin = _origin(file, entry)
        try:
            type_ = _text_field(entry, "type", origin, required=True)
            ends = (_text_field(entry, "from", origin, required=True), _text_field(entry, "to", origin, required=True))
        except InputError as err:
            problems.extend(err.problems)
            continue
        if any(e in failed for e in ends):
            continue
        unknown = [e for e in ends if e not in ids and e not in orgs]
        if unknown:
            problems.append(Problem(origin, f"引用了未定义的键 / tie refers to unknown key(s) {', '.join(unknown)}",
                                    "请在 places 或 organizations 下定义 / define it under places or organizations"))
            continue
        values = {k: v for k, v in _fields(entry).items() if k not in ("type", "from", "to")}
        ties.append((type_, ends[0], ends[1], values, origin))
    return ties


def _add_organizations(orgs: Mapping[str, _Org], prefix: str, schema: Schema, source: SourceRef,
                       entities: EntityIndex, result: CaseResult, ids: dict[str, str], failed: set[str],
                       problems: list[Problem]) -> None:
    """Each organization as a node of the result, with the id its identity gives it (one already known, its
    explicit id, or ``id_prefix`` and its key); ``entities`` learns each."""
    for key, org in orgs.items():
        explicit = org.values.get("id")
        identity = entities.identify(org.kind, str(org.values.get("name") or ""), org.values.get("aliases") or [],
                                     org.place, str(explicit) if explicit else prefix + key, explicit=bool(explicit))
        try:
            node = make_node(schema, org.kind, {**org.values, "id": identity.id}, org.origin, source=source,
                             computed={"place": org.place})
        except InputError as err:
            problems.extend(err.problems)
            failed.add(key)
            continue
        ids[key] = node.id
        result.identities.append((node.name, identity))
        entities.add(entities_of([node])[0])
        result.graph.add_node(node)


def _place_organizations(orgs: dict[str, _Org], places: dict[str, Node], ties: list) -> None:
    """Each organization's place: the roster unit its LOCATED_IN or PARTY_ORG_OF tie names,
    or the place of the organization its party organization belongs to."""
    for _ in range(2):
        for type_, start, end, _values, _origin in ties:
            if type_ not in ("LOCATED_IN", "PARTY_ORG_OF") or start not in orgs or orgs[start].place:
                continue
            if end in places:
                orgs[start].place = places[end].id
            elif end in orgs:
                orgs[start].place = orgs[end].place


def _place(roster: RosterIndex, key: str, entry: Any, file: str, source: SourceRef, schema: Schema,
           decisions: Mapping) -> tuple[Match, Node]:
    """A roster unit the source names: resolved, with the source's spellings as aliases."""
    if not isinstance(entry, Mapping):
        raise InputError([_not_a_mapping(Origin(file, key=key))])
    origin = _origin(file, entry, key)
    unknown = sorted(set(_fields(entry)) - set(PLACE_FIELDS))
    if unknown:
        raise InputError([Problem(origin.at(unknown[0]), f"未知字段 / place {key} has unknown field(s) {', '.join(unknown)}",
                                  f"可用字段 allowed: {', '.join(PLACE_FIELDS)}")])
    kind = _text_field(entry, "kind", origin, required=True)
    if kind not in ADMIN_KINDS:
        raise InputError([Problem(origin.at("kind"), f"places 只能是行政单位 / places are roster units "
                                  f"({', '.join(ADMIN_KINDS)}), not {kind!r}",
                                  "其他类型列在 organizations 下 / list other kinds under organizations")])
    text = {name: _text_field(entry, name, origin) for name in ("name", "town", "county", "code", "resolve_to",
                                                                "resolution", "name_raw")}
    if not text["name"] and not text["code"]:
        raise InputError([Problem(origin.at("name"), "须给出名称或代码 / a place needs a name or a code")])
    ref = decision_for(decisions, PlaceRef(kind, text["name"] or "", text["town"], text["county"], text["code"],
                                           text["resolve_to"], text["resolution"]))
    match = resolve_place(roster, ref, origin)
    spellings = [ref.name, text["name_raw"], *(entry.get("aliases") or [])]
    values = {
        "id": match.node.id,
        "name": match.node.name,
        "aliases": [s for s in dict.fromkeys(spellings) if s and s != match.node.name],
        "claims": _plain(entry.get("claims")),
        "note": entry.get("note"),
    }
    computed = {"reconciliation": match.note if match.status not in ("exact", "code") or match.others else None}
    return match, make_node(schema, kind, values, origin, source=source, computed=computed)


def _organization(key: str, entry: Any, file: str, schema: Schema) -> _Org:
    """Any node that is not a roster unit, checked; its id is settled later (:meth:`EntityIndex.identify`)."""
    if not isinstance(entry, Mapping):
        raise InputError([_not_a_mapping(Origin(file, key=key))])
    origin = _origin(file, entry, key)
    values = _fields(entry)
    kind = _text_field(values, "kind", origin, required=True)
    values.pop("kind")
    node = make_node(schema, kind, {"id": values.get("id") or key, **values}, origin, source=SourceRef("", ""))
    if schema.node_kind(node.kind).administrative:
        raise InputError([Problem(origin.at("kind"), f"行政单位应列在 places / {key} is a {node.kind}: list administrative units "
                                  "under places")])
    return _Org(key, kind, values, origin)


def _entries(data: Mapping[str, Any], section: str) -> list[tuple[str, Any]]:
    """``(key, entry)`` pairs of a section, without the loader's line numbers."""
    entries = data.get(section) or {}
    return [(str(k), v) for k, v in entries.items() if k not in (_LINE, _KEY_LINES)]


def _not_a_mapping(origin: Origin) -> Problem:
    return Problem(origin, f"应为“字段: 值”的映射 / {origin.key} must be a mapping of fields",
                   "例如 e.g. {kind: Town, name: 通镇}")


@dataclass(frozen=True)
class RosterSpec:
    """The roster a case file resolves its places against: a file beside it, and whose data it is."""

    path: Path
    title: str


def roster_spec(data: Mapping[str, Any], case_path: str | Path, allowed: tuple[Path, ...] = ()) -> RosterSpec | None:
    """The roster a case file names. It must lie in the case file's folder (or be one of ``allowed``,
    the paths given on the command line), so that a case file cannot read other files."""
    roster = data.get("roster") if isinstance(data, Mapping) else None
    if roster is None:
        return None
    origin = _origin(str(case_path), data).at("roster")
    if isinstance(roster, Mapping):
        file, title = roster.get("file"), roster.get("source")
    else:
        file, title = roster, None
    if not isinstance(file, str) or not file.strip() or (title is not None and not isinstance(title, str)):
        raise InputError([Problem(origin, f"roster 格式有误 / roster must be a file name or "
                                  f"{{file: …, source: …}}, got {_plain(roster)!r}",
                                  "roster: {file: nbs_roster_610828.csv, source: 国家统计局2023年区划代码}")])
    if "\x00" in file:
        raise InputError([Problem(origin, f"文件名无效，含空字符 / the roster's file name {_plain(file)!r} holds a "
                                  "NUL character", "请填写与案例文件同一文件夹中的名册文件名 / give the name of the roster "
                                  "file beside the case file")])
    folder = Path(case_path).resolve().parent
    path = (folder / file).resolve()
    if not path.is_relative_to(folder) and path not in {p.resolve() for p in allowed}:
        raise InputError([Problem(origin, f"名册须与案例文件在同一文件夹 / the roster {file} is outside the case file's folder",
                                  "请把名册复制到案例文件旁，或在命令行中给出 / copy it beside the case file, "
                                  "or give it on the command line")])
    return RosterSpec(path, (title or f"名册 roster {path.name}").strip())
