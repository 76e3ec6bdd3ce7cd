"""The workbook a planner fills in: ``linkgraph template FILE.xlsx [--roster …]``.

One sheet per kind of organization planners enter and one ``关系`` sheet of
ties, with the Chinese headers :mod:`loaders.tables` reads (the English name
in each header's note), drop-down lists for kinds, tie kinds, roles, yes/no
and, when a roster is given, town names; code columns formatted as text so
Excel never turns ``610828105236`` into ``6.1E+11``; the header row frozen.
A ``说明`` sheet explains each sheet and shows one example row for it. The
same columns work as CSV files in a folder (:func:`write_csv_template`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from graph_model.records import Node
from graph_model.schema import Property, Schema
from loaders.columns import columns_data

TEXT_COLUMNS = ("id", "town", "county", "from", "to", "from_town", "to_town", "start_date", "end_date")
ROWS_WITH_LISTS = 2000
YES_NO = ("是", "否")

TIE_EXAMPLE = {"type": "结对帮扶", "from": "佳县县委办公室", "to": "西山村", "to_town": "通镇", "start_date": "2022",
               "mechanism": "八联八帮", "evidence": "佳县县委办公室是通镇西山村的帮扶单位", "county": "佳县"}
"""The 说明 sheet's example row of the 关系 sheet (each node kind's is its ``example`` in ``schema.yaml``); its
``county`` is no column, only the place its names are of (:func:`localized`)."""
PLACE_FIELDS = (("county", "county"), ("town", "town"), ("to_town", "town"), ("village", "village"), ("to", "village"))
"""An example's fields that name a place, and which of the template's own places replaces it (:func:`localized`)."""


@dataclass(frozen=True)
class TemplatePlace:
    """The county a template is made for, one of its towns and a village of that town: the example rows'
    places, so that a 花垣县 planner's example names 花垣县, not 佳县."""

    county: str
    town: str
    village: str


def localized(example: dict[str, str], place: TemplatePlace | None) -> dict[str, str]:
    """``example`` with its places (:data:`PLACE_FIELDS`) replaced by ``place``'s, wherever their names occur in
    its values (佳县县委办公室 → 花垣县县委办公室); as it is without a place.

    >>> localized(TIE_EXAMPLE, TemplatePlace("花垣县", "双龙镇", "十八洞村"))["evidence"]
    '花垣县县委办公室是双龙镇十八洞村的帮扶单位'
    """
    if place is None:
        return example
    swaps = {example[f]: getattr(place, level) for f, level in PLACE_FIELDS
             if example.get(f) and (f != "to" or "to_town" in example)}
    pattern = re.compile("|".join(map(re.escape, sorted(swaps, key=len, reverse=True))))
    return {k: pattern.sub(lambda m: swaps[m.group()], v) if swaps else v for k, v in example.items()}

@dataclass(frozen=True)
class Column:
    """A column of the template: the field it fills, its header, its note and the choices it offers."""

    field: str
    zh: str
    en: str
    choices: tuple[str, ...] = ()


def _property_column(prop: Property) -> Column:
    if prop.type == "bool":
        choices: tuple[str, ...] = YES_NO
    elif prop.enum_words:
        choices = tuple(dict.fromkeys(word for word, _ in prop.enum_words if len(word) <= 2 or word in ("牵头", "成员")))
    else:
        choices = prop.enum
    return Column(prop.name, prop.zh, prop.en, choices)


def _table_column(name: str, section: str) -> Column:
    spec = columns_data()[section][name]
    return Column(name, spec["zh"], spec["en"])


def node_columns(schema: Schema, kind: str) -> list[Column]:
    """Name, aliases, where it is, and the kind's own properties (``claims`` and ``name_raw`` left to case files)."""
    node_kind = schema.node_kind(kind)
    common = [_property_column(node_kind.property(n)) for n in ("name", "aliases")]
    place = [_table_column(n, "node_table") for n in ("town", "county", "village")]
    own = [_property_column(p) for p in node_kind.properties
           if p.stated and p.name not in ("id", "name", "aliases", "name_raw", "claims", "note")]
    return [*common, *place, *own, _property_column(node_kind.property("note")), _property_column(node_kind.property("id"))]


def tie_columns(schema: Schema) -> list[Column]:
    """Tie kind, both ends with their kind and town, dates, evidence, and every tie kind's own properties."""
    ends = [_table_column(n, "tie_table") for n in ("type", "from", "from_kind", "from_town", "to", "to_kind", "to_town")]
    kind_choices = tuple(k.zh for k in schema.node_kinds)
    ends = [Column(c.field, c.zh, c.en, kind_choices) if c.field.endswith("_kind") else c for c in ends]
    ends[0] = Column("type", ends[0].zh, ends[0].en, tuple(t.zh for t in schema.tie_kinds))
    common = schema.tie_kinds[0]
    dates = [_property_column(common.property(n)) for n in ("start_date", "end_date", "evidence")]
    own: dict[str, Column] = {}
    for tie in schema.tie_kinds:
        for prop in tie.properties:
            if prop.stated and prop.name not in ("start_date", "end_date", "evidence", "metrics"):
                own.setdefault(prop.name, _property_column(prop))
    return [*ends, *dates, *own.values()]


def sheets(schema: Schema) -> list[tuple[str, str, list[Column]]]:
    """(sheet name, what it is for, columns) of every data sheet."""
    found = [(schema.node_kind(k).zh, f"{schema.node_kind(k).zh} {schema.node_kind(k).en}: one row per organization",
              node_columns(schema, k)) for k in schema.entered_kinds]
    found.append(("关系", "关系 Ties: one row per tie (起点 → 终点)", tie_columns(schema)))
    return found


INSTRUCTIONS = (
    "填写说明 How to fill in this workbook",
    "每个工作表一类：各类组织一行一个，“关系”表一行一条关系（起点 → 终点）。"
    " One sheet per kind: one row per organization; the 关系 sheet has one row per tie (from → to).",
    "名称写全称；其他写法填在“别名”（用；分隔）。所在乡镇、县帮助区分同名单位。"
    " Write the full name; other spellings go in 别名 (separated by ；). Town and county tell same-named units apart.",
    "关系的起点、终点可填名称（同名时填乡镇）或标识/区划代码。依据：原文引语或文件出处。"
    " A tie's ends are names (with their town when names repeat) or ids / NBS codes. 依据: a quote or where it is written.",
    "日期可写 2021、2021-05、2021年5月。不要用公式，不要合并单元格。"
    " Dates: 2021, 2021-05 or 2021年5月. No formulas, no merged cells.",
    "检查：linkgraph load 文件.xlsx --dry-run；有问题的名称：linkgraph reconcile 文件.xlsx --out decisions.csv。"
    " Check with linkgraph load FILE.xlsx --dry-run; list unclear names with linkgraph reconcile FILE.xlsx --out decisions.csv.",
)


def start_workbook(source_row: Sequence[str], instructions: Sequence[str], width: int = 60):
    """A workbook whose first sheet is the 说明 sheet: the ``来源 Source`` row (which names the source
    when the workbook is loaded) and the instructions; returns the workbook and that sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    guide = workbook.active
    guide.title = "说明"
    guide.append(list(source_row))
    guide.append([])
    for line in instructions:
        guide.append([line])
    guide["A1"].font = guide["A3"].font = Font(bold=True)
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["B"].width = width
    return workbook, guide


def write_header(sheet, columns: Sequence[Column], fill: str = "DDEBF7", fills: dict[str, str] | None = None) -> None:
    """A data sheet's header row: the Chinese headers the loader reads, the English name in each
    header's note, bold on a coloured fill (``fills`` by field), widths to fit."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.zh)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=(fills or {}).get(column.field, fill))
        cell.comment = Comment(f"{column.en} ({column.field})", "linkgraph")
        sheet.column_dimensions[get_column_letter(index)].width = max(12, 2 * len(column.zh) + 4)


def write_template(path: str | Path, schema: Schema, towns: Sequence[str] = (), place: TemplatePlace | None = None) -> Path:
    """Write the planner's workbook to ``path`` (``.xlsx``); ``towns`` become the town drop-down, and ``place``
    gives the example rows their places (else the Jia County example's)."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook, guide = start_workbook(
        ["来源 Source", "", f"← 填写这份表格的来源，如：{towns[0] if towns else '刘国具镇'} 2024 年报送 / where this workbook comes from"],
        INSTRUCTIONS)
    lists = workbook.create_sheet("_lists")
    lists.sheet_state = "hidden"
    list_ranges: dict[tuple[str, ...], str] = {}

    def choice_range(choices: tuple[str, ...]) -> str:
        if choices not in list_ranges:
            column = get_column_letter(len(list_ranges) + 1)
            for row, value in enumerate(choices, start=1):
                lists[f"{column}{row}"] = value
            list_ranges[choices] = f"_lists!${column}$1:${column}${len(choices)}"
        return list_ranges[choices]

    for name, purpose, columns in sheets(schema):
        sheet = workbook.create_sheet(name)
        write_header(sheet, columns)
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            if column.field in TEXT_COLUMNS:
                sheet.column_dimensions[letter].number_format = "@"
            choices = tuple(towns) if column.field in ("town", "from_town", "to_town") and towns else column.choices
            if choices:
                validation = DataValidation(type="list", formula1=choice_range(choices), allow_blank=True,
                                            showErrorMessage=column.field not in ("town", "from_town", "to_town"))
                validation.add(f"{letter}2:{letter}{ROWS_WITH_LISTS}")
                sheet.add_data_validation(validation)
        sheet.freeze_panes = "A2"
        example = localized(TIE_EXAMPLE if name == "关系" else _example(schema, name), place)
        guide.append([])
        guide.append([f"表 {purpose}"])
        guide.append([c.zh for c in columns])
        guide.append([example.get(c.field, "") for c in columns])
        guide.cell(row=guide.max_row, column=1).alignment = Alignment(wrap_text=False)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _example(schema: Schema, sheet_name: str) -> dict[str, str]:
    """The example row of the kind whose sheet is ``sheet_name`` (its ``example`` in ``schema.yaml``)."""
    return next(dict(k.example) for k in schema.node_kinds if k.zh == sheet_name)


def write_csv_template(folder: str | Path, schema: Schema) -> list[Path]:
    """The same sheets as CSV files (UTF-8 with BOM, for Excel), one per sheet, header row only, and 说明.txt."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, _, columns in sheets(schema):
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerow([c.zh for c in columns])
        path = folder / f"{name}.csv"
        path.write_text(out.getvalue(), encoding="utf-8-sig", newline="")
        written.append(path)
    guide = folder / "说明.txt"
    guide.write_text("\n".join(INSTRUCTIONS) + "\n", encoding="utf-8-sig")
    return [*written, guide]


def template_place(units: Sequence[Node], schema: Schema) -> TemplatePlace | None:
    """The county of a roster's units, its first town and that town's first village (roster order; a 村 before a
    社区), if it has them."""
    county, town, village = (schema.level_kind(k) for k in ("county", "town", "village"))
    first = {kind: next((u for u in units if u.kind == kind), None) for kind in (county, town)}
    if first[county] is None or first[town] is None:
        return None
    homes = sorted((u for u in units if u.kind == village and u.id.startswith(first[town].id)),
                   key=lambda u: not u.name.endswith("村"))  # a village before a 社区, as the example's 西山村
    return TemplatePlace(first[county].name, first[town].name, homes[0].name if homes else "")


def roster_towns(names: Iterable[str]) -> list[str]:
    """Town names for the drop-down, in roster order, each once."""
    return list(dict.fromkeys(names))
