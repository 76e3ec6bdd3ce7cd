"""Decoding text files the way planners save them: UTF-8 (with or without BOM), GBK, GB18030.

>>> decode_text("核桃树墕村".encode("gbk"), "x.csv")
('核桃树墕村', 'gb18030')
>>> decode_text(b"\\xef\\xbb\\xbfcode,name", "x.csv")
('code,name', 'utf-8-sig')
"""

from __future__ import annotations

import codecs
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


def read_text(path: str | Path) -> tuple[str, str]:
    """Read and decode a text file; see :func:`decode_text`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError([Problem(Origin(str(path)), f"cannot read file: {err.strerror} / 无法读取文件")]) from None
    return decode_text(data, str(path))
