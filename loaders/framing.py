"""Where a planner's table starts and ends: the header found among the first rows, a title above it and
notes below the data read past, and said.

Government tables start with a title row (often merged: 佳县通镇2023年结对帮扶关系统计表) and end with
notes (填表人, 填表日期, 备注：…). The header is the first of the first :data:`HEADER_SEARCH_ROWS` rows
whose cells are mostly known headers (the schema's names and words, ``columns.yaml`` and ``--columns``);
a row under the data that starts with a note word (``columns.yaml`` ``notes``) ends the table.

>>> from graph_model.schema import default_schema
>>> sheet = Sheet("结对帮扶名单2023", ["佳县通镇2023年结对帮扶关系统计表"],
...               [(2, ["帮扶单位", "结对村", "所属乡镇"]), (3, ["县委办", "崔家西山村", "通镇"]), (4, []),
...                (5, ["填表人：张三", None, None])])
>>> framed = frame(sheet, default_schema(), "x.csv", {})
>>> framed.header_row, framed.header, [n for n, _ in framed.rows]
(2, ['帮扶单位', '结对村', '所属乡镇'], [3, 4])
>>> print("\\n".join(framed.notes))
跳过表头上方第 1 行“佳县通镇2023年结对帮扶关系统计表” / skipped row 1 above the header (a title): x.csv, sheet 结对帮扶名单2023
跳过表格下方第 5 行的说明“填表人：张三” / skipped notes below the table, row 5: x.csv, sheet 结对帮扶名单2023
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import replace
from typing import Any, Callable, Mapping

from graph_model.records import Origin, Problem
from graph_model.schema import Schema
from loaders.columns import columns_data, node_vocabulary, personal_headers, review_words, tie_vocabulary
from loaders.csv_rows import CsvRows
from loaders.sheets import Sheet, cell_text, header_key

HEADER_SEARCH_ROWS = 10
QUOTE_CHARS = 30
# a count or sum in a total row (58, 1,200, 3.5, 80%), with the measure words planners write after it (3个村, 12 户,
# 3.2万元: at most three characters)
_NUMBER = re.compile(r"[-+]?(?:\d[\d,]*)?\.?\d+%?(?:\s*[\u4e00-\u9fff]{1,3})?")


@functools.cache
def _vocabularies(schema: Schema) -> tuple:
    kinds = [None, *(k.label for k in schema.node_kinds)]
    return (*(node_vocabulary(schema, k) for k in kinds), tie_vocabulary(schema))


@functools.cache
def _plain_headers() -> frozenset[str]:
    accept, review = review_words()
    return frozenset({*accept, *review, *(header_key(w) for w in columns_data()["ignored"]), *personal_headers()})


@functools.cache
def _note_pattern() -> re.Pattern[str]:
    """A note row's first cell: a word of ``columns.yaml`` ``notes``; words of one or two characters (注, 说明)
    only when a colon, a space or a bracket follows, so that a name beginning with them is not a note."""
    words = sorted(columns_data()["notes"], key=len, reverse=True)
    long = "|".join(re.escape(w) for w in words if len(w) > 2)
    short = "|".join(re.escape(w) for w in words if len(w) <= 2)
    return re.compile(rf"^\s*(?:(?:{long})|(?:{short})(?:[\s:：、,，(（]|$))")


def is_header(schema: Schema, text: str, mapping: Mapping[str, str]) -> bool:
    """Whether ``text`` names a column: a field of any table, a column read past, or a ``--columns`` header."""
    return (text in mapping or header_key(text) in _plain_headers()
            or any(v.field_of(text) is not None for v in _vocabularies(schema)))


def _texts(cells: list[Any]) -> list[str]:
    return [t for t in (cell_text(c) for c in cells) if t]


def header_index(rows: list[tuple[int, list[Any]]], schema: Schema, mapping: Mapping[str, str]) -> int:
    """The index of the header among the first rows: the first whose non-empty cells are at least half known
    headers; 0 when none is (the first row is then the header, and its unknown columns are reported)."""
    for index, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        texts = _texts(cells)
        known = sum(is_header(schema, t, mapping) for t in texts)
        if known and 2 * known >= len(texts):
            return index
    return 0


def _is_note(cells: list[Any]) -> bool:
    """Whether a row is a note under a table (填表人…, 备注：…): its first cell that is not empty is."""
    first = cell_text(cells[0]) if cells else None  # a table of millions of rows: the first cell only
    if first is None:  # (or the first cell that is not empty)
        first = next((t for t in map(cell_text, cells) if t), None)
    return bool(first and _note_pattern().match(first))


@functools.cache
def _total_words() -> tuple[frozenset[str], re.Pattern[str]]:
    """The total words, and a pattern of their last characters (计): a row without one in a text cell is no total,
    told at once (every row of a national CSV is asked)."""
    words = frozenset(columns_data()["totals"])
    return words, re.compile("|".join(sorted(re.escape(w[-1]) for w in words)))


def is_total_row(cells: list[Any]) -> bool:
    """Whether a row is a planner's total (合计, 总计, 小计 …, ``columns.yaml`` ``totals``): its first cell that is
    neither empty nor a number (a 序号 may stand before it) is one, and every other cell is a number or empty."""
    words, last = _total_words()
    # its text cells searched as one text (a million rows of a national CSV: one search each, not one per cell)
    if not last.search("\0".join([c for c in cells if isinstance(c, str)])):
        return False
    for index, cell in enumerate(cells):
        text = cell_text(cell)
        if text is None or _NUMBER.fullmatch(text):
            continue
        return "".join(text.split()) in words and all(_NUMBER.fullmatch(t) for t in _texts(cells[index + 1:]))
    return False


def is_note_row(cells: list[Any]) -> bool:
    """Whether a row may end a table: a note (填表人…, 备注：…) or a total (合计 …, see :func:`notes_start`)."""
    return _is_note(cells) or is_total_row(cells)


def note_test(text: str) -> Callable[[list[Any]], bool]:
    """:func:`is_note_row` for the rows of a CSV ``text``: where no total word's last character (计) is in the text,
    no row is a total, and its rows are asked only whether they are notes (a national table's million rows)."""
    return is_note_row if _total_words()[1].search(text) else _is_note


def notes_start(rows: list[tuple[int, list[Any]]] | CsvRows) -> int:
    """The index of the first row under the data that is a note (填表人…, 备注：…), or ``len(rows)``; of rows read
    as a stream, where the stream's first reading found it. A total row (合计 …) ends the table when only empty
    rows, notes and totals are under it; one with data under it (a 小计 between groups) is data."""
    if isinstance(rows, CsvRows):
        first = min(rows.notes, default=len(rows))
    else:
        first = next((index for index, (_, cells) in enumerate(rows) if is_note_row(cells)), len(rows))
    total = None  # where the run of totals (and empty rows under them) that may end the table starts
    for index, (_, cells) in enumerate(rows[first:], start=first):
        if is_total_row(cells):
            total = index if total is None else total
        elif _is_note(cells):
            return index if total is None else total
        elif _texts(cells):  # data under a total: the total was no bottom
            total = None
    return len(rows) if total is None else total


def _quote(rows: list[tuple[int, list[Any]]]) -> str:
    text = "；".join(t for _, cells in rows for t in _texts(cells))
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "…"


def _span(rows: list[tuple[int, list[Any]]]) -> str:
    first, last = rows[0][0], rows[-1][0]
    return f"{first}" if first == last else f"{first}–{last}"


def _header_below(merged: tuple[tuple[str, int, int], ...], header_row: int,
                  below: tuple[int, list[Any]] | None) -> list[Any] | None:
    """The second row of a header of two, or ``None``: a header whose cells are merged down over the row under
    it (序号, 帮扶单位 in A2:A3, B2:B3) while a group header (结对村情况, C2:D2) stands over the names below it."""
    if below is None or below[0] != header_row + 1:
        return None
    down = any(first == header_row and final == header_row + 1 for _, first, final in merged)
    return below[1] if down and _texts(below[1]) else None


def _merged_in_table(sheet: Sheet, file: str, header_row: int, header_end: int,
                     body: list[tuple[int, list[Any]]] | CsvRows) -> list[Problem]:
    """The merged cells from the header down to the last row of data, those within the header's rows (from
    ``header_row`` to ``header_end``: a header of two rows) left out."""
    merged = [(ref, first, final) for ref, first, final in sheet.merged
              if final >= header_row and not (header_end > header_row and first >= header_row and final <= header_end)]
    last = body[-1][0] if merged and body else header_row  # (a CSV has no merged cells: its last row is not read)
    return [Problem(Origin(file, sheet=sheet.name), f"有合并单元格 {ref} / merged cells {ref}",
                    "请取消合并并逐行填写 / unmerge them and fill every row")
            for ref, first, final in merged if first <= last]


def frame(sheet: Sheet, schema: Schema, file: str, mapping: Mapping[str, str]) -> Sheet:
    """``sheet`` with its header found, the rows above it and the notes below the data read past: each said
    in ``notes`` (Chinese first), with the file and sheet. Merged cells inside the table are problems."""
    rows = [(sheet.header_row, list(sheet.header)), *itertools.islice(sheet.rows, HEADER_SEARCH_ROWS)]
    at = header_index(rows, schema, mapping)
    where = f"{file}, sheet {sheet.name}"
    notes = list(sheet.notes)
    above = [r for r in rows[:at] if _texts(r[1])]
    if above:
        what = "a title" if len(above) == 1 else "a title and notes"
        notes.append(f"跳过表头上方第 {_span(above)} 行“{_quote(above)}” / skipped row {_span(above)} above the header "
                     f"({what}): {where}")
    header_row, header = rows[at]
    lower = _header_below(sheet.merged, header_row, rows[at + 1] if at + 1 < len(rows) else None)
    if lower is not None:  # a group header merged over the columns under it: the lower row names them
        header = [low if cell_text(low) else high for high, low in itertools.zip_longest(header, lower)]
        notes.append(f"表头占第 {header_row}–{header_row + 1} 两行（有合并的分组表头），按下一行的列名读取 / the header "
                     f"takes rows {header_row}–{header_row + 1} (merged group headers): read by the lower row's names: "
                     f"{where}")
        at += 1
    body = sheet.rows[at:]  # (a stream's rows are read as they are asked for: the notes below from where they start)
    end = notes_start(body)
    below = [r for r in body[end:] if _texts(r[1])]
    if below:
        zh, en = ("合计与说明", "the total and notes") if is_total_row(below[0][1]) else ("说明", "notes")
        notes.append(f"跳过表格下方第 {_span(below)} 行的{zh}“{_quote(below)}” / skipped {en} below the table, "
                     f"row {_span(below)}: {where}")
    body = body[:end]
    header_rows = header_row + (lower is not None)
    problems = [*sheet.problems, *_merged_in_table(sheet, file, header_row, header_rows, body)]
    # a header typed on two lines in its cell (Alt+Enter: 结对⏎时间) is named on one line, as every message is
    return replace(sheet, header=[" ".join((cell_text(v) or "").split()) for v in header], rows=body, header_row=header_row,
                   problems=problems, notes=notes, merged=())
