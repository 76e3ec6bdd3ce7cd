"""The rows of a CSV text read as a stream: a national table of a million ties is never a list of rows.

:func:`loaders.tables.read_csv` reads a table whole, every row a list of cells in one :class:`~loaders.sheets.Sheet`.
A load reads a table's rows once, in order, and lets each go once it is a record; :class:`CsvRows` gives it
the rows that way. It reads the text twice: once when it is made (:meth:`CsvRows.scan`), keeping only the
header, the number of rows and where the notes under a table may start, so that a CSV the csv module refuses,
or one of too many rows, is refused before any of its rows means anything, with the very message and row
:func:`~loaders.tables.read_csv` gives; then each time its rows are iterated, parsed again from the text.
A slice (``rows[2:]``) is a view of the same text, read as it is iterated.

>>> from loaders.framing import is_note_row
>>> rows = CsvRows.scan("from,to\\n县委办,西山村\\n\\n填表人：张三,\\n", "x.csv", ",", is_note_row)
>>> rows.header, len(rows), list(rows), list(rows[1:2]), rows.notes
(['from', 'to'], 3, [(2, ['县委办', '西山村']), (3, []), (4, ['填表人：张三', ''])], [(3, [])], (2,))
"""

from __future__ import annotations

import csv
from typing import Any, Callable, Iterator

from graph_model.records import InputError, Origin, Problem
from loaders.sheets import too_many_rows

SHARED_CELLS = 100_000
"""Distinct cell texts kept to share among rows at a time: a ties table repeats its kinds, dates and evidence on
every row, and the records of a part keep them (once each, not once a row); the texts are forgotten at this many."""


def csv_error(err: csv.Error) -> str:
    """The csv module's refusal in a planner's words."""
    if "unexpected end of data" in str(err):
        return ("引号未闭合：这一行的引号到文件末尾都没有闭合 / a quote opened in this row is never closed (the rest of the "
                "file would be one cell)")
    if "expected after '\"'" in str(err):
        return "引号内的单元格在右引号后还有文字 / a quoted cell goes on after its closing quote"
    if "field larger than field limit" in str(err):
        return (f"单元格过长（超过 {csv.field_size_limit():,} 个字符）/ a cell is longer than "
                f"{csv.field_size_limit():,} characters")
    return f"CSV 格式错误 / not a readable CSV: {err}"


def _lines(text: str, at: list[int]) -> Iterator[str]:
    r"""The lines of ``text`` (each with its ``\n``) from the offset ``at[0]``, which follows them: after the csv
    module has read a row, it is where the next row starts (the module reads no line ahead).

    >>> at = [2]; list(_lines("a\nb\nc", at)), at
    (['b\n', 'c'], [5])
    """
    find, size = text.find, len(text)
    start = at[0]
    while start < size:
        end = find("\n", start)
        end = size if end < 0 else end + 1
        at[0] = end
        yield text[start:end]
        start = end


class CsvRows:
    """The data rows of a CSV text (those after its header, row 1), numbered as :func:`loaders.tables.read_csv`
    numbers them, between ``start`` and ``stop`` (indexes among the data rows); iterated as often as asked,
    each time parsed from the text; it knows where in the text each row that reads as a note under a table
    starts (:func:`loaders.framing.is_note_row`)."""

    def __init__(self, text: str, delimiter: str, header: list[str], count: int, notes: dict[int, int],
                 start: int = 0, stop: int | None = None):
        self.text, self.delimiter, self.header, self.count = text, delimiter, header, count
        self._notes = notes
        self.start, self.stop = start, count if stop is None else stop

    @classmethod
    def scan(cls, text: str, file: str, delimiter: str, is_note: Callable[[list[str]], bool]) -> "CsvRows":
        """The rows of ``text`` (lines ending in ``\\n``), read through once: :class:`InputError` as
        :func:`loaders.tables.read_csv` raises it for a text the csv module refuses or of too many rows; the
        rows ``is_note`` says read as notes are remembered."""
        at, header, count, notes = [0], None, 0, {}
        # strict: a quote opened and never closed is an error, not a cell that swallows the rows after it
        reader = csv.reader(_lines(text, at), delimiter=delimiter, strict=True)
        try:
            header = next(reader, [])
            row_start = at[0]
            for number, row in enumerate(reader, start=2):
                if problem := too_many_rows(file, number):
                    raise InputError([problem])
                if is_note(row):
                    notes[number - 2] = row_start
                count, row_start = number - 1, at[0]
        except csv.Error as err:
            raise InputError([Problem(Origin(file, row=count + 2 if header is not None else 1), csv_error(err))]) from None
        return cls(text, delimiter, [h.lstrip("\ufeff") for h in header], count, notes)

    @property
    def notes(self) -> tuple[int, ...]:
        """The indexes (in this view) of its rows that read as notes."""
        return tuple(i - self.start for i in sorted(self._notes) if self.start <= i < self.stop)

    def __len__(self) -> int:
        return max(0, self.stop - self.start)

    def __getitem__(self, part: slice) -> "CsvRows":
        """A view of some of these rows (a slice with no step)."""
        start, stop, step = part.indices(len(self))
        if step != 1:
            raise ValueError("CsvRows are sliced without a step")
        return CsvRows(self.text, self.delimiter, self.header, self.count, self._notes, self.start + start,
                       self.start + max(start, stop))

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        """``(row number, cells)`` of each row, parsed from the text as it is asked for; a cell text met again
        among the last :data:`SHARED_CELLS` is the same string."""
        if not len(self):
            return
        begin = max((i for i in self._notes if i <= self.start), default=-1)  # the nearest known start
        at = [self._notes[begin]] if begin >= 0 else [0]
        reader = csv.reader(_lines(self.text, at), delimiter=self.delimiter, strict=True)
        if begin < 0:
            next(reader)  # the header
            begin = 0
        cells: dict[str, str] = {}
        for index, row in zip(range(begin, self.stop), reader):
            if index >= self.start:
                if len(cells) > SHARED_CELLS:
                    cells = {}
                yield index + 2, [cells.setdefault(cell, cell) for cell in row]
