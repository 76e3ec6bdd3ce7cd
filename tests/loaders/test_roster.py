import pytest

from graph_model.records import InputError
from loaders.roster import load_roster, parse_roster
from tests.conftest import EXAMPLE

HEADER = "code,name,level,parent_code\n"
SMALL = HEADER + "61,陕西省,province,\n6108,榆林市,city,61\n610828,佳县,county,6108\n" \
    "610828105,通镇,town,610828\n610828105236,崔家西山村委会,village,610828105\n"


def test_jia_county_roster_has_the_real_counts(schema):
    graph = load_roster(EXAMPLE / "nbs_roster_610828.csv", schema)
    counts = graph.counts()
    assert (counts["Province"], counts["City"], counts["County"], counts["Town"], counts["Village"]) == (1, 1, 1, 13, 334)
    assert counts["PART_OF"] == 349
    xishan = graph.nodes["610828105236"]
    assert (xishan.name, xishan.props["name_raw"]) == ("崔家西山村", "崔家西山村委会")
    tie = graph.ties[("PART_OF", "610828105236", "610828105")]
    assert tie.props["evidence"] == "nbs_roster_610828.csv row 191"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_roster_reads_in_every_encoding(tmp_path, schema, encoding):
    path = tmp_path / "roster.csv"
    path.write_text(SMALL, encoding=encoding)
    graph = load_roster(path, schema)
    assert graph.nodes["610828105236"].name == "崔家西山村"
    assert len(graph.ties) == 4


@pytest.mark.parametrize(
    "text, expected",
    [
        ("code,name,level\n61,陕西省,province\n", "roster.csv, row 1: missing column(s) parent_code"),
        (HEADER + "61,陕西省,state,\n", "roster.csv, row 2, column level: unknown level 'state'"),
        (HEADER + "6l,陕西省,province,\n", "roster.csv, row 2, column code: code '6l' is not an NBS code"),
        (HEADER + "61,陕西省,province,\n61,陕西,province,\n", "roster.csv, row 3, column code: code 61 appears twice"),
        (HEADER + "61,陕西省,province,\n6108,榆林市,city,62\n", "roster.csv, row 3, column parent_code: parent 62 is not in the roster"),
        (HEADER + "61,,province,\n", "roster.csv, row 2, column name: 名称 Name is required"),
        (HEADER + "61,陕西省,province,\n610828105,通镇,town,61\n", "roster.csv, row 3: PART_OF cannot join Town 通镇 to Province"),
    ],
)
def test_bad_rows_name_file_row_and_column(schema, text, expected):
    with pytest.raises(InputError) as caught:
        parse_roster(text, "roster.csv", schema)
    assert str(caught.value.problems[0]).startswith(expected)
