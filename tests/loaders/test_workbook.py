"""Hostile and odd workbooks: each is one clear line and exit code 2 through a real ``linkgraph load``, and no
entity is ever expanded, no external entity resolved, no declared extent allocated."""

import io
import os
import subprocess
import sys
import zipfile

import openpyxl
import pytest

from graph_model.records import InputError
from loaders import load_sources
from loaders.workbook import MAX_COLUMNS, archive_problem, read_xlsx
from tests.conftest import EXAMPLE, REPO

ROSTER = EXAMPLE / "nbs_roster_610828.csv"
SHEET = "xl/worksheets/sheet1.xml"
MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10)) + "]>")


def _pairings_workbook() -> bytes:
    """A small pairing table, as a planner's workbook holds it."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "结对帮扶"
    sheet.append(["帮扶单位", "结对村", "所属乡镇"])
    sheet.append(["佳县县委办公室", "崔家西山村", "通镇"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_member(data: bytes, name: str, content: bytes) -> bytes:
    """``data`` (a workbook) with one member replaced or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item.filename))
        target.writestr(name, content)
    return out.getvalue()


def _sheet_xml(cell: str, doctype: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<worksheet {MAIN}><sheetData><row r="1">'
            f'<c r="A1" t="inlineStr"><is><t>{cell}</t></is></c></row></sheetData></worksheet>').encode()


def _load(tmp_path, name: str, data: bytes, env: dict | None = None) -> subprocess.CompletedProcess:
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run([sys.executable, "-m", "linkgraph", "load", str(path), "--store", str(tmp_path / "s.lbug"),
                           "--dry-run"], capture_output=True, text=True, cwd=REPO, timeout=120,
                          env={**os.environ, **(env or {})})


def _one_line(done: subprocess.CompletedProcess) -> str:
    """The one problem line of a refused load (exit code 2, no traceback)."""
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert lines[0].startswith("错误 error: 输入中有 1 处问题，未写入任何数据 / 1 problem(s) in the input") and len(lines) == 2, done.stderr
    assert "Traceback" not in done.stderr and "内部错误" not in done.stderr
    return lines[1]


def test_an_entity_bomb_in_a_sheet_is_refused_unexpanded(tmp_path):
    data = _with_member(_pairings_workbook(), SHEET, _sheet_xml("&lol9;", LAUGHS))
    line = _one_line(_load(tmp_path, "炸弹.xlsx", data))
    assert "炸弹.xlsx: 工作簿的 XML 含有实体或 DOCTYPE 声明，为安全起见拒绝读取 / the workbook's XML declares entities" in line
    assert "lollollol" not in line


def test_an_entity_bomb_in_the_shared_strings_is_refused(tmp_path):
    strings = f'<?xml version="1.0"?>{LAUGHS}<sst {MAIN} count="1"><si><t>&lol9;</t></si></sst>'.encode()
    import xlsxwriter

    out = io.BytesIO()
    with xlsxwriter.Workbook(out) as book:  # XlsxWriter keeps text in the shared strings, as Excel does
        book.add_worksheet("企业").write_string(0, 0, "名称")
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        assert "xl/sharedStrings.xml" in archive.namelist()
    data = _with_member(out.getvalue(), "xl/sharedStrings.xml", strings)
    line = _one_line(_load(tmp_path, "企业.xlsx", data))
    assert "declares entities or a DOCTYPE" in line


def test_an_external_entity_is_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-42")
    doctype = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    data = _with_member(_pairings_workbook(), SHEET, _sheet_xml("&xxe;", doctype))
    done = _load(tmp_path, "外部实体.xlsx", data)
    line = _one_line(done)
    assert "declares entities or a DOCTYPE" in line and "TOPSECRET" not in done.stdout + done.stderr
    with pytest.raises(InputError) as caught:  # the same in process, whatever the parser: no entity resolved
        read_xlsx(data, "外部实体.xlsx")
    assert "TOPSECRET" not in str(caught.value)


def test_an_external_entity_in_the_workbook_part_is_not_resolved(tmp_path):
    """openpyxl reads workbook.xml with lxml where installed (entities not resolved) or defusedxml."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-43")
    data = _pairings_workbook()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
    doctype = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    workbook = workbook.replace("?>", "?>" + doctype, 1).replace('name="结对帮扶"', 'name="&xxe;"')
    done = _load(tmp_path, "工作簿实体.xlsx", _with_member(data, "xl/workbook.xml", workbook.encode()))
    assert "TOPSECRET" not in done.stdout + done.stderr
    _one_line(done)


def test_broken_sheet_xml_is_one_line_naming_the_file(tmp_path):
    data = _with_member(_pairings_workbook(), SHEET, f"<worksheet {MAIN}><sheetData><row r=".encode())
    line = _one_line(_load(tmp_path, "损坏.xlsx", data))
    assert "损坏.xlsx: 工作簿内容损坏，无法读取 / the workbook's content is damaged" in line


def test_a_zip_that_is_not_a_workbook_and_a_file_that_is_no_zip(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    line = _one_line(_load(tmp_path, "压缩包.xlsx", out.getvalue()))
    assert "压缩包.xlsx: 是 zip 压缩包，但不是 .xlsx 工作簿 / a zip archive, but not an .xlsx workbook" in line
    line = _one_line(_load(tmp_path, "文本.xlsx", "名称,所属乡镇\n".encode()))
    assert "文本.xlsx: 不是 .xlsx 工作簿（损坏或截断？）/ not a readable .xlsx workbook" in line


def test_the_lock_file_excel_keeps_beside_an_open_workbook_is_named_as_such(tmp_path):
    """``~$填报.xlsx``: the 165-byte owner file Excel and WPS write beside a workbook while it is open, which
    ``linkgraph load 表格/*`` picks up; said as what it is, not as a damaged workbook."""
    owner = (b"\x06" + b"wangfang".ljust(53) + b"\x06\x00" + "wangfang".encode("utf-16-le")).ljust(165, b"\x20")
    line = _one_line(_load(tmp_path, "~$填报.xlsx", owner))
    assert "~$填报.xlsx: 这是 Excel 或 WPS 打开工作簿时留下的锁文件，不是工作簿 / the lock file Excel or WPS keeps " \
           "beside a workbook while it is open, not a workbook" in line
    assert "损坏" not in line


def test_a_zip_bomb_is_refused_by_its_uncompressed_size_before_it_is_read(tmp_path):
    """A member of 64 MB of zeros (64 KB packed) against a limit of 8 MB: refused from the zip's directory."""
    out = io.BytesIO(_pairings_workbook())
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("xl/media/zeros.bin", "w") as member:
        for _ in range(64):
            member.write(bytes(2**20))
    data = out.getvalue()
    assert len(data) < 2**20
    line = _one_line(_load(tmp_path, "炸弹.xlsx", data, {"LINKGRAPH_MAX_UNZIPPED_MB": "8"}))
    assert "炸弹.xlsx: 解压后有 64 MB，超过上限 8 MB（压缩炸弹？）/ the workbook unpacks to 64 MB, more than the limit" in line
    assert archive_problem(data, "x.xlsx") is None  # under the default limit of 1 GB


def test_one_cell_at_xfd1048576_is_one_line_not_17_billion_cells(tmp_path):
    book = openpyxl.Workbook()
    book.active["XFD1048576"] = "x"
    out = io.BytesIO()
    book.save(out)
    assert len(out.getvalue()) < 10_000
    line = _one_line(_load(tmp_path, "远处.xlsx", out.getvalue()))
    assert (f"远处.xlsx, 工作表 sheet Sheet, 行 row 1048576, 列 column XFD1048576: 单元格 XFD1048576 超出第 {MAX_COLUMNS:,} 列"
            in line)


def test_a_declared_extent_of_the_whole_sheet_is_not_trusted(tmp_path):
    """A sheet whose <dimension> claims A1:XFD1048576 is read by the cells it holds."""
    data = _pairings_workbook()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read(SHEET).decode()
    sheet = sheet.replace('<dimension ref="A1:C2"/>', '<dimension ref="A1:XFD1048576"/>')
    assert "XFD1048576" in sheet
    path = tmp_path / "结对帮扶.xlsx"
    path.write_bytes(_with_member(data, SHEET, sheet.encode()))
    result = load_sources([ROSTER, path])
    assert ("PAIRED_ASSISTANCE", "AssistanceUnit:-:佳县县委办公室", "610828105236") in result.graph.ties


def test_limits_on_cells_give_a_line(tmp_path):
    book = openpyxl.Workbook()
    for row in range(1, 30):
        book.active.append([f"r{row}c{c}" for c in range(10)])
    out = io.BytesIO()
    book.save(out)
    line = _one_line(_load(tmp_path, "大.xlsx", out.getvalue(), {"LINKGRAPH_MAX_CELLS": "100"}))
    assert "大.xlsx, 工作表 sheet Sheet, 行 row 11, 列 column J11: 单元格过多 / more cells than the limit (LINKGRAPH_MAX_CELLS)" in line


def test_defusedxml_is_what_openpyxl_parses_with():
    import openpyxl as library

    assert library.DEFUSEDXML is True


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # how an old .xls (and WPS's .et) begins


@pytest.mark.parametrize("name, data, says, does", [
    ("村企联建.et", OLE + bytes(504), "WPS 表格文件（.et）", "在 WPS 表格中打开，文件→另存为→“Excel 文件（*.xlsx）”"),
    ("合作社.txt", b"\xff\xfe" + "名称\t所属乡镇\r\n".encode("utf-16-le"), "文本文件（.txt）", "请改名为 .tsv 再载入"),
])
def test_a_file_planners_save_in_another_format_says_how_to_save_it(tmp_path, name, data, says, does):
    """A planner's WPS .et or Excel "Unicode text" .txt was "unknown kind of source .xls" with a hint to give
    a .csv or .xlsx: the message says what the file is and how to save it so that linkgraph reads it."""
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, path])
    [problem] = caught.value.problems
    assert problem.message.startswith(says) and does in problem.hint and str(path) in str(problem)
