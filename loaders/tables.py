"""Planners' tables as sources: ``.xlsx`` workbooks and ``.csv``/``.tsv`` files.

A workbook has one sheet per node kind (``企业``, ``帮扶单位`` … or an
``组织`` sheet with a ``类型`` column) and one ``关系`` sheet of ties; a folder
of CSV files has one file per sheet, named the same way. Headers are the
schema's Chinese or English names or the words planners use for them
(``columns.yaml`` and the ``words`` of ``schema.yaml``), or a mapping the user
gives (``--columns``). Every cell is read as text, so codes never become
numbers; formula cells are refused with their address.

A node row becomes one source's statement about an organization; the
organization is the same node as one already known when its name and place
agree (:class:`loaders.reconcile.EntityIndex`), and its ``所属乡镇``/``所属县``
become a LOCATED_IN tie. A tie row names its endpoints by id (an NBS code or
an organization id) or by name, with optional kind, town and county columns
to tell same-named units apart.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import itertools
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator, Mapping, NamedTuple

from graph_model.names import match_key, similar_names
from graph_model.places import by_codes, parent_code
from graph_model.records import (InputError, Node, Origin, Problem, SourceRef, coerce_value, make_node,
                                  make_tie)
from graph_model.schema import Property, Schema, Through
from loaders.columns import (ACCEPT, Vocabulary, columns_data, end_kind, exact_role, role_note, kind_named, map_columns,
                             node_vocabulary, personal_headers, personal_read_past, table_role, tie_named,
                             tie_end_mapping, tie_vocabulary)
from loaders.context import LoadContext
from loaders.csv_rows import CsvRows, csv_error
from loaders.framing import frame, note_test
from loaders.reconcile import (ADMIN_KINDS, KEEP_AS_TEXT, NEW, Identity, PlaceRef, Unresolved, decision_for, digits_lost,
                               entities_of, excel_mangled, reference_key, resolve_place, try_resolve_place)
from loaders.sheets import MAX_CELL, Sheet, cell_text, header_key, too_many_rows
from loaders.text import decode_text, split_lines
from loaders.workbook import read_xlsx
from loaders.xls import XLS_SUFFIXES, read_xls

_ACCEPT_PROPERTY = Property(ACCEPT, "bool", "采纳", "Accept")

# ---------------------------------------------------------------- reading files

DELIMITERS = (",", "\t", ";")
SNIFF_LINES = 30


def sniff_delimiter(text: str) -> str:
    r"""The delimiter of a CSV text: comma, tab (Excel's "Unicode text", or a .csv saved from a tab-separated
    file) or semicolon (Excel where the comma is the decimal sign): the one that splits the most of the first
    lines into the same number of fields (a title line above the header has one field and does not count).

    >>> sniff_delimiter("佳县通镇2023年结对帮扶关系统计表\n帮扶单位\t结对村\t备注\n县委办\t西山村\t1,2\n")
    '\t'
    >>> sniff_delimiter("a;b;c\n1;2;3\n"), sniff_delimiter("a,b\n1,2\n"), sniff_delimiter("")
    (';', ',', ',')
    """
    sample = text.split("\n", SNIFF_LINES)[:SNIFF_LINES]

    def score(delimiter: str) -> tuple[int, int]:
        widths = [len(row) for row in csv.reader(sample, delimiter=delimiter) if len(row) > 1]
        if not widths:
            return (0, 0)
        common = max(set(widths), key=widths.count)
        return (widths.count(common), common)

    return max(DELIMITERS, key=score)  # max keeps the first of equals: the comma


def read_csv(text: str, file: str, name: str, delimiter: str | None = None) -> Sheet:
    """A CSV/TSV text as one :class:`Sheet` (row 1 is the header); the delimiter sniffed unless given."""
    text = split_lines(text)
    rows: list[tuple[int, list[Any]]] = []
    cells: dict[str, str] = {}  # each text once: a national ties table repeats its ids, dates and kinds a million times
    reader = header = None
    try:  # (the sniffing reads the first lines with the csv module too)
        # strict: a quote opened and never closed is an error, not a cell that swallows the rows after it
        reader = csv.reader(io.StringIO(text), delimiter=delimiter or sniff_delimiter(text), strict=True)
        header = next(reader, [])
        for number, row in enumerate(reader, start=2):
            if problem := too_many_rows(file, number):
                raise InputError([problem])
            rows.append((number, [cells.setdefault(cell, cell) for cell in row]))
    except csv.Error as err:
        row = (len(rows) + 2 if header is not None else 1) if reader else None  # the row being read
        raise InputError([Problem(Origin(file, row=row), csv_error(err))]) from None
    return Sheet(name, [h.lstrip("\ufeff") for h in header], rows)


def stream_csv(text: str, file: str, name: str, delimiter: str | None = None) -> Sheet:
    """:func:`read_csv`, its rows read from the text as they are asked for (:class:`loaders.csv_rows.CsvRows`), not
    held as lists of cells: the same header, rows and problems, and the same error for a CSV it refuses, raised
    before any row is read."""
    text = split_lines(text)
    try:
        delimiter = delimiter or sniff_delimiter(text)
    except csv.Error as err:
        raise InputError([Problem(Origin(file), csv_error(err))]) from None
    rows = CsvRows.scan(text, file, delimiter, note_test(text))
    return Sheet(name, rows.header, rows)


def read_tables(path: Path, data: bytes, *, stream: bool = False) -> list[Sheet]:
    """The tables in a file's bytes: every sheet of a workbook, or the one table of a CSV/TSV (``stream``: its
    rows read as they are asked for, :func:`stream_csv`)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(data, str(path))
    if suffix in XLS_SUFFIXES:
        return read_xls(data, str(path))
    text, _ = decode_text(data, str(path))
    return [(stream_csv if stream else read_csv)(text, str(path), path.stem, "\t" if suffix == ".tsv" else None)]



@dataclass(frozen=True, slots=True)
class TableOrigin(Origin):
    """A row of a planner's table; :meth:`at` a field names its column by the header the planner wrote, with
    the field's name beside it (``column 终点 (to)``), in messages and in ``--problems``."""

    headers: tuple[tuple[str, str], ...] = ()

    def at(self, column: str) -> "TableOrigin":
        return TableOrigin(self.file, self.sheet, self.row, column, self.key_rows, self.key, self.headers)

    def at_row(self, row: int) -> "TableOrigin":
        """The origin of row ``row`` of the same sheet (built directly: a national table has a million rows)."""
        return TableOrigin(self.file, self.sheet, row, self.column, self.key_rows, self.key, self.headers)

    @property
    def label(self) -> str | None:
        """The column as the planner knows it: ``终点 (to)``, or the field's name where no header gives it."""
        header = dict(self.headers).get(self.column or "")
        if not header or header_key(header) == header_key(self.column):
            return self.column
        return f"{header} ({self.column})"


# ---------------------------------------------------------------- rows to records

def parse_tables(sheets: list[Sheet], file: str, ctx: LoadContext, source: SourceRef,
                 mapping: Mapping[str, str] | None = None, kind: str | None = None) -> list[Problem]:
    """Add the statements of a workbook's sheets (or one CSV) to ``ctx.graph``; pure apart from ``ctx``.

    Each sheet's header is found among its first rows, and a title above it and
    notes below the data are read past (:func:`loaders.framing.frame`), as are
    hidden sheets; ``ctx.notes`` says so. ``kind`` (``--kind``) is the kind of a
    table whose name is not a kind. Node sheets are read before ties, so that a
    tie can name an organization of the same workbook. Valid rows are added;
    every problem is returned.
    """
    mapping = mapping or {}
    problems: list[Problem] = []
    node_sheets, tie_sheets = [], []
    for sheet in sheets:
        role, sheet = _sheet_to_read(sheet, file, ctx, mapping, kind)
        if role is None:
            problems += sheet.problems
        elif role.startswith("ties"):
            tie_sheets.append((sheet, role.partition(":")[2] or None))
        else:
            node_sheets.append((sheet, None if role == "organizations" else role))
    for sheet, node_kind in node_sheets:
        problems += sheet.problems
        personal = frozenset() if node_kind == ctx.schema.role_kind("person") else personal_headers()
        columns, found = map_columns(sheet, node_vocabulary(ctx.schema, node_kind), file, mapping, personal=personal)
        _note_personal(sheet, columns, personal, file, ctx)
        problems += found or _node_rows(sheet, node_kind, columns, file, ctx, source)
    named = len(ctx.named_parties)
    # a sheet of a kind that takes units through their party organization (村企联建) after the others, so that a
    # unit's party organization another sheet of the workbook states (党组织隶属) is found, not named again
    tie_sheets.sort(key=lambda pair: bool(pair[1]) and ctx.schema.tie_kind(pair[1]).through is not None)
    for sheet, type_ in tie_sheets:
        problems += sheet.problems
        ends = tie_end_mapping(ctx.schema, sheet.header, mapping)  # 企业名称 | 结对村: the company starts the pairing
        columns, found = map_columns(sheet, tie_vocabulary(ctx.schema), file, ends, personal=personal_headers())
        _note_personal(sheet, columns, personal_headers(), file, ctx)
        problems += found or _tie_rows(sheet, type_, columns, file, ctx, source)
    if len(ctx.named_parties) > named:
        ctx.notes.append(_named_parties_note(ctx.named_parties[named:], file))
    return problems


def _note_personal(sheet: Sheet, columns: Mapping[int, str], personal: frozenset[str], file: str,
                   ctx: LoadContext) -> None:
    """Say which columns about a person a sheet's load read past (linkgraph keeps no personal data)."""
    headers = personal_read_past(sheet, columns, personal)
    if headers:
        listed = "、".join(headers)
        ctx.notes.append(f"个人信息列未载入（隐私）：{listed} / columns about a person are not stored (privacy): "
                         f"{listed}: {file}, sheet {sheet.name}")


def _named_parties_note(units: list[str], file: str) -> str:
    """The note on the units whose party organization a table's rows named after them (:func:`_party_of`)."""
    listed = "、".join(units)
    return (f"{len(units)} 个单位没有党组织，已按“名称+党支部”由 linkgraph 命名（{file}）：{listed} / linkgraph named the "
            f"party branches of {len(units)} units that had none (unit name + 党支部; {file}): {listed}")


def _sheet_to_read(sheet: Sheet, file: str, ctx: LoadContext, mapping: Mapping[str, str],
                   kind: str | None) -> tuple[str | None, Sheet]:
    """A sheet framed and its role, or ``(None, sheet)`` for a sheet not read (hidden, empty, a 说明 sheet,
    or one that cannot be told: then its problems say so). What was read past goes to ``ctx.notes``."""
    schema = ctx.schema
    if exact_role(schema, sheet.name) == "skip" or (not sheet.header and not sheet.rows):  # 说明, _lists: not data
        return None, replace(sheet, problems=[])
    if sheet.hidden:
        ctx.notes.append(f"跳过隐藏的工作表 / skipped a hidden sheet: {file}, sheet {sheet.name}")
        return None, replace(sheet, problems=[])
    sheet = frame(sheet, schema, file, mapping)
    role, how = table_role(schema, sheet, kind, mapping)
    ctx.notes += sheet.notes
    if role is None:
        kinds = "、".join(k.zh for k in schema.node_kinds if not k.administrative)
        problem = Problem(Origin(file, sheet=sheet.name), f"无法识别该表 / cannot tell what sheet {sheet.name!r} holds",
                          f"请以类型命名工作表（{kinds}、组织或关系），或用 --kind / name it after a kind ({kinds}), 组织 (with a "
                          "类型 column) or 关系 (ties), or give --kind")
        return None, replace(sheet, problems=[*sheet.problems, problem])
    if how:
        ctx.notes.append(role_note(schema, role, how, file, sheet))
    return role, sheet


EXCEL_ERRORS = frozenset({"#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!", "#CALC!",
                          "#GETTING_DATA"})
CODE_FIELDS = frozenset({"id", "from", "to", "town", "county", "village", "from_town", "to_town", "from_county",
                         "to_county"})


def _accepted(texts: list[str | None], names: tuple[str, ...], origin: Origin) -> tuple[bool, list[Problem]]:
    """In a sheet with an accept column, whether the row is accepted (是); a row of 否 or empty is left out."""
    if ACCEPT not in names:
        return True, []
    answer = texts[names.index(ACCEPT)]
    try:
        return bool(answer and coerce_value(_ACCEPT_PROPERTY, answer)), []
    except ValueError as err:
        return False, [Problem(origin.at(ACCEPT), f"采纳须填“是”或“否” / 采纳 is 是 or 否: {err}",
                               "填“是”载入该行，“否”或空白则不载入 / 是 loads the row, 否 or empty leaves it out")]


def code_cell(text: str) -> str:
    """A code column's cell with a code typed in full-width digits (５２２６３４, as Chinese input methods type it)
    as its half-width code; any other text as it is.

    >>> code_cell("５２２６３４１０１２０７"), code_cell("佳县水利局")
    ('522634101207', '佳县水利局')
    """
    return unicodedata.normalize("NFKC", text) if not text.isascii() and text.isdecimal() else text


def _cell_problem(name: str, text: str, origin: Origin) -> Problem | None:
    """What is wrong with a cell as a cell: too long, an Excel error value, or a code Excel mangled."""
    if len(text) > MAX_CELL:
        return Problem(origin.at(name), f"内容过长 / {len(text):,} characters, more than {MAX_CELL:,}")
    if text[:1] == "#" and text.upper() in EXCEL_ERRORS:  # (every error value starts with #: no copy of other cells)
        return Problem(origin.at(name), f"单元格是 Excel 的错误值 {text} / the cell holds Excel's error value {text}",
                       "修正公式引用的单元格，再粘贴为数值 / fix what the formula refers to, then paste as values")
    mangled = excel_mangled(text) if name in CODE_FIELDS else None
    return Problem(origin.at(name), mangled[0], mangled[1]) if mangled else None


def _row_values(texts: list[str | None], names: tuple[str, ...],
                origin: Origin) -> tuple[dict[str, str], list[Problem]]:
    """The row's values by field (``texts``, its cells as text, one per field of ``names``), and its problems.
    In a sheet with an accept column, a row not accepted (否 or empty) gives no values: it is left out."""
    accepted, problems = _accepted(texts, names, origin)
    if not accepted:
        return {}, problems
    values: dict[str, str] = {}
    for name, text in zip(names, texts):
        if text is None or name == ACCEPT:
            continue
        if name in CODE_FIELDS:
            text = code_cell(text)
        # only a cell that may be wrong is checked (:func:`_cell_problem`): one too long, one starting with # (an
        # Excel error value), a code with an e (scientific notation); a million rows' other cells cost no call
        if len(text) > MAX_CELL or text[:1] == "#" or (name in CODE_FIELDS and ("e" in text or "E" in text)):
            problem = _cell_problem(name, text, origin)
            if problem is not None:
                problems.append(problem)
                continue
        values[name] = text
    return values, problems


END_FIELDS = frozenset({"id", "from", "to"})
"""The code columns that name a row's node or a tie's ends (the others name the town or county a row lies in)."""
ASKED_ROWS = 10_000
"""Rows of a table whose units (NBS codes in its code columns) are asked of the store at once (:meth:`LoadContext.ask_units`)."""


def _rows_asked(sheet: Sheet, columns: Mapping[int, str],
                ctx: LoadContext) -> Iterator[tuple[int, list[str | None]]]:
    """The sheet's rows as their cells' texts (:func:`loaders.sheets.cell_text`, read once; one per field of
    ``columns``, in its order; None for a blank cell or one past the row's end), :data:`ASKED_ROWS` at a time,
    the store's units their code columns name asked for first in one question: so that a national table
    neither asks for each unit alone nor reads all of them."""
    indexes = list(columns)
    places = [j for j, name in enumerate(columns.values()) if name in CODE_FIELDS and name not in END_FIELDS]
    ends = [j for j, name in enumerate(columns.values()) if name in END_FIELDS]
    if isinstance(sheet.rows, CsvRows):  # a CSV's cells are texts: stripped here, not each by a call of cell_text
        rows = ((number, [(row[i].strip() or None) if i < len(row) else None for i in indexes])
                for number, row in sheet.rows)
    else:
        rows = ((number, [cell_text(row[i]) if i < len(row) else None for i in indexes]) for number, row in sheet.rows)
    for chunk in iter(functools.partial(_take, rows, ASKED_ROWS), []):
        ctx.ask_units(*({text for _, texts in chunk for j in fields if (text := texts[j])} for fields in (places, ends)))
        yield from chunk


def _take(rows: Iterator[tuple[int, list[Any]]], count: int) -> list[tuple[int, list[Any]]]:
    return list(itertools.islice(rows, count))


def _row_origin(sheet: Sheet, columns: Mapping[int, str], file: str) -> TableOrigin:
    """The origin of the sheet's rows, knowing the header the planner wrote for each field."""
    headers = tuple((name, sheet.header[i]) for i, name in columns.items() if i < len(sheet.header))
    return TableOrigin(file, sheet=sheet.name, headers=headers)


def _node_rows(sheet: Sheet, kind: str | None, columns: Mapping[int, str], file: str, ctx: LoadContext,
               source: SourceRef) -> list[Problem]:
    schema = ctx.schema
    problems: list[Problem] = []
    rows_origin, names = _row_origin(sheet, columns, file), tuple(columns.values())
    for number, texts in _rows_asked(sheet, columns, ctx):
        origin = rows_origin.at_row(number)
        values, found = _row_values(texts, names, origin)
        if not values or (found and not _cells_only(found, origin)):
            problems += found
            continue
        row_kind = kind or kind_named(schema, values.pop("kind", ""))
        values.pop("kind", None)
        if row_kind is None:
            problems += found
            problems.append(Problem(origin.at("kind"), "类型为空或无法识别 / unknown or missing kind",
                                    "可选 / one of: " + "、".join(k.zh for k in schema.node_kinds if not k.administrative)
                                    + "; 或在文件名中写明（企业名单.csv），或用 / or name the kind in the file name or "
                                    "with --kind"))
            continue
        try:
            if row_kind not in ADMIN_KINDS:
                problems += _organization_kept(row_kind, values, origin, ctx, source, found)
            elif found:  # a unit of the roster is read whole or not at all
                problems += found
            else:
                _place_row(row_kind, values, origin, ctx, source)
        except InputError as err:
            problems += err.problems
    return problems


ROW_KEYS = frozenset({"name", "id", "kind", "aggregate_count"})
"""The cells an organization's row is not read without: one of them refused leaves the whole row out. Besides
what names the organization, the count of a row that stands for several (合计个数: 38 brewing cooperatives):
without it the row would be one organization, which it is not."""
CELL_LEFT_OUT = ("用 --keep-valid 载入时只略去这一格，本行其余各列照常读入 / with --keep-valid only this cell is left "
                 "out: the row's other cells are read")


def _organization_kept(kind: str, values: dict[str, str], origin: Origin, ctx: LoadContext, source: SourceRef,
                       found: list[Problem]) -> list[Problem]:
    """An organization's row read as :func:`_organization_row` reads it, and its problems. Where only some of
    its cells are wrong (``found``: those refused already; a village the roster lacks, an Excel error value in
    its brand), none of :data:`ROW_KEYS`, the row is read again without them: ``--keep-valid`` then keeps the
    organization with its good cells (aliases, brand, town, and so the ties that name it), rather than leaving
    the whole row out (a tie row naming it then introduced a bare organization, placed nowhere). Each refused
    cell's problem says so; without ``--keep-valid`` the problems stop the load as before."""
    try:
        _organization_row(kind, dict(values), origin, ctx, source)
        return [_cell_left_out(p) for p in found]
    except InputError as err:
        problems = err.problems
    if not _cells_only(problems, origin):
        return [*found, *problems]
    refused = {p.origin.column for p in problems if p.origin is not None}
    try:
        _organization_row(kind, {k: v for k, v in values.items() if k not in refused}, origin, ctx, source)
    except InputError:
        return [*found, *problems]
    return [_cell_left_out(p) for p in (*found, *problems)]


def _cells_only(problems: list[Problem], origin: Origin) -> bool:
    """Whether every one of ``problems`` is about one cell of the row at ``origin`` other than :data:`ROW_KEYS`."""
    return all(p.origin is not None and p.origin.column is not None and p.origin.column not in ROW_KEYS
               and (p.origin.file, p.origin.sheet, p.origin.row) == (origin.file, origin.sheet, origin.row)
               for p in problems)


def _cell_left_out(problem: Problem) -> Problem:
    """``problem``, of one cell, saying that ``--keep-valid`` leaves only that cell out of its row; of its own
    class still (a place that matched nothing stays :class:`graph_model.places.Unresolved`, with its candidates:
    the no-roster summary and the decisions file read them)."""
    return dataclasses.replace(problem, hint=f"{problem.hint}；{CELL_LEFT_OUT}" if problem.hint else CELL_LEFT_OUT)


def _place_row(kind: str, values: dict[str, str], origin: Origin, ctx: LoadContext, source: SourceRef) -> None:
    """A row about a roster unit (a village's aliases or notes): resolved, never created."""
    values.pop("village", None)
    ref = decision_for(ctx.decisions, PlaceRef(kind, values.pop("name", ""), values.pop("town", None),
                                               values.pop("county", None), values.pop("id", None)))
    _note_place(resolve_place(ctx.places(), ref, origin), values, origin, ctx, source)


def _note_place(match, values: dict[str, str], origin: Origin, ctx: LoadContext, source: SourceRef) -> None:
    """The source's statement about a roster unit it named: its spelling as an alias, how it was resolved."""
    ctx.matches.append(match)
    values["aliases"] = "；".join(filter(None, [values.get("aliases"),
                                               match.ref.name if match.ref.name != match.node.name else None]))
    computed = {"reconciliation": match.note if match.status not in ("exact", "code") or match.others else None}
    ctx.graph.add_node(make_node(ctx.schema, match.node.kind, {"id": match.node.id, "name": match.node.name, **values},
                                 origin, source=source, computed=computed))


def _context_place(values: Mapping[str, str], origin: Origin, ctx: LoadContext, prefix: str = "") -> Node | None:
    """The roster unit a row's village, town and county columns name (the most specific one)."""
    county, town, village = (values.get(prefix + c) for c in ("county", "town", "village"))
    if village:
        ref, column = PlaceRef(ctx.schema.level_kind("village"), village, town, county), "village"
    elif town:
        ref, column = PlaceRef(ctx.schema.level_kind("town"), town, county=county), "town"
    elif county:
        ref, column = PlaceRef(ctx.schema.level_kind("county"), county), "county"
    else:
        return None
    # codes alone (a national table's) are their units, without every unit of the store read and keyed
    found = by_codes(ref, ctx.unit, ctx.schema)
    return found if found is not None else resolve_place(ctx.places(), ref, origin.at(prefix + column)).node


def try_context_place(values: Mapping[str, str], origin: Origin, ctx: LoadContext) -> tuple[Node | None, list[Problem]]:
    """:func:`_context_place` as a value: the unit, or ``None`` and the problems."""
    try:
        return _context_place(values, origin, ctx), []
    except InputError as err:
        return None, err.problems


@functools.lru_cache(maxsize=64)
def file_name(path: str) -> str:
    """The last part of a path (``Path(path).name``), worked out once per file: each row's evidence names it.

    >>> file_name("/data/佳县/结对帮扶.csv"), file_name("ties.csv")
    ('结对帮扶.csv', 'ties.csv')
    """
    return Path(path).name


def mint_id(kind: str, name: str, place: str | None) -> str:
    """The id of an organization a table introduces without one: kind, place and normalized name.

    >>> mint_id("AssistanceUnit", "佳縣縣委辦公室", "610828")
    'AssistanceUnit:610828:佳县县委办公室'
    """
    return f"{kind}:{place or '-'}:{match_key(name)}"


def _organization_row(kind: str, values: dict[str, str], origin: Origin, ctx: LoadContext, source: SourceRef,
                      introduced: bool = False) -> str:
    """A row about an organization (or, ``introduced``, a name a tie row gives): one statement of its node; its id."""
    place = _context_place(values, origin, ctx)
    for column in ("county", "town", "village"):
        values.pop(column, None)
    explicit = values.get("id")
    name = values.get("name", "")
    aliases = [a for a in re.split(r"[;；、|]", values.get("aliases", "")) if a.strip()]
    identity = ctx.entities.identify(kind, name, aliases, place.id if place else None,
                                     explicit or mint_id(kind, name, place.id if place else None), explicit=bool(explicit))
    node = make_node(ctx.schema, kind, {**values, "id": identity.id}, origin, source=source,
                     computed={"place": place.id if place else None})
    if introduced and identity.reason == NEW:
        identity = Identity(identity.id, f"仅见于关系表的新组织 / new, named only by a tie row ({origin.where})",
                            identity.duplicates)
    ctx.identities.append((node.name, identity))
    ctx.entities.add(entities_of([node])[0])
    ctx.graph.add_node(node)
    if place is not None and ctx.schema.tie_kind("LOCATED_IN").allows(kind, place.kind):
        evidence = f"{file_name(origin.file)} {origin.where}"
        ctx.graph.add_tie(make_tie(ctx.schema, "LOCATED_IN", node.id, place.id, {"evidence": evidence}, origin,
                                   source=source))
    return node.id


END_COLUMNS = ("from", "to", "from_kind", "to_kind", "from_town", "to_town", "from_county", "to_county")


def _tie_rows(sheet: Sheet, sheet_type: str | None, columns: Mapping[int, str], file: str, ctx: LoadContext,
              source: SourceRef) -> list[Problem]:
    schema = ctx.schema
    problems: list[Problem] = []
    rows_origin, names = _row_origin(sheet, columns, file), tuple(columns.values())
    generic_town = _generic_town_header(schema, sheet, columns)
    if generic_town:  # the column may hold the start's town: its messages then name it by the planner's header
        rows_origin = replace(rows_origin, headers=(*rows_origin.headers, ("from_town", generic_town)))
    village_start = _village_start(schema, rows_origin)
    for number, texts in _rows_asked(sheet, columns, ctx):
        origin = rows_origin.at_row(number)
        values, found = _row_values(texts, names, origin)
        if found or not values:
            problems += found
            continue
        type_ = tie_named(schema, values.pop("type", "")) or sheet_type
        if type_ is None:
            problems.append(Problem(origin.at("type"), "关系类型为空或无法识别 / unknown or missing tie kind",
                                    "可选 / one of: " + "、".join(t.zh for t in schema.tie_kinds) + "; 或在文件名中写明"
                                    "（结对帮扶名单.csv），或用 / or name the kind in the file name or with --kind 结对帮扶"))
            continue
        if generic_town:
            values = _town_at_place_end(schema, type_, values, village_start)
        problems += _tie_row(type_, values, origin, ctx, source)
    return problems


def _generic_town_header(schema: Schema, sheet: Sheet, columns: Mapping[int, str]) -> str | None:
    """A tie sheet's town header that says no end (所属乡镇, 乡镇, not 终点所属乡镇: a town column as a node table
    heads it, ``columns.yaml`` ``node_table.town``), or ``None``."""
    header = next((sheet.header[i] for i, name in columns.items() if name == "to_town"), None)
    town_words = Vocabulary({"town": node_vocabulary(schema, None).fields["town"]})
    return header if header is not None and town_words.field_of(header) == "town" else None


def _village_start(schema: Schema, origin: TableOrigin) -> bool:
    """Whether a tie sheet's start column says by its header that it names villages and its end column does not
    (a 村企联建 table: 村, 企业): its town column (乡镇) is then the villages'."""
    headers = dict(origin.headers)
    return end_kind("from", headers.get("from")) == schema.level_kind("village") \
        and end_kind("to", headers.get("to")) not in schema.administrative_kinds


def _town_at_place_end(schema: Schema, type_: str, values: dict[str, str], village_start: bool = False) -> dict[str, str]:
    """A row's values with a town column that names no end (所属乡镇) given to the end that can lie in a town:
    the start where its header names villages (``village_start``: 村, 企业, 乡镇), or where the end allows no
    administrative unit and the start allows a village (a 联村党委 member list: 成员村 弄冠村, 所属乡镇 北景镇 is
    the member's town, not the organization's); else the end's, as before."""
    if values.get("to_town") is None or values.get("from_town") is not None:
        return values
    place_at_end = set(_end_kinds(schema, type_, 1)) & set(schema.administrative_kinds)
    if not village_start and (place_at_end or schema.level_kind("village") not in _end_kinds(schema, type_, 0)):
        return values
    moved = dict(values)
    moved["from_town"] = moved.pop("to_town")
    return moved


def _tie_row(type_: str, values: dict[str, str], origin: Origin, ctx: LoadContext, source: SourceRef) -> list[Problem]:
    """One tie row: its ends resolved, then the tie (one per name where an end's cell lists several); a row with
    any problem is left out whole, and the organizations it would introduce are introduced only when it is valid."""
    listed = [_listed_ends(type_, end, values, origin, ctx, source) for end in ("from", "to")]
    found = [p for ends in listed for end in ends for p in end.problems]
    if not found and len(listed[0]) > 1 and len(listed[1]) > 1:
        found.append(Problem(origin.at("from"), "起点和终点都列了多个名称，无法确定哪些结对 / both ends list several "
                             "names: which pairs are meant is not said", "每行只在一端列多个名称 / list several names "
                             "in one end of a row only"))
    for column in END_COLUMNS:
        values.pop(column, None)
    if "evidence" not in values:  # (the row's place made into text only for a row that gives no evidence)
        values["evidence"] = f"{file_name(origin.file)} {origin.where}"
    try:
        tie = make_tie(ctx.schema, type_, listed[0][0].id or "", listed[1][0].id or "", values, origin,
                       source=source, valid=ctx.valid_ties)
    except InputError as err:
        found += err.problems
    rule = ctx.schema.tie_kind(type_).through
    found = found or _party_problems(rule, listed, origin, ctx)
    if found:
        return found
    for ends in itertools.product(*listed):
        ids = _end_ids(rule, ends, origin, ctx, source)
        ctx.add_tie(tie if (tie.source_id, tie.target_id) == tuple(ids)
                    else replace(tie, source_id=ids[0], target_id=ids[1]))
    return []


def _end_ids(rule: Through | None, ends: tuple[_End, ...], origin: Origin, ctx: LoadContext,
             source: SourceRef) -> list[str]:
    """The node ids of a valid row's two ends: the organizations it introduces made, and a unit taken through its
    party organization (``rule``) that organization (:func:`_party_of`)."""
    ids = [end.id or _organization_row(*end.new, origin.at(name), ctx, source, introduced=True)
           for end, name in zip(ends, ("from", "to"))]
    if rule is None:
        return ids
    return [_party_of(rule, node_id, origin.at(name), ctx, source) for node_id, name in zip(ids, ("from", "to"))]


def _unit_named(ctx: LoadContext, node_id: str) -> tuple[str, str | None]:
    """A unit's name and where it lies: a village by its code (its own place), an organization by its place."""
    unit = ctx.places().nodes.get(node_id) if ctx.schema.kind_of_code(node_id) else None
    if unit is not None:
        return unit.name, unit.id
    node, entity = ctx.graph.nodes.get(node_id), ctx.entities.by_id.get(node_id)
    place = (node.props.get("place") if node is not None else None) or (entity.place if entity is not None else None)
    return (node.name if node is not None else entity.name if entity is not None else node_id), place


def _party_problems(rule: Through | None, listed: list[list[_End]], origin: Origin, ctx: LoadContext) -> list[Problem]:
    """The problems of a tie row's ends that name a unit taken through its party organization (``rule``, where
    the tie kind has one) which has several (:func:`_parties_problem`)."""
    if rule is None:
        return []
    return [p for ends, name in zip(listed, ("from", "to")) for end in ends if end.id
            for p in _parties_problem(rule, end.id, origin.at(name), ctx)]


def _parties_problem(rule: Through, node_id: str, origin: Origin, ctx: LoadContext) -> list[Problem]:
    """The problem of an end that names a unit taken through its party organization (``rule``) which has
    several: which one the row means is not said."""
    if ctx.kind_of(node_id) not in rule.kinds:
        return []
    parties = ctx.tied_from(rule.tie, rule.organization, node_id)
    if len(parties) < 2:
        return []
    unit, listed = _described(ctx, node_id), [_described(ctx, p) for p in parties]
    return [Problem(origin, f"{unit} 有 {len(parties)} 个党组织（{'；'.join(listed)}），无法确定是哪一个 / {unit} has "
                    f"{len(parties)} party organizations ({'; '.join(listed)}): which one is meant is not said",
                    "请在该格写出党组织的名称 / write the party organization's name in this cell")]


def _party_of(rule: Through, node_id: str, origin: Origin, ctx: LoadContext, source: SourceRef) -> str:
    """A tie row's end as the tie kind takes it (``through`` in ``schema.yaml``): a unit of the rule's kinds is its
    one party organization (the store's or this load's), or one this load names after it where it has none; any
    other node is itself. The organization named by an earlier load of the same rows is stated again, so that a
    table loaded again keeps it (else it would go, with its ties)."""
    if ctx.kind_of(node_id) not in rule.kinds:
        return node_id
    parties = ctx.tied_from(rule.tie, rule.organization, node_id)
    name, place = _unit_named(ctx, node_id)
    branch = rule.branch_name(name)
    identity = ctx.entities.identify(rule.organization, branch, (), place, mint_id(rule.organization, branch, place))
    if parties and (parties[0] != identity.id or identity.id in ctx.graph.nodes):
        return parties[0]
    return _name_party(rule, node_id, identity, place, origin, ctx, source)


NAMED_BY_LINKGRAPH = "名称由 linkgraph 按单位名称拟定 / named by linkgraph after its unit"
"""The note of a party organization a load named after its unit (:func:`_name_party`)."""


def _name_party(rule: Through, unit_id: str, identity: Identity, place: str | None, origin: Origin, ctx: LoadContext,
                source: SourceRef) -> str:
    """The party organization (``rule.form``, named <unit>党支部, its id ``identity``'s) a unit with none gets, with
    its tie to the unit, both stated by the row (``origin``); the unit listed in :attr:`LoadContext.named_parties`.
    Its id."""
    schema, name = ctx.schema, rule.branch_name(_unit_named(ctx, unit_id)[0])
    node = make_node(schema, rule.organization, {"id": identity.id, "name": name, "form": rule.form,
                                                 "note": NAMED_BY_LINKGRAPH}, origin, source=source,
                     computed={"place": place})
    ctx.identities.append((name, identity))
    ctx.entities.add(entities_of([node])[0])
    ctx.graph.add_node(node)
    ctx.graph.add_tie(make_tie(schema, rule.tie, node.id, unit_id, {"evidence": f"{file_name(origin.file)} {origin.where}"},
                               origin, source=source))
    described = _described(ctx, unit_id).split(" (")[0]
    if described not in ctx.named_parties:
        ctx.named_parties.append(described)
    return node.id


@functools.cache
def _list_separators() -> re.Pattern[str]:
    """What separates the names a planner lists in one cell (``columns.yaml`` ``list_separators``)."""
    return re.compile("|".join(re.escape(s) for s in columns_data()["list_separators"]))


def _listed_ends(type_: str, end: str, values: Mapping[str, str], origin: Origin, ctx: LoadContext,
                 source: SourceRef) -> list[_End]:
    """A tie row's end, or its ends where the cell lists several names (弄合村、弄京村、弄良村: the villages a unit
    helps) and the whole names no node: one :class:`_End` a name, each resolved as a cell of its own."""
    whole = _resolve_end(type_, end, values, origin, ctx, source)
    if whole.id is not None:
        return [whole]
    names = [n.strip() for n in _list_separators().split(values.get(end) or "")]
    if len(names) < 2 or not all(names):
        return [whole]
    ends = [_resolve_end(type_, end, {**values, end: name}, origin, ctx, source) for name in names]
    ctx.notes.append(f"一格列出 {len(names)} 个名称，按 {len(names)} 条关系载入 / one cell lists {len(names)} names: "
                     f"read as {len(names)} ties: {origin.at(end)}")
    return ends


class _End(NamedTuple):
    """A tie row's end: the node it names, or the organization (kind and values) it would introduce once the
    row is valid, or its problems (a tuple: two a row, made faster than a frozen dataclass)."""

    id: str | None = None
    new: tuple[str, dict[str, str]] | None = None
    problems: tuple[Problem, ...] = ()


@functools.cache
def _end_kinds(schema: Schema, type_: str, position: int) -> tuple[str, ...]:
    """The kinds a tie kind allows at its start (``position`` 0) or end (1), in the schema's order."""
    return schema.tie_kind(type_).end_kinds(position)


def resolve_endpoint(type_: str, end: str, values: Mapping[str, str], origin: Origin, ctx: LoadContext,
                     source: SourceRef) -> str:
    """The node id a tie row's ``from`` or ``to`` names: an id as is, or a name resolved among the kinds the tie
    allows. A name that matches nothing, where the tie allows one kind of organization only (the 帮扶单位 of a
    pairing), introduces that organization. :class:`InputError` when it names nothing or several."""
    found = _resolve_end(type_, end, values, origin, ctx, source)
    if found.problems:
        raise InputError(found.problems)
    return found.id or _organization_row(*found.new, origin.at(end), ctx, source, introduced=True)


def _end_ref(kind: str, text: str, end: str, values: Mapping[str, str]) -> PlaceRef:
    return PlaceRef(kind, text, values.get(end + "_town"), values.get(end + "_county"))


@functools.cache
def _through_kinds(schema: Schema, type_: str, header_kind: str | None) -> tuple[str, ...]:
    """The kinds of unit a tie kind's end may also be named by (``through`` in ``schema.yaml``): the one the end's
    header names (村 → Village) where the rule takes it, else all the rule takes."""
    rule = schema.tie_kind(type_).through
    if rule is None:
        return ()
    return (header_kind,) if header_kind in rule.kinds else rule.kinds


def _header_kind(origin: Origin, end: str) -> str | None:
    """The kind of unit the header of a table's end column names (村, 企业: ``columns.yaml`` ``kinds``), or None."""
    return _kind_in_headers(getattr(origin, "headers", ()), end)


@functools.cache
def _kind_in_headers(headers: tuple[tuple[str, str], ...], end: str) -> str | None:
    """:func:`_header_kind` of a table's headers, worked out once per table and end rather than for every row's
    end (a table's headers are the same on all its rows: 陕西's 38,601 ties asked 77,202 times)."""
    return end_kind(end, dict(headers).get(end))


def _allowed_kinds(type_: str, end: str, values: Mapping[str, str], origin: Origin,
                   schema: Schema) -> tuple[tuple[str, ...], Problem | None]:
    """The kinds an end may be: those the tie allows, or the one its 起点类型/终点类型 column names."""
    given = values.get(end + "_kind")
    if not given:
        tie_ends = _end_kinds(schema, type_, 0 if end == "from" else 1)
        return tie_ends + _through_kinds(schema, type_, _header_kind(origin, end)), None
    kind = kind_named(schema, given)
    if kind is None:
        return (), Problem(origin.at(end + "_kind"), f"未知类型“{given}” / unknown kind {given!r}",
                           "可选 / one of: " + "、".join(k.zh for k in schema.node_kinds))
    return (kind,), None


def _resolve_end(type_: str, end: str, values: Mapping[str, str], origin: Origin, ctx: LoadContext,
                 source: SourceRef) -> _End:
    """What a tie row's end names (see :func:`resolve_endpoint`), without introducing anything."""
    text = values.get(end)
    if not text:
        return _End(problems=(Problem(origin.at(end), "为空 / is empty", "每行须填起点和终点 / every row names both ends"),))
    allowed, problem = _allowed_kinds(type_, end, values, origin, ctx.schema)
    if problem is not None:
        return _End(problems=(problem,))
    decided = ctx.decisions and ctx.decisions.get(reference_key(_end_ref(allowed[0], text, end, values)))
    if decided and decided.get("resolve_to") and allowed[0] not in ADMIN_KINDS:
        text = str(decided["resolve_to"])
    if ctx.kind_of(text) is not None:
        outside = _code_outside(text, end, values, origin, ctx)
        return _End(problems=(outside,)) if outside else _End(id=text)
    places = _place_ends(allowed, text, end, values, origin, ctx, source)
    named = _organization_ends(allowed, text, end, values, origin, ctx)
    found = list(dict.fromkeys([*places.found, *named]))
    introduces = _introduction(ctx.schema, _introducible(type_, allowed, text, end, origin, ctx.schema), text, end,
                               values)
    if len(found) == 1 and not places.ambiguous:
        again = _introduced_before(named, introduces, origin, ctx)
        return _End(new=again) if again else _End(id=found[0])
    if found or places.ambiguous:
        return _End(problems=(_ambiguous_end(allowed, text, end, values, origin, ctx, found, places.ambiguous),))
    other = _other_kind(type_, end, allowed, text, origin, ctx) \
        or _unit_of_other_kind(type_, end, allowed, text, values, origin, ctx)  # first: no new unit of its name
    if introduces and not places.near and other is None:
        return _End(new=introduces)
    return _End(problems=(other or _missing_end(allowed, text, end, values, origin, ctx, places.near),))


def _code_outside(code: str, end: str, values: Mapping[str, str], origin: Origin, ctx: LoadContext) -> Problem | None:
    """The problem of an end given by a unit's code that does not lie in the town or county the row gives for it
    (a village's code with another town's name beside it: one of the two is wrong, and neither is taken)."""
    context = _end_context(values, end)
    if not any(context.values()) or ctx.schema.kind_of_code(code) is None:
        return None
    place, _ = try_context_place(context, origin.at(end), ctx)
    if place is None or code.startswith(place.id):
        return None
    # a village named with its town (通镇高家集村), by the units of the codes alone: no read of every unit
    unit = ctx.unit(code)
    town = ctx.unit(parent_code(code, ctx.schema) or "") if unit and unit.kind == ctx.schema.level_kind("village") else None
    described = (town.name if town else "") + unit.name if unit else code
    return Problem(origin.at(end), f"编码 {code}（{described}）不在{place.name} / the code {code} ({described}) does not "
                   f"lie in {place.name}", "请核对编码和所属乡镇 / check the code and the town")


def _end_context(values: Mapping[str, str], end: str) -> dict[str, str | None]:
    """The town and county a tie row gives for its end ``end`` (from, to): ``{"town": …, "county": …}``."""
    return {c: values.get(f"{end}_{c}") for c in ("town", "county")}


def _introducible(type_: str, allowed: tuple[str, ...], text: str, end: str, origin: Origin,
                  schema: Schema) -> tuple[str, ...]:
    """The kinds of organization a name nothing has may be new of at a tie row's end: those the tie allows there,
    or the one of them the column's header names (企业名称 of a 万企帮万村 table: a company, whatever its name ends
    with); where the tie kind takes units through their party organization (``through``), a party organization
    where the name ends in one of its forms (佳县红枣有限公司党支部), else the kind of organization the column's
    header names (企业), else none where it names a unit of the roster (村: a village is never new), else a party
    organization, as the tie allows."""
    organizations = tuple(k for k in allowed if k not in ADMIN_KINDS)
    rule, header = schema.tie_kind(type_).through, _header_kind(origin, end)
    if rule is None or len(allowed) == 1:  # (one kind: the end's 起点类型/终点类型 column gave it)
        return (header,) if header in organizations else organizations
    form = schema.node_kind(rule.organization).property("form")
    if any(text.endswith(f) for f in (form.enum if form else ())) or header is None:
        return (rule.organization,)
    return (header,) if header in organizations else ()


def _introduction(schema: Schema, organizations: tuple[str, ...], text: str, end: str,
                  values: Mapping[str, str]) -> tuple[str, dict[str, str]] | None:
    """The organization a tie row's end introduces where one kind of organization may be new there
    (:func:`_introducible`), besides kinds told by their names' endings (``name_endings`` in schema.yaml): the
    帮扶单位 of a pairing is an enterprise when its name ends with a legal form (佳县红枣食品有限公司), else an
    assistance unit. Its kind, and its name with the end's town and county; else ``None``."""
    plain = [k for k in organizations if not schema.node_kind(k).name_endings]
    if len(organizations) != 1 and len(plain) != 1:
        return None
    kind = organizations[0] if len(organizations) == 1 else \
        next((k for k in organizations if schema.node_kind(k).named_so(text)), plain[0])
    context = _end_context(values, end)
    return kind, {"name": text, **{k: v for k, v in context.items() if v}}


def _introduced_before(named: list[str], introduces: tuple[str, dict[str, str]] | None, origin: Origin,
                       ctx: LoadContext) -> tuple[str, dict[str, str]] | None:
    """The organization again, where the one organization a tie row's end names is the store's node a row of
    this name introduced (its id is the one the row would mint for its kind) and no source of this load has
    stated it yet: the row states it again, so that a table edited and loaded again keeps the units its rows
    introduced (else they would go, and their ties). Of the kind it has (a 帮扶单位 named 某公司 that an older
    linkgraph introduced as an assistance unit stays one). Else ``None``."""
    if len(named) != 1 or introduces is None or named[0] in ctx.graph.nodes:
        return None
    entity = ctx.entities.by_id.get(named[0])
    kind, values = (entity.kind if entity is not None else introduces[0]), introduces[1]
    place = _context_place(values, origin, ctx)
    return (kind, values) if named[0] == mint_id(kind, values["name"], place.id if place is not None else None) else None


@dataclass
class _PlaceEnds:
    found: list[str] = field(default_factory=list)
    ambiguous: list[Unresolved] = field(default_factory=list)
    near: list[str] = field(default_factory=list)


def _place_ends(allowed: tuple[str, ...], text: str, end: str, values: Mapping[str, str], origin: Origin,
                ctx: LoadContext, source: SourceRef) -> _PlaceEnds:
    """The roster units of the allowed administrative kinds that ``text`` names, those it may name (several:
    ``ambiguous``), and the close names of those it does not (``near``)."""
    places = _PlaceEnds()
    for kind in (k for k in allowed if k in ADMIN_KINDS):
        ref = decision_for(ctx.decisions, _end_ref(kind, text, end, values))
        match, problems = try_resolve_place(ctx.places(), ref, origin.at(end))
        if match is None:
            for problem in problems:
                if isinstance(problem, Unresolved) and problem.candidates:
                    if problem.status == "ambiguous":
                        places.ambiguous.append(problem)
                    else:
                        places.near.extend(problem.candidates)
            continue
        if match.status != "exact" or match.others:
            _note_place(match, {}, origin.at(end), ctx, source)
        places.found.append(match.node.id)
    return places


def _organization_ends(allowed: tuple[str, ...], text: str, end: str, values: Mapping[str, str], origin: Origin,
                       ctx: LoadContext) -> list[str]:
    """The organizations of the allowed kinds known by ``text``, in the end's town or county where it gives one."""
    kinds = [k for k in allowed if k not in ADMIN_KINDS]
    if not kinds:
        return []
    place = None
    if values.get(end + "_town") or values.get(end + "_county"):
        context = _end_context(values, end)
        place, _ = try_context_place(context, origin, ctx)
    found = [[e.id for e in ctx.entities.find(kind, text, place.id if place else None)] for kind in kinds]
    if all(len(ids) <= 1 for ids in found) and sum(map(len, found)) > 1:
        # one organization listed on two kinds' sheets (a state-owned company on 企业 and 帮扶单位): the one of
        # the kind the tie names first (结对帮扶's 帮扶单位: the assistance unit)
        return next(ids for ids in found if ids)
    return [i for ids in found for i in ids]


def _described(ctx: LoadContext, node_id: str) -> str:
    """A node as a list of candidates shows it: a unit with its town (店镇西山村 (610828102209)), an
    organization with its name and id."""
    places = ctx.places()
    if node_id in places.nodes:
        return places.describe(places.nodes[node_id])
    node = ctx.graph.nodes.get(node_id)
    entity = ctx.entities.by_id.get(node_id)
    name = node.name if node is not None else entity.name if entity is not None else node_id
    place = entity.place if entity is not None else None
    where = places.describe(places.nodes[place]).split(" (")[0] + " " if place in places.nodes else ""
    return f"{where}{name} ({node_id})"


def _ambiguous_end(allowed: tuple[str, ...], text: str, end: str, values: Mapping[str, str], origin: Origin,
                   ctx: LoadContext, found: list[str], ambiguous: list[Unresolved]) -> Unresolved:
    """The problem of an end that names several nodes, each listed with its town; a single roster problem
    (a village whose name several towns have) as the roster said it."""
    if not found and len(ambiguous) == 1:
        return ambiguous[0]
    kinds = "、".join(ctx.schema.node_kind(k).zh for k in allowed)
    listed = tuple(dict.fromkeys([*(_described(ctx, i) for i in found), *(c for p in ambiguous for c in p.candidates)]))
    return Unresolved(origin.at(end), f"“{text}”对应 {len(listed)} 个{kinds} / {text!r} names {len(listed)} of "
                      f"{kinds}: " + "; ".join(listed),
                      "填写起点/终点所属乡镇、类型或编码 / give the end's town (起点乡镇/终点乡镇), kind or code",
                      ref=_end_ref(allowed[0], text, end, values), status="ambiguous", candidates=listed)


def _other_kind(type_: str, end: str, allowed: tuple[str, ...], text: str, origin: Origin,
                ctx: LoadContext) -> Problem | None:
    """The problem of an end that names an organization of a kind the tie does not allow there (a cooperative
    starting 服务帮带): what it is and which kinds may be there, rather than that nothing has its name."""
    kinds = [k for k in ctx.schema.organization_kinds if k not in allowed and ctx.entities.find(k, text)]
    if not kinds:
        return None
    schema, tie = ctx.schema, ctx.schema.tie_kind(type_)
    found = "、".join(f"{schema.node_kind(k).zh} {k}" for k in kinds)
    may = "、".join(schema.node_kind(k).zh for k in allowed)
    zh_end, en_end = ("起点", "starts at") if end == "from" else ("终点", "ends at")
    # an organization may be of two kinds (a state-owned company that is also an assistance unit): it is listed
    # on the other kind's sheet too
    also = "、".join(schema.node_kind(k).zh for k in allowed if k not in ADMIN_KINDS)
    hint_zh, hint_en = (f"；它若也是{also}，请在相应的表中也列出它", f"; if it is also a {also}, list it on that sheet too") \
        if also else ("", "")
    return Problem(origin.at(end), f"“{text}”是{'、'.join(schema.node_kind(k).zh for k in kinds)}，{tie.zh}的{zh_end}只能是"
                   f"{may} / {text!r} is a {found}; {tie.zh} {type_} {en_end} {may} only",
                   f"换一种关系类型，或核对起点和终点是否写反{hint_zh} / choose another tie kind, or check that the ends are "
                   f"not swapped{hint_en}")


def _unit_of_other_kind(type_: str, end: str, allowed: tuple[str, ...], text: str, values: Mapping[str, str],
                        origin: Origin, ctx: LoadContext) -> Problem | None:
    """The problem of an end that names a roster unit (a village, a town) where the tie allows no unit of its
    level (运营 ends at a project): the unit it is, rather than a new project named after the village."""
    schema = ctx.schema
    for kind in (k for k in ADMIN_KINDS if k not in allowed):
        match, _ = try_resolve_place(ctx.places(), _end_ref(kind, text, end, values), origin.at(end))
        if match is None or match.status not in ("exact", "normalized", "unique"):
            continue
        tie, may = schema.tie_kind(type_), "、".join(schema.node_kind(k).zh for k in allowed)
        zh_end, en_end = ("起点", "starts at") if end == "from" else ("终点", "ends at")
        unit = _described(ctx, match.node.id)
        return Problem(origin.at(end), f"“{text}”是{schema.node_kind(kind).zh} {unit}，{tie.zh}的{zh_end}只能是{may} / "
                       f"{text!r} is the {kind} {unit}; {tie.zh} {type_} {en_end} {may} only",
                       f"换一种关系类型，或写出{may}的全称 / choose another tie kind, or give the {may}'s full name")
    return None


def _missing_end(allowed: tuple[str, ...], text: str, end: str, values: Mapping[str, str], origin: Origin,
                 ctx: LoadContext, near: list[str]) -> Problem:
    """The problem of an end that names nothing: the close names, or what Excel did to a code."""
    kinds = "、".join(ctx.schema.node_kind(k).zh for k in allowed)
    close = [*near, *similar_names(text, ctx.entities.names(allowed), n=3)]
    where = "".join(filter(None, (values.get(end + "_county"), values.get(end + "_town"))))
    admin = [k for k in allowed if k in ADMIN_KINDS]
    lost = digits_lost(text)
    if lost:  # no decision can mend it: the planner types the code again (not a reconciliation question)
        return Problem(origin.at(end), lost, KEEP_AS_TEXT)
    message = f"找不到{where}“{text}” / no {kinds} named {text!r}" + (f" in {where}" if where else "") \
        + (f"; 候选 candidates: {'; '.join(close)}" if close else "")
    hint = ("请核对名称，填写类型（起点类型/终点类型）或编码，或用 linkgraph reconcile 决定 / check the name, give its "
            "kind or id, define it on an organization sheet, or decide it with linkgraph reconcile")
    return Unresolved(origin.at(end), message, hint,
                      ref=_end_ref(allowed[0] if not near else admin[0], text, end, values), status="missing",
                      candidates=tuple(close))


def source_title(sheets: list[Sheet]) -> str | None:
    """The title a workbook's 说明 sheet gives in a ``来源 Source`` row, if any."""
    for sheet in sheets:
        if header_key(sheet.name) not in {header_key(w) for w in columns_data()["sheets"]["skip"]}:
            continue
        for _, row in [(1, sheet.header), *sheet.rows]:
            cells = [cell_text(c) for c in row]
            if len(cells) > 1 and cells[0] and header_key(cells[0]) in {"来源", "source", "来源source"} and cells[1]:
                return cells[1]
    return None
