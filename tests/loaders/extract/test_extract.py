"""Mentions and proposed ties on sentences written for the tests (loaders/extract mentions.py, ties.py)."""

from __future__ import annotations

from loaders.extract import extract, is_heading
from loaders.extract.document import Document

from .drafting import entity, ties_of


def test_a_name_located_by_its_places_keeps_the_last_one(roster_units):
    found, ties = ties_of(roster_units, "陕西省佳县刘国具镇党委书记来到陕西贺寨酒业有限公司上门问需。")
    assert ties == {("PARTY_ORG_OF", "刘国具镇党委", "刘国具镇"), ("SERVES", "刘国具镇党委", "陕西贺寨酒业有限公司"),
                    ("ENGAGED_IN", "陕西贺寨酒业有限公司", "酿酒")}
    assert entity(found, "陕西贺寨酒业有限公司").surfaces >= {"贺寨酒业", "陕西贺寨酒业"}


def test_aliases_abbreviations_and_defined_short_names_are_one_entity(roster_units):
    found, ties = ties_of(roster_units,
                          "坑镇引进佳县枣香食品有限公司（以下简称“枣香”），枣香按订单收购马连塌村的红枣。",
                          "枣香食品公司为马连塌村代加工小米。")
    company = entity(found, "佳县枣香食品有限公司")
    assert {"佳县枣香食品有限公司", "枣香食品公司"} <= set(company.spellings) and "枣香" in company.surfaces
    assert ("SUPPLIES", "马连塌村", "佳县枣香食品有限公司") in ties
    assert ("PRODUCES_FOR", "佳县枣香食品有限公司", "马连塌村") in ties
    assert ("GUIDES", "坑镇", "佳县枣香食品有限公司") in ties and ("LOCATED_IN", "佳县枣香食品有限公司", "坑镇") in ties


def test_the_town_of_the_paragraph_tells_same_named_villages_apart(roster_units):
    found, _ = ties_of(roster_units, "乌镇的刘家沟村和张家沟村。", "朱家坬镇刘家沟村、刘国具镇张家沟村。")
    villages = {(e.name, e.place.id) for e in found.entities if e.kind == "Village"}
    assert villages == {("刘家沟村", "610828103219"), ("张家沟村", "610828103217"),
                        ("刘家沟村", "610828108206"), ("张家沟村", "610828111206")}


def test_a_village_the_roster_lacks_in_its_town_gets_candidates(roster_units):
    found, ties = ties_of(roster_units, "佳县县委办公室是通镇西山村的帮扶单位。")
    village = next(e for e in found.entities if e.kind == "Village")
    assert (village.name, village.status, village.place.id) == ("崔家西山村", "candidate", "610828105236")
    assert "店镇西山村 (610828102209)" in village.candidates
    assert ("PAIRED_ASSISTANCE", "佳县县委办公室", "崔家西山村") in ties
    low = next(p for p in found.proposals if p.type == "PAIRED_ASSISTANCE")
    assert low.confidence == 0.6  # 0.8 for the cue, less for a proposed village


def test_forming_a_joint_organization(roster_units):
    found, ties = ties_of(roster_units,
                          "2021年，在乌镇党委的大力支持下，核桃树墕村、尚家沟村等9个村成立核桃树墕联村党委，由核桃树墕村党支部牵头。")
    assert ties == {("GUIDES", "乌镇党委", "核桃树墕联村党委"), ("MEMBER_OF", "核桃树墕村", "核桃树墕联村党委"),
                    ("MEMBER_OF", "尚家沟村", "核桃树墕联村党委"), ("MEMBER_OF", "核桃树墕村党支部", "核桃树墕联村党委"),
                    ("PARTY_ORG_OF", "乌镇党委", "乌镇"), ("PARTY_ORG_OF", "核桃树墕村党支部", "核桃树墕村")}
    roles = {p.source.name: p.props["role"] for p in found.proposals if p.type == "MEMBER_OF"}
    assert roles == {"核桃树墕村": "member", "尚家沟村": "member", "核桃树墕村党支部": "lead"}
    assert {p.props.get("start_date") for p in found.proposals if p.type == "MEMBER_OF"} == {"2021"}
    assert entity(found, "核桃树墕联村党委").claims["成员村数"] == 9


def test_groups_and_references_to_them(roster_units):
    found, ties = ties_of(roster_units,
                          "该镇引进陕西贺寨酒业公司，与38家酿酒合作社(作坊)和14个村集体成立了上高寨酒业联合党支部。",
                          "联合党支部利用贺寨酒业的龙头带动作用，组织各酒坊进行技术培训。通过订单收购各村种植的高粱。")
    groups = {e.name: e.props["aggregate_count"] for e in found.entities if e.props.get("aggregate_count")}
    assert groups == {"38家酿酒合作社(作坊)": 38, "14个村集体": 14}
    assert ("SERVES", "上高寨酒业联合党支部", "38家酿酒合作社(作坊)") in ties
    assert ("SUPPLIES", "14个村集体", "陕西贺寨酒业公司") in ties
    assert ("ENGAGED_IN", "14个村集体", "高粱种植") in ties
    lead = next(p for p in found.proposals if p.type == "MEMBER_OF" and p.source.name == "陕西贺寨酒业公司")
    assert lead.props["role"] == "lead"  # 贺寨酒业的龙头带动作用, a sentence later


def test_figures_become_metrics_of_the_tie_and_claims_of_a_place(roster_units):
    found, _ = ties_of(roster_units, "佳县县委办公室是通镇高家塄村的帮扶单位。建立“八联八帮”工作机制，先后累计联系653人次，"
                       "带动收益29万元。", "截至目前，全县已有48个帮扶单位与92个结对帮扶村通过支部联建走出新路径。")
    pairing = next(p for p in found.proposals if p.type == "PAIRED_ASSISTANCE")
    assert pairing.props["mechanism"] == "八联八帮"
    assert {k: v for k, v in pairing.props["metrics"].items() if k != "依据"} == {"联系人次": 653, "收益_元": 290000}
    county = entity(found, "佳县")
    assert {k: v for k, v in county.claims.items() if k != "依据"} == {"帮扶单位数": 48, "结对帮扶村数": 92}


def test_a_count_of_villages_paired_is_claimed_under_the_key_the_report_counts(roster_units):
    """与30个村结对 claims paired villages as 与30个结对帮扶村 does (schema.yaml claims), not as 村结对数."""
    from graph_model.schema import default_schema

    found, _ = ties_of(roster_units, "到2023年，全县共有17个帮扶单位与30个村结对。")
    county = entity(found, "佳县")
    claims = default_schema().claims
    assert {k: v for k, v in county.claims.items() if k != "依据"} == {claims["units"].key: 17,
                                                                      claims["paired_villages"].key: 30}
    assert claims["paired_villages"].key == "结对帮扶村数"


def test_headings_and_list_items():
    assert is_heading("“四聯”發展 實現村村聯合") and is_heading("一、组织联建")
    assert not is_heading("1. 佳县交通运输局——坑镇官道峁村（驻村帮扶）")
    assert not is_heading("佳县县委办公室是通镇西山村的帮扶单位。")


def test_a_report_naming_a_village_of_the_national_roster_resolves_it_by_its_place_name():
    """蒲江县's 鞍山村 is 鞍山村村委会 in the NBS roster (examples/roster_names/pujiang_report.txt)."""
    from pathlib import Path

    from graph_model.schema import default_schema
    from linkgraph.pipeline import roster_units
    from loaders.extract.document import read_document

    report = Path(__file__).resolve().parents[3] / "examples" / "roster_names" / "pujiang_report.txt"
    found = extract([read_document(report)], roster_units(default_schema(), county="蒲江县"))
    village = entity(found, "鞍山村")
    assert (village.status, village.place.id, village.place.props["name_raw"]) == ("exact", "510131103209", "鞍山村村委会")
    ties = {(p.type, p.source.name, p.target.name) for p in found.proposals}
    assert ("PAIRED_ASSISTANCE", "县农业农村局", "鞍山村") in ties
    # in another town the report is wrong: the village is offered once among the candidates, not taken
    elsewhere = extract([Document("t.txt", None, None, ["蒲江县鹤山街道鞍山村与茶企开展村企联建。"])],
                        roster_units(default_schema(), county="蒲江县"))
    village = entity(elsewhere, "鞍山村")
    assert village.status == "unresolved" and village.candidates.count("朝阳湖镇鞍山村 (510131103209)") == 1


def test_a_county_body_and_a_company_named_after_the_county_get_no_broken_short_names():
    """雷山县委组织部 is also 县委组织部, never 委组织部 (the 县 of 县委 is the body's, not only the county's); a company
    named after its county is not called by the county's unit word (县银球茶叶), a government office may be (省民政厅)."""
    from loaders.extract.lexicon import default_lexicon
    from loaders.extract.mentions import Registry

    registry = Registry(default_lexicon())
    assert registry.abbreviations("雷山县委组织部", ["雷山县"]) == ["县委组织部"]
    assert registry.abbreviations("雷山县银球茶叶有限公司", ["雷山县"]) == [
        "银球茶叶有限公司", "雷山县银球茶叶", "银球茶叶"]
    assert registry.abbreviations("四川省民政厅", ["四川省"]) == ["民政厅", "省民政厅"]


def test_a_registry_finds_what_an_entity_owns_in_the_order_added_whenever_the_owner_was_set():
    """Registry.owned_by (a village's or company's party organizations, asked for at each 共建) gives the entities
    of the run that name the owner, in the order they were added, however their owner was set or changed."""
    from loaders.extract.lexicon import default_lexicon
    from loaders.extract.mentions import Entity, Registry

    registry = Registry(default_lexicon())
    village = registry.add(Entity("v1", "Village", "甲村"))
    other = registry.add(Entity("v2", "Village", "乙村"))
    branch = registry.add(Entity("p1", "PartyOrganization", "甲村党支部"))
    committee = Entity("p2", "PartyOrganization", "甲村党总支", owner=village)  # owner first, added after
    registry.add(committee)
    branch.owner = village
    outside = Entity("p3", "PartyOrganization", "甲村团支部", owner=village)  # never added: not of this run
    assert registry.owned_by(village) == [branch, committee] and village.owned == [committee, branch, outside]
    branch.owner = other
    assert registry.owned_by(village) == [committee] and registry.owned_by(other) == [branch]
