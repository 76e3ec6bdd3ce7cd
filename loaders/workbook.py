"""Reading ``.xlsx`` workbooks safely: by their real extent, within limits, with no XML tricks.

A workbook is a zip of XML files, and each part of it can be hostile or just
odd: a sheet that declares its extent as ``A1:XFD1048576`` (openpyxl would
fill 17 billion cells), a zip member that unpacks to gigabytes (a zip bomb),
XML with entity declarations (the "billion laughs") or external entities
(XXE). So:

- the zip is checked before openpyxl opens it: a zip at all, a workbook's
  parts, and the uncompressed size of its members within
  ``$LINKGRAPH_MAX_UNZIPPED_MB`` (default 1024);
- sheets are read in openpyxl's read-only mode with the declared dimension
  reset, so only the rows and cells that exist are visited; a table has at
  most :data:`MAX_COLUMNS` columns, :data:`loaders.sheets.MAX_ROWS` rows and
  ``$LINKGRAPH_MAX_CELLS`` cells (default 20 million);
- XML is parsed by openpyxl with ``defusedxml`` (a dependency: openpyxl uses
  it whenever it is installed), which refuses entity declarations and
  external references; any XML error is one line naming the file.
"""

from __future__ import annotations

import io
import os
import xml.sax.handler
import zipfile
import zlib
from typing import Any

from graph_model.records import InputError, Origin, Problem
from loaders.columns import columns_data
from loaders.sheets import MAX_ROWS, Sheet, cell_text

MAX_COLUMNS = 1_000
"""Columns of a planner's table: a cell beyond them (``XFD1``) is refused, not padded to."""
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted workbook or an old .xls
_SAVE_AGAIN = "用 Excel 或 WPS 打开后另存为 .xlsx / open it in Excel or WPS and save it again as .xlsx"


def _limit(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def cells_allowed() -> list[int]:
    """The cells a workbook may hold (``$LINKGRAPH_MAX_CELLS``, default 20 million), as the count
    :func:`past_limits` takes from row by row."""
    return [int(_limit("LINKGRAPH_MAX_CELLS", 20_000_000))]


def other_format(file: str) -> Problem | None:
    """What to do with a file planners save that linkgraph does not read (an old .xls, WPS's .et, Excel's
    Unicode text .txt …: ``columns.yaml`` ``other_formats``), or ``None`` for any other suffix."""
    suffix = os.path.splitext(file)[1].lower()
    for known in columns_data()["other_formats"]:
        if suffix in known["suffixes"]:
            (zh, en), (do_zh, do_en) = known["is"], known["do"]
            return Problem(Origin(file), f"{zh}（{suffix}），linkgraph 不能直接读取 / {en} ({suffix}), which linkgraph "
                           "does not read", f"{do_zh} / {do_en}")
    return None


def archive_problem(data: bytes, file: str) -> Problem | None:
    """Why ``data`` cannot be a workbook to open (not a zip, no workbook part, unpacks too large), or ``None``."""
    if os.path.basename(file).startswith("~$"):  # the owner file beside an open workbook: a glob takes it
        return Problem(Origin(file), "这是 Excel 或 WPS 打开工作簿时留下的锁文件，不是工作簿 / the lock file Excel or WPS "
                       "keeps beside a workbook while it is open, not a workbook",
                       "不要列入此文件（关闭工作簿后它会消失）/ leave it out: it goes when the workbook is closed")
    if data[:8] == _OLE:
        return Problem(Origin(file), "工作簿加密或为旧版 .xls / a password-protected workbook or an old .xls file",
                       "请另存为无密码的 .xlsx / save it as .xlsx without a password")
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as err:
        return Problem(Origin(file), f"不是 .xlsx 工作簿（损坏或截断？）/ not a readable .xlsx workbook (damaged or "
                       f"truncated?): {err}", _SAVE_AGAIN)
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/workbook") for n in names):
        return Problem(Origin(file), "是 zip 压缩包，但不是 .xlsx 工作簿 / a zip archive, but not an .xlsx workbook",
                       _SAVE_AGAIN)
    unpacked = sum(m.file_size for m in members)
    limit = _limit("LINKGRAPH_MAX_UNZIPPED_MB", 1024)
    if unpacked > limit * 2**20:
        return Problem(Origin(file), f"解压后有 {unpacked / 2**20:,.0f} MB，超过上限 {limit:g} MB（压缩炸弹？）/ the workbook "
                       f"unpacks to {unpacked / 2**20:,.0f} MB, more than the limit of {limit:g} MB (a zip bomb?)",
                       "如确为正常文件，可调高该上限 / raise it with LINKGRAPH_MAX_UNZIPPED_MB if the workbook is genuine")
    return None


def _unreadable(file: str, err: BaseException) -> Problem:
    """One line for a workbook whose XML openpyxl cannot (or must not) read."""
    from defusedxml import DefusedXmlException

    causes = [err]
    while causes[-1].__cause__ is not None and len(causes) < 10:  # openpyxl wraps what the XML parser raised
        causes.append(causes[-1].__cause__)
    refused = next((c for c in causes if isinstance(c, DefusedXmlException)), None)
    if refused is not None:
        return Problem(Origin(file), f"工作簿的 XML 含有实体或 DOCTYPE 声明，为安全起见拒绝读取 / the workbook's XML declares "
                       f"entities or a DOCTYPE, refused for safety ({type(refused).__name__})", _SAVE_AGAIN)
    cause = causes[-1]
    detail = str(cause).splitlines()[0][:200] if str(cause) else type(cause).__name__
    return Problem(Origin(file), f"工作簿内容损坏，无法读取 / the workbook's content is damaged: {detail}", _SAVE_AGAIN)


# What openpyxl raises on a damaged part: XML syntax errors (ElementTree's and lxml's are SyntaxErrors),
# defusedxml's refusals (ValueErrors), missing parts (KeyError), wrong values in the XML (TypeError,
# ValueError), and zip or deflate errors; and what the SAX pass over merged cells raises.
_DAMAGED = (SyntaxError, ValueError, TypeError, KeyError, IndexError, AttributeError, zipfile.BadZipFile, zlib.error,
            EOFError, OSError, xml.sax.SAXException)


def read_xlsx(data: bytes, file: str) -> list[Sheet]:
    """Every sheet of an ``.xlsx`` workbook by its real extent; hidden sheets marked, formula cells,
    cells past :data:`MAX_COLUMNS` and tables past the limits are problems with their address."""
    import openpyxl

    problem = archive_problem(data, file)
    if problem is not None:
        raise InputError([problem])
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            cells = cells_allowed()
            return [_read_sheet(worksheet, file, cells) for worksheet in workbook.worksheets]
        finally:
            workbook.close()
    except _DAMAGED as err:
        raise InputError([_unreadable(file, err)]) from None


def _read_sheet(worksheet: Any, file: str, cells_left: list[int]) -> Sheet:
    """One read-only sheet: only the rows and cells its XML holds (its declared dimension is not trusted)."""
    worksheet.reset_dimensions()
    name = worksheet.title
    problems: list[Problem] = []
    rows: list[tuple[int, list[Any]]] = []
    for cells in worksheet.iter_rows():
        if not cells:  # a row the XML does not hold
            continue
        number, stop = cells[-1].row, _past_limits(cells, file, name, cells_left)
        if stop is not None:  # the workbook is not read further: one line says why
            raise InputError([stop])
        rows.append((number, [_cell_value(cell, file, name, problems) for cell in cells]))
    header = [_header_text(v) for v in rows[0][1]] if rows else []
    return Sheet(name, header, rows[1:], problems, header_row=rows[0][0] if rows else 1,
                 hidden=worksheet.sheet_state != "visible", merged=_merged_ranges(worksheet))


def _header_text(value: Any) -> str:
    return cell_text(value) or ""


def _past_limits(cells: tuple, file: str, sheet: str, cells_left: list[int]) -> Problem | None:
    """The problem of a row that lies past the limits of a table (columns, rows, cells), if it does."""
    last = cells[-1]
    return past_limits(len(cells), last.row, last.coordinate, Origin(file, sheet=sheet, row=last.row,
                                                                     column=last.coordinate), cells_left)


def past_limits(columns: int, row: int, last_cell: str, where: Origin, cells_left: list[int]) -> Problem | None:
    """The problem of row ``row`` of ``columns`` cells, the last at ``last_cell``, if it lies past the limits of
    a table (:data:`MAX_COLUMNS`, :data:`loaders.sheets.MAX_ROWS`, the cells left of ``$LINKGRAPH_MAX_CELLS``);
    every workbook reader asks it of each row."""
    if columns > MAX_COLUMNS:
        return Problem(where, f"单元格 {last_cell} 超出第 {MAX_COLUMNS:,} 列，表格不应这么宽 / cell {last_cell} lies "
                       f"past column {MAX_COLUMNS:,}; linkgraph reads tables of up to {MAX_COLUMNS:,} columns",
                       "删除该单元格，或把表格另存为新文件 / delete the stray cell, or copy the table into a new workbook")
    if row > MAX_ROWS + 1:
        return Problem(where, f"行数超过 {MAX_ROWS:,} / more than {MAX_ROWS:,} rows")
    cells_left[0] -= columns
    if cells_left[0] < 0:
        return Problem(where, "单元格过多 / more cells than the limit (LINKGRAPH_MAX_CELLS)",
                       "请拆分工作簿 / split the workbook, or raise LINKGRAPH_MAX_CELLS")
    return None


def _cell_value(cell: Any, file: str, sheet: str, problems: list[Problem]) -> Any:
    """A cell's value; a formula is a problem with its address (linkgraph reads values, not formulas)."""
    if cell.data_type != "f":
        return cell.value
    problems.append(Problem(Origin(file, sheet=sheet, row=cell.row, column=cell.coordinate),
                            f"单元格为公式 / a formula ({cell.value}); linkgraph reads values, not formulas",
                            "请复制后粘贴为数值 / copy and paste as values"))
    return None


class _MergedCells(xml.sax.handler.ContentHandler):
    """Collects the ``ref`` of every ``mergeCell`` element (prefixed or not) of a sheet's XML."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def startElement(self, name: str, attrs: Any) -> None:  # noqa: N802 - the SAX interface
        if name.rpartition(":")[2] == "mergeCell" and attrs.get("ref"):
            self.refs.append(attrs.get("ref"))


def _merged_ranges(worksheet: Any) -> tuple[tuple[str, int, int], ...]:
    """``(A1:G1, first row, last row)`` of each merged range: read-only sheets do not keep them, so the
    sheet's XML is streamed once more for its ``mergeCell`` elements, with defusedxml's SAX parser (half the
    time of building elements)."""
    from defusedxml import sax
    from openpyxl.utils.cell import range_boundaries

    handler = _MergedCells()
    with worksheet._get_source() as source:  # the sheet's part of the zip; openpyxl's own accessor
        sax.parse(source, handler)
    found = []
    for ref in handler.refs:
        _, first, _, last = range_boundaries(ref)
        found.append((ref, first, last))
    return tuple(found)
