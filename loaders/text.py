"""Decoding text files the way planners save them: UTF-8 (with or without BOM), GBK, GB18030.

>>> decode_text("核桃树墕村".encode("gbk"), "x.csv")
('核桃树墕村', 'gb18030')
>>> decode_text(b"\\xef\\xbb\\xbfcode,name", "x.csv")
('code,name', 'utf-8-sig')
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from graph_model.records import InputError, Origin, Problem


def decode_text(data: bytes, file: str) -> tuple[str, str]:
    """The text and the encoding it was read with.

    A BOM decides; otherwise UTF-8 is tried first and GB18030 (a superset of
    GBK and GB2312, what Excel writes on Chinese Windows) second.
    """
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    errors: list[UnicodeDecodeError] = []
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as err:
            errors.append(err)
    position = errors[0].start  # where the file stops being UTF-8 (or what its BOM says)
    line = data[:position].count(b"\n") + 1
    raise InputError([Problem(Origin(file, row=line),
                              f"cannot decode byte {position} as {' or '.join(candidates)} / 无法识别文件编码",
                              "save the file as UTF-8 or GBK / 请另存为 UTF-8 或 GBK 编码")])


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
        raise InputError([Problem(Origin(printable_name(path)), "文件名含空字符 the file name holds a NUL character "
                                  "/ 文件名无效", "check the list of files the name came from")])
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise InputError([Problem(Origin(str(path)), "not a regular file (a device, pipe or folder) / 不是普通文件")])
        if info.st_size > limit * 1024 * 1024:
            raise InputError([Problem(Origin(str(path)), f"the file is {info.st_size / 2**20:.1f} MB, more than the "
                                      f"limit of {limit:g} MB / 文件过大",
                                      "raise it with LINKGRAPH_MAX_CASE_MB (case files) or LINKGRAPH_MAX_FILE_MB")])
        with open(path, "rb") as handle:
            return handle.read(int(limit * 1024 * 1024) + 1)
    except OSError as err:
        raise InputError([Problem(Origin(str(path)), f"cannot read file: {err.strerror} / 无法读取文件")]) from None


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
