"""Cue words of working ties (SERVES, GUIDES, CO_BUILDS) in constructions of real reports (issue 20), on
sentences written for these tests: each test states the ties a reader would write down, and the false ones
the construction used to give."""

from __future__ import annotations

from .drafting import entity, ties_of


def _co_builds(ties, one, other):
    return ("CO_BUILDS", one, other) in ties or ("CO_BUILDS", other, one) in ties


def test_a_village_paired_with_party_branches_stands_for_its_unnamed_branch(roster_units):
    found, ties = ties_of(roster_units, "马连塌村是县职业学院的实践基地。村内与县财政局党支部、县农业农村局党支部等签有党建联建协议。")
    assert _co_builds(ties, "马连塌村党支部", "县财政局党支部") and _co_builds(ties, "马连塌村党支部", "县农业农村局党支部")
    assert ("PARTY_ORG_OF", "马连塌村党支部", "马连塌村") in ties
    branch = entity(found, "马连塌村党支部")
    assert branch.props["named_by"] == "linkgraph" and "未给名称" in branch.props["note"]


def test_a_company_paired_with_a_village_neither_branch_named_serves_it(roster_units):
    _, ties = ties_of(roster_units, "佳县宏达农业有限公司与关甲村开展村企共建。")
    assert ("SERVES", "佳县宏达农业有限公司", "关甲村") in ties
    assert not any(t[0] == "CO_BUILDS" for t in ties)  # no party organization on either side: no branch made up


def test_an_agreement_named_by_its_kind_states_the_pair(roster_units):
    _, ties = ties_of(roster_units, "县财政局党支部与背沟村党支部签订《结对共建协议》，共促发展。")
    assert _co_builds(ties, "县财政局党支部", "背沟村党支部")
    _, ties = ties_of(roster_units, "县财政局党支部与背沟村党支部签订《红枣产业联盟共建合作协议》。")
    assert not any(t[0] == "CO_BUILDS" for t in ties)  # 共建 governs the alliance here; the title is no pair


def test_support_named_in_zai_xia_serves_the_village(roster_units):
    _, ties = ties_of(roster_units, "2022年，背沟村在坑镇党委的大力支持下，修缮了村史馆。")
    assert ("SERVES", "坑镇党委", "背沟村") in ties
    _, ties = ties_of(roster_units, "在县林业局的关心指导下，关甲村建成红枣示范园。")
    assert ("SERVES", "县林业局", "关甲村") in ties


def test_a_town_guides_no_more_than_its_committee_does(roster_units):
    _, ties = ties_of(roster_units, "坑镇指导背沟村股份经济合作社发展红枣加工。",
                      "坑镇党委指导背沟村股份经济合作社制定章程。")
    assert ("GUIDES", "坑镇党委", "背沟村股份经济合作社") in ties
    assert ("GUIDES", "坑镇", "背沟村股份经济合作社") not in ties  # one guide: the town's committee


def test_a_term_defined_or_a_policy_named_guides_no_one(roster_units):
    _, ties = ties_of(roster_units, "县委组织部印发方案，明确了“领办”(统筹利用集体资产引领背沟村股份经济合作社发展)的做法。")
    assert not any(t[0] == "GUIDES" for t in ties)
    _, ties = ties_of(roster_units, "背沟村股份经济合作社举行分红。坑镇连续三年深耕“党组织领办合作社”，成效明显。")
    assert not any(t[0] == "GUIDES" for t in ties)


def test_a_person_brought_in_founds_what_no_organization_guides(roster_units):
    _, ties = ties_of(roster_units, "坑镇关甲村引入返乡能人创办红枣加工厂，带动周边村增收。")
    assert not any(t[0] == "GUIDES" for t in ties)
    _, ties = ties_of(roster_units, "坑镇引进佳县宏达农业有限公司，建设红枣加工厂。")  # a company brought in: guided
    assert ("GUIDES", "坑镇", "佳县宏达农业有限公司") in ties


def test_help_named_in_zai_xia_pairs_only_the_helpers_of_its_clause(roster_units):
    _, ties = ties_of(roster_units, "在县林业局的关心指导下，在规划设计等单位的具体帮扶下，关甲村建成红枣示范园。")
    assert not any(t[0] == "PAIRED_ASSISTANCE" for t in ties)  # the helpers of 帮扶下 are not named
    _, ties = ties_of(roster_units, "近年来，关甲村在县财政局的帮扶下，建成红枣示范园。")
    assert ("PAIRED_ASSISTANCE", "县财政局", "关甲村") in ties


def test_what_a_company_gives_after_pairing_with_a_village_branch_serves_the_village(roster_units):
    _, ties = ties_of(roster_units, "佳县宏达农业有限公司党委与关甲村党支部签署共建协议。"
                                    "仪式上，佳县宏达农业有限公司党委宣布出资100万元，支持村级经济发展。")
    assert ("SERVES", "佳县宏达农业有限公司党委", "关甲村") in ties
    assert ("SERVES", "佳县宏达农业有限公司党委", "关甲村党支部") not in ties


def test_a_lead_named_in_zai_xia_guides_the_village_the_sentence_is_about(roster_units):
    _, ties = ties_of(roster_units, "在县委统战部牵头下，通过实施帮扶行动，关甲村吸引了多家商会助力乡村振兴。")
    assert ("GUIDES", "县委统战部", "关甲村") in ties

