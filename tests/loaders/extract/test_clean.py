"""Mojibake repair, glosses, the aligned Simplified twin and sentences (loaders/extract/clean.py)."""

from __future__ import annotations

from graph_model.names import strip_pinyin_glosses
from loaders.extract.clean import CleanText, plausibility, repair_mojibake, sentence_spans

from .conftest import ARTICLE


def test_the_example_article_has_three_repairs_and_no_others():
    text = ARTICLE.read_text(encoding="utf-8")
    repaired, repairs = repair_mojibake(text)
    assert [(r.before, r.after) for r in repairs] == [
        ("?!捌髽I", "。“企業"), ("?!艾F", "。“現"), ("?!蔽魃酱宕迕翊迍?", "。”西山村村民崔?")]
    # the real question marks stay: 怎么樣? 有沒有困難?
    assert "怎么樣?有沒(méi)有困難?”他的一句慰問" in repaired
    assert repaired.count("?") == text.count("?") - 4 + 1  # four lost bytes, one character still unknown


def test_glosses_go_also_after_a_lost_character():
    repaired, _ = repair_mojibake(ARTICLE.read_text(encoding="utf-8"))
    quote = CleanText.of(repaired).quote
    assert "。“企業最近經營怎么樣?" in quote
    assert "。”西山村村民崔?說。" in quote
    assert "(" not in strip_pinyin_glosses("寒風(fēng)凜冽") and "ài)" not in quote


def test_utf8_read_as_gbk_is_read_again():
    garbled = "合作社木头峪".encode("utf-8").decode("gbk")
    assert garbled == "鍚堜綔绀炬湪澶村唱"
    repaired, repairs = repair_mojibake(f"报道称{garbled}。")
    assert repaired == "报道称合作社木头峪。"
    assert [(r.before, r.after) for r in repairs] == [("鍚堜綔绀炬湪澶村唱", "合作社木头峪")]


def test_text_that_reads_well_is_left_alone():
    text = "刘国具镇有酒厂38家?有的。通镇?不是。"
    assert repair_mojibake(text) == (text, [])
    assert plausibility("。“企業") > plausibility("?!捌髽I")


def test_quote_and_key_forms_align():
    text = CleanText.of("陜西賀寨酒業(yè)有限公司，與38家")
    assert text.quote == "陜西賀寨酒業有限公司，與38家"
    assert text.key == "陕西贺寨酒业有限公司,与38家"
    assert len(text.quote) == len(text.key)
    assert text[2:6].quote == "賀寨酒業" and text[2:6].key == "贺寨酒业"


def test_sentences_keep_their_closing_quote():
    text = "“村里环境卫生好了。”西山村村民说。一是组建；二是推动"
    assert [text[a:b] for a, b in sentence_spans(text)] == ["“村里环境卫生好了。”", "西山村村民说。", "一是组建；", "二是推动"]
