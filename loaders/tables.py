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
import datetime as dt
import functools
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from graph_model.names import match_key, similar_names
from graph_model.records import (InputError, Node, NumberCell, Origin, Problem, SourceRef, coerce_value, make_node,
                                  make_tie)
from graph_model.schema import Property, Schema, packaged_yaml
from loaders.context import LoadContext
from loaders.reconcile import (ADMIN_KINDS, Identity, PlaceRef, Unresolved, decision_for, entities_of, reference_key,
                               resolve_place)

MAX_CELL = 10_000
MAX_ROWS = 2_000_000
_BRACKET_NOTE = re.compile(r"\s*[\(（\[【][^\)）\]】]*[\)）\]】]\s*$")
_IGNORED = re.compile(r"[\s_\-*:：]+")
ACCEPT = "accept"  # the field of a draft's 采纳 column (linkgraph extract)
_ACCEPT_PROPERTY = Property(ACCEPT, "bool", "采纳", "Accept")


@dataclass
class Sheet:
    """One table: a workbook sheet or a CSV file, its header and its rows with their row numbers."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[Any]]]
    problems: list[Problem] = field(default_factory=list)


@functools.lru_cache(maxsize=1 << 12)  # every row of a ties table names its kind
def header_key(text: Any) -> str:
    """A header as it is compared: ``名称（必填）``, `` 名称 `` and ``名称*`` all give ``名称``.

    >>> header_key("开始日期（可选）"), header_key("Start_Date"), header_key("ＩＤ")
    ('开始日期', 'startdate', 'id')
    """
    text = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return _IGNORED.sub("", _BRACKET_NOTE.sub("", text))


def cell_text(value: Any) -> str | None:
    """A cell as text: numbers without ``.0`` or exponents, dates as ISO, blanks as ``None``.

    A number that is not whole comes as a :class:`~graph_model.records.NumberCell`,
    so that a date column refuses ``2021.1`` (Excel's form of a typed 2021.10).

    >>> cell_text(610828105236.0), cell_text(dt.datetime(2021, 5, 1)), cell_text("  通镇 "), type(cell_text(2021.1))
    ('610828105236', '2021-05-01', '通镇', <class 'graph_model.records.NumberCell'>)
    """
    if type(value) is str:
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else NumberCell(repr(value))
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


# ---------------------------------------------------------------- reading files

def read_csv(text: str, file: str, name: str, delimiter: str = ",") -> Sheet:
    """A CSV/TSV text as one :class:`Sheet` (row 1 is the header)."""
    from loaders.text import split_lines

    reader = csv.reader(io.StringIO(split_lines(text)), delimiter=delimiter)
    rows: list[tuple[int, list[Any]]] = []
    try:
        header = next(reader, [])
        for number, row in enumerate(reader, start=2):
            if number > MAX_ROWS + 1:
                raise InputError([Problem(Origin(file, row=number), f"more than {MAX_ROWS:,} rows / 行数过多")])
            rows.append((number, row))
    except csv.Error as err:
        raise InputError([Problem(Origin(file, row=reader.line_num), f"not a readable CSV: {err} / CSV 格式错误")]) from None
    return Sheet(name, [h.lstrip("\ufeff") for h in header], rows)


def read_xlsx(data: bytes, file: str) -> list[Sheet]:
    """Every sheet of an ``.xlsx`` workbook; formula cells and merged cells are problems with their address."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError([Problem(Origin(file), "a password-protected workbook or an old .xls file / 工作簿加密或为旧版 .xls",
                                  "save it as .xlsx without a password / 请另存为无密码的 .xlsx")])
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=len(data) > 20 * 2**20, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as err:
        raise InputError([Problem(Origin(file), f"not a readable .xlsx workbook (damaged or truncated?): {err} "
                                  "/ 无法读取工作簿", "open and save it again in Excel or WPS")]) from None
    sheets = []
    for worksheet in workbook.worksheets:
        problems = [Problem(Origin(file, sheet=worksheet.title), f"merged cells {merged} / 有合并单元格",
                            "unmerge them and fill every row / 请取消合并并逐行填写")
                    for merged in getattr(worksheet, "merged_cells", None) and worksheet.merged_cells.ranges or ()]
        rows: list[tuple[int, list[Any]]] = []
        header: list[str] = []
        for number, cells in enumerate(worksheet.iter_rows(), start=1):
            if number > MAX_ROWS + 1:
                problems.append(Problem(Origin(file, sheet=worksheet.title, row=number), f"more than {MAX_ROWS:,} rows / 行数过多"))
                break
            values = []
            for column, cell in enumerate(cells, start=1):
                if getattr(cell, "data_type", None) == "f":
                    problems.append(Problem(Origin(file, sheet=worksheet.title, row=number,
                                                   column=f"{get_column_letter(column)}{number}"),
                                            f"a formula ({cell.value}); linkgraph reads values, not formulas / 单元格为公式",
                                            "copy and paste as values / 请粘贴为数值"))
                    values.append(None)
                else:
                    values.append(cell.value)
            if number == 1:
                header = [cell_text(v) or "" for v in values]
            else:
                rows.append((number, values))
        sheets.append(Sheet(worksheet.title, header, rows, problems))
    workbook.close()
    return sheets


def read_tables(path: Path, data: bytes) -> list[Sheet]:
    """The tables in a file's bytes: every sheet of a workbook, or the one table of a CSV/TSV."""
    from loaders.text import decode_text

    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(data, str(path))
    text, _ = decode_text(data, str(path))
    return [read_csv(text, str(path), path.stem, "\t" if suffix == ".tsv" else ",")]


# ---------------------------------------------------------------- vocabulary

@functools.cache
def _columns_data() -> dict[str, Any]:
    return packaged_yaml(resources.files("loaders").joinpath("columns.yaml"))


def _spellings(name: str, zh: str, en: str, words: Iterable[str]) -> set[str]:
    return {header_key(w) for w in (name, zh, en, *zh.split("/"), *words) if w}


@dataclass(frozen=True)
class Vocabulary:
    """The fields a table may have, and every header that names each of them."""

    fields: dict[str, set[str]]

    def field_of(self, header: str) -> str | None:
        key = header_key(header)
        for name, spellings in self.fields.items():
            if key in spellings:
                return name
        for part in re.split(r"[\s/]+", str(header).strip()):  # "名称 Name", "起点/From"
            for name, spellings in self.fields.items():
                if header_key(part) in spellings:
                    return name
        return None

    def labels(self) -> list[str]:
        return list(self.fields)


@functools.cache
def node_vocabulary(schema: Schema, kind: str | None) -> Vocabulary:
    """Fields of a node table: one kind's properties, or (``kind=None``) every organization kind's."""
    kinds = [schema.node_kind(kind)] if kind else [k for k in schema.node_kinds if not k.administrative]
    fields: dict[str, set[str]] = {}
    for name, spec in _columns_data()["node_table"].items():
        if kind is None or name != "kind":
            fields[name] = _spellings(name, spec["zh"], spec["en"], spec.get("words", ()))
    for node_kind in kinds:
        for prop in node_kind.properties:
            if prop.stated:
                fields.setdefault(prop.name, set()).update(_spellings(prop.name, prop.zh, prop.en, prop.words))
    return Vocabulary(fields)


@functools.cache
def tie_vocabulary(schema: Schema) -> Vocabulary:
    """Fields of a ties table: the endpoint columns and every tie kind's properties."""
    fields = {name: _spellings(name, spec["zh"], spec["en"], spec.get("words", ()))
              for name, spec in _columns_data()["tie_table"].items()}
    for tie_kind in schema.tie_kinds:
        for prop in tie_kind.properties:
            if prop.stated:
                fields.setdefault(prop.name, set()).update(_spellings(prop.name, prop.zh, prop.en, prop.words))
    return Vocabulary(fields)


def kind_named(schema: Schema, text: str) -> str | None:
    """The node kind a word names: ``企业``, ``Enterprise``, ``companies`` → ``Enterprise``."""
    return _kind_words(schema)[0].get(header_key(text))


def tie_named(schema: Schema, text: str) -> str | None:
    """The tie kind a word names: ``结对帮扶``, ``PAIRED_ASSISTANCE``, ``帮扶`` → ``PAIRED_ASSISTANCE``."""
    return _kind_words(schema)[1].get(header_key(text))


@functools.cache
def _kind_words(schema: Schema) -> tuple[dict[str, str], dict[str, str]]:
    """Every spelling of every node kind to its label, and of every tie kind to its type (the first kind
    in the schema's order wins), built once per schema: :func:`kind_named` and :func:`tie_named` run for
    every row of a table."""
    nodes: dict[str, str] = {}
    for kind in schema.node_kinds:
        for key in _spellings(kind.label, kind.zh, kind.en, kind.words) | {header_key(kind.en + "s")}:
            nodes.setdefault(key, kind.label)
    ties: dict[str, str] = {}
    for tie in schema.tie_kinds:
        for key in _spellings(tie.type, tie.zh, tie.en, tie.words):
            ties.setdefault(key, tie.type)
    return nodes, ties


def sheet_role(schema: Schema, sheet: Sheet) -> str | None:
    """What a sheet holds: ``ties``, ``organizations`` (a kind column), a node kind, ``ties:TYPE`` (ties of
    one kind, named by the sheet), ``skip``, or ``None`` (unknown)."""
    key = header_key(sheet.name)
    for role, words in _columns_data()["sheets"].items():
        if key in {header_key(w) for w in words}:
            return role
    kind = kind_named(schema, sheet.name)
    if kind:
        return kind
    tie = tie_named(schema, sheet.name)
    if tie:
        return f"ties:{tie}"
    if {"from", "to"} <= {tie_vocabulary(schema).field_of(h) for h in sheet.header}:
        return "ties"
    if "kind" in {node_vocabulary(schema, None).field_of(h) for h in sheet.header}:
        return "organizations"
    return None


def parse_column_mapping(text: str) -> dict[str, str]:
    """``--columns``: ``单位=name,隶属乡镇=town`` (or the same as YAML, one ``header: field`` per line)."""
    text = text.strip()
    if not text:
        return {}
    if "\n" in text or ":" in text and "=" not in text:
        data = yaml.safe_load(text)
        if not isinstance(data, Mapping):
            raise InputError([Problem(None, "a column mapping is header: field lines / 列映射格式应为“表头: 字段”")])
        return {str(k): str(v) for k, v in data.items()}
    pairs = {}
    for part in re.split(r"[,，;；]", text):
        header, sep, target = part.partition("=")
        if not sep or not header.strip() or not target.strip():
            raise InputError([Problem(None, f"{part!r} is not HEADER=field / 列映射格式应为 表头=字段")])
        pairs[header.strip()] = target.strip()
    return pairs


def _review_words() -> tuple[set[str], set[str]]:
    """Header keys of the accept column and of the review columns read past (``columns.yaml`` ``review``)."""
    review = _columns_data()["review"]
    accept = review["accept"]
    return (_spellings(ACCEPT, accept["zh"], accept["en"], accept.get("words", ())),
            {header_key(w) for w in review["ignored"]})


def map_columns(sheet: Sheet, vocabulary: Vocabulary, file: str,
                mapping: Mapping[str, str]) -> tuple[dict[int, str], list[Problem]]:
    """Which field each column holds; unknown columns are problems that list the known fields.

    A sheet with an accept column (采纳, a draft's review sheet) maps it to
    ``accept`` and reads past the other review columns (置信度, 候选 …).
    """
    columns: dict[int, str] = {}
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    accept_words, review_words = _review_words()
    review = any(header_key(h) in accept_words for h in sheet.header)
    for index, header in enumerate(sheet.header):
        if not header.strip():
            if any(index < len(row) and cell_text(row[index]) is not None for _, row in sheet.rows):
                problems.append(Problem(Origin(file, sheet=sheet.name, row=1, column=_letter(index)),
                                        "a column with data has no header / 有数据的列缺少表头"))
            continue
        if header_key(header) in {header_key(w) for w in _columns_data()["ignored"]}:
            continue
        if review and header_key(header) in accept_words:
            columns[index] = ACCEPT
            continue
        target = mapping.get(header) or mapping.get(header.strip())
        name = target if target in vocabulary.fields else vocabulary.field_of(header)
        if name is None and not target and review and header_key(header) in review_words:
            continue
        if target and target not in vocabulary.fields:
            problems.append(Problem(Origin(file, sheet=sheet.name, row=1, column=header),
                                    f"--columns maps {header!r} to {target!r}, which is not a field / 列映射目标不存在",
                                    f"fields: {', '.join(vocabulary.labels())}"))
            continue
        if name is None:
            near = similar_names(header, [w for spellings in vocabulary.fields.values() for w in spellings], n=1)
            problems.append(Problem(Origin(file, sheet=sheet.name, row=1, column=header),
                                    f"unknown column {header!r} / 未知的列" + (f"; did you mean {near[0]}?" if near else ""),
                                    f"known: {', '.join(vocabulary.labels())}; or map it with --columns '{header}=FIELD'"))
            continue
        if name in seen:
            problems.append(Problem(Origin(file, sheet=sheet.name, row=1, column=header),
                                    f"{header!r} and {seen[name]!r} both give {name} / 两列对应同一字段"))
            continue
        seen[name] = header
        columns[index] = name
    return columns, problems


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# ---------------------------------------------------------------- rows to records

def parse_tables(sheets: list[Sheet], file: str, ctx: LoadContext, source: SourceRef,
                 mapping: Mapping[str, str] | None = None) -> list[Problem]:
    """Add the statements of a workbook's sheets (or one CSV) to ``ctx.graph``; pure apart from ``ctx``.

    Node sheets are read before ties, so that a tie can name an organization
    of the same workbook. Valid rows are added; every problem is returned.
    """
    schema = ctx.schema
    problems: list[Problem] = [p for sheet in sheets for p in sheet.problems]
    node_sheets, tie_sheets = [], []
    for sheet in sheets:
        if not sheet.header and not sheet.rows:
            continue
        role = sheet_role(schema, sheet)
        if role == "skip":
            continue
        if role is None:
            kinds = "、".join(k.zh for k in schema.node_kinds if not k.administrative)
            problems.append(Problem(Origin(file, sheet=sheet.name), f"cannot tell what sheet {sheet.name!r} holds / 无法识别该表",
                                    f"name it after a kind ({kinds}), 组织 (with a 类型 column) or 关系 (ties)"))
        elif role.startswith("ties"):
            tie_sheets.append((sheet, role.partition(":")[2] or None))
        else:
            node_sheets.append((sheet, None if role == "organizations" else role))
    for sheet, kind in node_sheets:
        columns, found = map_columns(sheet, node_vocabulary(schema, kind), file, mapping or {})
        problems += found
        if not found:
            problems += _node_rows(sheet, kind, columns, file, ctx, source)
    for sheet, type_ in tie_sheets:
        columns, found = map_columns(sheet, tie_vocabulary(schema), file, mapping or {})
        problems += found
        if not found:
            problems += _tie_rows(sheet, type_, columns, file, ctx, source)
    return problems


def _row_values(row: list[Any], columns: Mapping[int, str], origin: Origin) -> tuple[dict[str, str], list[Problem]]:
    """The row's values by field, and its problems. In a sheet with an accept column, a row not
    accepted (否 or empty) gives no values: it is left out."""
    values: dict[str, str] = {}
    problems = []
    if ACCEPT in columns.values():
        index = next(i for i, name in columns.items() if name == ACCEPT)
        answer = cell_text(row[index]) if index < len(row) else None
        try:
            if not (answer and coerce_value(_ACCEPT_PROPERTY, answer)):
                return {}, []
        except ValueError as err:
            return {}, [Problem(origin.at(ACCEPT), f"{err}: 采纳 is 是 or 否", "是 loads the row, 否 or empty leaves it out")]
    for index, name in columns.items():
        text = cell_text(row[index]) if index < len(row) else None
        if text is None:
            continue
        if len(text) > MAX_CELL:
            problems.append(Problem(origin.at(name), f"{len(text):,} characters, more than {MAX_CELL:,} / 内容过长"))
            continue
        if name != ACCEPT:
            values[name] = text
    return values, problems


def _node_rows(sheet: Sheet, kind: str | None, columns: Mapping[int, str], file: str, ctx: LoadContext,
               source: SourceRef) -> list[Problem]:
    schema = ctx.schema
    problems: list[Problem] = []
    for number, row in sheet.rows:
        origin = Origin(file, sheet=sheet.name, row=number)
        values, found = _row_values(row, columns, origin)
        if found:
            problems += found
            continue
        if not values:
            continue
        row_kind = kind or kind_named(schema, values.pop("kind", ""))
        values.pop("kind", None)
        if row_kind is None:
            problems.append(Problem(origin.at("kind"), "unknown or missing kind / 类型为空或无法识别",
                                    "one of: " + "、".join(k.zh for k in schema.node_kinds if not k.administrative)))
            continue
        try:
            if row_kind in ADMIN_KINDS:
                _place_row(row_kind, values, origin, ctx, source)
            else:
                _organization_row(row_kind, values, origin, ctx, source)
        except InputError as err:
            problems += err.problems
    return problems


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
        return resolve_place(ctx.places(), PlaceRef("Village", village, town, county), origin.at(prefix + "village")).node
    if town:
        return resolve_place(ctx.places(), PlaceRef("Town", town, county=county), origin.at(prefix + "town")).node
    if county:
        return resolve_place(ctx.places(), PlaceRef("County", county), origin.at(prefix + "county")).node
    return None


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
    if introduced and identity.reason.startswith("new"):
        identity = Identity(identity.id, f"new, named only by a tie row ({origin.where}) / 仅见于关系表的新组织",
                            identity.duplicates)
    ctx.identities.append((node.name, identity))
    ctx.entities.add(entities_of([node])[0])
    ctx.graph.add_node(node)
    if place is not None and ctx.schema.tie_kind("LOCATED_IN").allows(kind, place.kind):
        evidence = f"{Path(origin.file).name} {origin.where}"
        ctx.graph.add_tie(make_tie(ctx.schema, "LOCATED_IN", node.id, place.id, {"evidence": evidence}, origin,
                                   source=source))
    return node.id


def _tie_rows(sheet: Sheet, sheet_type: str | None, columns: Mapping[int, str], file: str, ctx: LoadContext,
              source: SourceRef) -> list[Problem]:
    schema = ctx.schema
    problems: list[Problem] = []
    file_name = Path(file).name
    for number, row in sheet.rows:
        origin = Origin(file, sheet=sheet.name, row=number)
        values, found = _row_values(row, columns, origin)
        if found:
            problems += found
            continue
        if not values:
            continue
        type_ = tie_named(schema, values.pop("type", "")) or sheet_type
        if type_ is None:
            problems.append(Problem(origin.at("type"), "unknown or missing tie kind / 关系类型为空或无法识别",
                                    "one of: " + "、".join(t.zh for t in schema.tie_kinds)))
            continue
        ends: list[str | None] = []
        introduced: list[_NewOrganization] = []
        found: list[Problem] = []
        for end in ("from", "to"):
            try:
                ends.append(resolve_endpoint(type_, end, values, origin, ctx, source, introduce=False))
            except _NewOrganization as new:
                ends.append(None)
                introduced.append(new)
            except InputError as err:
                found += err.problems
                ends.append(None)
        for column in ("from", "to", "from_kind", "to_kind", "from_town", "to_town", "from_county", "to_county"):
            values.pop(column, None)
        values.setdefault("evidence", f"{file_name} {origin.where}")
        try:
            tie = make_tie(schema, type_, ends[0] or "", ends[1] or "", values, origin, source=source)
        except InputError as err:
            found += err.problems
        if found:  # the whole row is left out: nothing it names is introduced
            problems += found
            continue
        for new in introduced:
            ends[new.position] = _organization_row(new.kind, new.values, new.origin, ctx, source, introduced=True)
        ctx.graph.add_tie(replace(tie, source_id=ends[0], target_id=ends[1]) if introduced else tie)
    return problems


class _NewOrganization(Exception):
    """A tie row's end that names no known organization and would introduce one (once the row is valid)."""

    def __init__(self, position: int, kind: str, values: dict[str, str], origin: Origin):
        super().__init__(values["name"])
        self.position, self.kind, self.values, self.origin = position, kind, values, origin


@functools.cache
def _end_kinds(schema: Schema, type_: str, position: int) -> tuple[str, ...]:
    """The kinds a tie kind allows at its start (``position`` 0) or end (1), in the schema's order."""
    return tuple(dict.fromkeys(pair[position] for pair in schema.tie_kind(type_).endpoints))


def resolve_endpoint(type_: str, end: str, values: Mapping[str, str], origin: Origin, ctx: LoadContext,
                     source: SourceRef, *, introduce: bool = True) -> str:
    """The node id a tie row's ``from`` or ``to`` names: an id as is, or a name resolved among the kinds the tie allows.

    A name that matches nothing, where the tie allows one kind of organization
    only (the 帮扶单位 of a pairing), introduces that organization (with
    ``introduce=False``, raises :class:`_NewOrganization` instead, for the
    caller to introduce once the whole row is valid).
    """
    schema = ctx.schema
    text = values.get(end)
    if not text:
        raise InputError([Problem(origin.at(end), f"{end} is empty / 起点或终点为空")])
    position = 0 if end == "from" else 1
    allowed = _end_kinds(schema, type_, position)
    given = values.get(end + "_kind")
    if given:
        kind = kind_named(schema, given)
        if kind is None:
            raise InputError([Problem(origin.at(end + "_kind"), f"unknown kind {given!r} / 未知类型")])
        allowed = (kind,)
    decided = ctx.decisions and ctx.decisions.get(reference_key(PlaceRef(allowed[0], text, values.get(end + "_town"),
                                                                         values.get(end + "_county"))))
    if decided and decided.get("resolve_to") and allowed[0] not in ADMIN_KINDS:
        text = str(decided["resolve_to"])
    if ctx.kind_of(text) is not None:
        return text
    found: list[tuple[str, str]] = []
    unresolved: list[Unresolved] = []
    near: list[str] = []
    admin = [k for k in allowed if k in ADMIN_KINDS]
    for kind in admin:
        ref = decision_for(ctx.decisions, PlaceRef(kind, text, values.get(end + "_town"), values.get(end + "_county")))
        try:
            match = resolve_place(ctx.places(), ref, origin.at(end))
        except InputError as err:
            for problem in err.problems:
                if isinstance(problem, Unresolved) and problem.candidates:
                    (unresolved.append(problem) if problem.status == "ambiguous" else near.extend(problem.candidates))
            continue
        if match.status != "exact" or match.others:
            _note_place(match, {}, origin.at(end), ctx, source)
        found.append((match.node.id, kind))
    place = None
    if values.get(end + "_town") or values.get(end + "_county"):
        context = {c: values.get(f"{end}_{c}") for c in ("town", "county")}
        try:
            place = _context_place(context, origin, ctx)
        except InputError:
            place = None
    for kind in (k for k in allowed if k not in ADMIN_KINDS):
        for entity in ctx.entities.find(kind, text, place.id if place else None):
            found.append((entity.id, kind))
    found = list(dict.fromkeys(found))
    if len(found) == 1 and not unresolved:
        return found[0][0]
    kinds = "、".join(schema.node_kind(k).zh for k in allowed)
    if found or unresolved:
        listed = [f"{ctx.graph.nodes[i].name if i in ctx.graph.nodes else i} ({i})" for i, _ in found]
        listed += [c for p in unresolved for c in p.candidates]
        raise InputError([Unresolved(origin.at(end), f"{text!r} names {len(listed)} nodes ({kinds}) / 名称对应多个节点: "
                                     + "; ".join(listed), f"give {end}_town, {end}_kind or the id",
                                     ref=PlaceRef(allowed[0], text, values.get(end + "_town"), values.get(end + "_county")),
                                     status="ambiguous", candidates=tuple(listed))])
    organizations = [k for k in allowed if k not in ADMIN_KINDS]
    if len(organizations) == 1 and not near:
        context = {c: values.get(f"{end}_{c}") for c in ("town", "county")}
        row = {"name": text, **{k: v for k, v in context.items() if v}}
        if not introduce:
            raise _NewOrganization(position, organizations[0], row, origin.at(end))
        return _organization_row(organizations[0], row, origin.at(end), ctx, source, introduced=True)
    close = [*near, *similar_names(text, ctx.entities.names(allowed), n=3)]
    where = "".join(filter(None, (values.get(end + "_county"), values.get(end + "_town"))))
    raise InputError([Unresolved(origin.at(end), f"no {kinds} named {text!r}" + (f" in {where}" if where else "")
                                 + " / 找不到该名称" + (f"; candidates 候选: {'; '.join(close)}" if close else ""),
                                 "check the name, give its kind (起点类型/终点类型) or id, define it on an organization "
                                 "sheet, or decide it with linkgraph reconcile",
                                 ref=PlaceRef(allowed[0] if not near else admin[0], text, values.get(end + "_town"),
                                              values.get(end + "_county")),
                                 status="missing", candidates=tuple(close))])


def source_title(sheets: list[Sheet]) -> str | None:
    """The title a workbook's 说明 sheet gives in a ``来源 Source`` row, if any."""
    for sheet in sheets:
        if header_key(sheet.name) not in {header_key(w) for w in _columns_data()["sheets"]["skip"]}:
            continue
        for _, row in [(1, sheet.header), *sheet.rows]:
            cells = [cell_text(c) for c in row]
            if len(cells) > 1 and cells[0] and header_key(cells[0]) in {"来源", "source", "来源source"} and cells[1]:
                return cells[1]
    return None
