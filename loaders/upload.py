"""Uploaded files as sources: checked against bounds and written into a folder, where the loaders read them.

A browser uploads one file: a workbook (``.xlsx``), a case file (``.yaml``), a table (``.csv``, ``.tsv``) or a
zip of a folder of them. Before anything parses it:

- the upload's size is at most :attr:`UploadLimits.max_bytes`;
- a zip (and a workbook, which is one) is read member by member with the bytes counted as they unpack, so
  a zip bomb is refused when its output passes :attr:`UploadLimits.max_unpacked`, whatever its headers
  claim; a zip has at most :attr:`UploadLimits.max_members` files, each of a kind the loaders read, named
  by its base name only (no ``../``), Chinese names written by Windows (GBK, without the UTF-8 flag) read
  as such;
- the loaders then read the files with their own guards (:mod:`loaders.workbook`: XML through defusedxml,
  so entity declarations and external entities are refused; a cell count bound), and the caller bounds the
  time (:mod:`linkgraph.uploads` runs it in a process of its own).

Every refusal is one :class:`~graph_model.records.Problem` naming the upload.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from graph_model.records import InputError, Origin, Problem
from loaders.workbook import other_format

SOURCE_SUFFIXES = (".xlsx", ".xls", ".csv", ".tsv", ".yaml", ".yml")
UPLOAD_SUFFIXES = (*SOURCE_SUFFIXES, ".zip")
CHUNK = 1 << 16
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")
MAX_NAME_BYTES = 255
"""The longest file name (in UTF-8 bytes) a file system takes: about 85 Chinese characters."""


def _env(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


@dataclass(frozen=True)
class UploadLimits:
    """The bounds of one upload (each from an environment variable, for an office with larger files)."""

    max_bytes: int = int(_env("LINKGRAPH_MAX_UPLOAD_MB", 20) * 2**20)
    max_unpacked: int = int(_env("LINKGRAPH_MAX_UPLOAD_UNPACKED_MB", 200) * 2**20)
    max_members: int = int(_env("LINKGRAPH_MAX_UPLOAD_FILES", 200))
    max_cells: int = int(_env("LINKGRAPH_MAX_UPLOAD_CELLS", 2_000_000))
    max_seconds: float = _env("LINKGRAPH_MAX_UPLOAD_SECONDS", 120)
    max_draft_rows: int = int(_env("LINKGRAPH_MAX_DRAFT_ROWS", 5000))
    """The most rows of a draft reviewed on one page (each is a form row the server renders and reads)."""


def _refused(file: str, message: str, hint: str = "") -> InputError:
    return InputError([Problem(Origin(file), message, hint)])


def upload_name(name: str) -> str:
    """The base name an upload is kept under (and known by as a source): no folders, no control characters.

    >>> upload_name("C:\\\\Users\\\\王\\\\通镇填报.xlsx"), upload_name("../../etc/x.csv")
    ('通镇填报.xlsx', 'x.csv')
    """
    base = re.split(r"[/\\]", name or "")[-1].strip()
    base = _UNSAFE.sub("_", base).lstrip(".")
    suffix = Path(base).suffix.lower()
    if base and suffix not in UPLOAD_SUFFIXES and (other := other_format(base)):
        raise InputError([other])
    if not base or suffix not in UPLOAD_SUFFIXES:
        raise _refused(base or "upload", f"不支持的文件类型 / {suffix or 'no suffix'} is not a file linkgraph loads",
                       "可载入工作簿 .xlsx、表格 .csv/.tsv、案例文件 .yaml 或它们的 zip / a workbook (.xlsx), "
                       "a table (.csv, .tsv), a case file (.yaml) or a zip of them")
    return _short_enough(base[:40] + "…", base)


def _short_enough(upload: str, base: str) -> str:
    """``base`` when a file may be named so (else refused as a problem of ``upload``: writing it would fail)."""
    if len(base.encode()) > MAX_NAME_BYTES:
        raise _refused(upload, f"文件名过长，请缩短 / the file name is longer than {MAX_NAME_BYTES} bytes: "
                               f"{base[:40]}…", "请改短文件名（最多约 80 个汉字）/ rename it shorter (at most about 80 Chinese "
                               "characters)")
    return base


def unpack_upload(name: str, data: bytes, folder: str | Path, limits: UploadLimits = UploadLimits()) -> list[Path]:
    """Write the upload ``name`` (its bytes ``data``) into ``folder`` as the source files it holds, within
    ``limits``; return their paths in the order to load them (tables of a zip by name). Raises
    :class:`InputError` with one problem when a bound is passed or the upload is no source."""
    name = upload_name(name)
    folder = Path(folder)
    if len(data) > limits.max_bytes:
        raise _refused(name, f"文件过大 / the upload is {len(data) / 2**20:.1f} MB, more than the limit of "
                             f"{limits.max_bytes / 2**20:g} MB", "请拆分，或调高 LINKGRAPH_MAX_UPLOAD_MB / split it, or raise "
                             "LINKGRAPH_MAX_UPLOAD_MB")
    suffix = Path(name).suffix.lower()
    if suffix in (".zip", ".xlsx"):
        members = _unpacked_members(name, data, limits)
        if suffix == ".xlsx":
            return [_write(folder / name, data)]
        return [_write(folder / member, content) for member, content in sorted(members.items())]
    return [_write(folder / name, data)]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _unpacked_members(name: str, data: bytes, limits: UploadLimits) -> dict[str, bytes]:
    """The files of a zip by base name, unpacked with the bytes counted; for a workbook the count alone
    matters (its parts are read by the workbook reader) and no part is kept."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as err:
        raise _refused(name, f"不是可读的 zip 文件（损坏或截断？）/ not a readable zip file (damaged or truncated?): {err}") \
            from None
    workbook = name.lower().endswith(".xlsx")
    if len(infos) > limits.max_members and not workbook:  # (a workbook's parts are bounded by their size)
        raise _refused(name, f"压缩包中文件过多 / the archive holds {len(infos)} files, more than the limit of "
                             f"{limits.max_members}", "请分批上传 / upload fewer files at a time")
    members: dict[str, bytes] = {}
    total = 0
    for info in infos:
        content = _member_bytes(name, archive, info, limits.max_unpacked - total)
        total += len(content)
        if workbook:
            continue
        member = _member_name(name, info)
        if member is None:
            continue
        if member in members:
            raise _refused(name, f"压缩包中有两个同名文件 / two files of the archive are named {member}",
                           "每个来源须有自己的名称 / each source needs a name of its own")
        members[member] = content
    if not workbook and not members:
        raise _refused(name, "压缩包中没有可载入的文件 / the archive holds no table, workbook or case file",
                       "zip 中应为 .csv、.tsv、.xlsx 或 .yaml 文件 / a zip of .csv, .tsv, .xlsx or .yaml files")
    return members


def _member_bytes(name: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, room: int) -> bytes:
    """A member's bytes, unpacked a chunk at a time; refused as soon as they pass ``room`` (a zip bomb)."""
    parts, size = [], 0
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(CHUNK):
                size += len(chunk)
                if size > room:
                    raise _refused(name, "解压后过大（压缩炸弹？）/ the archive unpacks to more than the limit "
                                         "(a zip bomb?)", "若文件无误，调高 LINKGRAPH_MAX_UPLOAD_UNPACKED_MB / raise "
                                         "LINKGRAPH_MAX_UPLOAD_UNPACKED_MB if it is genuine")
                parts.append(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as err:
        raise _refused(name, f"压缩包中的文件无法解压 / a file of the archive cannot be unpacked: {err}") from None
    return b"".join(parts)


def _member_name(name: str, info: zipfile.ZipInfo) -> str | None:
    """The base name a member is kept under; None for what a folder zipped on a Mac or Windows adds beside
    the files (``__MACOSX``, ``.DS_Store``, ``Thumbs.db``). A member of another kind is refused."""
    text = info.filename
    if not info.flag_bits & 0x800:  # no UTF-8 flag: Windows writes the names in the local code page
        try:
            text = text.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    parts = PurePosixPath(text.replace("\\", "/")).parts
    base = parts[-1] if parts else ""
    if not base or base.startswith(".") or "__MACOSX" in parts or base.lower() == "thumbs.db":
        return None
    if Path(base).suffix.lower() not in SOURCE_SUFFIXES and (other := other_format(base)):
        raise InputError([other])
    if Path(base).suffix.lower() not in SOURCE_SUFFIXES:
        raise _refused(name, f"压缩包中有无法载入的文件 / {_UNSAFE.sub('_', base)} is not a file linkgraph loads",
                       "zip 中只能有 .csv、.tsv、.xlsx 或 .yaml 文件 / a zip of .csv, .tsv, .xlsx or .yaml "
                       "files only")
    return _short_enough(name, _UNSAFE.sub("_", base))
