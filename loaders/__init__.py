"""Loaders: sources in, validated :class:`GraphData` out, nothing written yet.

:func:`load_sources` reads NBS roster CSVs and curated case files (which name
the roster they resolve places against), merges them and checks the result, so
that a store receives either all of it or, on any problem, nothing::

    result = load_sources(["examples/jia_county/case.yaml"])
    result.graph.counts()["Village"]   # 334
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from graph_model.records import GraphData, InputError, Origin, Problem
from graph_model.schema import Schema, default_schema
from loaders.case_file import parse_case, read_case, roster_path
from loaders.reconcile import Match
from loaders.roster import load_roster


@dataclass
class LoadResult:
    graph: GraphData
    matches: list[Match] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def conflicts(self) -> list[Match]:
        """Place resolutions a person should look at: curated ones and those with other candidates."""
        return [m for m in self.matches if m.is_conflict]


def load_sources(paths: Iterable[str | Path], schema: Schema | None = None) -> LoadResult:
    """Read every source; roster CSVs (``.csv``) and case files (``.yaml``/``.yml``)."""
    schema = schema or default_schema()
    result = LoadResult(GraphData())
    loaded: set[Path] = set()

    def add_roster(path: Path) -> None:
        if path.resolve() not in loaded:
            result.graph.extend(load_roster(path, schema))
            loaded.add(path.resolve())
            result.files.append(str(path))

    for path in map(Path, paths):
        suffix = path.suffix.lower()
        if suffix == ".csv":
            add_roster(path)
        elif suffix in (".yaml", ".yml"):
            data = read_case(path)
            roster = roster_path(data, path)
            if roster is not None:
                if not roster.is_file():
                    raise InputError([Problem(Origin(str(path), column="roster"),
                                              f"the roster it names is not at {roster} / 找不到案例文件指定的名册",
                                              "roster: is a path relative to the case file")])
                add_roster(roster)
            graph, matches = parse_case(data, str(path), schema, result.graph)
            result.graph.extend(graph)
            result.matches += matches
            result.files.append(str(path))
        else:
            raise InputError([Problem(Origin(str(path)), f"unknown kind of source {suffix or '(no suffix)'} / 不支持的文件类型",
                                      "give a roster .csv or a case .yaml")])
    problems = result.graph.problems(schema)
    if problems:
        raise InputError(problems)
    return result
