"""The reconciliation review loop: unresolved references out, a planner's decisions in.

``linkgraph reconcile SOURCES --out decisions.csv`` lists every place or name
that matched no unit, or several, with its candidates and an empty
``resolve_to`` column. The planner fills in ``resolve_to`` (a code from the
candidates) and, where the unit is not in the stated town or has another
name, ``resolution`` (why). ``linkgraph load … --decisions decisions.csv``
then applies the answers; a reference is identified by its kind, its context
(county and town) and its name, so one answer serves every row that names it.

Excel turns a 12-digit code typed into a CSV cell into a number (shown as
``6.10828E+11``, and saved so). So ``linkgraph reconcile`` also writes the same
rows as a workbook (:func:`write_decisions_workbook`) whose columns are formatted
as text: a code typed there stays a code. A CSV cannot carry a cell format, and
linkgraph writes no formulas (``="…"``) nor leading tabs into cells
(:func:`visualizations.tables.neutralized` is the one guard against formulas);
a code that Excel did mangle is refused with what happened and how to keep
codes as text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from graph_model.records import Origin, Problem
from graph_model.schema import Schema
from loaders.reconcile import KEEP_AS_TEXT, PlaceRef, Unresolved, digits_lost, excel_mangled, reference_key
from loaders.columns import kind_named
from loaders.sheets import Sheet, cell_text, header_key

COLUMNS: tuple[tuple[str, str], ...] = (
    ("file", "文件 File"),
    ("where", "位置 Where"),
    ("kind", "类型 Kind"),
    ("context", "上级 Context"),
    ("name", "名称 Name"),
    ("status", "状态 Status"),
    ("candidates", "候选 Candidates"),
    ("resolve_to", "resolve_to"),
    ("resolution", "说明 resolution"),
)
STATUS = {"ambiguous": "多个候选 ambiguous", "missing": "未找到 missing"}


def decision_rows(problems: Iterable[Problem], schema: Schema,
                  decided: Mapping[tuple[str, str, str], Mapping[str, Any]] | None = None) -> list[list[str]]:
    """One row per distinct unresolved reference (first occurrence's place), answers already given kept."""
    rows: dict[tuple[str, str, str], list[str]] = {}
    for problem in problems:
        if not isinstance(problem, Unresolved) or problem.ref is None:
            continue
        ref = problem.ref
        key = reference_key(ref)
        if key in rows:
            continue
        previous = (decided or {}).get(key, {})
        origin = problem.origin
        where = origin.inside if origin else ""
        rows[key] = [origin.file if origin else "", where, f"{schema.node_kind(ref.kind).zh} {ref.kind}", ref.context,
                     ref.name, STATUS.get(problem.status, problem.status), "；".join(problem.candidates),
                     str(previous.get("resolve_to") or ""), str(previous.get("resolution") or "")]
    return list(rows.values())


def read_decisions(sheet: Sheet, schema: Schema) -> dict[tuple[str, str, str], dict[str, str]]:
    """The answers in a decisions table (as :func:`decision_rows` wrote it), keyed by reference."""
    wanted = {header_key(label): name for name, label in COLUMNS} | {header_key(name): name for name, _ in COLUMNS}
    index = {wanted[header_key(h)]: i for i, h in enumerate(sheet.header) if header_key(h) in wanted}
    missing = [n for n in ("kind", "name", "resolve_to") if n not in index]
    if missing:
        raise ValueError(f"决定文件缺少列 / a decisions file needs the columns {', '.join(missing)}")
    decisions = {}
    for number, row in sheet.rows:
        cells = {name: cell_text(row[i]) if i < len(row) else None for name, i in index.items()}
        if not cells.get("resolve_to"):
            continue
        mangled = excel_mangled(cells["resolve_to"]) or (digits_lost(cells["resolve_to"]), KEEP_AS_TEXT)
        if mangled[0]:
            raise ValueError(f"{Origin('', row=number, column='resolve_to').inside}: {mangled[0]} (提示 hint: {mangled[1]})")
        kind = kind_named(schema, (cells.get("kind") or "").split(" ")[-1]) or kind_named(schema, cells.get("kind") or "")
        if kind is None:
            continue
        ref = PlaceRef(kind, cells.get("name") or "", cells.get("context") or None)
        decisions[reference_key(ref)] = {"resolve_to": cells["resolve_to"], "resolution": cells.get("resolution")}
    return decisions


def headers() -> list[str]:
    return [label for _, label in COLUMNS]


def write_decisions_workbook(path: str | Path, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> Path:
    """The decisions rows as a workbook whose every column is text, so that a code typed into ``resolve_to``
    stays a code (a CSV cell has no format: Excel makes 610828105236 a number and saves 6.10828E+11)."""
    import xlsxwriter

    from visualizations.tables import neutralized

    path = Path(path)
    with xlsxwriter.Workbook(str(path)) as book:
        text = book.add_format({"num_format": "@"})
        bold = book.add_format({"num_format": "@", "bold": True})
        sheet = book.add_worksheet("决定 decisions")
        sheet.set_column(0, len(headers) - 1, 24, text)
        sheet.freeze_panes(1, 0)
        for column, header in enumerate(headers):
            sheet.write_string(0, column, neutralized(header), bold)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                sheet.write_string(number, column, neutralized(str(value or "")), text)
    return path
