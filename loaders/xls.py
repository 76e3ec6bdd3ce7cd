"""Reading old Excel ``.xls`` workbooks (Excel 97–2003, BIFF8), which county offices still send.

xlrd (the reader pandas uses for ``.xls``) parses the binary file; it holds no
XML, so none of the ``.xlsx`` tricks apply, and an ``.xls`` is read whole into
memory: the file's size is bounded by the caller (an upload's limit, a
source's). What differs from :mod:`loaders.workbook`:

- a cell holds the value Excel last computed: a formula's result is read as
  the planner sees it (xlrd does not say which cells were formulas);
- a date cell comes as a date through the workbook's date system (1900 or
  1904), so ``2022-03-01`` typed in WPS reads as that date, as in ``.xlsx``;
- an error cell reads as its text (``#N/A``, ``#REF!``), as openpyxl gives it, for the tables' one rule on
  them (:data:`loaders.tables.EXCEL_ERRORS`);
- a file Excel encrypted with a password is refused in one line.

>>> from xlrd.sheet import Cell
>>> _value(Cell(3, 44621.0), 0)      # a date cell of the 1900 date system
datetime.datetime(2022, 3, 1, 0, 0)
>>> _value(Cell(2, 610828105236.0), 0)   # a code Excel stored as a number
610828105236.0
"""

from __future__ import annotations

import io
import struct
from typing import Any

from graph_model.records import InputError, Origin, Problem
from loaders.sheets import Sheet, cell_text
from loaders.workbook import cells_allowed, past_limits

XLS_SUFFIXES = (".xls", ".xlt")
"""Old Excel workbooks and templates, read by :func:`read_xls`."""
_SAVE_AS_XLSX = "在 Excel 或 WPS 中打开，另存为 .xlsx 后载入 / open it in Excel or WPS, save it as .xlsx and load that"


# What xlrd raises on a damaged file: its own errors, and the plain ones of a parser that meets bytes it did not
# expect (short buffers, wrong indexes, its assertions, an unknown code page).
_DAMAGED = (ValueError, IndexError, KeyError, AssertionError, OSError, EOFError, TypeError, LookupError,
            AttributeError, ArithmeticError, struct.error)


def read_xls(data: bytes, file: str) -> list[Sheet]:
    """Every sheet of an ``.xls`` workbook as :class:`Sheet` s (hidden ones marked, merged ranges kept), or
    :class:`InputError` with one line when the file is encrypted or no workbook xlrd can read. xlrd's own
    remarks on odd files (it prints them) go nowhere: the one line says what matters."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True, logfile=io.StringIO())
        try:
            cells_left = cells_allowed()
            return [_read_sheet(book.sheet_by_index(i), file, book.datemode, cells_left) for i in range(book.nsheets)]
        finally:
            book.release_resources()
    except (xlrd.XLRDError, xlrd.compdoc.CompDocError) as err:
        raise InputError([_unreadable(file, str(err))]) from None
    except _DAMAGED as err:
        raise InputError([_unreadable(file, f"{type(err).__name__}: {err}")]) from None


def _unreadable(file: str, reason: str) -> Problem:
    if "encrypt" in reason.lower():
        return Problem(Origin(file), "工作簿设有密码 / the workbook is protected with a password",
                       "请另存为无密码的 .xlsx / save it as .xlsx without a password")
    return Problem(Origin(file), f"无法读取这个 .xls 工作簿（损坏或不是 Excel 97–2003 格式？）/ cannot read this .xls workbook "
                   f"(damaged, or not Excel 97–2003?): {reason[:200]}", _SAVE_AS_XLSX)


def _read_sheet(sheet: Any, file: str, datemode: int, cells_left: list[int]) -> Sheet:
    """One sheet: its rows that hold a value, by their row numbers, header first."""
    rows: list[tuple[int, list[Any]]] = []
    for index in range(sheet.nrows):
        cells = sheet.row_slice(index)
        last = _address(index, max(len(cells) - 1, 0))
        stop = past_limits(len(cells), index + 1, last, Origin(file, sheet=sheet.name, row=index + 1, column=last),
                           cells_left)
        if stop is not None:
            raise InputError([stop])
        values = [_value(cell, datemode) for cell in cells]
        if any(cell_text(v) is not None for v in values):
            rows.append((index + 1, values))
    header = [cell_text(v) or "" for v in rows[0][1]] if rows else []
    merged = tuple((f"{_address(r0, c0)}:{_address(r1 - 1, c1 - 1)}", r0 + 1, r1) for r0, r1, c0, c1 in sheet.merged_cells)
    return Sheet(sheet.name, header, rows[1:], [], header_row=rows[0][0] if rows else 1,
                 hidden=sheet.visibility != 0, merged=merged)


def _value(cell: Any, datemode: int) -> Any:
    """The cell as the ``.xlsx`` reader gives it: text, a float, a bool, a datetime, an error's text or None."""
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#VALUE!")
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    return cell.value


def _address(row: int, column: int) -> str:
    """``A1`` for 0-based ``row`` and ``column``."""
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column + 1)}{row + 1}"
