import codecs

import pytest

from graph_model.records import InputError
from loaders.text import decode_text, read_text

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
    assert str(caught.value).startswith("roster.csv, row 2: cannot decode byte")
    assert "UTF-8 或 GBK" in str(caught.value)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="nope.csv: cannot read file"):
        read_text(tmp_path / "nope.csv")


def test_a_nul_in_a_file_name_is_one_problem_not_a_crash():
    from loaders.text import read_source_bytes

    with pytest.raises(InputError) as raised:
        read_source_bytes("reports/a\x00b.csv")
    assert str(raised.value.problems[0]).startswith("reports/a\\x00b.csv: 文件名含空字符")
