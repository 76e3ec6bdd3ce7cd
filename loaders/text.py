"""Decoding text files the way planners save them: UTF-8 (with or without BOM), GBK, GB18030.

Files in another encoding are refused with its name rather than read as
mojibake: Big5 (Traditional Chinese Windows and Taiwan sites), UTF-16 without a
byte-order mark, UTF-32; so are binary files (a workbook renamed .csv) and
files with no text. UTF-16 with its BOM (Excel's "Unicode text") is read.

>>> decode_text("核桃树墕村".encode("gbk"), "x.csv")
('核桃树墕村', 'gb18030')
>>> decode_text(b"\\xef\\xbb\\xbfcode,name", "x.csv")
('code,name', 'utf-8-sig')
>>> decode_text("幫扶單位,結對村".encode("big5"), "x.csv")
Traceback (most recent call last):
graph_model.records.InputError: x.csv: 文件是 Big5 编码（繁体中文），请另存为 UTF-8 / the file is Big5-encoded (Traditional Chinese); save it as UTF-8 (提示 hint: 在 Excel 中：另存为 → CSV UTF-8 / in Excel: Save As → CSV UTF-8)

Big5 or GBK? GB18030 decodes nearly any Big5 bytes without an error (代刚腊н虫
for 幫扶單位), and a short GBK text may also be valid Big5, so when both decode
the reading whose characters are the commoner Chinese wins: the share of its
non-ASCII characters that, made Simplified (OpenCC, :func:`graph_model.names.to_simplified`),
are among GB2312's 3,755 first-level characters (the standard's 常用字). Big5
bytes read as GBK give kana, Greek letters and rare characters (scores of
0.1–0.6 on test tables); the right reading of either scores 0.95–1.0 (measured
on the tables and the article in ``tests/loaders/test_text.py``). charset-normalizer
was measured too: it named Big5 right but took a six-line GBK table for
Korean (cp949).
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from graph_model.records import InputError, Origin, Problem

SAVE_AS_UTF8 = "在 Excel 中：另存为 → CSV UTF-8 / in Excel: Save As → CSV UTF-8"
# Binary formats planners may give a text name to, by their first bytes.
_MAGIC = ((b"PK\x03\x04", "Excel 工作簿（.xlsx）或 zip 压缩包", "an Excel workbook (.xlsx) or a zip archive"),
          (b"\xd0\xcf\x11\xe0", "旧版 Excel 工作簿（.xls）或 Word 文档（.doc）", "an old Excel workbook (.xls) or Word file (.doc)"),
          (b"%PDF", "PDF 文件", "a PDF file"))
SNIFF_BYTES = 1 << 16  # how much of a file the encoding checks look at
SCORED_CHARS = 4000  # how many non-ASCII characters tell Big5 from GBK (a few dozen do, on the test tables)


def _refused(file: str, message: str, hint: str = SAVE_AS_UTF8) -> InputError:
    return InputError([Problem(Origin(file), message, hint)])


def _check_binary(data: bytes, file: str, legacy: bool = False) -> str | None:
    """Refuse UTF-32, UTF-16 without BOM and binary files, which hold NUL bytes that text in GBK or UTF-8 never does;
    with ``legacy``, UTF-16 without BOM is not refused but named (``utf-16-le`` or ``utf-16-be``)."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise _refused(file, "文件是 UTF-32 编码，请另存为 UTF-8 / the file is UTF-32-encoded; save it as UTF-8")
    head = data[:SNIFF_BYTES]
    if b"\x00" not in head:
        return None
    kind = next((names for magic, *names in _MAGIC if head.startswith(magic)), None)
    if kind:
        raise _refused(file, f"不是文本文件，而是{kind[0]} / not a text file but {kind[1]}",
                       "工作簿请用 .xlsx 扩展名，或另存为 CSV UTF-8 / give a workbook its .xlsx name, or save it as CSV UTF-8")
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if max(even, odd) > 4 * min(even, odd) + 1 and len(head) % 2 == 0:
        order = "big-endian" if even > odd else "little-endian"
        wide = "utf-16-be" if even > odd else "utf-16-le"
        if legacy and _decodes(data, wide):
            return wide
        if not legacy:
            raise _refused(file, f"文件是 UTF-16 编码（{order}，无 BOM），请另存为 UTF-8 / the file is UTF-16-encoded "
                           f"({order}, without a byte-order mark); save it as UTF-8")
    raise _refused(file, "不是文本文件（含 NUL 字节）/ not a text file (it holds NUL bytes)",
                   "给出 CSV、YAML 或文本文件 / give a CSV, YAML or text file")


def _decodes(data: bytes, encoding: str) -> bool:
    """Whether ``data`` is text in ``encoding`` (bytes that look like UTF-16 may be a binary file's)."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _head(data: bytes) -> bytes:
    """The first :data:`SNIFF_BYTES` of ``data``, cut after a line end so that no character is split.

    No character of UTF-8, GBK, GB18030 or Big5 holds the byte of a line end
    (their bytes after the first are 0x30 or above), so a cut there is clean.
    """
    if len(data) <= SNIFF_BYTES:
        return data
    end = data.rfind(b"\n", 0, SNIFF_BYTES)
    return data[: end + 1] if end >= 0 else data


def level1_share(text: str) -> float:
    """The share of ``text``'s first non-ASCII characters that, made Simplified, are first-level GB2312 (常用字)."""
    from graph_model.names import to_simplified

    wide = [c for c in to_simplified(text[:SCORED_CHARS * 4]) if ord(c) > 0x7F][:SCORED_CHARS]
    if not wide:
        return 1.0
    common = 0
    for char in wide:
        encoded = char.encode("gb2312", errors="ignore")
        common += len(encoded) == 2 and 0xB0 <= encoded[0] <= 0xD7
    return common / len(wide)


def _chinese_reading(data: bytes, file: str, legacy: bool = False) -> tuple[str, str] | None:
    """The text read as GB18030, unless it is not GB18030 (None) or reads better as Big5 (refused; with
    ``legacy``, read as Big5)."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    try:
        big5 = _head(data).decode("cp950")
    except UnicodeDecodeError:
        big5 = None
    if big5 is not None and (text is None or level1_share(big5) > level1_share(text)):
        if legacy:
            return data.decode("cp950"), "big5"  # a byte the head did not show may still break it: an error
        raise _refused(file, "文件是 Big5 编码（繁体中文），请另存为 UTF-8 / the file is Big5-encoded (Traditional "
                       "Chinese); save it as UTF-8")
    return None if text is None else (text, "gb18030")


def decode_text(data: bytes, file: str, *, legacy: bool = False) -> tuple[str, str]:
    """The text and the encoding it was read with.

    A BOM decides (UTF-8, UTF-16); otherwise UTF-8 is tried first and GB18030
    (a superset of GBK and GB2312, what Excel writes on Chinese Windows)
    second, unless the bytes are Big5 (see the module). Empty files, files
    with only a BOM or blanks, other encodings and binary files are an
    :class:`InputError` naming what the file is. ``legacy`` (reports, which are
    read, not loaded cell by cell): Big5 and UTF-16 without BOM are read too.
    """
    if not data:
        raise _refused(file, "文件是空的 / the file is empty", "")
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not data.startswith(codecs.BOM_UTF32_LE):
        candidates = ["utf-16"]
    else:
        wide = _check_binary(data, file, legacy)
        candidates = [wide] if wide else ["utf-8", "gb18030"]
    errors: list[UnicodeDecodeError] = []
    for encoding in candidates:
        try:
            decoded = ((data.decode(encoding), encoding) if encoding != "gb18030"
                       else _chinese_reading(data, file, legacy))
        except UnicodeDecodeError as err:
            errors.append(err)
            continue
        if decoded is None:
            continue
        if not decoded[0] or decoded[0].isspace():  # (not strip(): a national table's copy, 220 MB)
            raise _refused(file, "文件没有内容（只有 BOM 或空白）/ the file has no text (only a byte-order mark or blanks)", "")
        return decoded
    position = errors[0].start  # where the file stops being UTF-8 (or what its BOM says)
    line = data[:position].count(b"\n") + 1
    raise InputError([Problem(Origin(file, row=line),
                              f"无法识别文件编码：第 {position} 字节起不是 {' 或 '.join(candidates)} / cannot decode byte "
                              f"{position} as {' or '.join(candidates)}",
                              "请另存为 UTF-8 或 GBK 编码 / save the file as UTF-8 or GBK")])


def decode_first_line(data: bytes, file: str) -> str:
    """The first line of a text file (a CSV header), decoded from the file's start without splitting a character.

    Bytes with NULs (UTF-16 and UTF-32, binary files) are decoded or refused whole, as their line ends
    are two or four bytes.
    """
    end = data.find(b"\n", 0, SNIFF_BYTES)
    whole = end < 0 or not data[:end].strip() or b"\x00" in data[:SNIFF_BYTES]
    return decode_text(data if whole else data[: end + 1], file)[0].splitlines()[0]


MAX_FILE_MB = float(os.environ.get("LINKGRAPH_MAX_FILE_MB", "512"))
MAX_CASE_MB = float(os.environ.get("LINKGRAPH_MAX_CASE_MB", "20"))
"""Case files are written by hand; YAML takes many times a file's size in memory, so they are bounded lower."""


def read_source_bytes(path: str | Path, max_mb: float | None = None) -> bytes:
    """The bytes of a regular file no larger than ``max_mb`` (default ``$LINKGRAPH_MAX_FILE_MB`` or 512).

    Devices, FIFOs and other special files are refused before anything is
    read, so that a link to ``/dev/zero`` cannot fill the memory.
    """
    path = Path(path)
    limit = MAX_FILE_MB if max_mb is None else max_mb
    if "\x00" in str(path):  # no file can have this name; os.stat would raise ValueError, not OSError
        raise InputError([Problem(Origin(printable_name(path)), "文件名无效，含空字符 / the file name holds a NUL character",
                                  "请核对文件名列表的来源 / check the list of files the name came from")])
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise InputError([Problem(Origin(str(path)), "不是普通文件 / not a regular file (a device, pipe or folder)")])
        if info.st_size > limit * 1024 * 1024:
            raise InputError([Problem(Origin(str(path)), f"文件过大 / the file is {info.st_size / 2**20:.1f} MB, "
                                      f"more than the limit of {limit:g} MB",
                                      "用 LINKGRAPH_MAX_CASE_MB（案例文件）或 LINKGRAPH_MAX_FILE_MB 调高上限 / raise "
                                      "it with LINKGRAPH_MAX_CASE_MB (case files) or LINKGRAPH_MAX_FILE_MB")])
        with open(path, "rb") as handle:
            return handle.read(int(limit * 1024 * 1024) + 1)
    except OSError as err:
        raise InputError([Problem(Origin(str(path)), f"无法读取文件 / cannot read file: {err.strerror}")]) from None


def printable_name(path: str | Path) -> str:
    r"""A file name as a message may show it: a NUL or other control character as ``\x00``.

    >>> printable_name("a\x00b.csv")
    'a\\x00b.csv'
    """
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in str(path))


def read_text(path: str | Path) -> tuple[str, str]:
    """Read and decode a text file; see :func:`decode_text`."""
    return decode_text(read_source_bytes(path), str(path))


def split_lines(text: str) -> str:
    r"""Text with every line ending as ``\n``: Windows ``\r\n`` and old Mac ``\r`` alike.

    >>> split_lines("a\rb\r\nc")
    'a\nb\nc'
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")
