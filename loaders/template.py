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
from typing import Any, Container, Iterable, Sequence

from graph_model.records import Node
from graph_model.schema import Property, Schema
from loaders.columns import columns_data
from visualizations.tables import neutralized

TEXT_COLUMNS = ("id", "town", "county", "from", "to", "from_town", "to_town", "start_date", "end_date")
ROWS_WITH_LISTS = 2000
YES_NO = ("是", "否")
HEADER_FILL = "DDEBF7"
"""The data sheets' header fill (a light blue)."""

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


class PlannerWorkbook:
    """A workbook a planner fills in or reviews, laid out one way for :func:`write_template` and
    :func:`loaders.extract.draft.write_draft`: the ``说明`` sheet first, then data sheets whose header row the
    loader reads. Written with XlsxWriter, which writes a 1 MB report's draft in half openpyxl's CPU, and never
    turns a string into a formula, a number or a link (a code stays ``610828105236``, a quote ``=…`` text)."""

    def __init__(self, path: str | Path):
        import xlsxwriter
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        self.illegal = ILLEGAL_CHARACTERS_RE
        self.book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                                    "strings_to_urls": False, "nan_inf_to_errors": False})
        self.top = self.book.add_format({"valign": "top"})
        self.wrapped = self.book.add_format({"valign": "top", "text_wrap": True})
        self.bold = self.book.add_format({"bold": True})
        self.text = self.book.add_format({"num_format": "@"})
        self.fills: dict[str, Any] = {}

    def guide(self, source_row: Sequence[str], instructions: Sequence[str], more: Iterable[Sequence[Any]] = (),
              width: int = 60):
        """The ``说明`` sheet: the ``来源 Source`` row (which names the source when the workbook is loaded), an empty
        row, the instructions (the first, their heading, bold as the source's), then the ``more`` rows; the
        first column 24 wide, the second ``width``. Returns the sheet."""
        sheet = self.book.add_worksheet("说明")
        sheet.set_column(0, 0, 24)
        sheet.set_column(1, 1, width)
        rows = [list(source_row), [], *([line] for line in instructions), *more]
        for number, row in enumerate(rows):
            self.write_row(sheet, number, list(row), aligned=False)
        for number in (0, 2):  # the source's and the instructions' headings
            sheet.write_string(number, 0, rows[number][0], self.bold)
        return sheet

    def data_sheet(self, name: str, columns: Sequence[Column], *, fills: dict[str, str] | None = None,
                   wide: Container[str] = (), text: Container[str] | None = None, frozen_columns: int = 0):
        """A data sheet and its header row: the Chinese headers the loader reads, bold on a coloured fill
        (:data:`HEADER_FILL`, or the field's in ``fills``), the English name and field in each header's note;
        columns wide enough for their header (60 for the ``wide`` fields, which hold sentences), the ``text``
        fields' (all without it) formatted as text so Excel keeps a typed code whole; the header row and the
        first ``frozen_columns`` columns frozen. Returns the sheet."""
        sheet = self.book.add_worksheet(name)
        for index, column in enumerate(columns):
            sheet.write_string(0, index, column.zh, self._header_format((fills or {}).get(column.field, HEADER_FILL)))
            sheet.write_comment(0, index, f"{column.en} ({column.field})", {"author": "linkgraph"})
            width = 60 if column.field in wide else max(12, 2 * len(column.zh) + 4)
            sheet.set_column(index, index, width, self.text if text is None or column.field in text else None)
        sheet.freeze_panes(1, frozen_columns)
        return sheet

    def _header_format(self, fill: str):
        """The bold header format on ``fill`` (``RRGGBB``), made once per colour."""
        if fill not in self.fills:
            self.fills[fill] = self.book.add_format({"bold": True, "pattern": 1, "bg_color": f"#{fill}"})
        return self.fills[fill]

    @staticmethod
    def drop_down(sheet, index: int, last_row: int, source: str | list[str], *, strict: bool = True,
                  prompt: bool = True) -> None:
        """A drop-down list of ``source`` (the choices, or a range ``=sheet!$A$1:$A$9``) in column ``index`` from
        the row under the header to ``last_row`` (from 0), blanks allowed; ``strict``: other values refused
        (a town list is only a help), ``prompt``: Excel's input prompt flag set."""
        sheet.data_validation(1, index, last_row, index, {"validate": "list", "source": source, "ignore_blank": True,
                                                          "show_error": strict, "show_input": prompt})

    def write_row(self, sheet, number: int, values: Sequence[Any], *, aligned: bool = True) -> None:
        """Row ``number`` (from 0) of ``sheet``, a cell for each value that is not empty: numbers as numbers, the
        rest as text without the control characters a workbook cannot hold (a NUL or an escape in a report is left
        out, not a failed workbook), never a formula (a quote that starts with ``=``, ``+``, ``-`` or ``@``:
        :func:`visualizations.tables.neutralized`, the one guard of every table linkgraph writes); ``aligned``:
        at the top, wrapped when longer than 30 characters (a data sheet's), else unformatted (the 说明 sheet's).
        An empty value is no cell, which halves a long report's workbook.

        Through XlsxWriter's undecorated ``_write_string``/``_write_number`` where it has them, as
        :func:`visualizations.exports._write_rows` does (the public ones only add the "A1" notation)."""
        string = getattr(sheet, "_write_string", sheet.write_string)
        numeric = getattr(sheet, "_write_number", sheet.write_number)
        top = self.top if aligned else None
        for index, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(number, index, value, top)
            elif isinstance(value, (int, float)):
                numeric(number, index, value, top)
            else:
                text = neutralized(self.illegal.sub("", str(value)))
                if text:
                    string(number, index, text, self.wrapped if aligned and len(text) > 30 else top)

    def close(self) -> None:
        """Write the workbook's file."""
        self.book.close()


def write_template(path: str | Path, schema: Schema, towns: Sequence[str] = (), place: TemplatePlace | None = None) -> Path:
    """Write the planner's workbook to ``path`` (``.xlsx``); ``towns`` become the town drop-down, and ``place``
    gives the example rows their places (else the Jia County example's). The drop-downs' choices are columns
    of a hidden ``_lists`` sheet (a list written into a validation is limited to 255 characters, a county's
    towns are longer)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = sheets(schema)
    workbook = PlannerWorkbook(path)
    workbook.guide(["来源 Source", "", f"← 填写这份表格的来源，如：{towns[0] if towns else '刘国具镇'} 2024 年报送 / "
                                     "where this workbook comes from"], INSTRUCTIONS, _guide_examples(schema, data, place))
    lists = _ChoiceLists(workbook.book.add_worksheet("_lists"))
    for name, _, columns in data:
        sheet = workbook.data_sheet(name, columns, text=TEXT_COLUMNS)
        for index, column in enumerate(columns):
            town = column.field in ("town", "from_town", "to_town")
            choices = tuple(towns) if town and towns else column.choices
            if choices:
                workbook.drop_down(sheet, index, ROWS_WITH_LISTS - 1, lists.source(choices), strict=not town,
                                   prompt=False)
    workbook.close()
    return path


def _guide_examples(schema: Schema, data: list[tuple[str, str, list[Column]]], place: TemplatePlace | None
                    ) -> list[list[str]]:
    """The 说明 sheet's rows after the instructions: for each data sheet an empty row, what it is for, its headers
    and its example row (:func:`localized` to ``place``)."""
    rows: list[list[str]] = []
    for name, purpose, columns in data:
        example = localized(TIE_EXAMPLE if name == "关系" else _example(schema, name), place)
        rows += [[], [f"表 {purpose}"], [c.zh for c in columns], [example.get(c.field, "") for c in columns]]
    return rows


class _ChoiceLists:
    """The hidden sheet of the template's drop-down choices, a column per distinct list, each written once."""

    def __init__(self, sheet):
        sheet.hide()
        self.sheet = sheet
        self.ranges: dict[tuple[str, ...], str] = {}

    def source(self, choices: tuple[str, ...]) -> str:
        """The range (``=_lists!$A$1:$A$2``) holding ``choices``, written into the next column the first time."""
        from xlsxwriter.utility import xl_col_to_name

        if choices not in self.ranges:
            index = len(self.ranges)
            for row, value in enumerate(choices):
                self.sheet.write_string(row, index, value)
            letter = xl_col_to_name(index)
            self.ranges[choices] = f"=_lists!${letter}$1:${letter}${len(choices)}"
        return self.ranges[choices]


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
