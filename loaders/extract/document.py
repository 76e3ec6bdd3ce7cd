"""Reports as documents: title, publication date and paragraphs, from ``.txt``, ``.html`` and ``.docx``.

Each format has a pure parser (text or bytes in, :class:`Document` out) and
:func:`read_document` reads a file and picks one. Text files and pages may be
UTF-8 (with or without BOM), GBK or GB18030, Big5, or UTF-16 with or without
BOM (:func:`loaders.text.decode_text`); control and format characters are left
out (:func:`readable`), and a file that holds no Chinese, or reads as rare
characters (a binary file, another encoding), is refused in one line naming it.
A page saved from a browser gives its title (``og:title``, ``<h1>`` or
``<title>``) and publication date (``article:published_time`` and similar meta
tags, ``<time datetime>``, WeChat's ``publish_time``, or the first date in the
text); scripts, styles and navigation are left out. A Word file gives its
paragraphs and, row by row, its tables (``表头：值，表头：值``), so that a list
kept as a table reads like a list written out.

>>> doc = parse_text("2024-01-18 10:53:28\\n佳县县委办公室是通镇西山村的帮扶单位。", "a.txt")
>>> doc.date, doc.paragraphs
('2024-01-18', ['佳县县委办公室是通镇西山村的帮扶单位。'])
"""

from __future__ import annotations

import io
import re
import zipfile
import unicodedata
import zlib
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from graph_model.records import InputError, Origin, Problem
from loaders.text import decode_text, read_source_bytes, split_lines

SUFFIXES = (".txt", ".text", ".md", ".html", ".htm", ".docx")
_DATE = re.compile(r"(?<!\d)(20\d{2}|19\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?")
_DATE_LINE = re.compile(r"^\W*(?:发布时间|发布日期|时间|日期|来源\S*)?[:：\s]*" + _DATE.pattern + r"[\d:\s]*\W*$")
MAX_TITLE = 60
SAVE_AS_DOCX = "请用 Word 打开并另存为 .docx / open and save it again as .docx"
_CHINESE = re.compile(r"[\u3400-\u9fff]")


@dataclass
class Document:
    """A report: where it was read from, its title and date (ISO, when known) and its paragraphs in order."""

    file: str
    title: str | None
    date: str | None
    paragraphs: list[str] = field(default_factory=list)

    @property
    def source_title(self) -> str:
        """How the report is named as a source: its title (or file name) and date."""
        title = self.title or Path(self.file).stem
        return f"{title} {self.date}" if self.date and self.date not in title else title


def find_date(text: str) -> str | None:
    """The first calendar date in ``text``, as ``YYYY-MM-DD``.

    >>> find_date("发布时间：2023年6月12日 18:30"), find_date("2024/1/8"), find_date("2021年")
    ('2023-06-12', '2024-01-08', None)
    """
    for match in _DATE.finditer(text):
        year, month, day = (int(g) for g in match.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _split_paragraphs(text: str) -> list[str]:
    return unwrap_lines([line.strip() for line in split_lines(text).split("\n") if line.strip()])


_PARAGRAPH_END = re.compile(r"[。！？!?；;…”」』）)：:]$")
_LIST_ITEM = re.compile(r"^(?:\d+[、.．)）]|[（(][\d一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)")
MIN_WRAPPED = 4


def unwrap_lines(lines: list[str]) -> list[str]:
    """Lines of a text copied from a PDF, broken at a fixed width in the middle of sentences and names
    (``成华城投园林`` / ``公司党支部``), joined again; other texts returned as they are.

    A text is taken as wrapped when at least :data:`MIN_WRAPPED` lines, and half of its lines 30 columns wide
    or more (:func:`_display_width`), have the most common width of these (one character more or less), and two
    thirds of them end in the middle of a sentence. Then every line of that width that does not end a sentence
    runs on into the next; shorter lines (titles, a paragraph's last line) end where they end.

    >>> line = "一二三四五六七八九十一二三四五"
    >>> unwrap_lines(["标题", line + "甲", line + "乙", line + "丙", line + "丁", "完。"]) == [
    ...     "标题", f"{line}甲{line}乙{line}丙{line}丁完。"]
    True
    >>> unwrap_lines(["标题", line + "。", line + "。", line + "。", line + "。"]) == ["标题", *[line + "。"] * 4]
    True
    """
    long = [line for line in lines if _display_width(line) >= 30]
    if not long:
        return lines
    width = Counter(map(_display_width, long)).most_common(1)[0][0]
    full = [line for line in long if abs(_display_width(line) - width) <= 2]
    open_ended = [line for line in full if not _PARAGRAPH_END.search(line)]
    if len(full) < MIN_WRAPPED or len(full) * 2 < len(long) or len(open_ended) * 3 < len(full) * 2:
        return lines
    joined: list[str] = []
    runs_on = False
    for line in lines:
        if runs_on and not _LIST_ITEM.match(line):  # an item of a list (3. 某局——某村) begins a line of its own
            joined[-1] += line
        else:
            joined.append(line)
        runs_on = _display_width(line) >= width - 2 and not _PARAGRAPH_END.search(line)
    return joined


def _display_width(line: str) -> int:
    """How wide ``line`` is printed, as a PDF breaks it: a Chinese or full-width character is two columns, a
    digit or letter one (``2023年`` is as wide as three characters)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)


def parse_text(text: str, file: str) -> Document:
    """A plain-text report: a date line near the top is its date, a short first line without a full stop its title."""
    paragraphs = _split_paragraphs(text.lstrip("\ufeff"))
    date = title = None
    for index, line in enumerate(paragraphs[:3]):
        if _DATE_LINE.match(line):
            date = find_date(line)
            del paragraphs[index]
            break
    if paragraphs and len(paragraphs[0]) <= MAX_TITLE and not re.search(r"[。！？!?]$", paragraphs[0]) and len(paragraphs) > 1:
        title = paragraphs[0]
    return Document(file, title, date, paragraphs)


_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "blockquote",
           "table", "ul", "ol", "header", "footer", "td", "th", "pre", "hr"}
_SKIPPED = {"script", "style", "noscript", "nav", "template", "svg", "head", "iframe", "button", "form", "select"}
_DATE_META = ("article:published_time", "og:article:published_time", "og:release_date", "pubdate", "publishdate",
              "publish_date", "publishdate", "pubtime", "datepublished", "dc.date", "dc.date.issued", "date",
              "weibo:article:create_at")
_TITLE_TAIL = re.compile(r"\s*[-_|｜—]+\s*[^-_|｜—]{1,20}$")


class _PageParser(HTMLParser):
    """Text blocks, title candidates and date candidates of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.cell_break = False
        self.skipping: list[str] = []
        self.meta: dict[str, str] = {}
        self.title = ""
        self.h1 = ""
        self.times: list[str] = []
        self._in: list[str] = []
        self._date_element = 0

    def _flush(self) -> None:
        text = re.sub(r"[ \t\r\f\v\u00a0\u3000]+", " ", "".join(self.current)).strip()
        if text:
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or values.get("itemprop") or "").lower()
            if key and values.get("content"):
                self.meta.setdefault(key, values["content"])
            return
        if tag == "time" and values.get("datetime"):
            self.times.append(values["datetime"])
        marker = f"{values.get('id', '')} {values.get('class', '')}".lower()
        if any(word in marker for word in ("publish_time", "pubtime", "publish-time", "post-date", "pub_date")):
            self._date_element += 1
        if tag in _SKIPPED and tag != "head":
            self.skipping.append(tag)
        if tag in ("title", "h1"):
            self._in.append(tag)
        if tag in ("td", "th") and self.current:
            self.current.append("，")
        elif tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
            return
        if self._in and self._in[-1] == tag:
            self._in.pop()
        if tag in _BLOCKS and tag not in ("td", "th"):
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._date_element and data.strip():
            self.times.append(data.strip())
            self._date_element -= 1
        if "title" in self._in:
            self.title += data
            return
        if self.skipping:
            return
        if "h1" in self._in:
            self.h1 += data
        self.current.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def parse_html(text: str, file: str) -> Document:
    """A page saved from a browser: its text blocks, title and publication date."""
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    title = (parser.meta.get("og:title") or parser.h1 or _TITLE_TAIL.sub("", parser.title)).strip() or None
    date = None
    for candidate in [*(parser.meta.get(k, "") for k in _DATE_META), *parser.times]:
        date = find_date(candidate)
        if date:
            break
    blocks = parser.blocks
    if title:
        blocks = [b for b in blocks if b != title]
    if date is None:
        date = next(filter(None, (find_date(b) for b in blocks[:5])), None)
    # the page's date line (2023-09-15 18:30 木头峪镇发布) is metadata, not text
    blocks = [b for b in blocks if not (_DATE_LINE.match(b) or len(b) <= MAX_TITLE and date and find_date(b) == date
                                        and not re.search(r"[。！？!?]", b))]
    return Document(file, title, date, blocks)


def parse_docx(data: bytes, file: str) -> Document:
    """A Word file: its paragraphs and table rows in document order, its title and creation date.

    The archive is checked before python-docx reads it (:func:`docx_problem`): no DOCTYPE (entity
    declarations, external entities) and no more unpacked bytes than :data:`MAX_DOCX_MB`."""
    word = _open_docx(data, file)
    paragraphs = _docx_lines(word)
    properties = word.core_properties
    title = (properties.title or "").strip() or None
    date = _take_date_line(paragraphs)
    if title is None and paragraphs and len(paragraphs[0]) <= MAX_TITLE and not re.search(r"[。！？!?]$", paragraphs[0]):
        title = paragraphs.pop(0)
    if date is None and properties.created is not None:
        date = properties.created.date().isoformat()
    return Document(file, title, date, paragraphs)


def _open_docx(data: bytes, file: str):
    """The Word document python-docx reads from ``data``, once :func:`docx_problem` finds nothing to refuse;
    else an :class:`InputError` saying why it cannot be read."""
    import docx
    from lxml import etree

    refused = docx_problem(data)
    if refused:
        raise InputError([Problem(Origin(file), f"无法读取 Word 文件 / {refused}", SAVE_AS_DOCX)])
    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError, NotImplementedError, zlib.error,
            etree.XMLSyntaxError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError([Problem(Origin(file), f"无法读取 Word 文件 / not a readable .docx file: {reason}",
                                  SAVE_AS_DOCX)]) from None


def _docx_lines(word) -> list[str]:
    """A Word document's paragraphs and table rows (as lines), in document order, trimmed, empty ones left out."""
    import docx

    paragraphs: list[str] = []
    for block in word.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1] if isinstance(block.tag, str) else ""  # (comments: a function)
        if tag == "p":
            paragraphs.append("".join(node.text or "" for node in block.iter()
                                      if isinstance(node.tag, str) and node.tag.endswith("}t")))
        elif tag == "tbl":
            paragraphs += _table_lines(docx.table.Table(block, word))
    return [p.strip() for p in paragraphs if p.strip()]


def _take_date_line(paragraphs: list[str]) -> str | None:
    """The date of a date line among the first three lines (removed from ``paragraphs``), or None."""
    for index, line in enumerate(paragraphs[:3]):
        if _DATE_LINE.match(line):
            del paragraphs[index]
            return find_date(line)
    return None


MAX_DOCX_MB = 256
"""The most a .docx may unpack to (a Word report is a few MB; a zip bomb is refused before it is unpacked)."""
_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)


def docx_problem(data: bytes) -> str | None:
    """Why ``data`` is refused as a .docx before any XML of it is parsed, or ``None``: not a zip archive,
    more than :data:`MAX_DOCX_MB` unpacked, a damaged member, or an XML part with a DOCTYPE or ENTITY
    declaration (entity expansion, external entities: Word never writes them)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        return "不是 zip 压缩包 not a readable .docx file (not a zip archive)"
    if sum(m.file_size for m in members) > MAX_DOCX_MB * 2**20:
        return f"解压后过大 unpacks to more than {MAX_DOCX_MB} MB"
    for member in members:
        if not member.filename.endswith((".xml", ".rels")):
            continue
        try:
            part = archive.read(member)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError, OSError,
                zlib.error) as err:
            return f"压缩包已损坏 the part {member.filename} cannot be unpacked: {err}"
        text = part.decode("utf-16", errors="ignore").encode() if part.startswith((b"\xff\xfe", b"\xfe\xff")) else part
        if _DECLARATION.search(text):
            return f"含 DOCTYPE 声明 the part {member.filename} declares a DOCTYPE or entities, which Word never writes"
    return None


def _table_lines(table) -> list[str]:
    """A table's rows as lines ``表头：值，表头：值。`` (the first row is the header)."""
    rows = [[cell.text.strip() for cell in row.cells] for row in table.rows]
    if len(rows) < 2:
        return ["，".join(filter(None, row)) + "。" for row in rows]
    header = rows[0]
    return ["，".join(f"{h}：{v}" if h else v for h, v in zip(header, row) if v) + "。" for row in rows[1:]]


def report_files(paths: list[str | Path]) -> list[Path]:
    """The report files of ``paths``: a folder stands for the report files in it (by name; hidden files and
    Excel's ``~$`` lock files left out), a file for itself. A folder holding none is an :class:`InputError`."""
    files: list[Path] = []
    for path in map(Path, paths):
        if not path.is_dir():
            files.append(path)
            continue
        inside = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES
                        and not p.name.startswith((".", "~$")))
        if not inside:
            raise InputError([Problem(Origin(str(path)), "文件夹中没有报道文件 / the folder holds no report file",
                                      "请放入 .txt、.html（浏览器另存）或 .docx 文件 / put .txt, .html (saved from a "
                                      "browser) or .docx files in it")])
        files += inside
    return files


def read_document(path: str | Path) -> Document:
    """Read a report file (``.txt``, ``.html``, ``.docx``); an unknown suffix or a bad encoding is an :class:`InputError`."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        hint = ("请把 PDF 中的文字复制到 .txt 文件（被换行断开的句子会接上）/ copy the PDF's text into a .txt file "
                "(lines broken inside sentences are joined again)") if suffix == ".pdf" else (
            "请给出 .txt、.html（浏览器另存）或 .docx 文件 / give .txt, .html (saved from a browser) or .docx files")
        raise InputError([Problem(Origin(str(path)), f"不支持的文件类型 / cannot extract from a {suffix or 'file without suffix'}",
                                  hint)])
    data = read_source_bytes(path)
    if suffix == ".docx":
        document = parse_docx(data, str(path))
        text = "\n".join(document.paragraphs)
    else:
        text, _ = decode_text(data, str(path), legacy=True)
        document = parse_html(text, str(path)) if suffix in (".html", ".htm") else parse_text(text, str(path))
    problem = not_chinese(text)
    if problem:
        raise InputError([Problem(Origin(str(path)), problem, "给出中文报道（UTF-8、GBK、Big5 或 UTF-16）/ give a report in "
                                  "Chinese (UTF-8, GBK, Big5 or UTF-16)")])
    return readable(document)


# Control and format characters (a NUL, an escape, a zero-width space, a bidi override) and the noncharacters
# U+FFFE/U+FFFF: nothing a reader sees, but they split names (鞍山\u200b村) and a workbook cannot hold some of them.
_UNSEEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
                     "\ufff9-\uffff\U000e0000-\U000e007f]")
SCORED_TEXT = 1 << 16  # how much of a report the check reads
MIN_COMMON_SHARE = 0.5
"""The least share of a report's Chinese characters that are common (GB2312 level 1 once made Simplified):
0.95-1.0 on real reports, 0.1-0.6 on bytes of another encoding or a binary file read as GB18030."""


def readable(document: Document) -> Document:
    """``document`` without the characters :data:`_UNSEEN` in its title and paragraphs (a paragraph left blank
    is dropped): a report with control characters is read, not refused."""
    paragraphs = [text for text in (_UNSEEN.sub("", p).strip() for p in document.paragraphs) if text]
    title = _UNSEEN.sub("", document.title).strip() or None if document.title else None
    return Document(document.file, title, document.date, paragraphs)


def not_chinese(text: str) -> str | None:
    """Why decoded ``text`` is not a Chinese report (no Chinese character at all, or mostly rare characters:
    the bytes of a binary file or of another encoding), or ``None``."""
    from loaders.text import level1_share

    ideographs = "".join(_CHINESE.findall(text[:SCORED_TEXT]))  # not punctuation: a page of it is still Chinese
    if not ideographs:
        return "报道中没有中文 / the file holds no Chinese text"
    share = level1_share(ideographs)
    if share < MIN_COMMON_SHARE:
        return (f"读出的文字大多是生僻字（常用字仅占 {share:.0%}），文件可能是二进制文件或其他编码 / the text reads as rare "
                f"characters (only {share:.0%} common ones): a binary file or another encoding")
    return None
