"""Nodes, ties and the graph they make, checked against the schema; pure.

Loaders build :class:`Node` and :class:`Tie` records with :func:`make_node` and
:func:`make_tie`, which coerce raw values (text from a spreadsheet cell, YAML
scalars) to the declared property types and report every problem with the
place in the source it came from.

Every record keeps *who says so*: its ``provenance`` is a list of statements,
one per source (the source's title and file, where in it, what it stated and
when it was loaded). All other values are combined from those statements as
the schema's ``combine`` policies say (:func:`combine`), so that a second
source adds to a node instead of overwriting it, and loading one source again
replaces only that source's statement.

>>> from graph_model.schema import default_schema
>>> s = default_schema()
>>> g = GraphData()
>>> g.add_node(make_node(s, "Town", {"id": "610828105", "name": "通镇", "source": "NBS"}))
>>> g.add_node(make_node(s, "Village", {"id": "610828105236", "name": "崔家西山村", "source": "NBS"}))
>>> g.add_tie(make_tie(s, "PART_OF", "610828105236", "610828105", {"source": "NBS", "evidence": "row 9"}))
>>> g.problems(s)
[]
>>> article = SourceRef("case.yaml", "佳县新闻报道", "case.yaml")
>>> g.add_node(make_node(s, "Village", {"id": "610828105236", "name": "西山村"}, source=article))
>>> village = g.nodes["610828105236"]
>>> village.name, village.props["aliases"], village.props["source"]
('崔家西山村', ['西山村'], 'NBS; 佳县新闻报道')
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from graph_model.names import match_text
from graph_model.schema import Property, Schema, SchemaError, TieKind

_LIST_SEPARATORS = re.compile(r"[;；、|]")
_TRUE = {"true", "yes", "y", "1", "是", "对", "√"}
_FALSE = {"false", "no", "n", "0", "否", "不是", "×"}
# 2021 · 2021-05 · 2021-05-01 · 2021/5/1 · 2021.5 · 2021年5月 · 2021年5月1日
_DATE = re.compile(r"^(\d{4})(?:\s*(?:[-/.]|年)\s*(\d{1,2})(?:\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?|\s*月)?)?\s*年?$", re.ASCII)
# A number that stood for a year and month (2021.5, 2021.12): Excel and YAML keep 2021.10 as 2021.1.
_NUMBER_MONTH = re.compile(r"^(\d{4})\.(\d{1,2})$", re.ASCII)
# Numbers in the text of a cell, after NFKC (full-width ３８ is 38): decimal digits only, no leading zero
# (046), underscore (3_8), 0x or other base, nan or inf, which Python's int() and float() would take.
_INTEGER = re.compile(r"^[+-]?(?:0|[1-9][0-9]*)$", re.ASCII)
_DECIMAL = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$", re.ASCII)
JOIN = " | "
KindOf = Callable[[str], "str | None"]
"""Looks up the kind of a node id that is not in the graph at hand (e.g. one already in the store)."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a value came from: file, and where known sheet, row and column.

    ``key_rows`` gives the row of each field where a record spans several
    lines (a YAML mapping), so that :meth:`at` points at the field's own line.
    ``key`` names the record in a case file (``hezhai_liquor``).
    """

    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    key_rows: tuple[tuple[str, int], ...] = ()
    key: str | None = None

    def at(self, column: str) -> "Origin":
        row = dict(self.key_rows).get(column, self.row) if self.key_rows else self.row
        return Origin(self.file, self.sheet, row, column, self.key_rows, self.key)

    @property
    def where(self) -> str:
        """The place inside the file, Chinese first as every text a planner reads: ``工作表 sheet 企业, 行 row 5`` or
        ``行 row 45, 键 key hezhai_liquor``. It is the one text of a place in a source: the provenance of every
        statement (shown by the map, ``serve`` and the report), the evidence of a table's tie and the start of a
        problem's line (computed when asked: slots and no cache keep the origin of each of a national load's
        million rows small).

        >>> Origin("企业.csv", "企业", 5, "名称").where, str(Origin("case.yaml", row=45, key="hezhai_liquor"))
        ('工作表 sheet 企业, 行 row 5', 'case.yaml, 行 row 45, 键 key hezhai_liquor')
        """
        parts = []
        if self.sheet:
            parts.append(f"工作表 sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"行 row {self.row}")
        if self.key:
            parts.append(f"键 key {self.key}")
        return ", ".join(parts)

    @property
    def label(self) -> str | None:
        """The column as a planner knows it (a table's origin gives its header: ``终点 (to)``)."""
        return self.column

    @property
    def inside(self) -> str:
        """:attr:`where` with the column (``工作表 sheet 企业, 行 row 5, 列 column 名称``): the place without the file."""
        where = self.where
        column = f"列 column {self.label}" if self.column else ""
        return f"{where}, {column}" if where and column else where or column

    def __str__(self) -> str:
        inside = self.inside
        return f"{self.file}, {inside}" if inside else self.file


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, where it is, and how to fix it."""

    origin: Origin | None
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.origin}: " if self.origin else ""
        hint = f" (提示 hint: {self.hint})" if self.hint else ""
        return f"{where}{self.message}{hint}"


class InputError(ValueError):
    """The input cannot be loaded; carries every problem found, first one first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        if not self.problems:
            raise ValueError("InputError needs at least one problem")
        more = len(self.problems) - 1
        super().__init__(str(self.problems[0]) + (f" (另有 {more} 处问题 / and {more} more problems)" if more else ""))


@dataclass(frozen=True)
class SourceRef:
    """A source as provenance names it.

    ``key`` identifies the source from one load to the next (its file name, or
    ``nbs2023:61`` for the bundled roster of a province): loading a source
    with the same key again replaces what it said before. ``title`` is what
    people call it; ``file`` the file it was read from.
    """

    key: str
    title: str
    file: str = ""


@dataclass(frozen=True, slots=True)
class Node:
    """A node: its kind (label), stable id and values combined from its statements."""

    kind: str
    id: str
    props: Mapping[str, Any]
    origin: Origin | None = None

    @property
    def name(self) -> str:
        return self.props["name"]

    @property
    def provenance(self) -> list[dict[str, Any]]:
        return self.props.get("provenance") or []


@dataclass(frozen=True, slots=True)
class Tie:
    """A directed tie of one kind from node ``source_id`` to node ``target_id``."""

    type: str
    source_id: str
    target_id: str
    props: Mapping[str, Any]
    origin: Origin | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.type, self.source_id, self.target_id)

    @property
    def provenance(self) -> list[dict[str, Any]]:
        return self.props.get("provenance") or []


class NumberCell(str):
    """The text of a spreadsheet cell that held a number that is not whole (``2021.1``).

    Loaders read cells as text; this says the text was a number, whose trailing
    zeros are lost: Excel stores a typed ``2021.10`` as ``2021.1``, so such a
    date cannot be told from January (:func:`parse_date`).
    """

    __slots__ = ()


_DATE_EXPECTED = "expected a date (2021, 2021-05, 2021-05-01 or 2021年5月), got {} / 日期格式有误"


def _number_date(value: float | NumberCell) -> str:
    """The ``YYYY-MM`` a number stands for (2021.5, 2021.12), refusing 2021.1 (January, or October that lost its 0)."""
    text = str(value) if isinstance(value, NumberCell) else repr(value)
    match = _NUMBER_MONTH.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"数字 {text} 不是年月；请把日期写成文字，如 2021-05 / the number {text} is not a year and month; "
                         "type the date as text, e.g. 2021-05")
    year, month = match.groups()
    if month == "1":
        raise ValueError(f"数字 {text} 可能是 {year}年1月，也可能是 {year}年10月（Excel 会去掉末尾的 0）；请把日期写成文字 "
                         f"{year}-10 或 {year}-01 / the number {text} may be January or October {year} (Excel drops a "
                         f"trailing 0); type the date as text, {year}-10 or {year}-01")
    return f"{year}-{int(month):02d}"


def parse_date(value: Any) -> str:
    """A date as ISO text at the precision given: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    Raises ``ValueError`` for text that is not a date or not a real calendar day.
    A number that is not whole (a spreadsheet cell, a YAML scalar) is a year
    and month (2021.5, 2021.12); 2021.1 is refused, as Excel and YAML keep a
    typed 2021.10 as 2021.1. The text ``2022.10`` is October.

    >>> parse_date("2021年5月"), parse_date("2022.10"), parse_date("2022/1/3"), parse_date(2021), parse_date(2021.12)
    ('2021-05', '2022-10', '2022-01-03', '2021', '2021-12')
    >>> parse_date("2021-02-30")
    Traceback (most recent call last):
    ValueError: 日期不存在 / 2021-02-30 is not a day of the calendar
    """
    if type(value) is str and len(value) == 4 and value.isdigit() and 1900 <= int(value) <= 2100:
        return value  # a year, the commonest date in planners' tables
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        raise ValueError(_DATE_EXPECTED.format(_short(value)))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, (float, NumberCell)):
        return _number_date(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE.match(text)
    if not match:
        raise ValueError(_DATE_EXPECTED.format(_short(value)))
    year, month, day = (int(g) if g else None for g in match.groups())
    if not 1900 <= year <= 2100:
        raise ValueError(f"年份超出范围 / year {year} is out of range 1900-2100")
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError:
        raise ValueError(f"日期不存在 / {text} is not a day of the calendar") from None
    return f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")


def period_end(value: Any) -> dt.date:
    """The last day of the period a date names (``2022`` is 2022-12-31, ``2022-06`` is 2022-06-30, a day is
    itself), in any form :func:`parse_date` reads: the day a network is taken "as of" and the bound of a
    span of dates, in the report (``--as-of``) and the saved queries alike. A tie's own start or end given as
    a year or month counts from the period's first day, so ISO text compares with this day as dates do
    (``"2023-05" <= "2023-12-31"``, where ``"2023-05" <= "2023"`` would leave a tie of May 2023 out of 2023).

    >>> period_end("2022"), period_end("2024年2月"), period_end("2021-05-01")
    (datetime.date(2022, 12, 31), datetime.date(2024, 2, 29), datetime.date(2021, 5, 1))
    """
    import calendar

    parts = [int(p) for p in parse_date(value).split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return dt.date(*parts)


def parse_int(value: Any) -> int:
    """A whole number from a cell or a YAML scalar: an int, a whole float, or decimal digits as text.

    Text must be plain decimal (full-width digits are read after NFKC): a
    leading zero (``046``, a code or an octal number?), an underscore
    (``3_8``) or another base (``0x26``), all of which Python would read, are
    refused with the value.

    >>> parse_int("38"), parse_int("３８"), parse_int(38.0), parse_int("-3")
    (38, 38, 38, -3)
    >>> parse_int("046")
    Traceback (most recent call last):
    ValueError: 整数 '046' 不能以 0 开头（若是代码，请放在文字列）/ a whole number cannot start with 0: '046' (a code belongs in a text column)
    """
    if isinstance(value, bool):
        raise ValueError(f"应为整数 / expected a whole number, got {_short(value)}")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if _INTEGER.match(text):
        return int(text)
    if re.match(r"^[+-]?0[0-9]+$", text, re.ASCII):
        raise ValueError(f"整数 {_short(text)} 不能以 0 开头（若是代码，请放在文字列）/ a whole number cannot start with 0: "
                         f"{_short(text)} (a code belongs in a text column)")
    if re.match(r"^[+-]?0[xXoObB][0-9a-fA-F_]+$|^[+-]?[0-9][0-9_]*_[0-9_]*$", text, re.ASCII):
        raise ValueError(f"整数只能用十进制数字书写，不用 0x、0o、0b 或下划线：{_short(text)} / a whole number is written "
                         f"in decimal digits only, without 0x, 0o, 0b or underscores: {_short(text)}")
    raise ValueError(f"应为整数 / expected a whole number, got {_short(value)}")


def parse_float(value: Any) -> float:
    """A number from a cell or a YAML scalar: an int or float, or decimal text (``1.5``, ``-2``, ``3e2``).

    Text Python's float() would also take (``1_0``, ``nan``, ``inf``, ``0x1p3`` as hex) is refused.

    >>> parse_float("1.5"), parse_float(2), parse_float("１.５")
    (1.5, 2.0, 1.5)
    """
    if isinstance(value, bool):
        raise ValueError(f"应为数字 / expected a number, got {_short(value)}")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"数字 {_short(value)} 不是有限数 / {_short(value)} is not a finite number")
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not _DECIMAL.match(text):
        raise ValueError(f"应为数字 / expected a number, got {_short(value)}")
    return float(text)


def _text(value: Any, max_length: int = 20_000) -> str:
    if not isinstance(value, str):
        raise ValueError(f"应为文字，请加引号 / expected text, got {_short(value)} (YAML reads unquoted yes, no, "
                         "true or 10 as other types; put the value in quotes)")
    if len(value) > max_length:
        raise ValueError(f"文字过长 / a text of {len(value):,} characters, more than {max_length:,}")
    return value.strip()


def _short(value: Any) -> str:
    """A value for a message: its repr, cut to 80 characters (a hostile value may be huge)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"


def coerce_value(prop: Property, value: Any) -> Any:
    """Convert a raw value to the property's type; ``None`` for blank input.

    Raises ``ValueError`` with a readable message when the value does not fit.

    >>> from graph_model.schema import Property
    >>> coerce_value(Property("aliases", "string_list", "别名", "Aliases"), "贺寨酒业；陕西贺寨酒业公司")
    ['贺寨酒业', '陕西贺寨酒业公司']
    >>> coerce_value(Property("start", "date", "开始", "Start"), 2022)
    '2022'
    >>> coerce_value(Property("name", "string", "名称", "Name"), True)
    Traceback (most recent call last):
    ValueError: 应为文字，请加引号 / expected text, got True (YAML reads unquoted yes, no, true or 10 as other types; put the value in quotes)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    kind = prop.type
    if kind == "string":
        result: Any = _text(value, prop.max_length)
    elif kind == "int":
        result = parse_int(value)
    elif kind == "float":
        result = parse_float(value)
    elif kind == "bool":
        result = _parse_bool(value)
    elif kind == "string_list":
        result = _parse_text_list(value, prop.max_length)
    elif kind == "date":
        result = parse_date(value)
    elif kind == "json":
        result = _parse_json(value, prop.name)
    else:  # pragma: no cover - the schema parser admits only the types above
        raise SchemaError(f"unknown property type {kind!r}")
    return _allowed_value(prop, result)


def _parse_bool(value: Any) -> bool:
    """A yes/no cell (是/否, yes/no, true/false …) as a bool."""
    if isinstance(value, bool):
        return value
    if str(value).strip().lower() in _TRUE:
        return True
    if str(value).strip().lower() in _FALSE:
        return False
    raise ValueError(f"应为是或否 / expected yes/no (是/否), got {_short(value)}")


def _parse_text_list(value: Any, max_length: int) -> list[str]:
    """A list of texts: a list, or a text whose items are separated by ；, ; or the like; empty items dropped."""
    if isinstance(value, str):
        items: Sequence[Any] = _LIST_SEPARATORS.split(value)
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        raise ValueError(f"应为文字列表 / expected a list of texts, got {_short(value)}")
    return [t for t in (_text(v, max_length) for v in items if v is not None) if t]


def _parse_json(value: Any, name: str) -> Any:
    """A JSON mapping or list, given as one or as JSON text, checked (:func:`_check_json`)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as err:
            raise ValueError(f"应为 JSON / expected JSON, got {_short(value)}: {err.msg}") from None
        except RecursionError:
            raise ValueError(f"嵌套过深 / JSON nested more than {JSON_DEPTH} levels") from None
    if not isinstance(value, (dict, list)):
        raise ValueError(f"应为映射或列表 / expected a mapping or a list, got {_short(value)}")
    _check_json(value, name)
    return value


def _allowed_value(prop: Property, result: Any) -> Any:
    """``result`` as an allowed value of ``prop``: an enum word as its value, checked against enum and range."""
    if prop.enum_words and result not in prop.enum:
        result = dict(prop.enum_words).get(result, result)
    if prop.enum and result not in prop.enum:
        raise ValueError(f"取值不在允许范围内 / expected one of {', '.join(prop.enum)}, got {_short(result)}")
    if prop.min is not None and result < prop.min or prop.max is not None and result > prop.max:
        raise ValueError(f"数值超出范围 / {result} is out of range {prop.min:g}-{prop.max:g}")
    return result


JSON_INT = 2**63 - 1
"""The largest whole number a JSON property may hold: what both stores and orjson keep (64 bits)."""


JSON_DEPTH = 32
"""How deep a JSON property's lists and mappings may nest (metrics are a flat mapping)."""


def _check_json(value: Any, where: str, depth: int = 0) -> None:
    """Refuse what a store could not keep in a JSON property, naming where it is (``metrics.党员骨干``):
    keys that are not texts (YAML reads ``1:`` as a number), whole numbers beyond 64 bits, NaN and
    infinities, and values that are not texts, numbers, yes/no, lists or mappings (dates: quote them)."""
    if depth > JSON_DEPTH:
        raise ValueError(f"{where}: 嵌套过深 nested more than {JSON_DEPTH} levels / 嵌套过深")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where}: 键须为文字 the key {_short(key)} must be a text; put it in quotes "
                                 "/ 键请加引号")
            _check_json(item, f"{where}.{key}", depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, f"{where}[{index}]", depth + 1)
    elif isinstance(value, bool) or value is None or isinstance(value, str):
        return
    elif isinstance(value, int):
        if abs(value) > JSON_INT:
            raise ValueError(f"{where}: 数值过大 {_short(value)}，请加引号写作文字 / {_short(value)} is beyond the "
                             f"largest whole number kept ({JSON_INT:,}); write it as a text in quotes")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: 数值无效 {value} is no number that can be kept / 数值无效")
    else:
        raise ValueError(f"{where}: 含无法保存的值 {_short(value)} cannot be kept (quote dates and other values) "
                         "/ 请加引号")


_LAYOUTS: dict[int, tuple[dict[str, Property], tuple[Property, ...], tuple[Property, ...]]] = {}


def _layout(properties: tuple[Property, ...]) -> tuple[dict[str, Property], tuple[Property, ...], tuple[Property, ...]]:
    """The stated properties by name, the required ones and the derived ones of a kind (worked out once per kind)."""
    layout = _LAYOUTS.get(id(properties))
    if layout is None:
        known = {p.name: p for p in properties if p.stated}
        layout = _LAYOUTS[id(properties)] = (known, tuple(p for p in known.values() if p.required),
                                             tuple(p for p in properties if p.derived_from))
    return layout


def _coerce(properties: tuple[Property, ...], values: Mapping[str, Any], origin: Origin | None,
            what: str) -> tuple[dict[str, Any], list[Problem]]:
    """The stated values coerced to their types, and every problem with them."""
    known, required, _ = _layout(properties)
    problems = []
    stated: dict[str, Any] = {}
    for name, raw in values.items():
        prop = known.get(name)
        if prop is None:
            problems.append(Problem(origin.at(name) if origin else None, f"未定义的属性 / {what} has no property {name!r}",
                                    f"可用属性 allowed: {', '.join(known)}"))
            continue
        try:
            value = coerce_value(prop, raw)
        except ValueError as err:
            problems.append(Problem(origin.at(name) if origin else None, str(err)))
            continue
        if value is not None:
            stated[name] = value
    for prop in required:
        if prop.name not in stated and not any(p.origin and p.origin.column == prop.name for p in problems):
            problems.append(Problem(origin.at(prop.name) if origin else None, f"必填项为空 / {prop.label} is required"))
    return stated, problems


def _same(a: Any, b: Any) -> bool:
    return a == b and type(a) is type(b)


def combine(properties: tuple[Property, ...], provenance: list[dict[str, Any]], kind: str | None = None) -> dict[str, Any]:
    """The values of a record, combined from its statements (oldest first) by each property's policy.

    A statement is ``{"source", "key", "file", "at", "loaded", "values"}`` (and ``loaded_by``, who loaded it,
    once it is stored).
    Names (``first``) keep the first source's spelling and add the others to
    ``aliases``; ``latest`` values take the newest statement's and list any
    disagreement in ``conflicts``; ``source`` lists every source's title.
    """
    if len(provenance) == 1:
        return _one_statement(properties, provenance, kind)
    props: dict[str, Any] = {}
    conflicts: dict[str, list[dict[str, Any]]] = {}
    other_names: list[str] = []
    for prop in properties:
        if not prop.stated:
            continue
        stated = [(s, s["values"][prop.name]) for s in provenance if s["values"].get(prop.name) is not None]
        if stated:
            _combine_property(prop, stated, props, conflicts, other_names)
    _add_internal(props, provenance)
    if other_names and any(p.name == "aliases" for p in properties):
        spellings = [n for n in dict.fromkeys([*props.get("aliases", []), *other_names]) if n != props.get("name")]
        if spellings:
            props["aliases"] = spellings
    _add_computed(properties, props, kind)
    props["source"] = "; ".join(dict.fromkeys(s["source"] for s in provenance))
    props["source_keys"] = list(dict.fromkeys(s["key"] for s in provenance))
    props["provenance"] = provenance
    if conflicts:
        props["conflicts"] = conflicts
    return props


def _add_internal(props: dict[str, Any], provenance: list[dict[str, Any]]) -> None:
    """What the loaders worked out about the record's mentions: every reconciliation note, the latest place."""
    for internal in ("reconciliation", "place"):
        values = [s["values"][internal] for s in provenance if s["values"].get(internal)]
        if values:
            props[internal] = JOIN.join(dict.fromkeys(values)) if internal == "reconciliation" else values[-1]


def _combine_property(prop: Property, stated: list[tuple[dict[str, Any], Any]], props: dict[str, Any],
                      conflicts: dict[str, list[dict[str, Any]]], other_names: list[str]) -> None:
    """Set ``props[prop.name]`` from the ``(statement, value)`` pairs that state it, by its combine policy;
    a ``first`` property's other values go to ``other_names``, a ``latest`` one's disagreement to ``conflicts``."""
    if prop.combine == "union":
        props[prop.name] = list(dict.fromkeys(v for _, values in stated for v in values))
    elif prop.combine == "join":
        props[prop.name] = JOIN.join(dict.fromkeys(v for _, v in stated))
    elif prop.combine == "first":
        props[prop.name] = stated[0][1]
        other_names += [v for _, v in stated[1:]]
    else:
        newest = max(enumerate(stated), key=lambda item: (item[1][0].get("loaded") or "~", item[0]))[1][1]
        props[prop.name] = newest
        if any(not _same(v, newest) for _, v in stated):
            conflicts[prop.name] = [{"value": v, "source": s["source"], "at": s["at"]} for s, v in stated]


def _add_computed(properties: tuple[Property, ...], props: dict[str, Any], kind: str | None) -> None:
    """The properties linkgraph computes from the combined ones: derived (``start_year``) and ``match_text``."""
    for prop in properties:
        if prop.derived_from and props.get(prop.derived_from) is not None:
            props[prop.name] = int(props[prop.derived_from][:4])
    if any(p.name == "match_text" for p in properties):
        props["match_text"] = match_text([props.get("name"), props.get("name_raw"), *props.get("aliases", [])], kind)


def _one_statement(properties: tuple[Property, ...], provenance: list[dict[str, Any]], kind: str | None) -> dict[str, Any]:
    """:func:`combine` for a record one source states: its values as they are (the common case, kept fast)."""
    statement_ = provenance[0]
    props = dict(statement_["values"])
    _, _, derived = _layout(properties)
    for prop in derived:
        if props.get(prop.derived_from) is not None:
            props[prop.name] = int(props[prop.derived_from][:4])
    if kind is not None:
        props["match_text"] = match_text([props.get("name"), props.get("name_raw"), *props.get("aliases", ())], kind)
    props["source"] = statement_["source"]
    props["source_keys"] = _one_key(statement_["key"])
    props["provenance"] = provenance
    return props


@functools.lru_cache(maxsize=1024)
def _one_key(key: str) -> list[str]:
    """``[key]``, one list for all the records of a source (a national load has millions; never changed in place)."""
    return [key]


def statement(source: SourceRef, origin: Origin | None, values: Mapping[str, Any]) -> dict[str, Any]:
    """One source's statement about a record, as kept in ``provenance``."""
    return {"source": source.title, "key": source.key, "file": source.file,
            "at": origin.where if origin else "", "loaded": None, "values": dict(values)}


def _source_of(values: dict[str, Any], source: SourceRef | None, origin: Origin | None) -> SourceRef:
    """The explicit source, or one named by a ``source`` value (a title; convenient in tests and notebooks)."""
    title = values.pop("source", None)
    if source is not None:
        return source
    if not isinstance(title, str) or not title.strip():
        raise InputError([Problem(origin.at("source") if origin else None, "须注明来源 / a source is required")])
    return SourceRef(title.strip(), title.strip(), origin.file if origin else "")


def make_node(schema: Schema, kind: str, values: Mapping[str, Any], origin: Origin | None = None, *,
              source: SourceRef | None = None, computed: Mapping[str, Any] | None = None) -> Node:
    """A validated node of ``kind`` from one source's raw ``values`` (which include ``id``).

    ``computed`` holds what the loader worked out about this mention
    (``reconciliation``, ``place``); it is kept with the statement.
    Raises :class:`InputError` listing every problem with the values.
    """
    try:
        node_kind = schema.node_kind(kind)
    except SchemaError as err:
        raise InputError([Problem(origin.at("kind") if origin else None, str(err))]) from None
    values = dict(values)
    source = _source_of(values, source, origin)
    stated, problems = _coerce(node_kind.properties, values, origin, f"{kind} ({node_kind.zh})")
    if problems:
        raise InputError(problems)
    stated.update({k: v for k, v in (computed or {}).items() if v is not None})
    node_id = stated.pop("id")
    props = combine(node_kind.properties, [statement(source, origin, stated)], kind)
    props["id"] = node_id
    return Node(kind=kind, id=node_id, props=props, origin=origin)


VALID_KEPT = 100_000
"""Sets of valid tie values a :func:`make_tie` memo keeps at most (it is emptied when full)."""
_TEXT = {str}


def make_tie(schema: Schema, type_: str, source_id: str, target_id: str, values: Mapping[str, Any],
             origin: Origin | None = None, *, source: SourceRef | None = None,
             valid: dict[tuple[Any, ...], dict[str, Any]] | None = None) -> Tie:
    """A validated tie from one source; endpoint kinds are checked by :meth:`GraphData.problems`.

    ``valid`` (a load's memo, :func:`_valid_tie_values`): values found valid before, by tie kind and raw texts,
    so that the dates, mechanism and evidence a national table repeats on a million rows are checked once."""
    try:
        tie_kind = schema.tie_kind(type_)
    except SchemaError as err:
        raise InputError([Problem(origin.at("type") if origin else None, str(err))]) from None
    values = dict(values)
    source = _source_of(values, source, origin)
    stated = _valid_tie_values(tie_kind, values, origin, valid)
    props = combine(tie_kind.properties, [statement(source, origin, stated)])
    return Tie(type=type_, source_id=str(source_id), target_id=str(target_id), props=props, origin=origin)


def _valid_tie_values(tie_kind: TieKind, values: dict[str, Any], origin: Origin | None,
                      valid: dict[tuple[Any, ...], dict[str, Any]] | None) -> dict[str, Any]:
    """A tie's stated values coerced and checked (its dates in order), or :class:`InputError`. With ``valid``, values
    of plain texts found valid before are taken from it (never changed: :func:`statement` copies them), and those
    found valid now, holding no list or mapping (shared, one could be changed), kept in it."""
    key = (tie_kind.type, *values.items()) if valid is not None and set(map(type, values.values())) <= _TEXT \
        else None  # (exactly texts: a NumberCell 2021.1 is not the text 2021.1)
    stated = valid.get(key) if key is not None else None
    if stated is not None:
        return stated
    stated, problems = _coerce(tie_kind.properties, values, origin, f"{tie_kind.type} ({tie_kind.zh})")
    start, end = stated.get("start_date"), stated.get("end_date")
    if start and end and end < start[: len(end)]:
        problems.append(Problem(origin.at("end_date") if origin else None,
                                f"结束（{end}）早于开始（{start}）/ ends ({end}) before it starts ({start})"))
    if problems:
        raise InputError(problems)
    if key is not None and all(type(v) in (str, int, float, bool) for v in stated.values()):
        if len(valid) >= VALID_KEPT:
            valid.clear()
        valid[key] = stated
    return stated


def merge_statements(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Provenance with ``new`` statements added; a source already present is merged into its own statement.

    Within one source, lists are joined and a value stated twice differently
    is a contradiction (returned as text, for a problem message).
    """
    merged = [dict(s) for s in old]
    contradictions: list[str] = []
    for item in new:
        mine = next((s for s in merged if s["key"] == item["key"]), None)
        if mine is None:
            merged.append(item)
            continue
        values = dict(mine["values"])
        for name, value in item["values"].items():
            current = values.get(name)
            if current is None or current == value:
                values[name] = value
            elif isinstance(current, list) and isinstance(value, list):
                values[name] = current + [v for v in value if v not in current]
            elif name in ("evidence", "note", "reconciliation"):  # texts that add up within one source too
                values[name] = JOIN.join(dict.fromkeys([*current.split(JOIN), value]))
            else:
                contradictions.append(f"{name}: {current!r} vs {value!r}")
        mine["values"] = values
        if item["at"] and item["at"] not in mine["at"].split("; "):
            mine["at"] = "; ".join(filter(None, [mine["at"], item["at"]]))
    return merged, contradictions


def replace_statements(old: list[dict[str, Any]], new: list[dict[str, Any]], keys: set[str]) -> list[dict[str, Any]]:
    """Provenance after a load of the sources ``keys``: their old statements give way to ``new``.

    Statements keep their order (the first source's name stays the name). A
    statement that says the same as before keeps its load time, so loading a
    source again changes nothing; a changed one gets the new load's time and
    so becomes the newest (``latest`` values follow it); a new source's comes last.
    """
    incoming = {s["key"]: s for s in new}
    result = []
    for before in old:
        if before["key"] not in keys:
            result.append(before)
            continue
        item = incoming.pop(before["key"], None)
        if item is None:
            continue
        same = before["values"] == item["values"] and before["at"] == item["at"]
        result.append(before if same else item)
    return result + list(incoming.values())


@dataclass
class GraphData:
    """Nodes by id and ties by (type, source, target), in the order first seen.

    A node or tie mentioned twice is one record with the statements of both
    mentions; a source that contradicts itself is a problem.
    """

    nodes: dict[str, Node] = field(default_factory=dict)
    ties: dict[tuple[str, str, str], Tie] = field(default_factory=dict)
    merge_problems: list[Problem] = field(default_factory=list)
    schema: Schema | None = None

    def add_node(self, node: Node) -> None:
        old = self.nodes.get(node.id)
        if old is None:
            self.nodes[node.id] = node
            return
        if old.kind != node.kind:
            self.merge_problems.append(Problem(node.origin, f"同一标识对应不同类型 / id {node.id!r} is a {old.kind} "
                                               f"at {old.origin}, not a {node.kind}",
                                               "每个节点须有唯一标识 / give each node a unique id"))
            return
        self.nodes[node.id] = replace(old, props=self._merged(old, node, f"{node.id}"))

    def add_tie(self, tie: Tie) -> None:
        key = tie.key
        old = self.ties.get(key)
        if old is None:
            self.ties[key] = tie
            return
        self.ties[key] = replace(old, props=self._merged(old, tie, f"{tie.type} {tie.source_id}->{tie.target_id}"))

    def _merged(self, old: Node | Tie, new: Node | Tie, what: str) -> dict[str, Any]:
        provenance, contradictions = merge_statements(old.provenance, new.provenance)
        for text in contradictions:
            self.merge_problems.append(Problem(new.origin, f"与先前记录矛盾 / {what} contradicts {old.origin}: {text}"))
        properties = _properties_of(old, self.schema)
        props = combine(properties, provenance, old.kind if isinstance(old, Node) else None)
        if isinstance(old, Node):
            props["id"] = old.id
        return props

    def extend(self, other: "GraphData") -> None:
        for node in other.nodes.values():
            self.add_node(node)
        for tie in other.ties.values():
            self.add_tie(tie)
        self.merge_problems.extend(other.merge_problems)

    def kind_of(self, node_id: str, fallback: KindOf | None = None) -> str | None:
        node = self.nodes.get(node_id)
        if node is not None:
            return node.kind
        return fallback(node_id) if fallback else None

    def problems(self, schema: Schema, kind_of: KindOf | None = None) -> list[Problem]:
        """Contradictions, ties to missing nodes, and ties between kinds the schema does not allow.

        ``kind_of`` finds the kind of an endpoint that is not in this graph
        (a node already in the store).
        """
        found = list(self.merge_problems)
        nodes = self.nodes
        allowed: set[tuple[str, str, str]] = set()  # (type, kinds) found allowed: checked once each, not per tie
        for tie in self.ties.values():
            source, target = nodes.get(tie.source_id), nodes.get(tie.target_id)
            kinds = [source.kind if source is not None else kind_of(tie.source_id) if kind_of else None,
                     target.kind if target is not None else kind_of(tie.target_id) if kind_of else None]
            if (tie.type, *kinds) in allowed:
                continue
            missing = [i for i, k in zip((tie.source_id, tie.target_id), kinds) if k is None]
            if missing:
                found.append(Problem(tie.origin, f"引用了不存在的节点 / {tie.type} refers to unknown node {', '.join(missing)}"))
                continue
            if schema.tie_kind(tie.type).allows(*kinds):
                allowed.add((tie.type, *kinds))
            else:
                endpoints = ", ".join(f"{s}->{d}" for s, d in schema.tie_kind(tie.type).endpoints)
                names = [self.nodes[i].name if i in self.nodes else i for i in (tie.source_id, tie.target_id)]
                found.append(Problem(tie.origin, f"该关系不允许连接这两类节点 / {tie.type} cannot join {kinds[0]} "
                                     f"{names[0]} to {kinds[1]} {names[1]}", f"可连接 allowed: {endpoints}"))
        return found

    def nodes_of(self, kind: str) -> Iterator[Node]:
        return (n for n in self.nodes.values() if n.kind == kind)

    def counts(self) -> dict[str, int]:
        """Number of nodes per kind and ties per type (only kinds present)."""
        counts: dict[str, int] = {}
        for node in self.nodes.values():
            counts[node.kind] = counts.get(node.kind, 0) + 1
        for tie in self.ties.values():
            counts[tie.type] = counts.get(tie.type, 0) + 1
        return counts


def _properties_of(record: Node | Tie, schema: Schema | None) -> tuple[Property, ...]:
    from graph_model.schema import default_schema

    schema = schema or default_schema()
    return schema.node_kind(record.kind).properties if isinstance(record, Node) else schema.tie_kind(record.type).properties


def dump_json(value: Any) -> str:
    """JSON text as the stores keep it (orjson: a national load writes over a million of them; imported here,
    where 0.1 µs a call is nothing, so that commands which write nothing start without it)."""
    import orjson

    return orjson.dumps(value).decode()


def storage_value(prop: Property, value: Any, loaded: str | None = None, loaded_by: str = "") -> Any:
    """A value as the stores keep it: JSON properties as text; ``loaded`` is the time, and ``loaded_by`` the
    person, given to the statements of ``provenance`` that have no time yet (this load's)."""
    if value is None or prop.type != "json":
        return value
    if loaded and prop.name == "provenance":
        stamp = {"loaded": loaded, "loaded_by": loaded_by} if loaded_by else {"loaded": loaded}
        value = [s if s.get("loaded") else {**s, **stamp} for s in value]
    return dump_json(value)


def storage_column(prop: Property, values: list[Any], loaded: str | None = None, loaded_by: str = "") -> list[Any]:
    """:func:`storage_value` of every value of one column (the same values; the JSON written in one loop with the
    stamp made once: a national load's ``COPY`` files hold millions of provenance lists)."""
    if prop.type != "json":
        return values
    import orjson

    dumps = orjson.dumps
    if not (loaded and prop.name == "provenance"):
        return [None if value is None else dumps(value).decode() for value in values]
    stamp = {"loaded": loaded, "loaded_by": loaded_by} if loaded_by else {"loaded": loaded}
    column: list[Any] = []
    for value in values:  # (a loop: a record of one statement, the common case, stamped without a comprehension)
        if value is None:
            column.append(None)
        elif len(value) == 1:
            one = value[0]
            column.append(dumps([one if one.get("loaded") else {**one, **stamp}]).decode())
        else:
            column.append(dumps([s if s.get("loaded") else {**s, **stamp} for s in value]).decode())
    return column


def read_value(prop: Property, value: Any) -> Any:
    """A value read back from a store: JSON text parsed, years as numbers."""
    if value is None:
        return None
    if prop.type == "json" and isinstance(value, str):
        return json.loads(value)
    if prop.type == "int" and not isinstance(value, int):
        return int(value)
    return value


def node_row(schema: Schema, node: Node) -> dict[str, Any]:
    """Every declared column of the node's kind, as stored; ``None`` where unset."""
    return {p.name: storage_value(p, node.props.get(p.name)) for p in schema.node_kind(node.kind).properties}


def tie_row(schema: Schema, tie: Tie) -> dict[str, Any]:
    """The tie's endpoints as ``src``/``dst`` and every declared column, as stored."""
    row = {p.name: storage_value(p, tie.props.get(p.name)) for p in schema.tie_kind(tie.type).properties}
    return {"src": tie.source_id, "dst": tie.target_id, **row}
