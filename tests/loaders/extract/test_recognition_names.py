"""Names the recognizer cut short or missed, and two constructions around them (issue 20, names round 3), on
sentences written for these tests with Jia County's roster: a bank's branch named by the bank before its place, a
company whose legal form is long, a village written without the 家 of its roster name, villages listed bare before
等村 or 等N个村党支部, and a service done for a village's people after 为/给."""

from __future__ import annotations

from .drafting import entity, ties_of


def test_a_banks_branch_is_named_from_the_bank_before_its_place(roster_units):
    found, ties = ties_of(roster_units, "马连塌村由县民政局、工行陕西省分行和榆林学院共同帮扶。",
                          "中国农业银行佳县支行帮扶关甲村。")
    assert {("PAIRED_ASSISTANCE", "工行陕西省分行", "马连塌村"),
            ("PAIRED_ASSISTANCE", "中国农业银行佳县支行", "关甲村")} <= ties
    assert not {e.name for e in found.entities} & {"陕西省分行", "佳县支行"}


def test_a_verb_ending_in_hang_is_no_bank(roster_units):
    found, _ = ties_of(roster_units, "佳县正在进行榆林市分行的评比。")
    assert "进行榆林市分行" not in {e.name for e in found.entities}


def test_a_company_whose_legal_form_is_long_keeps_its_whole_name(roster_units):
    # 向阳湾 is the village named before (都/和 … inside it end no phrase); 经营管理 stands before the legal form
    _, ties = ties_of(roster_units, "向阳湾村党支部对集体果园作价入股，联合组建佳县向阳湾红枣经营管理有限公司。")
    assert ("GUIDES", "向阳湾村党支部", "佳县向阳湾红枣经营管理有限公司") in ties
    assert not any(t[2] in ("管理有限公司", "红枣经营管理有限公司") for t in ties)


def test_a_name_longer_than_the_core_limit_keeps_the_place_it_begins_with(roster_units):
    found, _ = ties_of(roster_units, "关甲村党支部联合组建陕西省佳县关甲红枣种植经营管理有限公司。")
    company = next(e for e in found.entities if e.kind == "Enterprise")
    assert company.name == "佳县关甲红枣种植经营管理有限公司"
    assert "陕西省佳县关甲红枣种植经营管理有限公司" in company.spellings  # as written, for the reviewer and the matcher


def test_a_village_written_without_the_jia_of_its_roster_name_is_a_candidate(roster_units):
    found, ties = ties_of(roster_units, "佳州街道联村党委辖申湾村、吕家坪村。")
    assert ("MEMBER_OF", "申家湾村", "佳州街道联村党委") in ties
    village = entity(found, "申家湾村")
    assert village.status == "candidate" and village.place.id == "610828001202"
    assert entity(found, "吕家坪村").status == "exact"


def test_a_village_named_in_full_before_stays_exact(roster_units):
    found, _ = ties_of(roster_units, "吕家坪村党支部带动吕坪村发展。")
    assert entity(found, "吕家坪村").status == "exact"


def test_villages_listed_bare_before_deng_cun(roster_units):
    _, ties = ties_of(roster_units, "坑镇高家塄、赵家沟、丁家坪等村组建党建联盟，共享资源。")
    assert {t for t in ties if t[0] == "MEMBER_OF"} == {
        ("MEMBER_OF", v, "高家塄村党建联盟") for v in ("高家塄村", "赵家沟村", "丁家坪村")}


def test_deng_cunmin_lists_no_villages(roster_units):
    found, _ = ties_of(roster_units, "坑镇高家塄、赵家沟等村民参加培训。")
    assert not [e for e in found.entities if e.kind == "Village"]


def test_the_last_village_of_an_open_list_of_branches_is_kept_as_a_village(roster_units):
    found, ties = ties_of(roster_units, "坑镇组织高家塄村党支部与赵家沟、丁家坪等5个村党支部，组建红枣产业联盟。")
    members = {t[1] for t in ties if t[0] == "MEMBER_OF"}
    assert {"高家塄村党支部", "赵家沟村", "丁家坪村"} <= members
    assert not {"赵家沟村党支部", "丁家坪村党支部"} & {e.name for e in found.entities}


def test_a_service_for_a_villages_people_after_wei_serves_the_village(roster_units):
    _, ties = ties_of(roster_units, "佳县人民医院为马连塌村全体老年人免费查体，助他们安度晚年。",
                      "佳县中医院给关甲村群众义诊。")
    assert {("SERVES", "佳县人民医院", "马连塌村"), ("SERVES", "佳县中医院", "关甲村")} <= ties


def test_a_place_examines_no_one(roster_units):
    _, ties = ties_of(roster_units, "佳县为关甲村老人免费体检。")
    assert not [t for t in ties if t[0] == "SERVES"]


def test_an_army_unit_that_invests_in_a_village_serves_it(roster_units):
    found, ties = ties_of(roster_units, "兰州某某部队投资50万元在关甲村修建村级综合服务中心。")
    assert ("SERVES", "兰州某某部队", "关甲村") in ties
    assert not [e for e in found.entities if e.name.endswith("服务中心")]  # 修建 ends the phrase before a name


def test_kinds_of_army_unit_name_none(roster_units):
    found, _ = ties_of(roster_units, "各联点的党政机关、军警部队、企业积极行动，榆林驻地部队帮扶马连塌村。")
    assert not [e for e in found.entities if e.name.endswith("部队")]
