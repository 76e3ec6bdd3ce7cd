"""A table as read from a file, before it means anything: a workbook sheet or a CSV file, its header and rows.

The readers (:mod:`loaders.workbook`, :func:`loaders.tables.read_csv`) make
:class:`Sheet` s; the framing (:mod:`loaders.framing`) finds where a planner's
table starts; the column vocabulary (:mod:`loaders.columns`) names its
columns; :mod:`loaders.tables` turns its rows into records.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterator, Protocol

from graph_model.records import NumberCell, Origin, Problem

MAX_CELL = 10_000
MAX_ROWS = 2_000_000
_BRACKET_NOTE = re.compile(r"\s*[\(（\[【][^\)）\]】]*[\)）\]】]\s*$")
_IGNORED = re.compile(r"[\s_\-*:：]+")


def too_many_rows(file: str, number: int) -> Problem | None:
    """The problem of a CSV's row ``number`` when it lies past :data:`MAX_ROWS` rows of data (the whole read and
    the stream refuse it alike), else None."""
    if number <= MAX_ROWS + 1:
        return None
    return Problem(Origin(file, row=number), f"行数过多 / more than {MAX_ROWS:,} rows")


class StreamedRows(Protocol):
    """Rows read as they are iterated (:class:`loaders.csv_rows.CsvRows`): counted, sliced and iterated as
    ``(row number, cells)``, as a list of rows is."""

    def __len__(self) -> int: ...

    def __getitem__(self, part: slice) -> "StreamedRows": ...

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]: ...


@dataclass
class Sheet:
    """One table: a workbook sheet or a CSV file, its header (row ``header_row``) and its rows with their
    row numbers (a list, or a CSV's rows read as they are iterated: :class:`loaders.csv_rows.CsvRows`);
    ``notes`` say what was read past (a title, notes under the table, a hidden sheet)."""

    name: str
    header: list[str]
    rows: "list[tuple[int, list[Any]]] | StreamedRows"
    problems: list[Problem] = field(default_factory=list)
    header_row: int = 1
    hidden: bool = False
    merged: tuple[tuple[str, int, int], ...] = ()
    notes: list[str] = field(default_factory=list)


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
