import pytest

from graph_model.names import clean_name, match_key, short_admin_name, strip_pinyin_glosses


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


def test_match_key_folds_variants_traditional_forms_and_spaces():
    assert match_key("陜西賀寨酒業有限公司") == match_key("陕西贺寨酒业有限公司")
    assert match_key("尚家溝村") == match_key("尚家沟村")
    assert match_key("核桃 树墕村") == match_key("核桃树墕村")
    assert match_key("西山村") != match_key("崔家西山村")


def test_clean_name_normalizes_width_and_space():
    assert clean_name("  佳县\u3000县委办公室 ") == "佳县 县委办公室"
    assert clean_name("ＡＢＣ") == "ABC"
