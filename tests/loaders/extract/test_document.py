"""Reading reports: plain text, pages saved from a browser, Word files (loaders/extract/document.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from graph_model.records import InputError
from loaders.extract.document import parse_html, read_document

from .conftest import ARTICLE, TEXTS


def test_the_example_article_gives_its_date_and_paragraphs():
    doc = read_document(ARTICLE)
    assert doc.date == "2024-01-18" and doc.title is None
    assert len(doc.paragraphs) == 13
    assert doc.paragraphs[2] == "“四聯(lián)”發(fā)展 實(shí)現(xiàn)村村聯(lián)合"  # glosses go later, with the mojibake
    assert doc.source_title == "article_2024-01-18"  # no title; the date is in the file name already


def test_a_gbk_briefing_gives_its_title_and_date():
    doc = read_document(TEXTS / "zhujiagua_briefing.txt")
    assert doc.title == "朱家坬镇2023年党建引领乡村振兴工作情况汇报"
    assert doc.date == "2023-12-20"
    assert doc.paragraphs[0] == doc.title  # kept: a heading of the text
    assert doc.paragraphs[2].startswith("一是组建联村党组织。")
    assert doc.source_title == "朱家坬镇2023年党建引领乡村振兴工作情况汇报 2023-12-20"


def test_a_saved_page_gives_title_date_and_text_without_scripts():
    doc = read_document(TEXTS / "mutouyu_wechat.html")
    assert doc.title == "【乡村振兴】木头峪镇：村企携手，红枣变“金枣”"
    assert doc.date == "2023-09-15"
    assert doc.paragraphs[0].startswith("🍂金秋九月")  # the page's date line is left out
    text = "\n".join(doc.paragraphs)
    assert "var ct" not in text and "rich_media_content p" not in text
    assert "佳县财政局驻村工作队常驻张家圪崂村" in text and "💪" in text


def test_a_page_without_meta_takes_the_first_date_in_its_text():
    doc = parse_html("<html><head><title>通镇新闻 - 佳县发布</title></head><body><h1>通镇新闻</h1>"
                     "<p>发布时间：2022年5月3日</p><p>佳县县委办公室是通镇高家塄村的帮扶单位。</p></body></html>", "x.html")
    assert (doc.title, doc.date, doc.paragraphs) == ("通镇新闻", "2022-05-03", ["佳县县委办公室是通镇高家塄村的帮扶单位。"])


def test_a_word_file_gives_paragraphs_and_table_rows(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.core_properties.title = "结对帮扶一览"
    document.core_properties.created = dt.datetime(2023, 3, 1, 9, 0)
    document.add_paragraph("佳县2023年结对帮扶情况如下。")
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table.rows[0].cells + table.rows[1].cells, ["帮扶单位", "结对村", "佳县交通运输局", "坑镇官道峁村"]):
        cell.text = text
    path = tmp_path / "一览.docx"
    document.save(path)
    doc = read_document(path)
    assert (doc.title, doc.date) == ("结对帮扶一览", "2023-03-01")
    assert doc.paragraphs == ["佳县2023年结对帮扶情况如下。", "帮扶单位：佳县交通运输局，结对村：坑镇官道峁村。"]


def test_unknown_suffix_and_broken_word_file_are_one_clear_problem(tmp_path):
    with pytest.raises(InputError, match="cannot extract from a .pdf") as raised:
        read_document(tmp_path / "a.pdf")
    assert raised.value.problems[0].hint.startswith("请把 PDF 中的文字复制到 .txt 文件")  # what to do, not a list of suffixes
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a readable .docx"):
        read_document(broken)


def _docx_with(document_xml) -> bytes:
    """The bytes of a Word file whose document.xml is ``document_xml(original)``."""
    import io
    import zipfile

    import docx

    original = io.BytesIO()
    word = docx.Document()
    word.add_paragraph("佳县县委办公室是通镇崔家西山村的帮扶单位。")
    word.save(original)
    source, out = zipfile.ZipFile(original), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            part = source.read(name)
            target.writestr(name, document_xml(part) if name == "word/document.xml" else part)
    return out.getvalue()


@pytest.mark.parametrize("change, message", [
    (lambda p: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + p.split(b"?>", 1)[1],
     "word/document.xml declares a DOCTYPE or entities"),
    (lambda p: b'<!doctype x [<!entity a "b">]>' + p.split(b"?>", 1)[1], "declares a DOCTYPE or entities"),
    (lambda p: p[: len(p) // 2], "not a readable .docx file"),
])
def test_a_word_file_with_a_doctype_or_broken_xml_is_refused(tmp_path, change, message):
    path = tmp_path / "report.docx"
    path.write_bytes(_docx_with(change))
    with pytest.raises(InputError, match=message):
        read_document(path)


def test_comments_in_a_word_paragraph_are_read_past(tmp_path):
    path = tmp_path / "report.docx"
    path.write_bytes(_docx_with(lambda p: p.replace(b"<w:t>", b"<!-- note --><w:t>", 1)))
    assert read_document(path).paragraphs == ["佳县县委办公室是通镇崔家西山村的帮扶单位。"]


def test_a_word_file_that_unpacks_too_large_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr("loaders.extract.document.MAX_DOCX_MB", 1)
    path = tmp_path / "report.docx"
    path.write_bytes(_docx_with(lambda p: p + b" " * 2**21))
    with pytest.raises(InputError, match="unpacks to more than 1 MB"):
        read_document(path)


# ---------------------------------------------------------------- encodings and unseen characters

REPORT = "佳县县委办公室是通镇高家塄村的帮扶单位。\n2022年以来，双方支部联合共建。\n"
TRADITIONAL = "佳縣縣委辦公室是通鎮崔家西山村的幫扶單位。\n2022年以來，雙方支部聯合共建。\n"


@pytest.mark.parametrize("name, data, paragraphs", [
    ("big5.txt", TRADITIONAL.encode("big5"), TRADITIONAL.split()),
    ("utf16le.txt", REPORT.encode("utf-16-le"), REPORT.split()),
    ("utf16be.txt", REPORT.encode("utf-16-be"), REPORT.split()),
    ("utf16bom.txt", REPORT.encode("utf-16"), REPORT.split()),
    ("gbk.txt", REPORT.encode("gbk"), REPORT.split()),
])
def test_a_report_in_big5_or_utf16_with_or_without_bom_is_read(tmp_path, name, data, paragraphs):
    (tmp_path / name).write_bytes(data)
    assert read_document(tmp_path / name).paragraphs == paragraphs


def test_control_and_format_characters_are_left_out(tmp_path):
    report = tmp_path / "controls.txt"
    report.write_text("\x1b[2J佳县县委办公室是通镇高家\u200b塄村的帮扶单位。\ufffe\x07\n\x01\x02\n双方支部\u202e联合共建。",
                      encoding="utf-8")
    doc = read_document(report)
    assert doc.paragraphs == ["[2J佳县县委办公室是通镇高家塄村的帮扶单位。", "双方支部联合共建。"]


@pytest.mark.parametrize("name, data, message", [
    ("nul.txt", b"\x00\x01\x02\x03" * 100 + bytes(range(256)), "not a text file (it holds NUL bytes)"),
    ("noise.txt", bytes((0x81 + (i * 37) % 0x7E) for i in range(3000)), "the text reads as rare characters"),
    ("english.txt", b"A report without a single Chinese character.", "the file holds no Chinese text"),
    ("workbook.txt", b"PK\x03\x04\x14\x00\x00\x00" + b"\x00" * 40, "not a text file but an Excel workbook"),
])
def test_binary_files_and_texts_without_chinese_are_refused_naming_the_file(tmp_path, name, data, message):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(InputError) as raised:
        read_document(tmp_path / name)
    [problem] = raised.value.problems
    assert str(problem).startswith(str(tmp_path / name)) and message in problem.message


# A text copied out of a PDF: broken every 20 characters, in the middle of names (高家/塄村, 农业农/村局).
PDF_COPY = ("佳县结对帮扶工作简报\n"
            "2023年，佳县县委办公室与通镇高家塄村结对帮\n"
            "扶，派出驻村工作队。佳县农业农村局与坑镇官\n"
            "道峁村结对帮扶，两个单位投入帮扶资金共计四\n"
            "十万元，帮助村里发展红枣种植和红枣加工产业\n"
            "，成效明显。\n"
            "下一步，各帮扶单位将继续加大投入。\n")


def test_a_text_copied_from_a_pdf_is_joined_where_lines_break_inside_sentences(tmp_path):
    (tmp_path / "简报.txt").write_text(PDF_COPY, encoding="utf-8")
    document = read_document(tmp_path / "简报.txt")
    assert document.title == "佳县结对帮扶工作简报"
    assert document.paragraphs[1] == ("2023年，佳县县委办公室与通镇高家塄村结对帮扶，派出驻村工作队。佳县农业农村局与坑镇官道峁村"
                                      "结对帮扶，两个单位投入帮扶资金共计四十万元，帮助村里发展红枣种植和红枣加工产业，成效明显。")
    assert document.paragraphs[2] == "下一步，各帮扶单位将继续加大投入。"


def test_a_text_of_one_paragraph_a_line_is_kept_as_it_is(tmp_path):
    lines = ["佳县结对帮扶工作简报", *(f"第{n}项：佳县县委办公室与通镇高家塄村结对帮扶，成效明显。" for n in range(1, 6))]
    (tmp_path / "简报.txt").write_text("\n".join(lines), encoding="utf-8")
    assert read_document(tmp_path / "简报.txt").paragraphs == lines


def test_a_list_of_items_of_one_width_is_kept_one_item_a_line(tmp_path):
    lines = ["佳县结对帮扶名单", *(f"{n}. 佳县第{n}局——通镇高家塄{n}村（结对帮扶）" for n in range(1, 6)),
             *(f"（{n}）佳县第{n}局——坑镇官道峁{n}村，结对帮扶" for n in range(1, 6))]
    (tmp_path / "名单.txt").write_text("\n".join(lines), encoding="utf-8")
    assert read_document(tmp_path / "名单.txt").paragraphs == lines
