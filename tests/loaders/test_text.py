import codecs

import pytest

from pathlib import Path

from graph_model.names import to_simplified
from graph_model.records import InputError
from loaders import load_sources
from loaders.text import decode_text, read_text


def to_traditional(text: str) -> str:
    """Simplified → Traditional with OpenCC (for making Big5 test texts)."""
    import opencc

    return opencc.OpenCC("s2t").convert(text)

TEXT = "代码,名称\n610828105236,崔家西山村委会\n"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gbk"), "gb18030"),
        (TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("utf-16"), "utf-16"),
    ],
)
def test_planners_encodings_round_trip(data, encoding):
    assert decode_text(data, "f.csv") == (TEXT, encoding)


def test_gb18030_only_characters_round_trip():
    text = "𡋗墕村"  # 𡋗 is outside GBK
    assert decode_text(text.encode("gb18030"), "f.csv") == (text, "gb18030")


def test_undecodable_bytes_name_the_file_and_line():
    data = "第一行\n".encode("utf-8") + b"\xff\xff\xff\n"
    with pytest.raises(InputError) as caught:
        decode_text(data, "roster.csv")
    assert str(caught.value).startswith("roster.csv, 行 row 2: 无法识别文件编码：第 10 字节起不是 utf-8 或 gb18030 / "
                                        "cannot decode byte 10")
    assert "UTF-8 或 GBK" in str(caught.value)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="nope.csv: 无法读取文件 / cannot read file"):
        read_text(tmp_path / "nope.csv")


# --- files in other encodings, binary and empty files (examples/hostile_encodings) ------------------

HOSTILE = Path(__file__).resolve().parents[2] / "examples" / "hostile_encodings"
ROSTER = Path(__file__).resolve().parents[2] / "examples" / "jia_county" / "nbs_roster_610828.csv"


def test_the_example_files_are_what_their_script_writes():
    from examples.hostile_encodings.make_examples import FILES

    assert {name: (HOSTILE / name).read_bytes() for name in FILES} == FILES


@pytest.mark.parametrize("name, message", [
    ("pairings_big5.csv", "文件是 Big5 编码（繁体中文），请另存为 UTF-8 / the file is Big5-encoded (Traditional Chinese)"),
    ("report_big5.txt", "文件是 Big5 编码"),
    ("pairings_utf16le_nobom.csv", "文件是 UTF-16 编码（little-endian，无 BOM），请另存为 UTF-8 / the file is UTF-16-encoded"),
    ("pairings_utf16be_nobom.csv", "文件是 UTF-16 编码（big-endian，无 BOM）"),
    ("pairings_utf32.csv", "文件是 UTF-32 编码，请另存为 UTF-8 / the file is UTF-32-encoded"),
    ("empty.csv", "文件是空的 / the file is empty"),
    ("bom_only.csv", "文件没有内容（只有 BOM 或空白）/ the file has no text"),
    ("workbook_renamed.csv", "不是文本文件，而是Excel 工作簿（.xlsx）或 zip 压缩包 / not a text file but an Excel workbook"),
])
def test_a_file_in_another_encoding_or_no_text_is_one_line_naming_what_it_is(name, message):
    with pytest.raises(InputError) as caught:
        read_text(HOSTILE / name)
    [problem] = caught.value.problems
    assert message in problem.message and str(problem).startswith(str(HOSTILE / name))


@pytest.mark.parametrize("name", ["pairings_big5.csv", "pairings_utf16le_nobom.csv", "empty.csv", "bom_only.csv",
                                  "workbook_renamed.csv"])
def test_loading_such_a_table_is_refused_not_garbled(tmp_path, name):
    from loaders import source_identities

    table = tmp_path / "结对帮扶.csv"
    table.write_bytes((HOSTILE / name).read_bytes())
    with pytest.raises(InputError) as caught:
        load_sources([ROSTER, table])
    assert [p.origin.file for p in caught.value.problems] == [str(table)]
    with pytest.raises(InputError) as sniffed:  # what a load asks first: is it a roster, is it loaded already?
        source_identities([ROSTER, table])
    assert sniffed.value.problems == caught.value.problems


def test_utf16_with_its_bom_is_read(tmp_path):
    """Excel's "Unicode text" is UTF-16 with a BOM: the BOM says how to read it, nothing is guessed."""
    table = tmp_path / "结对帮扶.csv"
    table.write_bytes((HOSTILE / "pairings_utf16_bom.csv").read_bytes())
    result = load_sources([ROSTER, table])
    [tie] = [t for t in result.graph.ties.values() if t.type == "PAIRED_ASSISTANCE"]
    assert (tie.target_id, tie.props["start_date"]) == ("610828105236", "2022-05")


def test_traditional_characters_saved_as_gbk_are_gbk_not_big5():
    text, encoding = read_text(HOSTILE / "pairings_gbk_traditional.csv")
    assert (text.splitlines()[0], encoding) == ("幫扶單位,結對村,所屬鄉鎮,結對時間", "gb18030")


def test_a_big5_report_is_read_by_extraction_though_a_big5_table_is_refused():
    """A report is read as text, so its encoding may be Big5 (a table's cells are loaded one by one, and a
    Big5 table is refused, above)."""
    from loaders.extract.document import read_document

    assert read_document(HOSTILE / "report_big5.txt").paragraphs == ["佳縣縣委辦公室是通鎮崔家西山村的幫扶單位。",
                                                                     "2022年以來，雙方支部聯合共建。"]


SIMPLIFIED_TABLES = [
    "帮扶单位,结对村,所属乡镇,结对时间\n佳县县委办公室,崔家西山村,通镇,2022年5月\n",
    "名称,所属乡镇\n核桃树墕村,乌镇\n尚家沟村,乌镇\n",
    "代码,名称\n610828105236,崔家西山村委会\n",
    "起点,终点,关系类型,依据\n县委办,崔家西山村,结对帮扶,报道\n",
    "企业,合作社\n陕西贺寨酒业有限公司,酿酒合作社\n",
    "村名,人口\n刘家沟村,320\n张家沟村,415\n",
]


@pytest.mark.parametrize("text", SIMPLIFIED_TABLES)
def test_short_gbk_tables_that_are_also_valid_big5_are_read_as_gbk(text):
    assert decode_text(text.encode("gbk"), "t.csv") == (text, "gb18030")


@pytest.mark.parametrize("text", [to_traditional(t) for t in SIMPLIFIED_TABLES if "墕" not in t])
def test_short_big5_tables_are_refused(text):
    with pytest.raises(InputError, match="Big5"):
        decode_text(text.encode("big5"), "t.csv")


def test_the_article_in_gbk_is_read_and_in_big5_refused():
    article = (Path(__file__).resolve().parents[2] / "examples" / "jia_county" / "article_2024-01-18.txt").read_text(
        encoding="utf-8")
    simplified = to_simplified(article)
    data = simplified.encode("gb18030")
    assert decode_text(data, "a.txt") == (simplified, "gb18030")
    big5 = "".join(c for c in to_traditional(simplified) if c.encode("big5", errors="ignore") or c.isascii())
    with pytest.raises(InputError, match="Big5"):
        decode_text(big5.encode("big5"), "a.txt")


def test_a_county_roster_whose_4096th_byte_splits_a_character_is_read(tmp_path):
    """武陟县's roster as scripts/extract_roster.py writes it: byte 4,095 is the first of a character's three."""
    from loaders import source_identities
    from loaders.text import decode_first_line

    roster = Path(__file__).resolve().parents[2] / "examples" / "roster_names" / "nbs_roster_410823.csv"
    data = roster.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data[:4096].decode("utf-8")
    assert decode_first_line(data, str(roster)) == "code,name,level,parent_code"
    assert [source.key for source in source_identities([roster])] == ["nbs_roster_410823.csv"]
    graph = load_sources([roster]).graph
    assert graph.counts()["Village"] == data.count(b",village,") == 366
    names = {node.id: (node.name, node.props["name_raw"]) for node in graph.nodes.values()}
    assert names["410823001205"] == ("余原村", "余原村村民委员会")
    assert not [name for name, _ in names.values() if name.endswith(("村村", "委员会", "委会"))]


def test_a_nul_in_a_file_name_is_one_problem_not_a_crash():
    from loaders.text import read_source_bytes

    with pytest.raises(InputError) as raised:
        read_source_bytes("reports/a\x00b.csv")
    assert str(raised.value.problems[0]).startswith("reports/a\\x00b.csv: 文件名无效，含空字符 / the file name holds a "
                                                    "NUL character")
